"""/tokenize, /pad, /mask, /mlm and /calc: the live model demos and calculators."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import format
from bot.discord.checks import model_cooldown
from bot.discord.interact import off_loop, reply_text, respond
from bot.render import text as render_text

if TYPE_CHECKING:
    from bot.discord.app import TutorBot


class Demos(commands.Cog):
    def __init__(self, bot: TutorBot) -> None:
        self.tutor = bot.tutor

    async def tokenizer_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = self.tutor.res.tokenizers.available()
        return [app_commands.Choice(name=n, value=n) for n in names if current.lower() in n][:25]

    async def model_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = self.tutor.res.masked_lms.available()
        return [app_commands.Choice(name=n, value=n) for n in names if current.lower() in n][:25]

    @app_commands.command(
        name="tokenize", description="See how real tokenizers split text (WordPiece and GPT-2 BPE)"
    )
    @app_commands.describe(
        text="Text to tokenize",
        tokenizer="Only this tokenizer",
        pair="A second segment, as in sentence-pair tasks",
    )
    @app_commands.autocomplete(tokenizer=tokenizer_names)
    @app_commands.checks.dynamic_cooldown(model_cooldown)
    async def tokenize(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 2000],
        tokenizer: str | None = None,
        pair: app_commands.Range[str, 1, 2000] | None = None,
    ) -> None:
        await interaction.response.defer(thinking=True)
        reply = await off_loop(
            self.tutor.demos.tokenize,
            text,
            tokenizers=[tokenizer] if tokenizer else None,
            pair=pair,
            allow_paths=False,
        )
        await reply_text(interaction, format.tokenize_text(reply), filename="tokens.txt")

    @app_commands.command(
        name="pad", description="Batch sentences together to see [PAD] and the attention mask"
    )
    @app_commands.describe(sentences="2-16 sentences separated by ;")
    async def pad(
        self, interaction: discord.Interaction, sentences: app_commands.Range[str, 1, 2000]
    ) -> None:
        await interaction.response.defer(thinking=True)
        parts = [s.strip() for s in sentences.split(";") if s.strip()]
        reply = await off_loop(self.tutor.demos.tokenize_batch, parts)
        await reply_text(interaction, format.batch_text(reply))

    @app_commands.command(
        name="mask", description="Fill the blank with a masked-LM ([MASK], <mask> or ___)"
    )
    @app_commands.describe(
        text="A sentence with a blank",
        top_k="Predictions per blank",
        targets="Your guesses, comma-separated",
        model="A model id from the allow-list or the model folder",
    )
    @app_commands.autocomplete(model=model_names)
    @app_commands.checks.dynamic_cooldown(model_cooldown)
    async def mask(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 2000],
        top_k: app_commands.Range[int, 1, 20] = 5,
        targets: str | None = None,
        model: str | None = None,
    ) -> None:
        await interaction.response.defer(thinking=True)
        guesses = [t for t in (targets or "").split(",") if t.strip()]
        reply = await off_loop(
            self.tutor.demos.mask,
            text,
            model=model,
            top_k=top_k,
            targets=guesses,
            allow_paths=False,
        )
        await reply_text(interaction, format.mask_text(reply))

    @app_commands.command(
        name="mlm", description="BERT's 15% / 80-10-10 masking rule applied to your sentence"
    )
    async def mlm(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 2000],
        seed: int = 0,
    ) -> None:
        await interaction.response.defer(thinking=True)
        demo = await off_loop(self.tutor.demos.masking_demo, text, seed=seed)
        await reply_text(interaction, format.code_block(render_text.render_masking_demo(demo)))

    @app_commands.command(
        name="calc", description="Handout calculators: softmax, steps, lora, bert"
    )
    @app_commands.describe(
        expression="e.g. softmax 2.5 1 0.5 1.5 T=2 | steps 1000 10 | lora 768 768 16 | bert base"
    )
    async def calc(
        self, interaction: discord.Interaction, expression: app_commands.Range[str, 1, 500]
    ) -> None:
        result = self.tutor.demos.calculate(expression)  # exact arithmetic: fast, no defer needed
        await respond(interaction, format.code_block(render_text.render_calculation(result)))


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(Demos(bot))
