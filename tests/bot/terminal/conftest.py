"""Terminal test helpers: `tutor ARGS` run in-process against the test settings."""

import pytest

from bot.app.tutor import Tutor
from bot.terminal import cli


@pytest.fixture
def run_cli(monkeypatch, settings, encoder, capsys):
    """Run `tutor ARGS` in-process against the test settings and shared encoder."""
    monkeypatch.setattr(cli, "load_settings", lambda: settings)
    monkeypatch.setattr(cli, "Tutor", lambda s: Tutor(s, encoder=encoder))

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
