"""Teams: `join` (a student joins one) and `teams` (list; the instructor's assign, balance
and accommodate, extra time on quiz questions)."""

from __future__ import annotations

import argparse

from bot.app.classes import ACCOMMODATION_RANGE
from bot.errors import UsageError
from bot.render import text as render
from bot.terminal.commands.base import Command, Output, Session, team_arg
from bot.terminal.spec import CommandParser


def cmd_join(s: Session, args: argparse.Namespace) -> Output:
    team = s.tutor.classes.join_team(s.actor, args.team)
    return Output(f"{s.actor.name} is now in team{team}.", {"user": s.actor.name, "team": team})


def _join_args(p: CommandParser, surface: str) -> None:
    team_arg(p, "the team")


def _teams_args(p: CommandParser, surface: str) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    p.default_action = "list"
    actions.add_parser("list", help="who is in which team")
    assign = actions.add_parser("assign", help="put people in teams: ana=team3 bo=4 ...")
    assign.add_argument("pairs", nargs="+", metavar="NAME=TEAM")
    actions.add_parser("balance", help="everyone without a team to the smallest teams")
    low, high = ACCOMMODATION_RANGE
    accommodate = actions.add_parser(
        "accommodate",
        help=f"a student's extra time on quiz questions: NAME 1.5 ({low:g}-{high:g}; 1 clears "
        "it); without NAME, list them",
    )
    accommodate.add_argument("person", nargs="?", metavar="NAME", help="their name or id")
    accommodate.add_argument(
        "multiplier",
        nargs="?",
        type=_multiplier,
        metavar="MULTIPLIER",
        help="their time x this (1.5: half again)",
    )


def _multiplier(text: str) -> float:
    """A time multiplier as typed: 1.5, 1.5x or 150%; the range is the application's."""
    cleaned = text.strip().lower().removesuffix("x")
    try:
        if cleaned.endswith("%"):
            return float(cleaned[:-1]) / 100
        return float(cleaned)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a multiplier like 1.5") from exc


def cmd_teams(s: Session, args: argparse.Namespace) -> Output:
    classes = s.tutor.classes
    if args.action == "accommodate":
        return _accommodate(s, args)
    if args.action == "assign":
        pairs = dict(p.partition("=")[::2] for p in args.pairs)
        if any(not team for team in pairs.values()):
            raise UsageError("Give each person a team: ana=team3 bo=4")
        teams = classes.assign(s.actor, pairs)
    elif args.action == "balance":
        teams = classes.balance(s.actor)
    else:
        teams = classes.teams(s.actor.server)
    return Output(render.render_teams(teams), {f"team{t}": names for t, names in teams.items()})


def _accommodate(s: Session, args: argparse.Namespace) -> Output:
    classes = s.tutor.classes
    if args.person is None:
        rows = classes.accommodations(s.actor)
        data = [{"person": a.person, "multiplier": a.multiplier} for a in rows]
        return Output(render.render_accommodations(rows), data)
    if args.multiplier is None:
        raise UsageError("Give the multiplier too: teams accommodate ana 1.5 (1 clears it)")
    done = classes.accommodate(s.actor, args.person, args.multiplier)
    return Output(
        render.render_accommodation(done), {"person": done.person, "multiplier": done.multiplier}
    )


COMMANDS: list[Command] = [
    Command("join", "join a team (team scores average their members)", cmd_join, _join_args),
    Command("teams", "teams: list; the instructor's assign, balance and accommodate (extra time)", cmd_teams, _teams_args),
]  # fmt: skip
