"""The `tutor` program: the terminal's commands plus the Discord frontend's (`tutor run`,
`tutor commands`) and the dashboard's (`tutor dashboard`). It sits above the frontends, which
never import each other."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from bot.app.tutor import Tutor
from bot.dashboard.command import add_dashboard_command
from bot.terminal import cli

EXIT_USAGE = 2

NO_TOKEN = """No Discord token is set, so the Discord bot cannot start.

To run it on Discord:
  1. Create an application and a bot at https://discord.com/developers/applications
     (Bot tab: reset the token, copy it, and switch on the Message Content intent).
  2. export TUTOR_DISCORD_TOKEN=...   (and TUTOR_DISCORD_GUILD_ID=<your server id> so the
     slash commands appear at once)
  3. tutor run

Without Discord, everything works in the local console: tutor chat"""


def cmd_run(tutor: Tutor, args: argparse.Namespace) -> int:
    token = tutor.settings.discord_token
    if token is None or not token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_USAGE
    from bot.discord.app import run

    logging.getLogger().setLevel(logging.INFO)
    return run(tutor)


def cmd_commands(tutor: Tutor, args: argparse.Namespace) -> int:
    from bot.discord.app import payloads

    data = payloads(tutor)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    for command in data:
        subs = [o for o in command.get("options", []) if o.get("type") == 1]
        for sub in subs or [command]:
            name = f"/{command['name']}" + (f" {sub['name']}" if subs else "")
            print(f"{name:24} {sub['description']}")
    return 0


def add_discord_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="start the Discord bot (needs TUTOR_DISCORD_TOKEN)")
    p.set_defaults(main=cmd_run)
    p = sub.add_parser("commands", help="print the slash commands the Discord bot syncs")
    p.add_argument("--json", action="store_true", help="the raw payloads, as sent to Discord")
    p.set_defaults(main=cmd_commands)


def main(argv: list[str] | None = None) -> int:
    try:
        return cli.main(argv, extra=[add_discord_commands, add_dashboard_command])
    except KeyboardInterrupt:  # Ctrl-C while models load: no traceback, the usual 130
        return 130
