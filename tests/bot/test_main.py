"""The `tutor` program as a user runs it: the Discord commands beside the terminal's."""

import json
from pathlib import Path

from bot import main as program
from bot.dashboard.command import add_dashboard_command
from bot.terminal import cli
from bot.terminal.commands import CLI, COMMANDS
from bot.terminal.spec import subcommands
from tests.bot.discord.test_commands import EXPECTED, names

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_cli_commands_json_matches_and_the_docs_list_every_command(tutor, monkeypatch, capsys):
    """The slash commands the bot syncs are the expected ones, and docs/discord.md's command
    table (the README's, before the docs were split) lists every one of them."""
    monkeypatch.setattr(cli, "Tutor", lambda s: tutor)
    monkeypatch.setattr(tutor, "close", lambda: None)
    assert program.main(["commands", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert names(printed) == EXPECTED
    discord_doc = (DOCS / "discord.md").read_text()
    missing = [n for n in EXPECTED if f"| `/{n}` |" not in discord_doc]
    assert missing == [], f"docs/discord.md's command table lacks: {missing}"


def test_the_usage_doc_names_every_terminal_command():
    """Every `tutor ...` command (the terminal's, `chat`, and the Discord and dashboard ones
    bot/main.py adds) and every console-only command is named in docs/usage.md."""
    parser = cli.build_parser([program.add_discord_commands, add_dashboard_command])
    cli_names = set(subcommands(parser))
    console_only = {c.name for c in COMMANDS if CLI not in c.surfaces}
    assert {"ask", "chat", "run", "commands", "dashboard"} <= cli_names
    usage = (DOCS / "usage.md").read_text()
    missing = sorted(n for n in cli_names if f"`tutor {n}" not in usage)
    missing += sorted(n for n in console_only if f"`/{n}" not in usage)
    assert missing == [], f"docs/usage.md does not name: {missing}"


def test_run_without_token_points_to_chat(tutor, monkeypatch, capsys):
    monkeypatch.setattr(cli, "Tutor", lambda s: tutor)
    monkeypatch.setattr(tutor, "close", lambda: None)
    assert program.main(["run"]) == 2
    err = capsys.readouterr().err
    assert "TUTOR_DISCORD_TOKEN" in err and "tutor chat" in err


def test_the_program_starts_without_importing_torch():
    """`tutor jobs` and friends must not pay torch's import; models load when first used."""
    import subprocess
    import sys

    probe = "import sys, bot.main; print('torch' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_a_setting_that_cannot_be_used_is_one_clear_line(monkeypatch, capsys, tmp_path):
    """TUTOR_MODEL_THREADS=0 is the user's mistake: one line naming the setting, exit 2,
    never pydantic's traceback."""
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TUTOR_MODEL_THREADS", "0")
    assert program.main(["ask", "what is lora?"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: a setting cannot be used: TUTOR_MODEL_THREADS: ")
    assert "greater than or equal to 1 (got '0')" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    # a list that is not JSON fails while the environment is read, before validation
    monkeypatch.setenv("TUTOR_MODEL_THREADS", "1")
    monkeypatch.setenv("TUTOR_INSTRUCTOR_USER_IDS", "1,2")
    assert program.main(["ask", "what is lora?"]) == 2
    err = capsys.readouterr().err
    assert "instructor_user_ids" in err and "[123, 456]" in err and "Traceback" not in err
