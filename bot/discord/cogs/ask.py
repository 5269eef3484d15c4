"""/ask, and the plain-chat routes: a mention or a DM asks; "tokenize this:" / "mask this:"
run the demos. Plain chat and slash commands reach the same Tutor methods."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import render
from bot.discord.checks import model_cooldown
from bot.discord.interact import off_loop
from bot.services import UserInputError
from bot.triggers import parse_trigger


class Ask(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.tutor = bot.tutor  # type: ignore[attr-defined]

    @app_commands.command(
        name="ask", description="Ask about a course concept (answers cite their sources)"
    )
    @app_commands.describe(question="Your question, e.g. what does the attention mask do?")
    @app_commands.checks.dynamic_cooldown(model_cooldown)
    async def ask(
        self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 1000]
    ) -> None:
        await interaction.response.defer(thinking=True)
        reply = await off_loop(
            self.tutor.ask,
            question,
            channel=str(interaction.channel_id),
            user=str(interaction.user.id),
        )
        await interaction.followup.send(embed=render.answer_embed(reply))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not message.content:
            return
        mentioned = self.bot.user is not None and self.bot.user in message.mentions
        is_dm = isinstance(message.channel, discord.DMChannel)
        text = message.content
        if mentioned and self.bot.user is not None:
            text = (
                text.replace(self.bot.user.mention, "")
                .replace(f"<@!{self.bot.user.id}>", "")
                .strip()
            )
        trigger = parse_trigger(text)
        if trigger is None and not (mentioned or is_dm):
            return
        async with message.channel.typing():
            try:
                content, embed = await off_loop(self._plain_reply, trigger, text, message)
            except UserInputError as exc:
                content, embed = str(exc), None
        for chunk in render.split_message(content) if content else [None]:
            await message.reply(chunk, embed=embed, mention_author=False)
            embed = None

    def _plain_reply(self, trigger, text: str, message: discord.Message):
        if trigger and trigger[0] == "tokenize":
            return render.tokenize_text(self.tutor.tokenize(trigger[1])), None
        if trigger:
            return render.mask_text(self.tutor.mask(trigger[1])), None
        reply = self.tutor.ask(text, channel=str(message.channel.id), user=str(message.author.id))
        return None, render.answer_embed(reply)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Ask(bot))
