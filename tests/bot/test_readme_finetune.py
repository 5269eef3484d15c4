"""Every command in the documented fine-tune block (docs/finetune.md; the README's until the
docs were split), run as written (with a small --max-train)
from a copy of the repository in an empty folder with nothing beside it, offline: the data
they need ships with the project, and a command that needs a model hub is refused as a user
mistake, before anything is queued."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


DOC = ROOT / "docs" / "finetune.md"


def readme_block() -> list[str]:
    """The commands of the first bash block of docs/finetune.md, comments cut."""
    text = DOC.read_text()
    block = text.split("# Fine-tunes (the class competition)", 1)[1].split("```bash", 1)[1]
    block = block.split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def fresh_clone(folder: Path) -> Path:
    """The repository's files as a clone has them (tracked and not ignored), in an empty
    folder: no ../shared, no data dir, no model dir."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    clone = folder / "tutorbot"
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    return clone


def test_the_readme_fine_tune_commands_work_from_a_fresh_clone(tmp_path):
    commands = readme_block()
    assert len(commands) == 6 and all(c.startswith("tutor ") for c in commands)
    # A fresh clone has no ../shared: neither the README nor any doc may send a reader there.
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        assert "../shared" not in doc.read_text(), doc
    clone = fresh_clone(tmp_path / "empty")
    assert not (clone.parent / "shared").exists()
    home = tmp_path / "home"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TUTOR_") and k not in ("PYTHONPATH",)
    }
    # Offline, with a home of its own: the default data dir is created there.
    env.update(HOME=str(home), HF_HUB_OFFLINE="1", TUTOR_HUB_OFFLINE="true", PYTHONPATH=str(clone))
    outcomes = {}
    for command in commands:
        argv = shlex.split(command)[1:]
        if argv[0] == "finetune" and argv[1] != "try":
            argv += ["--max-train", "120"]
        done = subprocess.run(
            [sys.executable, "-m", "bot", *argv],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        outcomes[command] = (done.returncode, done.stdout, done.stderr)
    first, hub, jobs, cancel, board, tried = (outcomes[c] for c in commands)
    assert first[0] == 0, first
    assert re.search(r"dev accuracy", first[1])
    # Refused as a user mistake: exit 2, the message says how to get the model, no job.
    assert hub[0] == 2, hub
    refusal = json.loads(hub[1])["error"]
    assert "distilbert-base-uncased" in refusal and "TUTOR_MODEL_DIR" in refusal, hub
    assert jobs[0] == 0 and "#1 succeeded" in jobs[1] and "#2" not in jobs[1], jobs
    assert cancel[0] == 2 and "Job #1 already ended (succeeded)" in cancel[2]
    assert board[0] == 0 and "team3" in board[1] and "ana" in board[1]
    assert tried[0] == 0 and "fine-tuned:" in tried[1] and "positive" in tried[1]
    # The job trained on the data that ships with the clone, not on anything outside it.
    config = json.loads(next(home.rglob("config.json")).read_text())
    assert config["data"].startswith(str(clone / "skills" / "finetune" / "sst2")), config
