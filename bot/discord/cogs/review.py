"""/review start|status|remind|add: private spaced review of the quiz questions you missed.

Review questions go to the student's DMs, so nobody sees another's mistakes; every other reply
is ephemeral. A DM belongs to no server, so the views in it remember the class (server) the
review belongs to. The Anki export is a button on /review status and on the last answer.
"""

from __future__ import annotations

import io
import logging
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.choices import TEAMS, parse_team
from bot.app.context import Actor
from bot.app.reviews import Reminder, ReviewQuestion
from bot.discord import render
from bot.discord.checks import DIRECT_MESSAGES, actor_of
from bot.discord.interact import TutorModal, TutorView, off_loop, reply_text
from bot.errors import ReviewError
from bot.render import text as render_text

if TYPE_CHECKING:
    from bot.discord.app import TutorBot

log = logging.getLogger(__name__)
VIEW_SECONDS = 30 * 60  # a served question's buttons work this long; /review start serves again
TEAM_CHOICES = [app_commands.Choice(name=f"team{t}", value=f"team{t}") for t in TEAMS]
NO_DM = (
    "I cannot send you a direct message. Allow DMs from this server's members (Privacy "
    "Settings), then try /review start again: reviews stay between you and me."
)


class ReviewAnswerModal(TutorModal, title="Your answer"):
    answer: discord.ui.TextInput = discord.ui.TextInput(
        label="Answer", style=discord.TextStyle.paragraph, max_length=1000
    )

    def __init__(self, cog: ReviewCog, server: str, question_id: str) -> None:
        super().__init__()
        self.cog, self.server, self.question_id = cog, server, question_id

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.cog.submit(interaction, self.server, self.question_id, self.answer.value)


class ReviewQuestionView(TutorView):
    """Buttons A-E for multiple choice; one Answer button (a modal) for the other kinds."""

    def __init__(self, cog: ReviewCog, server: str, served: ReviewQuestion) -> None:
        super().__init__(timeout=VIEW_SECONDS)
        self.cog, self.server, self.question_id = cog, server, served.question.id
        if served.question.kind == "choice":
            for letter in "ABCDE"[: len(served.question.choices)]:
                self.add_item(ReviewChoiceButton(letter))
        else:
            button: discord.ui.Button = discord.ui.Button(
                label="Answer", style=discord.ButtonStyle.primary
            )
            button.callback = self.open_modal  # type: ignore[method-assign]
            self.add_item(button)

    async def open_modal(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(
            ReviewAnswerModal(self.cog, self.server, self.question_id)
        )


class ReviewChoiceButton(discord.ui.Button):
    def __init__(self, letter: str) -> None:
        super().__init__(label=letter, style=discord.ButtonStyle.secondary)
        self.letter = letter

    async def callback(self, interaction: discord.Interaction) -> None:
        view = self.view
        assert isinstance(view, ReviewQuestionView)
        view.stop()  # one answer per served question
        await view.cog.submit(interaction, view.server, view.question_id, self.letter)


class ExportView(TutorView):
    """The Anki export, as a button."""

    def __init__(self, cog: ReviewCog, server: str) -> None:
        super().__init__(timeout=VIEW_SECONDS)
        self.cog, self.server = cog, server

    @discord.ui.button(label="Export to Anki (.apkg)", style=discord.ButtonStyle.secondary)
    async def export(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self.cog.export(interaction, self.server)


class ReviewCog(
    commands.GroupCog,
    group_name="review",
    group_description="Private spaced review of the quiz questions you missed",
):
    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot
        self.tutor = bot.tutor

    async def cog_load(self) -> None:
        # Discord servers have numeric ids; the console's class is the console's to remind.
        self.tutor.reviews.subscribe_reminders(
            self.bot.from_thread(self.on_reminder), servers=str.isdigit
        )

    async def _class_actor(self, interaction: discord.Interaction, server: str = "") -> Actor:
        """The student in their class: the server the command came from, the one a DM's view
        remembers, or - for a command typed in a DM - the only class they have reviews in."""
        actor = actor_of(interaction)
        if server:
            return replace(actor, server=server)
        if actor.server != DIRECT_MESSAGES:
            return actor
        servers = await off_loop(self.tutor.reviews.classes_of, actor.user)
        if len(servers) == 1:
            return replace(actor, server=servers[0])
        raise ReviewError(
            "Use this command in your class's server: reviews belong to a class."
            if not servers
            else "You have reviews in several classes: use this command in the class's server."
        )

    # --- commands ---------------------------------------------------------------------------

    @app_commands.command(name="start", description="Review your missed quiz questions in a DM")
    async def start(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        actor = await self._class_actor(interaction)
        served = await off_loop(self.tutor.reviews.next, actor)
        if served is None:
            status = await off_loop(self.tutor.reviews.status, actor)
            await interaction.followup.send(
                render_text.render_review_done(0, status), ephemeral=True
            )
            return
        try:
            await interaction.user.send(
                embed=render.review_embed(served),
                view=ReviewQuestionView(self, actor.server, served),
            )
        except discord.Forbidden:
            await off_loop(self.tutor.reviews.stop, actor)
            await interaction.followup.send(NO_DM, ephemeral=True)
            return
        where = "here" if interaction.guild_id is None else "in your DMs"
        await interaction.followup.send(
            f"Your review is {where}: {served.due_today} due today.", ephemeral=True
        )

    @app_commands.command(name="status", description="What you have to review today and this week")
    async def status(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        actor = await self._class_actor(interaction)
        status = await off_loop(self.tutor.reviews.status, actor)
        text = render.code_block(render.clip(render_text.render_review_status(status), 1800))
        await interaction.followup.send(text, view=ExportView(self, actor.server), ephemeral=True)

    @app_commands.command(
        name="remind", description="A DM on days with reviews due (at most one a day)"
    )
    @app_commands.describe(state="on or off")
    @app_commands.choices(state=[app_commands.Choice(name=s, value=s) for s in ("on", "off")])
    async def remind(self, interaction: discord.Interaction, state: str) -> None:
        actor = await self._class_actor(interaction)
        on = await off_loop(self.tutor.reviews.set_reminders, actor, state == "on")
        settings = self.tutor.settings
        text = (
            f"Reminders on: a DM at most once a day, on days with reviews due (from "
            f"{settings.review_remind_hour}:00, {settings.class_timezone})."
            if on
            else "Reminders off."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="add", description="Review questions you never missed, too")
    @app_commands.describe(team="Every question of this team", question="A question's id")
    @app_commands.choices(team=TEAM_CHOICES)
    async def add(
        self,
        interaction: discord.Interaction,
        team: str | None = None,
        question: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        actor = await self._class_actor(interaction)
        ids = [question] if question else []
        added = await off_loop(
            self.tutor.reviews.add, actor, ids, parse_team(team) if team else None
        )
        text = (
            f"Added {len(added)} questions to your reviews, due now: /review start."
            if added
            else "Those questions are already in your reviews."
        )
        await interaction.response.send_message(text, ephemeral=True)

    # --- in the DM ----------------------------------------------------------------------------

    async def submit(
        self, interaction: discord.Interaction, server: str, question_id: str, text: str
    ) -> None:
        """An answer from the DM: the verdict (and the card after a miss), then the next one."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        actor = await self._class_actor(interaction, server)
        outcome = await off_loop(self.tutor.reviews.answer, actor, text, question_id)
        await reply_text(
            interaction, render.safe(render_text.render_review_outcome(outcome)), ephemeral=True
        )
        if outcome.next is not None:
            await interaction.followup.send(
                embed=render.review_embed(outcome.next),
                view=ReviewQuestionView(self, server, outcome.next),
                ephemeral=True,
            )
            return
        status = await off_loop(self.tutor.reviews.status, actor)
        await interaction.followup.send(
            render_text.render_review_done(None, status),
            view=ExportView(self, server),
            ephemeral=True,
        )

    async def export(self, interaction: discord.Interaction, server: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        actor = await self._class_actor(interaction, server)
        with tempfile.TemporaryDirectory(prefix="tutor-review-") as folder:
            path = Path(folder) / "tutorbot-review.apkg"
            result = await off_loop(self.tutor.reviews.export, actor, path)
            data = path.read_bytes()
        await interaction.followup.send(
            f"Your {result.notes} missed questions as an Anki deck: import it with File > Import.",
            file=discord.File(io.BytesIO(data), filename="tutorbot-review.apkg"),
            ephemeral=True,
        )

    async def on_reminder(self, reminder: Reminder) -> None:
        """From the timer thread: one private DM; nothing is posted in any channel."""
        try:
            user = self.bot.get_user(int(reminder.user)) or await self.bot.fetch_user(
                int(reminder.user)
            )
            guild = self.bot.get_guild(int(reminder.server))
            await user.send(render_text.render_reminder(reminder, guild.name if guild else ""))
        except (discord.Forbidden, discord.NotFound):
            log.info("review reminder not delivered: user %s has closed DMs", reminder.user)


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(ReviewCog(bot))
