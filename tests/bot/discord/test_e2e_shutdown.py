"""The end of the day: SIGTERM stops `tutor run` cleanly; without a network it says so in one
line. Runs after every other end-to-end test (it stops the shared bot process)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bot.discord.standin.harness import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.stops_the_bot]


def test_sigterm_ends_the_bot_cleanly(discord_class):
    code = discord_class.stop_bot(timeout=30)
    log = discord_class.log()
    assert code == 0, log[-3000:]
    assert discord_class.log_problems() == [], log[-3000:]
    summary = discord_class.summary()
    assert summary["refused"] == [r for r in summary["refused"] if "injected" in str(r["problems"])]
    report = os.environ.get("TUTOR_E2E_REPORT")
    if report:
        Path(report).write_text(json.dumps(summary, indent=2))


def test_without_a_network_it_says_so_in_one_line(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    env.update(
        PYTHONPATH=str(ROOT),
        TUTOR_DISCORD_TOKEN="stand-in-token",
        TUTOR_DATA_DIR=str(tmp_path / "data"),
        HF_HUB_OFFLINE="1",
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.bot.discord.standin.launch", str(port)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = (done.stdout + done.stderr).strip().splitlines()
    problems = [line for line in output if not line.startswith("INFO")]
    assert done.returncode == 1
    assert len(problems) == 1 and "Cannot reach Discord" in problems[0], output
