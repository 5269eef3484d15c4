"""/quiz start|stop|skip|leaderboard|join: quizzes as embeds with answer buttons and forms.

A question's buttons and its form carry the question in their custom id (`quiz:7:3:B` is
quiz 7, question 3, choice B), so an answer always goes to the question it was given for:
a click that arrives after the question closed, or in the first seconds of the next one, and a
form opened earlier, are refused by the quiz ("Question 3 has closed") instead of answering
another question, and they still get an answer after a restart. When a question closes, its
buttons are disabled.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.choices import QUIZ_QUESTIONS, QUIZ_SECONDS, TEAMS
from bot.app.context import Actor
from bot.app.quizzes import Arrival, QuestionClosed, QuestionOpened, QuizEnded, QuizEvent
from bot.discord import format
from bot.discord.checks import actor_of, bot_of, instructor_only
from bot.discord.interact import (
    ANSWER_INPUT,
    FORM,
    answer_button,
    answer_form,
    guarded,
    off_loop,
    privately,
    respond,
    submitted_text,
)
from bot.render import text as render_text

if TYPE_CHECKING:
    from bot.discord.app import TutorBot

log = logging.getLogger(__name__)
TEAM_CHOICES = [app_commands.Choice(name=f"team{t}", value=f"team{t}") for t in TEAMS]
# The same defaults as the terminal's `quiz` command (a test keeps them equal).
FORM_ID = re.compile(r"quiz-form:(?P<quiz>\d+):(?P<number>\d+)")


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"quiz:(?P<quiz>\d+):(?P<number>\d+):(?P<choice>[A-E]|form)",
):
    """A choice (A-E) or the Answer button of one question of one quiz. Registered with the
    bot, so a click is handled whichever message it comes from, however old."""

    def __init__(self, quiz: int, number: int, choice: str, *, disabled: bool = False) -> None:
        super().__init__(answer_button(f"quiz:{quiz}:{number}:{choice}", choice, disabled=disabled))
        self.quiz, self.number, self.choice = quiz, number, choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AnswerButton:
        return cls(int(match["quiz"]), int(match["number"]), match["choice"])

    async def callback(self, interaction: discord.Interaction) -> None:
        # discord.py only logs a dynamic item's errors: guarded() tells the person instead.
        if self.choice == FORM:
            await guarded(interaction, self._open_form(interaction))
            return
        cog = bot_of(interaction).get_cog("QuizCog")
        assert isinstance(cog, QuizCog)
        arrival = cog.tutor.quizzes.arrive(actor_of(interaction))  # the click's own time
        await guarded(
            interaction, cog.submit(interaction, self.choice, (self.quiz, self.number), arrival)
        )

    async def _open_form(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(answer_form(f"quiz-form:{self.quiz}:{self.number}"))


class MyResult(discord.ui.DynamicItem[discord.ui.Button], template=r"quiz:mine:(?P<quiz>\d+)"):
    """The button under a quiz's results: the class sees who did well; a click shows the
    clicker their own result, privately. Its id names the quiz, so it works after a restart."""

    def __init__(self, quiz: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="My result", style=discord.ButtonStyle.primary, custom_id=f"quiz:mine:{quiz}"
            )
        )
        self.quiz = quiz

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> MyResult:
        return cls(int(match["quiz"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = bot_of(interaction)
        mine = await privately(
            interaction, bot.tutor.quizzes.own_result, actor_of(interaction), self.quiz
        )
        if mine is not None:
            text = format.safe(render_text.render_own_result(mine, bot.titles))
            await respond(interaction, text, ephemeral=True)


def results_view(quiz: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)  # a dynamic item: nothing to expire
    view.add_item(MyResult(quiz))
    return view


def question_view(
    quiz: int, number: int, choices: int, *, disabled: bool = False
) -> discord.ui.View:
    """Buttons A-E for multiple choice; one Answer button (a form) for the other kinds."""
    view = discord.ui.View(timeout=None)  # dynamic items: nothing to expire
    for choice in "ABCDE"[:choices] if choices else [FORM]:
        view.add_item(AnswerButton(quiz, number, choice, disabled=disabled))
    return view


class QuizCog(commands.GroupCog, group_name="quiz", group_description="Team quizzes"):
    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot
        self.tutor = bot.tutor
        # The message of each open question, to disable its buttons when it closes.
        self.questions: dict[tuple[int, int], tuple[discord.Message, int]] = {}
        self.posting: dict[str, asyncio.Lock] = {}  # one channel's posts keep their order
        self.told_of_restart = False

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(AnswerButton, MyResult)
        self.tutor.quizzes.subscribe(self.bot.from_thread(self.on_quiz_event))

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(AnswerButton, MyResult)

    async def submit(
        self,
        interaction: discord.Interaction,
        text: str,
        question: tuple[int, int],
        arrival: Arrival,
    ) -> None:
        """Judged by `arrival`, taken when the event came in: the defer and the wait for a
        worker thread (a burst at the deadline queues on the default executor) cost nothing."""
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
            result = await off_loop(
                self.tutor.quizzes.answer,
                actor_of(interaction),
                text,
                question=question,
                arrival=arrival,
            )
        finally:
            arrival.release()
        await respond(interaction, format.safe(render_text.render_submit(result)), ephemeral=True)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A submitted answer form (see answer_form)."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = interaction.data or {}  # type: ignore[assignment]
        match = FORM_ID.fullmatch(str(data.get("custom_id", "")))
        if match is None:
            return
        question = (int(match["quiz"]), int(match["number"]))
        arrival = self.tutor.quizzes.arrive(actor_of(interaction))  # the form's own time
        text = submitted_text(data, ANSWER_INPUT)
        await guarded(interaction, self.submit(interaction, text, question, arrival))

    async def on_quiz_event(self, event: QuizEvent) -> None:
        async with self.posting.setdefault(event.channel, asyncio.Lock()):
            if isinstance(event, QuestionOpened):
                await self._opened(event)
            elif isinstance(event, QuestionClosed):
                await self._close_buttons(event.session_id, event.number)
                await self.bot.post(
                    event.channel, format.closed_text(event), what="a question's results"
                )
            elif isinstance(event, QuizEnded):
                for quiz, number in [k for k in self.questions if k[0] == event.session_id]:
                    await self._close_buttons(quiz, number)
                text = format.ended_text(event, self.bot.titles)
                await self.bot.post(
                    event.channel,
                    text,
                    view=results_view(event.session_id),
                    what="the quiz results",
                )

    async def _opened(self, event: QuestionOpened) -> None:
        choices = len(event.question.choices) if event.question.kind == "choice" else 0
        view = question_view(event.session_id, event.number, choices)
        message = await self.bot.post(
            event.channel, embed=format.question_embed(event), view=view, what="a quiz question"
        )
        if message is not None:
            self.questions[(event.session_id, event.number)] = (message, choices)
            post = f"{message.id}:{event.number}:{choices}"  # what on_ready needs after a restart
            await off_loop(self.tutor.quizzes.note_posted, event.session_id, post)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """After a restart: each channel whose quiz it cut short is told what happened and what
        the instructor can do, and the question left behind gets its buttons disabled."""
        if self.told_of_restart:  # on_ready runs again after every reconnect: tell once
            return
        self.told_of_restart = True
        for lost in self.bot.interrupted.quizzes:
            channel = self.bot.channel(lost.channel)
            if channel is not None and lost.post and hasattr(channel, "get_partial_message"):
                message_id, number, choices = (int(part) for part in lost.post.split(":"))
                stale = channel.get_partial_message(message_id)
                view = question_view(lost.id, number, choices, disabled=True)
                try:
                    await stale.edit(view=view)
                except discord.HTTPException as exc:  # deleted, say: its clicks are refused
                    log.info("could not disable the stale question of quiz #%d: %s", lost.id, exc)
            await self.bot.post(
                lost.channel, format.interrupted_quiz_text(lost), what="a restart notice"
            )

    async def _close_buttons(self, quiz: int, number: int) -> None:
        posted = self.questions.pop((quiz, number), None)
        if posted is None:
            return
        message, choices = posted
        try:
            await message.edit(view=question_view(quiz, number, choices, disabled=True))
        except discord.HTTPException as exc:  # deleted, say: late clicks are still refused
            log.info("could not disable question %d of quiz #%d: %s", number, quiz, exc)

    @app_commands.command(
        name="start", description="Start a quiz on a team's concepts in this channel"
    )
    @app_commands.describe(
        team="Whose concepts", questions="How many questions", seconds="Seconds per question"
    )
    @app_commands.choices(team=TEAM_CHOICES)
    @instructor_only()
    async def start(
        self,
        interaction: discord.Interaction,
        team: str,
        questions: app_commands.Range[int, 1, 20] = QUIZ_QUESTIONS,
        seconds: app_commands.Range[int, 5, 600] = QUIZ_SECONDS,
    ) -> None:
        await interaction.response.defer(thinking=True)
        opened = await off_loop(
            self.tutor.quizzes.start,
            actor_of(interaction),
            team=team,
            count=questions,
            seconds=seconds,
        )
        await respond(
            interaction,
            f"Quiz #{opened.quiz_number}: {opened.total} questions on {team}, {seconds} s each.",
        )

    @app_commands.command(name="stop", description="Stop the quiz in this channel")
    @instructor_only()
    async def stop(self, interaction: discord.Interaction) -> None:
        await self._control(interaction, self.tutor.quizzes.stop, "Quiz stopped.")

    @app_commands.command(
        name="resume", description="Continue the quiz a restart interrupted in this channel"
    )
    @instructor_only()
    async def resume(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        opened = await off_loop(self.tutor.quizzes.resume, actor_of(interaction))
        await respond(
            interaction,
            f"Quiz #{opened.quiz_number} resumed at question {opened.number} of {opened.total}.",
        )

    @app_commands.command(name="skip", description="Skip the current question")
    @instructor_only()
    async def skip(self, interaction: discord.Interaction) -> None:
        await self._control(interaction, self.tutor.quizzes.skip, "Skipped.")

    async def _control(
        self, interaction: discord.Interaction, action: Callable[[Actor], Any], done: str
    ) -> None:
        await off_loop(action, actor_of(interaction))
        await respond(interaction, done)

    @app_commands.command(
        name="leaderboard", description="Class and team standings over every quiz"
    )
    async def leaderboard(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        board = await off_loop(self.tutor.quizzes.leaderboard, actor_of(interaction).server)
        await respond(interaction, format.code_block(render_text.render_leaderboard(board)))

    @app_commands.command(
        name="join", description="Join a team (team scores average their members)"
    )
    @app_commands.choices(team=TEAM_CHOICES)
    async def join(self, interaction: discord.Interaction, team: str) -> None:
        number = await off_loop(self.tutor.classes.join_team, actor_of(interaction), team)
        await respond(interaction, f"You are now in team{number}.", ephemeral=True)


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(QuizCog(bot))
