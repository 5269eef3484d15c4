"""Privacy: `forget` (a person, from every table and backup) and `term` (close the term:
archive and clear the class's activity)."""

from __future__ import annotations

import argparse

from bot.render import insights as render_insights
from bot.terminal.commands.base import CLI, Command, Output, Session
from bot.terminal.spec import CommandParser


def _forget_args(p: CommandParser, surface: str) -> None:
    p.add_argument("person", help="the person's id (Discord user id) or display name")
    p.add_argument("--yes", action="store_true", help="really remove them (default: only show)")


def cmd_forget(s: Session, args: argparse.Namespace) -> Output:
    report = s.tutor.privacy.forget(s.actor, args.person, confirm=args.yes)
    return Output(render_insights.render_forget(report), report.to_json())


def _term_args(p: CommandParser, surface: str) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser(
        "close", help="archive this class's activity, clear it and start a clean term"
    )
    a.add_argument("--yes", action="store_true", help="really close it (default: only show)")


def cmd_term(s: Session, args: argparse.Namespace) -> Output:
    report = s.tutor.privacy.close_term(s.actor, confirm=args.yes)
    return Output(render_insights.render_term(report), report.to_json())


COMMANDS: list[Command] = [
    Command("forget", "remove a person from every table and backup (instructor)", cmd_forget, _forget_args, frozenset({CLI})),
    Command("term", "close the term: archive and clear the class's activity (instructor)", cmd_term, _term_args, frozenset({CLI})),
]  # fmt: skip
