"""What the class misunderstands and how a student is doing: `digest` (the instructor's,
with no names), `progress` (a student's own) and `grades` (the gradebook export)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.app.context import CONSOLE_SERVER
from bot.app.insights import DEFAULT_SINCE
from bot.render import insights as render_insights
from bot.terminal.commands.base import CLI, Command, Output, Session
from bot.terminal.spec import CommandParser


def _digest_args(p: CommandParser, surface: str) -> None:
    p.add_argument(
        "--since",
        default=DEFAULT_SINCE,
        help=f"how far back: 7d, 24h, 2w, a date (2025-03-01) or all (default {DEFAULT_SINCE})",
    )
    if surface == CLI:
        p.add_argument(
            "--chart",
            type=Path,
            metavar="FILE.png",
            help="where to write the chart (default: under the data directory)",
        )


def cmd_digest(s: Session, args: argparse.Namespace) -> Output:
    digest = s.tutor.insights.digest(s.actor, args.since, chart=getattr(args, "chart", None))
    where = (
        "the console's class" if s.actor.server == CONSOLE_SERVER else f"server {s.actor.server}"
    )
    return Output(render_insights.render_digest(digest, where=where), digest.to_json())


def cmd_progress(s: Session, args: argparse.Namespace) -> Output:
    progress = s.tutor.insights.progress(s.actor)
    return Output(render_insights.render_progress(progress), progress.to_json())


def _grades_args(p: CommandParser, surface: str) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("export", help="one CSV row per student, for the gradebook")
    a.add_argument("--out", type=Path, required=True, metavar="FILE.csv", help="where to write")
    a.add_argument(
        "--roster",
        type=Path,
        metavar="ROSTER.csv",
        help="CSV mapping people (discord_id, or a display name) to student_id",
    )


def cmd_grades(s: Session, args: argparse.Namespace) -> Output:
    export = s.tutor.insights.export_grades(s.actor, args.out, args.roster)
    return Output(render_insights.render_grades_export(export), export.to_json())


COMMANDS: list[Command] = [
    Command("digest", "what the class misunderstands, per concept, with no names (instructor)", cmd_digest, _digest_args),
    Command("progress", "your own mastery per concept (only you see it)", cmd_progress),
    Command("grades", "export the gradebook: one CSV row per student (instructor)", cmd_grades, _grades_args, frozenset({CLI})),
]  # fmt: skip
