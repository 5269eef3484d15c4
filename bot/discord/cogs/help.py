"""/help: what the bot does, its commands by role, how a quiz and the jigsaw run; the
instructor's version adds a class-day checklist. Built from the command tree, so it never
lists a command that does not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import format
from bot.discord.checks import for_instructors, is_instructor
from bot.discord.interact import respond

if TYPE_CHECKING:
    from bot.discord.app import TutorBot

# The order of a class: questions and demos, then quizzes and reviews, activities, tools.
ORDER = ["ask", "help", "tokenize", "pad", "mask", "mlm", "attention", "embed", "calc", "quiz"]
ORDER += ["review", "jigsaw", "finetune", "admin"]


class Help(commands.Cog):
    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot

    def commands_by_role(self) -> list[tuple[str, str, bool]]:
        """(name, description, instructors only) for every slash command, in ORDER."""
        listed = [
            (command.qualified_name, command.description, for_instructors(command))
            for command in self.bot.tree.walk_commands()
            if isinstance(command, app_commands.Command)
        ]

        def place(entry: tuple[str, str, bool]) -> int:
            top = entry[0].split()[0]
            return ORDER.index(top) if top in ORDER else len(ORDER)

        return sorted(listed, key=place)

    @app_commands.command(
        name="help", description="What this bot does, its commands, how a quiz and the jigsaw run"
    )
    async def help(self, interaction: discord.Interaction) -> None:
        embed = format.help_embed(self.commands_by_role(), instructor=is_instructor(interaction))
        await respond(interaction, embed=embed, ephemeral=True)


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(Help(bot))
