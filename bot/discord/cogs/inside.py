"""/attention and /embed: what all-MiniLM-L6-v2 does with the tokens, as pictures."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.choices import MAX_WORD_CHARS, MINILM_HEADS, MINILM_LAYERS
from bot.discord import format
from bot.discord.checks import model_cooldown
from bot.discord.interact import off_loop, respond

if TYPE_CHECKING:
    from bot.discord.app import TutorBot


class Inside(commands.Cog):
    def __init__(self, bot: TutorBot) -> None:
        self.tutor = bot.tutor

    @app_commands.command(
        name="attention", description="Heatmap of the model's attention between your text's tokens"
    )
    @app_commands.describe(
        text="Text to look inside (cut to 40 tokens)",
        layer=f"Layer 1-{MINILM_LAYERS} (default: the last)",
        head=f"One head, 1-{MINILM_HEADS} (default: the mean of the layer's heads)",
    )
    @app_commands.checks.dynamic_cooldown(model_cooldown)
    async def attention(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 2000],
        layer: app_commands.Range[int, 1, MINILM_LAYERS] | None = None,
        head: app_commands.Range[int, 1, MINILM_HEADS] | None = None,
    ) -> None:
        await interaction.response.defer(thinking=True)
        reply = await off_loop(self.tutor.demos.attention, text, layer=layer, head=head)
        await respond(
            interaction,
            format.attention_text(reply),
            file=format.picture(reply.image, reply.alt_text, "attention.png"),
        )

    @app_commands.command(
        name="embed", description="One word in 2-6 sentences: how close its contextual vectors are"
    )
    @app_commands.describe(
        word="The word to follow, e.g. bank",
        sentence1="A sentence with the word",
        sentence2="Another sentence with the word",
        sentence3="Another (optional)",
        sentence4="Another (optional)",
        sentence5="Another (optional)",
        sentence6="Another (optional)",
    )
    @app_commands.checks.dynamic_cooldown(model_cooldown)
    async def embed(
        self,
        interaction: discord.Interaction,
        word: app_commands.Range[str, 1, MAX_WORD_CHARS],
        sentence1: app_commands.Range[str, 1, 1000],
        sentence2: app_commands.Range[str, 1, 1000],
        sentence3: app_commands.Range[str, 1, 1000] | None = None,
        sentence4: app_commands.Range[str, 1, 1000] | None = None,
        sentence5: app_commands.Range[str, 1, 1000] | None = None,
        sentence6: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        await interaction.response.defer(thinking=True)
        given = (sentence1, sentence2, sentence3, sentence4, sentence5, sentence6)
        sentences = [s for s in given if s is not None]
        reply = await off_loop(self.tutor.demos.embed, word, sentences)
        await respond(
            interaction,
            format.embed_text(reply),
            file=format.picture(reply.image, reply.alt_text, "embed.png"),
        )


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(Inside(bot))
