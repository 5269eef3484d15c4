"""The documented fill-mask and model commands (docs/demos.md; the README's until the docs
were split), run as written from a copy of the repository in
an empty folder, offline, with a home of its own: no model ships, so `tutor mask` says how to
get one, `tutor models` says what is here, and `tutor models download` explains that no hub
can be reached; a model put where the doc says makes `tutor mask` work."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from tests.bot.test_readme_finetune import ROOT, fresh_clone

DOC = ROOT / "docs" / "demos.md"


def readme_models_block() -> list[str]:
    """The commands of the bash block under "Models for the demos", comments cut."""
    text = DOC.read_text()
    block = text.split("## Models for the demos", 1)[1].split("```bash", 1)[1]
    block = block.split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def readme_mask_command() -> str:
    text = DOC.read_text().split("## Models for the demos", 1)[1]
    return re.search(r"`(tutor mask \"The \[MASK\] sat on the mat.\")", text).group(1)


def run(clone: Path, env: dict[str, str], command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *shlex.split(command)[1:]],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_readme_model_commands_work_from_a_fresh_clone(tmp_path, tiny_mlm_dir):
    commands = readme_models_block()
    assert commands[0] == "tutor models" and commands[1] == "tutor models download"
    clone = fresh_clone(tmp_path / "empty")
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUTOR_", "HF_"))}
    env.update(HOME=str(home), PYTHONPATH=str(clone), HF_HUB_OFFLINE="1")

    mask = run(clone, env, readme_mask_command())
    assert mask.returncode == 1, mask
    assert "tutor models download distilbert-base-uncased" in mask.stdout
    assert "Traceback" not in mask.stdout + mask.stderr

    listed = run(clone, env, commands[0])
    assert listed.returncode == 0, listed
    assert "NOT HERE: `tutor models download distilbert-base-uncased`" in listed.stdout

    offline = run(clone, env, commands[1])
    assert offline.returncode == 2 and "Hub access is turned off" in offline.stderr, offline
    # Hub access allowed, but no hub reachable (a closed local port stands in for it).
    online = dict(env, HF_HUB_OFFLINE="0", HF_ENDPOINT="http://127.0.0.1:9")
    for command in commands[1:]:
        refused = run(clone, online, command)
        assert refused.returncode == 2, (command, refused)
        assert "cannot be reached" in refused.stderr and "Traceback" not in refused.stderr

    # The folder the doc names: a saved masked-LM there answers `tutor mask` offline.
    models = home / ".local" / "share" / "tutorbot" / "models"
    shutil.copytree(tiny_mlm_dir, models / "distilbert-base-uncased")
    mask = run(clone, env, readme_mask_command())
    assert mask.returncode == 0, mask
    assert "distilbert-base-uncased: blank 1" in mask.stdout
