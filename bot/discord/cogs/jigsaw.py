"""/jigsaw: the 25-minute activity with each team's material in its own channel."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import render_text
from bot.discord import render
from bot.discord.checks import instructor_only
from bot.discord.interact import off_loop
from bot.jigsaw import Announcement, JigsawError, JigsawEvent, MasteryReady, TeamMaterial
from bot.services import UserInputError
from skills.jigsaw import TEAMS, Timings


class JigsawCog(commands.GroupCog, group_name="jigsaw", group_description="The jigsaw activity"):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.tutor = bot.tutor  # type: ignore[attr-defined]

    async def cog_load(self) -> None:
        self.tutor.jigsaw.subscribe(self.bot.from_thread(self.on_event))  # type: ignore[attr-defined]

    async def on_event(self, event: JigsawEvent) -> None:
        channel = self.bot.get_channel(int(event.channel)) if event.channel.isdigit() else None
        if not isinstance(channel, discord.abc.Messageable):
            return
        if isinstance(event, TeamMaterial):
            for chunk in render.split_message(render.material_text(event)):
                await channel.send(chunk)
        elif isinstance(event, Announcement):
            await channel.send(render_text.render_announcement(event))
        elif isinstance(event, MasteryReady):
            text = render.mastery_text(event, self.bot.titles)  # type: ignore[attr-defined]
            file = discord.File(event.png_path) if event.png_path else discord.utils.MISSING
            await channel.send(text, file=file)

    async def _run(self, interaction: discord.Interaction, action, *args) -> None:
        try:
            status = await off_loop(action, *args)
        except (JigsawError, ValueError) as exc:
            raise UserInputError(str(exc)) from exc
        await interaction.response.send_message(render.jigsaw_status_text(status))

    def _class_channel(self, interaction: discord.Interaction) -> str:
        channel = str(interaction.channel_id)
        return self.tutor.jigsaw.activity_channel(channel) or channel

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
        mapping = self.tutor.team_channels()
        missing = [f"team{t}" for t in TEAMS if t not in mapping]
        if missing:
            raise UserInputError(
                f"Map every team to its channel first (/admin team-channel): missing {', '.join(missing)}."
            )
        await self._run(
            interaction,
            lambda: self.tutor.jigsaw.start(
                str(interaction.channel_id),
                team_channels=mapping,
                timings=Timings(learn, prepare, teach, quiz),
                started_by=str(interaction.user.id),
            ),
        )

    @app_commands.command(name="status", description="Phase, time left and class progress")
    async def status(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, self.tutor.jigsaw.status, self._class_channel(interaction))

    @app_commands.command(name="next", description="Skip to the next phase")
    @instructor_only()
    async def next_phase(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, self.tutor.jigsaw.next_phase, self._class_channel(interaction))

    @app_commands.command(name="pause", description="Pause the clock")
    @instructor_only()
    async def pause(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, self.tutor.jigsaw.pause, self._class_channel(interaction))

    @app_commands.command(name="resume", description="Resume the clock")
    @instructor_only()
    async def resume(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, self.tutor.jigsaw.resume, self._class_channel(interaction))

    @app_commands.command(name="extend", description="Give the current phase more time")
    @instructor_only()
    async def extend(
        self, interaction: discord.Interaction, minutes: app_commands.Range[float, 0.5, 60.0]
    ) -> None:
        await self._run(
            interaction, self.tutor.jigsaw.extend, self._class_channel(interaction), minutes
        )

    @app_commands.command(name="stop", description="End the activity")
    @instructor_only()
    async def stop(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, self.tutor.jigsaw.stop, self._class_channel(interaction))

    async def team_concepts(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        team = self.tutor.jigsaw.team_for_channel(str(interaction.channel_id))
        cards = [c for c in self.tutor.cards if c.team == team] if team else []
        return [
            app_commands.Choice(name=c.title[:100], value=c.id)
            for c in cards
            if current.lower() in c.title.lower()
        ]

    @app_commands.command(name="taught", description="Mark one of your team's concepts as taught")
    @app_commands.autocomplete(concept=team_concepts)
    async def taught(self, interaction: discord.Interaction, concept: str) -> None:
        team = self.tutor.jigsaw.team_for_channel(str(interaction.channel_id))
        if team is None:
            raise UserInputError("Use this in your team's channel during the activity.")
        await self._run(
            interaction,
            self.tutor.jigsaw.mark_taught,
            self._class_channel(interaction),
            team,
            concept,
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(JigsawCog(bot))
