"""Team quizzes: `quiz` (start, stop, skip, resume, play, list, leaderboard, import, join)
and `answer` (the open question's answer, in the console)."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from bot.app.choices import QUIZ_QUESTIONS, QUIZ_SECONDS
from bot.app.quizzes import QuestionClosed, QuizEnded, QuizEvent
from bot.render import text as render
from bot.terminal.commands.base import CONSOLE, Command, Output, Session, positive, team_arg
from bot.terminal.commands.teams import cmd_join
from bot.terminal.spec import CommandParser, JoinWords


def _quiz_args(p: CommandParser, surface: str) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    p.default_action = "start" if surface == CONSOLE else None

    def action(name: str, help: str) -> CommandParser:
        return actions.add_parser(name, help=help, description=help)

    def timing(a: argparse.ArgumentParser) -> None:
        a.add_argument(
            "--questions",
            type=positive(int, 1, 20),
            default=QUIZ_QUESTIONS,
            help=f"questions in the quiz (1-20, default {QUIZ_QUESTIONS})",
        )
        a.add_argument(
            "--seconds",
            type=positive(int, 5, 600),
            default=QUIZ_SECONDS,
            help=f"seconds per question (5-600, default {QUIZ_SECONDS})",
        )

    if surface == CONSOLE:
        a = action("start", "start a quiz on a team's concepts in this channel")
        team_arg(a, "whose concepts")
        timing(a)
        a.add_argument(
            "--players", metavar="A,B", help="close a question once all of these have answered"
        )
        action("stop", "stop the quiz in this channel")
        action("skip", "skip the current question")
        action("resume", "continue the quiz a restart interrupted, from its question")
    else:
        a = action("play", "play a whole quiz in the terminal, timers included")
        team_arg(a, "whose concepts")
        timing(a)
        a.add_argument("--team", dest="my_team", metavar="TEAM", help="your team (joins it)")
    a = action("list", "the question bank, all or one team's")
    a.add_argument("team", nargs="*", action=JoinWords, help="only this team's questions")
    action("leaderboard", "class and team standings over every quiz")
    a = action("import", "import questions from a GIFT or TOML file (all or nothing)")
    a.add_argument("file", type=Path)
    a.add_argument("--team", help="the team the questions belong to")
    a.add_argument("--concepts", help="concept ids the GIFT questions test, comma-separated")
    a = action("join", "join a team (team scores average their members)")
    team_arg(a, "the team")


def cmd_quiz(s: Session, args: argparse.Namespace) -> Output:
    quizzes = s.tutor.quizzes
    if args.action == "start":
        players = frozenset(p for p in (args.players or "").split(",") if p)
        opened = quizzes.start(
            s.actor,
            team=args.team,
            count=args.questions,
            seconds=args.seconds,
            players=players,
        )
        text = f"Quiz #{opened.quiz_number} started: {opened.total} questions, {opened.seconds:.0f} s each"
        if opened.extended:
            text += f" (up to {opened.open_for:.0f} s for students with extra time)"
        text += "."
        return Output(text, {"quiz": opened.quiz_number})
    if args.action == "stop":
        quizzes.stop(s.actor)
        return Output("Quiz stopped.")
    if args.action == "skip":
        quizzes.skip(s.actor)
        return Output("Skipped.")
    if args.action == "resume":
        opened = quizzes.resume(s.actor)
        text = f"Quiz #{opened.quiz_number} resumed at question {opened.number}/{opened.total}."
        return Output(text, {"quiz": opened.quiz_number, "question": opened.number})
    if args.action == "play":
        return _play(s, args)
    if args.action == "list":
        rows = s.tutor.bank.questions(args.team)
        text = "\n".join(f"{q.id} (team{q.team}, {q.kind}): {q.prompt}" for q in rows)
        return Output(text, [q.summary() for q in rows])
    if args.action == "leaderboard":
        board = quizzes.leaderboard(s.actor.server)
        return Output(render.render_leaderboard(board), board.to_json())
    if args.action == "import":
        concepts = [c for c in (args.concepts or "").split(",") if c]
        added = s.tutor.bank.import_questions(
            s.actor,
            args.file,
            team=args.team,
            concepts=concepts,
        )
        return Output(f"Imported {len(added)} questions.", [q.summary() for q in added])
    return cmd_join(s, args)


def _play(s: Session, args: argparse.Namespace) -> Output:
    """A whole quiz in the terminal for one player, timers included."""
    tutor, actor = s.tutor, s.actor.in_channel(f"terminal-{s.actor.user}")
    if args.my_team:
        tutor.classes.join_team(actor, args.my_team)
    done, moved_on, printing = threading.Event(), threading.Event(), threading.Lock()

    def show(event: QuizEvent) -> None:
        if event.channel != actor.channel:
            return
        with printing:
            s.show(render.render_quiz_event(event, tutor.titles) + "\n")
            if isinstance(event, QuizEnded):
                mine = tutor.quizzes.own_result(actor, event.session_id)
                s.show(render.render_own_result(mine, tutor.titles) + "\n")
        if isinstance(event, QuizEnded):
            done.set()
        if not isinstance(event, QuestionClosed):
            moved_on.set()  # the next question opened, or the quiz ended

    tutor.quizzes.subscribe(show)
    tutor.start_timers()
    tutor.quizzes.start(
        actor,
        team=args.team,
        count=args.questions,
        seconds=args.seconds,
        players=frozenset({actor.user}),
    )
    while not done.is_set():
        line = s.stdin.readline()
        if not line:
            if tutor.quizzes.is_running(actor.server, actor.channel):
                tutor.quizzes.stop(actor)
            break
        moved_on.clear()
        arrival = tutor.quizzes.arrive(actor)
        result = tutor.quizzes.answer(actor, line.strip(), arrival=arrival)
        with printing:
            s.show(render.render_submit(result))
        if result.accepted:  # piped answers must not run ahead of the questions
            moved_on.wait(timeout=args.seconds + 1)
    done.wait(timeout=2)
    return Output()


def cmd_answer(s: Session, args: argparse.Namespace) -> Output:
    result = s.tutor.quizzes.answer(s.actor, " ".join(args.text), arrival=s.arrival)
    return Output(render.render_submit(result))


def _answer_args(p: CommandParser, surface: str) -> None:
    p.add_argument("text", nargs="*", help="your answer")


COMMANDS: list[Command] = [
    Command("quiz", "team quizzes: start, stop, skip, resume, play, list, leaderboard, import, join", cmd_quiz, _quiz_args),
    Command("answer", "answer the open quiz question (a plain line does too)", cmd_answer, _answer_args, frozenset({CONSOLE}), free_text=True),
]  # fmt: skip
