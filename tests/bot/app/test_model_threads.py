"""The bot's model calls use one torch thread (settings.model_threads); a fine-tune's trainer,
a separate process, still gets the environment the user started the bot with."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import json, os, sys
from bot.app.executors import trainer_environment
from bot.app.tutor import Tutor
from bot.config import Settings

tutor = Tutor(Settings(data_dir=sys.argv[1]))
import torch  # the bot imports torch lazily, after start-up: the limit must hold then too
env = trainer_environment()
print(json.dumps({"bot": torch.get_num_threads(), "trainer": env.get("OMP_NUM_THREADS")}))
tutor.close()
"""


def probe(tmp_path: Path, **env: str) -> dict:
    clean = {
        k: v for k, v in os.environ.items() if "NUM_THREADS" not in k and not k.startswith("TUTOR_")
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)],
        env={**clean, "HF_HUB_OFFLINE": "1", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_bot_uses_one_thread_and_the_trainer_keeps_every_core(tmp_path):
    assert probe(tmp_path) == {"bot": 1, "trainer": None}  # None: torch's default, all cores


def test_the_setting_and_the_users_own_thread_variable_are_honoured(tmp_path):
    seen = probe(tmp_path, TUTOR_MODEL_THREADS="2", OMP_NUM_THREADS="3")
    assert seen == {"bot": 2, "trainer": "3"}
