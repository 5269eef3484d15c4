"""One command language for both text frontends: `tutor COMMAND ...` and the console's
`/COMMAND ...` are parsed by the same argparse specification (bot/terminal/commands/), so
options, defaults, validation and help cannot drift apart.

The parser raises instead of exiting (errbot's pattern). A console line is split into argv by
`console_argv`: options are recognised by name (an unknown one is an error that names it), and
free text (a question, a sentence to tokenize) keeps the rest of the line as typed, so
apostrophes ("don't") and negative numbers (`/calc softmax -1 2`) just work.
"""

from __future__ import annotations

import argparse
import re
import shlex
from typing import Any, NoReturn

from bot.errors import UsageError

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\S+')


class HelpRequested(Exception):
    """`--help` was asked for; the exception carries the text to show."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class CommandParser(argparse.ArgumentParser):
    """An ArgumentParser that raises UsageError instead of printing and exiting."""

    free_text = False  # the positional argument takes the rest of a console line as typed
    default_action: str | None = None  # the action a console line without one gets

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\nusage: {self.format_usage().removeprefix('usage: ')}".strip())

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise UsageError((message or "").strip() or "invalid command")

    def print_help(self, file: Any = None) -> None:
        raise HelpRequested(self.format_help())


def subcommands(parser: argparse.ArgumentParser) -> dict[str, CommandParser]:
    """The parsers of a parser's sub-commands (or actions), by name."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _unquote(token: str) -> str:
    if len(token) >= 2 and token[0] == token[-1] == '"':
        try:
            return shlex.split(token)[0]
        except ValueError:
            return token[1:-1]
    return token


def console_argv(root: argparse.ArgumentParser, name: str, rest: str) -> list[str]:
    """argv for `root.parse_args` from a console line `/name rest`."""
    commands = subcommands(root)
    if name not in commands:
        raise UsageError(f"Unknown command /{name}. Type /help for the list.")
    parser: argparse.ArgumentParser = commands[name]
    argv, options = [name], []
    texts: list[tuple[str, int, int]] = []
    actions = subcommands(parser)
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(rest)]
    i = 0
    while i < len(tokens):
        token = tokens[i][0]
        if token == "--help":
            raise HelpRequested(parser.format_help())
        if token.startswith("--") and len(token) > 2:
            option, eq, value = token.partition("=")
            action = parser._option_string_actions.get(option)
            if action is None:
                raise UsageError(
                    f"/{name} has no option {option}. Type /help {name} for its options."
                )
            options.append(option)
            if action.nargs != 0:
                if not eq:
                    i += 1
                    if i == len(tokens):
                        raise UsageError(f"{option} needs a value.")
                    value = tokens[i][0]
                options.append(_unquote(value))
            i += 1
            continue
        if actions:  # the first word picks the action (quiz start, jobs cancel, ...)
            default = getattr(parser, "default_action", None)
            chosen = token if token in actions or default is None else default
            argv.append(chosen)
            parser, actions = actions.get(chosen, parser), {}
            if chosen == token:
                i += 1
            continue
        texts.append(tokens[i])
        i += 1
    if actions:  # no word at all: the default action, or let argparse say what is missing
        default = getattr(parser, "default_action", None)
        if default:
            argv.append(default)
            parser = actions[default]
    if getattr(parser, "free_text", False) and texts:
        positionals = [_free_text(rest, texts)]
    else:
        positionals = [_unquote(t[0]) for t in texts]
    return [*argv, *options, "--", *positionals] if positionals else [*argv, *options]


def _free_text(line: str, tokens: list[tuple[str, int, int]]) -> str:
    """The typed text of these tokens: spacing kept within runs, one space where options were
    taken out; a single quoted token loses its quotes."""
    if len(tokens) == 1:
        return _unquote(tokens[0][0])
    runs: list[str] = []
    start, end = tokens[0][1], tokens[0][2]
    for _, s, e in tokens[1:]:
        if line[end:s].strip():  # an option stood between: close the run
            runs.append(line[start:end])
            start = s
        end = e
    runs.append(line[start:end])
    return " ".join(runs)


def cli_argv(root: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """argv with the default action filled in (`tutor jobs` means `tutor jobs list`)."""
    if not argv or argv[0] not in subcommands(root):
        return argv
    parser = subcommands(root)[argv[0]]
    actions, default = subcommands(parser), getattr(parser, "default_action", None)
    if not actions or default is None:
        return argv
    options = actions[default]._option_string_actions
    i = 1
    while i < len(argv):
        token = argv[i]
        if token.startswith("-") and token in options:
            i += 1 if options[token].nargs == 0 else 2
            continue
        if token in actions:
            return argv
        break
    return [argv[0], default, *argv[1:]]


def parse(root: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Parse with the command's own parser, so errors show that command's usage."""
    commands = subcommands(root)
    if argv and argv[0] in commands:
        args = commands[argv[0]].parse_args(argv[1:])
        args.command = argv[0]
        return args
    return root.parse_args(argv)


class JoinWords(argparse.Action):
    """nargs="+" words stored as one string ("Team 3", a concept's title)."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        setattr(namespace, self.dest, " ".join(values))
