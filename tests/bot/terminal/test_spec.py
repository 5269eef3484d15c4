"""One command language: the CLI and the console parse the same specification."""

import argparse
import inspect

import pytest

from bot.app.choices import MASK_TOP_K, QUIZ_QUESTIONS, QUIZ_SECONDS
from bot.discord.cogs.demos import Demos
from bot.discord.cogs.inside import Inside
from bot.discord.cogs.quiz import QuizCog
from bot.errors import UsageError
from bot.terminal import cli, console
from bot.terminal.commands import COMMANDS
from bot.terminal.console import ConsoleSession
from bot.terminal.spec import console_argv, parse, subcommands
from tests.helpers import who


@pytest.fixture(scope="module")
def console_parser():
    return console.build_parser()


@pytest.fixture(scope="module")
def cli_parser():
    return cli.build_parser()


def line(parser, text):
    name, _, rest = text.lstrip("/").partition(" ")
    return parse(parser, console_argv(parser, name, rest))


def test_defaults_are_the_same_in_the_cli_and_the_console(console_parser, cli_parser):
    played = parse(cli_parser, ["quiz", "play", "team3"])
    started = line(console_parser, "/quiz team3")
    assert (played.questions, played.seconds) == (started.questions, started.seconds)
    assert (started.questions, started.seconds) == (QUIZ_QUESTIONS, QUIZ_SECONDS)
    assert (
        parse(cli_parser, ["mask", "a [MASK]"]).top_k
        == line(console_parser, "/mask a [MASK]").top_k
    )


def test_discord_slash_options_have_the_same_defaults():
    start = inspect.signature(QuizCog.start.callback).parameters
    assert (start["questions"].default, start["seconds"].default) == (QUIZ_QUESTIONS, QUIZ_SECONDS)
    assert inspect.signature(Demos.mask.callback).parameters["top_k"].default == MASK_TOP_K
    attention = inspect.signature(Inside.attention.callback).parameters
    typed = parse(cli.build_parser(), ["attention", "hello"])
    assert (attention["layer"].default, attention["head"].default) == (typed.layer, typed.head)


def test_every_command_is_in_the_console_help_and_its_own_help_lists_its_options(tutor):
    session = ConsoleSession(tutor, who("ana"))
    overview = session.handle("/help")
    for command in COMMANDS:
        if "console" in command.surfaces:
            assert f"/{command.name}" in overview
    assert "--seconds" in session.handle("/help quiz start") or "--seconds" in session.handle(
        "/quiz start --help"
    )
    assert "--top-k" in session.handle("/help mask")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/ask don't stop the attention mask", ["ask", "--", "don't stop the attention mask"]),
        ("/calc softmax -1 2 T=2", ["calc", "--", "softmax -1 2 T=2"]),
        (
            '/tokenize The cat sat. --pair "Where did it sit?"',
            ["tokenize", "--pair", "Where did it sit?", "--", "The cat sat."],
        ),
        ("/tokenize  two  spaces  kept ", ["tokenize", "--", "two  spaces  kept"]),
        ("/quiz Team 3 --seconds 10", ["quiz", "start", "--seconds", "10", "--", "Team", "3"]),
        ("/jobs", ["jobs", "list"]),
        ("/jobs cancel 4", ["jobs", "cancel", "--", "4"]),
        ("/mask the [MASK] sat --top-k=3", ["mask", "--top-k", "3", "--", "the [MASK] sat"]),
    ],
)
def test_console_lines_become_argv(console_parser, typed, expected):
    name, _, rest = typed.lstrip("/").partition(" ")
    assert console_argv(console_parser, name, rest) == expected


def test_an_unknown_option_is_an_error_that_names_it(console_parser, cli_parser):
    with pytest.raises(UsageError, match="/tokenize has no option --bogus"):
        console_argv(console_parser, "tokenize", "hello --bogus 1")
    with pytest.raises(UsageError, match="unrecognized arguments: --bogus"):
        parse(cli_parser, ["tokenize", "hello", "--bogus", "1"])


def test_a_missing_option_value_is_an_error(console_parser):
    with pytest.raises(UsageError, match="--seconds needs a value"):
        console_argv(console_parser, "quiz", "team3 --seconds")


def test_surfaces(console_parser, cli_parser):
    console_only = set(subcommands(console_parser)) - set(subcommands(cli_parser))
    assert console_only == {"answer", "jigsaw"}
    assert "play" in subcommands(subcommands(cli_parser)["quiz"])
    assert "start" in subcommands(subcommands(console_parser)["quiz"])


def _parsers(parser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_every_commands_own_help_can_be_shown():
    """`tutor finetune --help` crashed on a preset summary's "85%" (argparse's % format)."""
    shown = [p.format_help() for p in _parsers(cli.build_parser())]
    assert len(shown) > 25 and any("85%" in text for text in shown)
