"""Discord test helpers: the real TutorBot with its cogs loaded offline, and spec_set mocks of
Interaction whose response/followup record what the bot sent."""

from __future__ import annotations

import asyncio
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest

from bot.app.tutor import Tutor
from bot.discord.app import TutorBot


@pytest.fixture
def bot(settings, encoder, clock):
    tutor = Tutor(
        settings.model_copy(update={"model_cooldown_seconds": 0}), encoder=encoder, clock=clock
    )
    bot = TutorBot(tutor)
    asyncio.run(bot.load_cogs())
    yield bot
    tutor.close()


def make_interaction(
    bot, *, user_id=1, channel_id=100, guild_id=10, manage_guild=False, role_ids=()
):
    interaction = MagicMock(spec_set=discord.Interaction)
    response = MagicMock(spec_set=discord.InteractionResponse)
    state = {"done": False}

    async def finish(*args, **kwargs):
        state["done"] = True

    response.defer = AsyncMock(side_effect=finish)
    response.send_message = AsyncMock(side_effect=finish)
    response.send_modal = AsyncMock(side_effect=finish)
    response.is_done = MagicMock(side_effect=lambda: state["done"])
    interaction.response = response
    followup = MagicMock(spec_set=discord.Webhook)
    followup.send = AsyncMock()
    interaction.followup = followup
    user = MagicMock(spec_set=discord.Member)
    user.id = user_id
    user.name = f"user{user_id}"
    user.display_name = f"Student {user_id}"
    user.roles = [MagicMock(spec_set=discord.Role, id=r) for r in role_ids]
    user.guild_permissions = discord.Permissions(manage_guild=manage_guild)
    interaction.user = user
    interaction.channel_id = channel_id
    interaction.guild_id = guild_id
    interaction.delete_original_response = AsyncMock()
    interaction.client = bot
    interaction.guild = None
    interaction.command = None
    return interaction


def sent(interaction) -> list[dict]:
    """Everything sent as (kwargs + content) through response and followup, in order."""
    calls = []
    for method in (interaction.response.send_message, interaction.followup.send):
        for call in method.call_args_list:
            calls.append(
                {
                    "content": call.args[0] if call.args else call.kwargs.get("content"),
                    **call.kwargs,
                }
            )
    return calls


def run(coro):
    return asyncio.run(coro)
