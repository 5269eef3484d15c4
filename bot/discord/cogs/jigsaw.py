"""/jigsaw: the 25-minute activity with each team's material in its own channel."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.choices import Timings
from bot.app.context import Actor
from bot.app.jigsaw import (
    Announcement,
    JigsawEvent,
    JigsawStatus,
    MasteryReady,
    QuizPlan,
    TeamMaterial,
)
from bot.discord import format
from bot.discord.checks import actor_of, instructor_only
from bot.discord.interact import off_loop, respond
from bot.render import text as render_text

if TYPE_CHECKING:
    from bot.discord.app import TutorBot


class JigsawCog(commands.GroupCog, group_name="jigsaw", group_description="The jigsaw activity"):
    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot
        self.tutor = bot.tutor
        self.told_of_restart = False

    async def cog_load(self) -> None:
        self.tutor.jigsaw.subscribe(self.bot.from_thread(self.on_event))

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """After a restart: each class channel whose activity it cut short is told."""
        if self.told_of_restart:  # on_ready runs again after every reconnect: tell once
            return
        self.told_of_restart = True
        for lost in self.bot.interrupted.activities:
            await self.bot.post(
                lost.channel, format.interrupted_activity_text(lost), what="a restart notice"
            )

    async def on_event(self, event: JigsawEvent) -> None:
        if isinstance(event, TeamMaterial):
            for message in format.material_messages(event):  # in order, a card at a time
                if await self.bot.post(event.channel, message, what="team material") is None:
                    break  # the channel is gone or refuses: the rest would fail the same way
        elif isinstance(event, Announcement):
            text = render_text.render_announcement(event)
            await self.bot.post(event.channel, text, what="a jigsaw announcement")
        elif isinstance(event, QuizPlan):
            text = render_text.render_quiz_plan(event, self.bot.titles)
            await self.bot.post(event.channel, text, what="the closing quiz's plan")
        elif isinstance(event, MasteryReady):
            text = format.mastery_text(event, self.bot.titles)
            await self.bot.post(
                event.channel, text, file=_grid_file(event), what="the mastery grid"
            )

    @app_commands.command(name="grid", description="The mastery grid of a past activity")
    @app_commands.describe(activity="The activity's number (default: the latest)")
    async def grid(
        self, interaction: discord.Interaction, activity: app_commands.Range[int, 1] | None = None
    ) -> None:
        await interaction.response.defer(thinking=True)
        ready = await off_loop(self.tutor.jigsaw.grid, actor_of(interaction), activity)
        # 20 concepts x 5 teams is about 2,700 characters: fitted (split) like every reply
        await respond(
            interaction, format.mastery_text(ready, self.bot.titles), file=_grid_file(ready)
        )

    async def _run(
        self, interaction: discord.Interaction, action: Callable[[Actor], JigsawStatus]
    ) -> None:
        await interaction.response.defer(thinking=True)
        status = await off_loop(action, actor_of(interaction))
        await respond(interaction, format.jigsaw_status_text(status))

    @app_commands.command(
        name="start", description="Start the jigsaw: team material, phases on timers, then the quiz"
    )
    @app_commands.describe(
        learn="Minutes to learn",
        prepare="Minutes to prepare",
        teach="Minutes per team to teach",
        quiz="Minutes for the quiz",
    )
    @instructor_only()
    async def start(
        self,
        interaction: discord.Interaction,
        learn: app_commands.Range[float, 0.5, 60.0] = 10,
        prepare: app_commands.Range[float, 0.5, 60.0] = 5,
        teach: app_commands.Range[float, 0.5, 30.0] = 2,
        quiz: app_commands.Range[float, 0.5, 60.0] = 5,
    ) -> None:
        mapping = await off_loop(self.tutor.classes.team_channels, actor_of(interaction).server)
        timings = Timings(learn, prepare, teach, quiz)
        await self._run(
            interaction,
            lambda actor: self.tutor.jigsaw.start(actor, team_channels=mapping, timings=timings),
        )

    @app_commands.command(name="status", description="Phase, time left and class progress")
    async def status(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, self.tutor.jigsaw.status)

    @app_commands.command(name="next", description="Skip to the next phase")
    @instructor_only()
    async def next_phase(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, self.tutor.jigsaw.next_phase)

    @app_commands.command(name="pause", description="Pause the clock")
    @instructor_only()
    async def pause(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, self.tutor.jigsaw.pause)

    @app_commands.command(
        name="resume", description="Resume the clock, or the activity a restart interrupted"
    )
    @instructor_only()
    async def resume(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, self.tutor.jigsaw.resume)

    @app_commands.command(name="extend", description="Give the current phase more time")
    @instructor_only()
    async def extend(
        self, interaction: discord.Interaction, minutes: app_commands.Range[float, 0.5, 60.0]
    ) -> None:
        await self._run(interaction, lambda actor: self.tutor.jigsaw.extend(actor, minutes))

    @app_commands.command(
        name="stop", description="End the activity (or one a restart interrupted)"
    )
    @instructor_only()
    async def stop(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, self.tutor.jigsaw.stop)

    async def team_concepts(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        team = self.tutor.jigsaw.team_here(actor_of(interaction))
        cards = [c for c in self.tutor.cards if c.team == team] if team else []
        return [
            app_commands.Choice(name=c.title[:100], value=c.id)
            for c in cards
            if current.lower() in c.title.lower()
        ][:25]

    @app_commands.command(name="taught", description="Mark one of your team's concepts as taught")
    @app_commands.autocomplete(concept=team_concepts)
    async def taught(self, interaction: discord.Interaction, concept: str) -> None:
        await self._run(interaction, lambda actor: self.tutor.jigsaw.mark_taught(actor, concept))


def _grid_file(event: MasteryReady) -> discord.File | None:
    """The grid's PNG with its alt text, under a plain name (never the server's path)."""
    if event.png_path is None or not event.png_path.exists():
        return None
    name = f"jigsaw-{event.number}-mastery.png"
    return discord.File(event.png_path, filename=name, description=event.alt_text[:1024])


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(JigsawCog(bot))
