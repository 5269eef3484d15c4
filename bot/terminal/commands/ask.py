"""Asking: `ask` (one question, or a file of them), `more` (the whole card an answer came
from) and `flag` (an answer that was not what you asked goes to the instructor's queue)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from bot.errors import TutorError, UsageError
from bot.render import text as render
from bot.terminal.commands.base import CLI, CONSOLE, Command, Output, Session, positive
from bot.terminal.hints import HINTS
from bot.terminal.spec import CommandParser


def _ask_args(p: CommandParser, surface: str) -> None:
    p.add_argument("question", nargs="*", help="the question")
    if surface == CLI:
        p.add_argument(
            "--file", type=Path, help="answer one question per line (JSON Lines with --json)"
        )


def _lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        yield from (line.rstrip("\n") for line in handle if line.strip())


def cmd_ask(s: Session, args: argparse.Namespace) -> Output:
    path = getattr(args, "file", None)
    if path is None:
        reply = s.tutor.ask.ask(s.actor, " ".join(args.question))
        console = s.surface == CONSOLE
        s.last_concept = reply.answer.concept if reply.answer.more else None
        more = "/more" if console else f"tutor more {reply.answer.concept}"
        flag = "/flag" if console else "tutor flag"
        return Output(render.render_answer(reply, flag, more), reply.to_json())
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    texts, data, code = [], [], 0
    for question in _lines(path):
        try:
            reply = s.tutor.ask.ask(s.actor, question)
        except TutorError as exc:  # one bad line must not stop the file
            code = 2
            data.append({"error": exc.explained(HINTS), "question": question})
            texts.append(f"error: {exc.explained(HINTS)}")
            continue
        data.append(reply.to_json())
        texts.append(render.render_answer(reply) + "\n")
    return Output("\n".join(texts), data, code)


def _more_args(p: CommandParser, surface: str) -> None:
    p.add_argument(
        "concept",
        nargs="*" if surface == CONSOLE else "+",
        help="a concept's id or title"
        + (" (default: the last answer's)" if surface == CONSOLE else ""),
    )


def cmd_more(s: Session, args: argparse.Namespace) -> Output:
    concept = " ".join(args.concept) or s.last_concept
    if not concept:
        raise UsageError("Ask a question first; then more shows the whole card it came from.")
    page = s.tutor.ask.more(concept)
    return Output(render.render_card_page(page), page.to_json())


def _flag_args(p: CommandParser, surface: str) -> None:
    p.add_argument(
        "id",
        nargs="?",
        type=positive(int, 1, 2**62),
        help="the question's id (shown under each answer; default: your last question)",
    )


def cmd_flag(s: Session, args: argparse.Namespace) -> Output:
    flagged = s.tutor.ask.flag(s.actor, args.id)
    return Output(render.render_flagged(flagged), flagged.to_json())


COMMANDS: list[Command] = [
    Command("ask", "answer a concept question from the knowledge base", cmd_ask, _ask_args, free_text=True),
    Command("more", "the whole card an answer came from (the last answer's, or a concept you name)", cmd_more, _more_args, free_text=True),
    Command("flag", "mark an answer as not what you asked: it goes to the instructor's queue", cmd_flag, _flag_args),
]  # fmt: skip
