"""`tutor dashboard [--port 8001] [--host 127.0.0.1]`."""

from __future__ import annotations

import argparse

from bot.app.insights import dashboard_metadata
from bot.app.tutor import Tutor
from bot.dashboard.server import DEFAULT_PORT, LOCAL, serve


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not between 1 and 65535")
    return port


def cmd_dashboard(tutor: Tutor, args: argparse.Namespace) -> int:
    return serve(tutor.settings.database_path, dashboard_metadata(), host=args.host, port=args.port)


def add_dashboard_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "dashboard",
        help="browse the class's data in a read-only local web view (Datasette)",
        description="Browse the class's data in a read-only local web view (Datasette): "
        "the unanswered queue, the digest per concept, leaderboards, quiz histories, jobs, "
        "mastery grids and grades.",
    )
    p.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    p.add_argument(
        "--host",
        default=LOCAL,
        help=f"address to listen on (default {LOCAL}: this machine only; there is no login)",
    )
    p.set_defaults(main=cmd_dashboard)
