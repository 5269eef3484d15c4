"""Who is acting, permission checks and cooldowns, enforced in code: Discord's
default_permissions only hides commands in the client, which is not a guarantee."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import discord
from discord import app_commands

from bot.app.context import DIRECT_MESSAGES, Actor

if TYPE_CHECKING:
    from bot.discord.app import TutorBot


class NotInstructor(app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__("Only the instructor can do that.")


def bot_of(interaction: discord.Interaction) -> TutorBot:
    return cast("TutorBot", interaction.client)


def is_instructor(interaction: discord.Interaction) -> bool:
    settings = bot_of(interaction).settings
    user = interaction.user
    if user.id in settings.instructor_user_ids:
        return True
    roles = {r.id for r in getattr(user, "roles", [])}
    if roles & set(settings.instructor_role_ids):
        return True
    # With no allow-list configured, server managers count as instructors.
    if not settings.instructor_user_ids and not settings.instructor_role_ids:
        permissions = getattr(user, "guild_permissions", None)
        return bool(permissions and permissions.manage_guild)
    return False


def actor_of(interaction: discord.Interaction) -> Actor:
    """The person, their display name now, their server and channel."""
    user = interaction.user
    return Actor(
        user=str(user.id),
        name=getattr(user, "display_name", None) or user.name,
        server=str(interaction.guild_id) if interaction.guild_id else DIRECT_MESSAGES,
        channel=str(interaction.channel_id),
        instructor=is_instructor(interaction),
    )


def actor_of_message(message: discord.Message) -> Actor:
    author = message.author
    return Actor(
        user=str(author.id),
        name=getattr(author, "display_name", None) or author.name,
        server=str(message.guild.id) if message.guild else DIRECT_MESSAGES,
        channel=str(message.channel.id),
    )


def _require_instructor(interaction: discord.Interaction) -> bool:
    if not is_instructor(interaction):
        raise NotInstructor()
    return True


def instructor_only():
    return app_commands.check(_require_instructor)


def for_instructors(command: app_commands.Command) -> bool:
    """True for a command only instructors may run (it has the instructor_only check)."""
    return _require_instructor in command.checks


def model_cooldown(interaction: discord.Interaction) -> app_commands.Cooldown | None:
    """Per-user cooldown for commands that run a model (settings.model_cooldown_seconds)."""
    seconds = bot_of(interaction).settings.model_cooldown_seconds
    return app_commands.Cooldown(1, seconds) if seconds > 0 else None
