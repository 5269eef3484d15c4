"""/progress: a student's own mastery per concept, shown to them alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import format
from bot.discord.checks import actor_of
from bot.discord.interact import off_loop, respond
from bot.render import insights as render_insights

if TYPE_CHECKING:
    from bot.discord.app import TutorBot


class ProgressCog(commands.Cog):
    def __init__(self, bot: TutorBot) -> None:
        self.tutor = bot.tutor

    @app_commands.command(
        name="progress", description="Your own mastery per concept (only you see it)"
    )
    async def progress(self, interaction: discord.Interaction) -> None:
        # Private by construction: it takes no member option, and the reply is ephemeral.
        await interaction.response.defer(ephemeral=True, thinking=True)
        progress = await off_loop(self.tutor.insights.progress, actor_of(interaction))
        text = render_insights.render_progress(progress)
        await respond(interaction, format.code_block(text), ephemeral=True)  # split, not cut


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(ProgressCog(bot))
