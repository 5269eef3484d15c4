"""`tutor` on the command line: one-shot commands (with `--json`) and `tutor chat`.

The commands themselves are specified once in bot/terminal/commands/ (a module per feature),
shared with the console. Exit codes: 0 done, 1 the command ran but failed (a job failed, a
file was refused), 2 a user mistake (the message says what to change), 3 a bug (logged, with
a reference), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence

from bot.app.context import CONSOLE_SERVER, Actor
from bot.app.tutor import Tutor
from bot.config import load_settings
from bot.errors import TutorError, bug_message, report_bug
from bot.terminal import console
from bot.terminal.commands import CLI, Output, Session, add_commands
from bot.terminal.hints import HINTS
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


def cmd_chat(tutor: Tutor, args: argparse.Namespace) -> int:
    actor = Actor(args.user, args.user, args.server, args.channel, args.as_instructor)
    return console.run_chat(tutor, actor)


Program = Callable[[Tutor, argparse.Namespace], int]


def build_parser(
    extra: Sequence[Callable[[argparse._SubParsersAction], None]] = (),
) -> CommandParser:
    """`tutor`'s parser; `extra` adds commands from outside the terminal (`tutor run`)."""
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
    for add in extra:
        add(sub)
    return parser


def _print(output: Output, as_json: bool) -> None:
    if as_json:
        items = output.data if isinstance(output.data, list) else [output.data]
        for item in items:
            if item is not None:
                print(json.dumps(item, ensure_ascii=False))
    elif output.text:
        print(output.text)


def main(
    argv: list[str] | None = None,
    extra: Sequence[Callable[[argparse._SubParsersAction], None]] = (),
) -> int:
    parser = build_parser(extra)
    try:
        args = parse(parser, cli_argv(parser, list(sys.argv[1:] if argv is None else argv)))
    except HelpRequested as shown:
        print(shown.text)
        return 0
    except TutorError as exc:
        print(f"error: {exc.explained(HINTS)}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "ask" and not args.question and args.file is None:
        print("error: ask needs a QUESTION or --file FILE", file=sys.stderr)
        return EXIT_USAGE
    _quiet_libraries()
    as_json = getattr(args, "json", False)
    try:
        settings = load_settings()
    except TutorError as exc:  # e.g. TUTOR_MODEL_THREADS=0
        print(f"error: {exc.explained(HINTS)}", file=sys.stderr)
        return EXIT_USAGE
    if hasattr(args, "without_tutor"):  # e.g. restoring a database too damaged to open
        return _run(lambda: args.without_tutor(settings, args), args.command, as_json)
    try:
        tutor = Tutor(settings)
    except TutorError as exc:  # e.g. a damaged database: one line that says what to do
        print(f"error: {exc.explained(HINTS)}", file=sys.stderr)
        return EXIT_FAILED
    try:
        return _run(lambda: _dispatch(tutor, args, as_json), args.command, as_json)
    finally:
        tutor.close()


def _dispatch(tutor: Tutor, args: argparse.Namespace, as_json: bool) -> Output | int:
    if hasattr(args, "main"):
        return args.main(tutor, args)
    actor = Actor(args.user, args.user, args.server, args.channel, args.as_instructor)
    return args.handler(Session(tutor, actor, CLI, json=as_json), args)


def _run(work: Callable[[], Output | int], command: str, as_json: bool) -> int:
    """Run a command under the one error contract; returns the exit code."""
    try:
        result = work()
        if isinstance(result, int):
            return result
        _print(result, as_json)
        return result.code
    except TutorError as exc:  # the one error path for input the user must change
        if as_json:
            print(json.dumps({"error": exc.explained(HINTS)}, ensure_ascii=False))
        else:
            print(f"error: {exc.explained(HINTS)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `tutor ... | head` closed the pipe: not an error
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug: logged with its traceback, the user gets a reference
        print(bug_message(report_bug(exc, f"tutor {command}")), file=sys.stderr)
        return EXIT_BUG
