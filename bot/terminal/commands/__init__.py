"""Every terminal command, specified once: its arguments (argparse, for `tutor ...` and the
console's `/...` alike), its help, and its handler. Handlers call the application layer and
return an `Output`: text for people, data for `--json`.

Each feature's commands live in their own module (`ask`, `demos`, `quiz`, ...), each exporting
its `COMMANDS`; this package assembles them into the one table both surfaces are built from."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bot.terminal.commands import (
    admin,
    ask,
    demos,
    finetune,
    insights,
    jigsaw,
    privacy,
    quiz,
    review,
    teams,
)
from bot.terminal.commands.base import BOTH, CLI, CONSOLE, Command, Handler, Output, Session
from bot.terminal.spec import CommandParser, subcommands

__all__ = [
    "ALIASES",
    "BOTH",
    "CLI",
    "COMMANDS",
    "CONSOLE",
    "Command",
    "Handler",
    "Output",
    "Session",
    "add_commands",
]

# --- the registry ----------------------------------------------------------------------------

# In the order `tutor --help` and the console's /help list them.
COMMANDS: list[Command] = [
    *ask.COMMANDS,
    *demos.COMMANDS,
    *quiz.COMMANDS,
    *review.COMMANDS,
    *teams.COMMANDS,
    *jigsaw.COMMANDS,
    *finetune.COMMANDS,
    *admin.COMMANDS,
    *insights.COMMANDS,
    *privacy.COMMANDS,
]
ALIASES = {"tokenise": "tokenize", "a": "answer"}


def add_commands(
    subparsers: argparse._SubParsersAction,
    surface: str,
    extra: Callable[[CommandParser], None] = lambda p: None,
) -> None:
    """Add every command available on `surface`; `extra` adds the surface's own options."""
    for command in COMMANDS:
        if surface not in command.surfaces:
            continue
        parser = subparsers.add_parser(
            command.name,
            prog=("/" if surface == CONSOLE else "tutor ") + command.name,
            help=command.help.replace("%", "%%"),  # argparse %-formats help ("15%")
            description=command.help,
        )
        parser.free_text = command.free_text
        parser.set_defaults(handler=command.handler)
        command.arguments(parser, surface)
        for leaf in subcommands(parser).values() or [parser]:
            extra(leaf)
