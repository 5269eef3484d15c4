"""The jigsaw activity: `jigsaw` (start, status, next, pause, resume, extend, taught, stop,
grid), in the console only (it needs the timers of a long-running process)."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from bot.app.choices import Timings
from bot.errors import UsageError
from bot.render import text as render
from bot.terminal.commands.base import CONSOLE, Command, Output, Session, positive
from bot.terminal.spec import CommandParser


def _jigsaw_args(p: CommandParser, surface: str) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    p.default_action = "status"
    start = actions.add_parser("start", help="team material, phases on timers, then the quiz")
    start.add_argument(
        "--channels", metavar="team1=a,...", help="each team's channel (default: team1..team5)"
    )
    defaults = Timings()
    for option, name, help in (
        ("--learn", "learn", "minutes to learn"),
        ("--prepare", "prepare", "minutes to prepare"),
        ("--teach", "teach_per_team", "minutes per team to teach"),
        ("--quiz", "quiz", "minutes for the quiz"),
    ):
        start.add_argument(
            option,
            dest=name,
            type=positive(float, 0.1, 120),
            default=getattr(defaults, name),
            help=f"{help} (default {getattr(defaults, name):g})",
        )
    for name, help in (
        ("status", "phase, time left and class progress"),
        ("next", "skip to the next phase"),
        ("pause", "pause the clock"),
        ("resume", "resume the clock"),
        ("stop", "end the activity"),
    ):
        actions.add_parser(name, help=help, description=help)
    extend = actions.add_parser("extend", help="give the current phase more time")
    extend.add_argument("minutes", type=positive(float, 0.1, 60))
    grid = actions.add_parser(
        "grid", help="the mastery grid of a past activity (default: the latest)"
    )
    grid.add_argument("activity", nargs="?", type=positive(int, 1, 2**62), help="its number")
    taught = actions.add_parser("taught", help="mark one of your team's concepts as taught")
    taught.free_text = True
    taught.add_argument("concept", nargs="+", help="the concept's title or id")
    taught.add_argument("--team", help="default: the team whose channel this is")


def cmd_jigsaw(s: Session, args: argparse.Namespace) -> Output:
    jigsaw = s.tutor.jigsaw
    if args.action == "start":
        timings = Timings(args.learn, args.prepare, args.teach_per_team, args.quiz)
        status = jigsaw.start(s.actor, team_channels=_team_channels(args.channels), timings=timings)
    elif args.action == "taught":
        status = jigsaw.mark_taught(s.actor, " ".join(args.concept), args.team)
    elif args.action == "extend":
        status = jigsaw.extend(s.actor, args.minutes)
    elif args.action == "grid":
        ready = jigsaw.grid(s.actor, args.activity)
        text = render.render_mastery(ready, s.tutor.titles)
        return Output(text, {"activity": ready.number, **ready.grid.to_dict()})
    else:
        actions = {
            "status": jigsaw.status,
            "next": jigsaw.next_phase,
            "pause": jigsaw.pause,
            "resume": jigsaw.resume,
            "stop": jigsaw.stop,
        }
        status = actions[args.action](s.actor)
    return Output(render.render_jigsaw_status(status), asdict(status))


def _team_channels(text: str | None) -> dict[str, str] | None:
    """team1=a,team2=b,... -> {"team1": "a", "team2": "b", ...} (the jigsaw reads the teams)."""
    if text is None:
        return None
    mapping = {}
    for pair in text.split(","):
        team, _, channel = pair.partition("=")
        if not channel:
            raise UsageError("--channels takes team1=channel,team2=channel,...")
        mapping[team] = channel.lstrip("#")
    return mapping


COMMANDS: list[Command] = [
    Command("jigsaw", "the jigsaw activity: start, status, next, pause, resume, extend, taught, stop, grid", cmd_jigsaw, _jigsaw_args, frozenset({CONSOLE})),
]  # fmt: skip
