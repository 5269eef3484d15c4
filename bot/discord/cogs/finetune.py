"""/finetune start|jobs|cancel|leaderboard: LoRA fine-tunes on the host GPU, from the channel."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.choices import FINETUNE_MODELS, METHODS, PRESETS
from bot.app.finetune import JobEvent
from bot.discord import format
from bot.discord.checks import actor_of
from bot.discord.interact import off_loop, respond
from bot.render import text as render_text

if TYPE_CHECKING:
    from bot.discord.app import TutorBot

REASON_CHARS = 160  # a failure reason in the list of jobs; the whole one is in the job's news


class FinetuneCog(
    commands.GroupCog, group_name="finetune", group_description="Class fine-tuning competition"
):
    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot
        self.tutor = bot.tutor
        # One progress message per job, edited in place rather than a new post each time.
        self.progress: dict[int, discord.Message] = {}

    async def cog_load(self) -> None:
        self.tutor.finetunes.subscribe(self.bot.from_thread(self.on_job_event))

    async def on_job_event(self, event: JobEvent) -> None:
        text = format.safe(render_text.render_job_event(event, paths=False))
        if event.kind in ("progress", "evaluation"):
            shown = self.progress.get(event.job_id)
            if shown is not None:
                await shown.edit(content=format.clip(text, format.MESSAGE_LIMIT))
            else:
                posted = await self.bot.post(
                    event.channel, text, what=f"progress of job #{event.number}"
                )
                if posted is not None:
                    self.progress[event.job_id] = posted
            return
        self.progress.pop(event.job_id, None)
        curve = Path(event.data.get("loss_curve", "")) if event.kind == "succeeded" else None
        file = None
        if curve and curve.is_file():
            alt = event.data.get("loss_curve_alt_text") or f"Loss curve of job #{event.number}"
            file = format.picture(curve, alt, f"job-{event.number}-loss.png")
        await self.bot.post(event.channel, text, file=file, what=f"news of job #{event.number}")

    @app_commands.command(
        name="start", description="Queue a short fine-tune on the class data (LoRA by default)"
    )
    @app_commands.describe(
        preset="A recipe sized for the lesson (default: standard); the options below override it",
        model="Model to fine-tune",
        method="lora, full or freeze",
        epochs="Passes over the data",
        lora_r="LoRA rank",
    )
    @app_commands.choices(
        preset=[
            app_commands.Choice(name=f"{p.name}: {p.summary}"[:100], value=p.name)
            for p in PRESETS.values()
        ],
        model=[app_commands.Choice(name=m.split("/")[-1], value=m) for m in FINETUNE_MODELS],
        method=[app_commands.Choice(name=m, value=m) for m in METHODS],
    )
    async def start(
        self,
        interaction: discord.Interaction,
        preset: str | None = None,
        model: str | None = None,
        method: str | None = None,
        epochs: app_commands.Range[float, 0.1, 10.0] | None = None,
        lora_r: app_commands.Range[int, 1, 128] | None = None,
    ) -> None:
        await interaction.response.defer(thinking=True)
        job_id = await off_loop(
            self.tutor.finetunes.start,
            actor_of(interaction),
            preset=preset,
            model=model,
            method=method,
            epochs=epochs,
            lora_r=lora_r,
        )
        number = await off_loop(self.tutor.finetunes.number_of, job_id)
        await respond(interaction, f"Fine-tune job #{number} queued; progress will appear here.")

    @app_commands.command(name="jobs", description="Recent fine-tune jobs and their status")
    async def jobs(self, interaction: discord.Interaction) -> None:
        views = await off_loop(self.tutor.finetunes.jobs, actor_of(interaction).server)
        text = render_text.render_jobs(views, reason_chars=REASON_CHARS)
        await respond(interaction, format.code_block(text), filename="jobs.txt")

    @app_commands.command(name="cancel", description="Cancel your queued or running job")
    async def cancel(self, interaction: discord.Interaction, job: int) -> None:
        # Stopping a running trainer can take seconds: defer first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        message = await off_loop(self.tutor.finetunes.cancel, actor_of(interaction), job)
        await respond(interaction, message, ephemeral=True)

    @app_commands.command(
        name="try", description="Try a finished fine-tune on a sentence, beside the base model"
    )
    @app_commands.describe(job="The job's number", text="A sentence to classify")
    async def try_model(
        self,
        interaction: discord.Interaction,
        job: app_commands.Range[int, 1, 1_000_000],
        text: app_commands.Range[str, 1, 500],
    ) -> None:
        await interaction.response.defer(thinking=True)
        reply = await off_loop(self.tutor.finetunes.try_model, actor_of(interaction), job, text)
        await interaction.followup.send(format.code_block(render_text.render_try(reply)))

    @app_commands.command(name="leaderboard", description="Best run per team and per student")
    async def leaderboard(self, interaction: discord.Interaction) -> None:
        rows = await off_loop(self.tutor.finetunes.leaderboard, actor_of(interaction).server)
        await respond(interaction, format.code_block(render_text.render_finetune_leaderboard(rows)))


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(FinetuneCog(bot))
