"""`tutor` on the command line: one-shot commands (with `--json`), `tutor chat`, `tutor run`.

The commands themselves are specified once in bot/terminal/commands.py, shared with the
console. Exit codes: 0 done, 1 the command ran but failed (a job failed, a file was
refused), 2 a user mistake (the message says what to change), 3 a bug (logged, with a
reference), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from bot.app.context import Actor
from bot.app.tutor import Tutor
from bot.config import Settings
from bot.errors import TutorError, bug_message, report_bug
from bot.store import CONSOLE_SERVER
from bot.terminal import console
from bot.terminal.commands import CLI, Output, Session, add_commands
from bot.terminal.spec import CommandParser, HelpRequested, cli_argv, parse

EXIT_FAILED, EXIT_USAGE, EXIT_BUG = 1, 2, 3


def _quiet_libraries() -> None:
    # Progress bars and load reports from transformers/sentence-transformers would drown the
    # answers in a terminal and corrupt --json output.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def _who(parser: CommandParser) -> None:
    """The options every one-shot command takes: who acts, where, and JSON output."""
    parser.add_argument("--json", action="store_true", help="print JSON (lists: JSON Lines)")
    parser.add_argument("--user", default="local", help="who is acting (default: local)")
    parser.add_argument(
        "--server",
        default=CONSOLE_SERVER,
        help="the class (server) to act in (default: the console's own)",
    )
    parser.add_argument("--channel", default="console", help="channel to act in")
    parser.add_argument(
        "--as-instructor", action="store_true", help="act as the instructor (e.g. cancel any job)"
    )


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


def cmd_chat(tutor: Tutor, args: argparse.Namespace) -> int:
    actor = Actor(args.user, args.user, args.server, args.channel, args.as_instructor)
    return console.run_chat(tutor, actor)


def build_parser() -> CommandParser:
    parser = CommandParser(
        prog="tutor", description="Tutor bot for a class on pre-trained language models."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_commands(sub, CLI, extra=_who)
    p = sub.add_parser("chat", help="interactive console that behaves like a Discord channel")
    p.set_defaults(main=cmd_chat)
    p.add_argument("--user", default="local", help="who you are (default: local)")
    p.add_argument("--server", default=CONSOLE_SERVER, help="the class (server) to act in")
    p.add_argument("--channel", default="console", help="the channel you start in")
    p.add_argument("--as-instructor", action="store_true", help="act as the instructor")
    p = sub.add_parser("run", help="start the Discord bot (needs TUTOR_DISCORD_TOKEN)")
    p.set_defaults(main=cmd_run)
    p = sub.add_parser("commands", help="print the slash commands the Discord bot syncs")
    p.add_argument("--json", action="store_true", help="the raw payloads, as sent to Discord")
    p.set_defaults(main=cmd_commands)
    return parser


def _print(output: Output, as_json: bool) -> None:
    if as_json:
        items = output.data if isinstance(output.data, list) else [output.data]
        for item in items:
            if item is not None:
                print(json.dumps(item, ensure_ascii=False))
    elif output.text:
        print(output.text)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parse(parser, cli_argv(parser, list(sys.argv[1:] if argv is None else argv)))
    except HelpRequested as shown:
        print(shown.text)
        return 0
    except TutorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "ask" and not args.question and args.file is None:
        print("error: ask needs a QUESTION or --file FILE", file=sys.stderr)
        return EXIT_USAGE
    _quiet_libraries()
    as_json = getattr(args, "json", False)
    try:
        tutor = Tutor(Settings())
    except TutorError as exc:  # e.g. a damaged database: one line that says what to do
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        if hasattr(args, "main"):
            return args.main(tutor, args)
        actor = Actor(args.user, args.user, args.server, args.channel, args.as_instructor)
        session = Session(tutor, actor, CLI, json=as_json)
        output = args.handler(session, args)
        _print(output, as_json)
        return output.code
    except TutorError as exc:  # the one error path for input the user must change
        if as_json:
            print(json.dumps({"error": str(exc)}, ensure_ascii=False))
        else:
            print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `tutor ... | head` closed the pipe: not an error
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug: logged with its traceback, the user gets a reference
        print(bug_message(report_bug(exc, f"tutor {args.command}")), file=sys.stderr)
        return EXIT_BUG
    finally:
        tutor.close()
