"""`tutor dashboard` as a real process: listens on 127.0.0.1, serves the pages, and stops
cleanly (exit code 0) on Ctrl-C and on SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import seed_class

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_dashboard_serves_on_localhost_and_stops_cleanly(settings, encoder, stop):
    from bot.app.tutor import Tutor

    tutor = Tutor(settings, encoder=encoder)
    seed_class(tutor)
    tutor.close()
    port = free_port()
    env = {
        **os.environ,
        "TUTOR_DATA_DIR": str(settings.data_dir),
        "TUTOR_INDEX_DIR": str(settings.index_path),
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "dashboard", "--port", str(port)],
        cwd=settings.data_dir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # A terminal's Ctrl-C reaches a process whose SIGINT is not ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/tutor" in line, line
        url = f"http://127.0.0.1:{port}/tutor/grades.json?server=console&_shape=array"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    assert b"Anastasia Quux" in response.read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        process.send_signal(stop)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
