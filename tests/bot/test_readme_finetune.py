"""Every command in the README's fine-tune block, run as written (with a small --max-train), so
documented commands cannot rot. Commands that need a model hub are refused offline, clearly."""

import json
import re
import shlex
from pathlib import Path

from bot import main as program
from skills import models

ROOT = Path(__file__).resolve().parents[2]


def readme_block() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("### Fine-tunes (the class competition)", 1)[1].split("```bash", 1)[1]
    block = block.split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_the_readme_fine_tune_commands_work_as_written(
    monkeypatch, tmp_path, capsys, sentiment_data, shared_index_dir
):
    commands = readme_block()
    assert len(commands) == 6 and all(c.startswith("tutor ") for c in commands)
    data = ROOT.parent / "shared" / "data" / "sst2"
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TUTOR_INDEX_DIR", str(shared_index_dir))
    monkeypatch.setattr(models, "hub_reachable", lambda: False)  # CI has no model hub
    outcomes = {}
    for command in commands:
        argv = shlex.split(command)[1:]
        if not data.is_dir():  # a clone without ../shared beside it: the same, on small data
            argv = [str(sentiment_data) if a == "../shared/data/sst2" else a for a in argv]
        if argv[0] == "finetune" and argv[1] != "try":
            argv += ["--max-train", "120"]
        code = program.main(argv)
        out = capsys.readouterr()
        outcomes[command] = (code, out.out, out.err)
    first, hub, jobs, cancel, board, tried = (outcomes[c] for c in commands)
    assert first[0] == 0, first
    assert hub[0] == 1 and "distilbert-base-uncased" in hub[1] and "TUTOR_MODEL_DIR" in hub[1]
    assert json.loads(hub[1])["status"] == "failed"
    assert jobs[0] == 0 and "#1 succeeded" in jobs[1] and "#2 failed" in jobs[1]
    assert cancel[0] == 2 and "Job #1 already ended (succeeded)" in cancel[2]
    assert board[0] == 0 and "team3" in board[1] and "ana" in board[1]
    assert tried[0] == 0 and "fine-tuned:" in tried[1] and "positive" in tried[1]
    assert re.search(r"dev accuracy", first[1])
