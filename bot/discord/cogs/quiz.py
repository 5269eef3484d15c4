"""/quiz start|stop|skip|leaderboard|join: quizzes as embeds with answer buttons and modals."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.context import Actor
from bot.app.quizzes import QuestionClosed, QuestionOpened, QuizEnded, QuizEvent
from bot.discord import render
from bot.discord.checks import actor_of, instructor_only
from bot.discord.interact import off_loop
from bot.render import text as render_text
from skills.course import TEAMS, parse_team

if TYPE_CHECKING:
    from bot.discord.app import TutorBot

TEAM_CHOICES = [app_commands.Choice(name=f"team{t}", value=f"team{t}") for t in TEAMS]
# The same defaults as the terminal's `quiz` command (a test keeps them equal).
DEFAULT_QUESTIONS, DEFAULT_SECONDS = 5, 30


class AnswerModal(discord.ui.Modal, title="Your answer"):
    answer: discord.ui.TextInput = discord.ui.TextInput(
        label="Answer", style=discord.TextStyle.paragraph, max_length=1000
    )

    def __init__(self, cog: QuizCog) -> None:
        super().__init__()
        self.cog = cog

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.cog.submit(interaction, self.answer.value)


class QuestionView(discord.ui.View):
    """Buttons A-E for multiple choice; one Answer button (a modal) for the other kinds."""

    def __init__(self, cog: QuizCog, event: QuestionOpened) -> None:
        super().__init__(timeout=event.seconds + 5)
        self.cog = cog
        if event.question.kind == "choice":
            for letter in "ABCDE"[: len(event.question.choices)]:
                self.add_item(ChoiceButton(letter))
        else:
            button: discord.ui.Button = discord.ui.Button(
                label="Answer", style=discord.ButtonStyle.primary
            )
            button.callback = self.open_modal  # type: ignore[method-assign]
            self.add_item(button)

    async def open_modal(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(AnswerModal(self.cog))


class ChoiceButton(discord.ui.Button):
    def __init__(self, letter: str) -> None:
        super().__init__(label=letter, style=discord.ButtonStyle.secondary)
        self.letter = letter

    async def callback(self, interaction: discord.Interaction) -> None:
        view = self.view
        assert isinstance(view, QuestionView)
        await view.cog.submit(interaction, self.letter)


class QuizCog(commands.GroupCog, group_name="quiz", group_description="Team quizzes"):
    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot
        self.tutor = bot.tutor

    async def cog_load(self) -> None:
        self.tutor.quizzes.subscribe(self.bot.from_thread(self.on_quiz_event))

    async def submit(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await off_loop(self.tutor.quizzes.answer, actor_of(interaction), text)
        await interaction.followup.send(
            render.safe(render_text.render_submit(result)), ephemeral=True
        )

    async def on_quiz_event(self, event: QuizEvent) -> None:
        channel = self.bot.channel(event.channel)
        if channel is None:
            return
        if isinstance(event, QuestionOpened):
            await channel.send(embed=render.question_embed(event), view=QuestionView(self, event))
        elif isinstance(event, QuestionClosed):
            await channel.send(render.closed_text(event))
        elif isinstance(event, QuizEnded):
            await channel.send(render.ended_text(event, self.bot.titles))

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
        questions: app_commands.Range[int, 1, 20] = DEFAULT_QUESTIONS,
        seconds: app_commands.Range[int, 5, 600] = DEFAULT_SECONDS,
    ) -> None:
        await interaction.response.defer(thinking=True)
        opened = await off_loop(
            self.tutor.quizzes.start,
            actor_of(interaction),
            team=parse_team(team),
            count=questions,
            seconds=seconds,
        )
        await interaction.followup.send(
            f"Quiz #{opened.session_id}: {opened.total} questions on {team}, {seconds} s each."
        )

    @app_commands.command(name="stop", description="Stop the quiz in this channel")
    @instructor_only()
    async def stop(self, interaction: discord.Interaction) -> None:
        await self._control(interaction, self.tutor.quizzes.stop, "Quiz stopped.")

    @app_commands.command(name="skip", description="Skip the current question")
    @instructor_only()
    async def skip(self, interaction: discord.Interaction) -> None:
        await self._control(interaction, self.tutor.quizzes.skip, "Skipped.")

    async def _control(
        self, interaction: discord.Interaction, action: Callable[[Actor], Any], done: str
    ) -> None:
        await off_loop(action, actor_of(interaction))
        await interaction.response.send_message(done)

    @app_commands.command(
        name="leaderboard", description="Class and team standings over every quiz"
    )
    async def leaderboard(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        board = await off_loop(self.tutor.quizzes.leaderboard, actor_of(interaction).server)
        await interaction.followup.send(render.code_block(render_text.render_leaderboard(board)))

    @app_commands.command(
        name="join", description="Join a team (team scores average their members)"
    )
    @app_commands.choices(team=TEAM_CHOICES)
    async def join(self, interaction: discord.Interaction, team: str) -> None:
        number = await off_loop(self.tutor.classes.join_team, actor_of(interaction), team)
        await interaction.response.send_message(f"You are now in team{number}.", ephemeral=True)


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(QuizCog(bot))
