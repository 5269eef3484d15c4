"""What every terminal command is made of: the surfaces it runs on, the `Session` its handler
gets, the `Output` it returns, the `Command` row that specifies it, and the argument helpers
several commands share."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from bot.app.choices import TEAMS
from bot.app.context import Actor
from bot.app.quizzes import Arrival
from bot.app.tutor import Tutor
from bot.terminal.spec import CommandParser, JoinWords

CLI, CONSOLE = "cli", "console"
BOTH = frozenset({CLI, CONSOLE})


@dataclass
class Output:
    text: str = ""
    data: Any = None  # for --json: a dict (one object) or a list (JSON Lines)
    code: int = 0


@dataclass
class Session:
    """Who is typing, where, and where progress goes (the console changes who and where)."""

    tutor: Tutor
    actor: Actor
    surface: str
    out: TextIO = field(default_factory=lambda: sys.stdout)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    json: bool = False
    # A quiz answer's arrival, taken when its line was read (QuizManager.arrive).
    arrival: Arrival | None = None
    # The concept of the last answer, for "more" (the console remembers it between lines).
    last_concept: str | None = None

    def show(self, text: str) -> None:
        print(text, file=self.out, flush=True)


Handler = Callable[[Session, argparse.Namespace], Output]


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    handler: Handler
    arguments: Callable[[CommandParser, str], None] = lambda parser, surface: None
    surfaces: frozenset[str] = BOTH
    free_text: bool = False


def positive(kind: type, low: float, high: float) -> Callable[[str], Any]:
    """An argparse type: a number of `kind` within [low, high], with a clear message."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except (ValueError, OverflowError) as exc:
            what = "whole number" if kind is int else "number"
            raise argparse.ArgumentTypeError(f"{text!r} is not a {what}") from exc
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is not between {low:g} and {high:g}")
        return value

    parse.__name__ = kind.__name__
    return parse


def team_arg(p: argparse.ArgumentParser, help: str) -> None:
    teams = ", ".join(f"team{t}" for t in TEAMS)
    p.add_argument("team", nargs="*", action=JoinWords, help=f"{help} ({teams})")
