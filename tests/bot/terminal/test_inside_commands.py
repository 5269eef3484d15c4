"""`tutor attention` and `tutor embed` as people type them: the CLI (with --json) and the console."""

import json

from bot.terminal.console import ConsoleSession

BANK = ["I sat on the river bank", "The bank of the stream was muddy", "I paid cash into the bank"]


def test_cli_attention_json_and_out(run_cli, tmp_path):
    out = tmp_path / "heatmap.png"
    code, stdout, _ = run_cli(
        "attention",
        "The bank of the river",
        "--layer",
        "2",
        "--head",
        "3",
        "--out",
        str(out),
        "--json",
    )
    assert code == 0
    data = json.loads(stdout)
    assert data["tokens"] == ["[CLS]", "the", "bank", "of", "the", "river", "[SEP]"]
    assert all(abs(sum(row) - 1) < 1e-3 for row in data["matrix"])
    assert (data["layer"], data["head"]) == (2, 3)
    assert data["image"] == str(out) and out.is_file()
    assert data["reading"].startswith("Strongest links") and data["alt_text"]


def test_cli_attention_text_and_refusals(run_cli):
    code, stdout, _ = run_cli("attention", "The bank of the river")
    assert code == 0
    assert "layer 6 of 6, mean of 12 heads" in stdout and "Heatmap: " in stdout
    assert "attends most to" in stdout
    code, _, err = run_cli("attention", "hello", "--head", "13")
    assert code == 2 and "--head: 13 is not between 1 and 12" in err
    code, _, err = run_cli("attention", "hello", "--out", "x.svg")
    assert code == 2 and "ending in .png" in err


def test_cli_embed_json(run_cli):
    code, stdout, _ = run_cli("embed", "bank", *BANK, "--json")
    assert code == 0
    data = json.loads(stdout)
    assert [(p["first"], p["second"]) for p in data["pairs"]] == [(1, 2), (2, 3), (1, 3)]
    assert data["input_similarity"] == [[1.0] * 3] * 3


def test_cli_embed_missing_word_is_a_usage_error(run_cli):
    code, stdout, _ = run_cli("embed", "bank", "I sat on the river bank", "A muddy shore", "--json")
    assert code == 2
    assert "not in sentence 2 (“A muddy shore”)" in json.loads(stdout)["error"]


def test_console_attention_and_embed(tutor, settings):
    session = ConsoleSession(tutor)
    shown = session.handle("/attention The bank of the river --layer 2 --head 3")
    assert "layer 2 of 6, head 3 of 12" in shown
    assert f"Heatmap: {settings.data_dir / 'images'}" in shown
    quoted = session.handle('/embed bank "' + '" "'.join(BANK) + '"')
    assert "sentences 1 and 2 is closest" in quoted
    assert session.handle("/embed bank " + " ; ".join(BANK)) == quoted
    assert "Quote each sentence" in session.handle("/embed bank I sat on the bank")
    assert "has no option --out" in session.handle("/attention hello --out x.png")
    assert "--layer" in session.handle("/help attention")
