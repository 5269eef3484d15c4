"""/review start|status|remind|add: private spaced review of the quiz questions you missed.

Review questions go to the student's DMs, so nobody sees another's mistakes; every other reply
is ephemeral. A DM belongs to no server, so the views in it remember the class (server) the
review belongs to. The Anki export is a button on /review status and on the last answer.
"""

from __future__ import annotations

import io
import logging
import re
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.choices import TEAMS
from bot.app.context import Actor
from bot.app.reviews import Reminder, ReviewQuestion
from bot.discord import format
from bot.discord.checks import DIRECT_MESSAGES, actor_of, bot_of
from bot.discord.interact import (
    ANSWER_INPUT,
    FORM,
    answer_button,
    answer_form,
    guarded,
    off_loop,
    reply_text,
    submitted_text,
)
from bot.errors import ReviewClosed, ReviewError
from bot.render import text as render_text

if TYPE_CHECKING:
    from bot.discord.app import TutorBot

log = logging.getLogger(__name__)
TEAM_CHOICES = [app_commands.Choice(name=f"team{t}", value=f"team{t}") for t in TEAMS]
NO_DM = (
    "I cannot send you a direct message. Allow DMs from this server's members (Privacy "
    "Settings), then try /review start again: reviews stay between you and me."
)


FORM_ID = re.compile(r"review-form:(?P<server>[^:]+):(?P<question>[A-Za-z0-9_.-]+)")


class ReviewButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"review:(?P<server>[^:]+):(?P<choice>[A-E]|form):(?P<question>[A-Za-z0-9_.-]+)",
):
    """A choice (A-E), or the Answer button, of one review question in a student's DM. Its
    custom id carries the class (a DM has no server) and the question, so a click works
    however old the message is, and after a restart."""

    def __init__(self, server: str, question: str, choice: str, *, disabled: bool = False):
        super().__init__(
            answer_button(f"review:{server}:{choice}:{question}", choice, disabled=disabled)
        )
        self.server, self.question, self.choice = server, question, choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ReviewButton:
        return cls(match["server"], match["question"], match["choice"])

    async def _open_form(self, interaction: discord.Interaction) -> None:
        form = answer_form(f"review-form:{self.server}:{self.question}")
        await interaction.response.send_modal(form)

    async def callback(self, interaction: discord.Interaction) -> None:
        if self.choice == FORM:
            await guarded(interaction, self._open_form(interaction))
            return
        cog = bot_of(interaction).get_cog("ReviewCog")
        assert isinstance(cog, ReviewCog)
        await guarded(interaction, cog.submit(interaction, self.server, self.question, self.choice))


class ExportButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"review-export:(?P<server>[^:]+)"
):
    """The Anki export of the student's reviews in one class, as a button that keeps working."""

    def __init__(self, server: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Export to Anki (.apkg)",
                style=discord.ButtonStyle.secondary,
                custom_id=f"review-export:{server}",
            )
        )
        self.server = server

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ExportButton:
        return cls(match["server"])

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = bot_of(interaction).get_cog("ReviewCog")
        assert isinstance(cog, ReviewCog)
        await guarded(interaction, cog.export(interaction, self.server))


def question_view(
    server: str, served: ReviewQuestion, *, disabled: bool = False
) -> discord.ui.View:
    """Buttons A-E for multiple choice; one Answer button (a form) for the other kinds."""
    q = served.question
    view = discord.ui.View(timeout=None)  # dynamic items: nothing to expire
    for choice in "ABCDE"[: len(q.choices)] if q.kind == "choice" else [FORM]:
        view.add_item(ReviewButton(server, q.id, choice, disabled=disabled))
    return view


def answered_view(message: discord.Message) -> discord.ui.View:
    """The buttons of an answered question's message, disabled."""
    view = discord.ui.View(timeout=None)
    for row in message.components:
        for button in getattr(row, "children", []):
            match = ReviewButton.__discord_ui_compiled_template__.fullmatch(button.custom_id or "")
            if match is not None:
                item = ReviewButton(match["server"], match["question"], match["choice"])
                item.item.disabled = True
                view.add_item(item)
    return view


def export_view(server: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ExportButton(server))
    return view


class ReviewCog(
    commands.GroupCog,
    group_name="review",
    group_description="Private spaced review of the quiz questions you missed",
):
    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot
        self.tutor = bot.tutor

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ReviewButton, ExportButton)
        # Discord servers have numeric ids; the console's class is the console's to remind.
        self.tutor.reviews.subscribe_reminders(
            self.bot.from_thread(self.on_reminder), servers=str.isdigit
        )

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ReviewButton, ExportButton)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A submitted review answer form (see answer_form)."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = interaction.data or {}  # type: ignore[assignment]
        match = FORM_ID.fullmatch(str(data.get("custom_id", "")))
        if match is not None:
            text = submitted_text(data, ANSWER_INPUT)
            await guarded(
                interaction, self.submit(interaction, match["server"], match["question"], text)
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
                embed=format.review_embed(served),
                view=question_view(actor.server, served),
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
        text = format.code_block(format.clip(render_text.render_review_status(status), 1800))
        await interaction.followup.send(text, view=export_view(actor.server), ephemeral=True)

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
        added = await off_loop(self.tutor.reviews.add, actor, ids, team)
        text = (
            f"Added {render_text.counted(len(added), 'question')} to your reviews, due now: "
            "/review start."
            if added
            else "Those questions are already in your reviews."
        )
        await interaction.response.send_message(text, ephemeral=True)

    # --- in the DM ----------------------------------------------------------------------------

    async def submit(
        self, interaction: discord.Interaction, server: str, question_id: str, text: str
    ) -> None:
        """An answer from the DM: the verdict (and the card after a miss), then the next one,
        as a DM of its own. The answered question's buttons are disabled: it is answered
        (or, from an old message, no longer due)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        actor = await self._class_actor(interaction, server)
        try:
            outcome = await off_loop(self.tutor.reviews.answer, actor, text, question_id)
        except ReviewClosed:
            await self._disable(interaction)
            raise
        await self._disable(interaction)
        await reply_text(
            interaction, format.safe(render_text.render_review_outcome(outcome)), ephemeral=True
        )
        if outcome.next is not None:
            await interaction.user.send(
                embed=format.review_embed(outcome.next), view=question_view(server, outcome.next)
            )
            return
        status = await off_loop(self.tutor.reviews.status, actor)
        await interaction.followup.send(
            render_text.render_review_done(None, status),
            view=export_view(server),
            ephemeral=True,
        )

    async def _disable(self, interaction: discord.Interaction) -> None:
        message = interaction.message
        if message is None:
            return
        try:
            await message.edit(view=answered_view(message))
        except discord.HTTPException as exc:  # deleted, say: its clicks are refused anyway
            log.info("could not disable an answered review question: %s", exc)

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
