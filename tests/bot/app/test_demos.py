"""The live demos through the Tutor, the console and the CLI, hostile input included."""

import json

import pytest

from bot.app.tutor import Tutor
from bot.discord.hints import HINTS as DISCORD_HINTS
from bot.errors import TutorError
from bot.render.text import render_mask
from bot.terminal import cli
from bot.terminal.console import ConsoleSession
from bot.terminal.hints import HINTS as TERMINAL_HINTS
from skills import models


@pytest.fixture
def offline_hub(monkeypatch):
    monkeypatch.setattr(models, "hub_reachable", lambda endpoint=None: False)


def test_tokenize_defaults_to_wordpiece_and_bpe(tutor):
    reply = tutor.demos.tokenize("Tokenizers split words")
    assert [r.tokenizer for r in reply.results] == ["bert-base-uncased", "gpt2"]
    data = reply.to_json()
    assert data["text"] == "Tokenizers split words"
    for result in data["results"]:
        assert {
            "tokenizer",
            "algorithm",
            "tokens",
            "ids",
            "special_tokens",
            "attention_mask",
        } <= set(result)


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200d\ufeff"])
def test_empty_text_gets_a_clear_message(tutor, text):
    with pytest.raises(TutorError, match="Give me some text"):
        tutor.demos.tokenize(text)
    with pytest.raises(TutorError, match="Give me some text"):
        tutor.demos.mask(text)


def test_huge_text_is_cut_with_a_note(tutor):
    reply = tutor.demos.tokenize("a" * 100_000)
    assert reply.notes and "100,000" in reply.notes[0]
    assert reply.results[0].num_chars == tutor.settings.max_demo_chars


def test_emoji_and_zero_width_characters(tutor):
    emoji = tutor.demos.tokenize("😀🔥🎉")
    assert "[UNK]" in emoji.results[0].tokens  # WordPiece has no emoji
    assert emoji.results[1].num_tokens >= 3  # byte-level BPE represents any byte
    zero_width = tutor.demos.tokenize("lo\u200bra")
    assert zero_width.text == "lora"


def test_mass_mentions_are_just_text(tutor):
    reply = tutor.demos.tokenize("@everyone @here <@&123> look")
    assert reply.text == "@everyone @here <@&123> look"  # escaping is the Discord renderer's job


def test_mask_with_a_local_model(tutor, tiny_mlm_dir):
    reply = tutor.demos.mask(
        "the ___ sat on the mat.", model=str(tiny_mlm_dir), targets=["cat", "dog"]
    )
    data = reply.to_json()
    assert data["model"] == str(tiny_mlm_dir)
    (blank,) = data["blanks"]
    assert blank["predictions"][0]["token"] == "cat"
    assert [t["token"] for t in blank["targets"]] == ["cat", "dog"]
    assert "error" not in data


def test_mask_without_a_model_explains_and_shows_tokens(tutor, offline_hub):
    reply = tutor.demos.mask("The [MASK] sat on the mat.")
    assert reply.result is None
    assert "distilbert-base-uncased" in reply.error
    # How to fix it is each frontend's to say: the console names the models folder.
    assert "TUTOR_MODEL_DIR/distilbert-base-uncased" in render_mask(reply, TERMINAL_HINTS)
    assert "TUTOR_MODEL_DIR" not in render_mask(reply, DISCORD_HINTS)
    assert reply.tokenizer_view.tokens == [
        "[CLS]",
        "the",
        "[MASK]",
        "sat",
        "on",
        "the",
        "mat",
        ".",
        "[SEP]",
    ]
    assert reply.to_json()["blanks"] == []


def test_mask_refusals(tutor):
    with pytest.raises(TutorError, match="Put a blank"):
        tutor.demos.mask("no blank at all")
    with pytest.raises(TutorError, match="Unknown model"):
        tutor.demos.mask("the [MASK]", model="not/allowed")


def test_model_dir_setting_serves_the_default_model(
    settings, encoder, tiny_mlm_dir, tmp_path, no_hub
):
    import shutil

    shutil.copytree(tiny_mlm_dir, tmp_path / "models" / "distilbert-base-uncased")
    tutor = Tutor(settings.model_copy(update={"model_dir": tmp_path / "models"}), encoder=encoder)
    try:
        reply = tutor.demos.mask("paris is the capital of [MASK].")
        assert reply.result.blanks[0].predictions[0].token == "france"
    finally:
        tutor.close()


def test_console_triggers_route_to_the_same_handlers(tutor):
    session = ConsoleSession(tutor)
    assert session.handle("tokenize this: hello world") == session.handle("/tokenize hello world")
    assert "[PAD]" in session.handle("/pad a cat ; the cat sat on the mat")
    assert "100 steps per epoch" in session.handle("/calc steps 1000 10")
    assert "--seed: 'x' is not a whole number" in session.handle("/mlm the cat sat --seed x")
    assert "Unknown tokenizer" in session.handle("/tokenize --tokenizer nope hello")


def test_console_mask_option_parsing(tutor, tiny_mlm_dir):
    session = ConsoleSession(tutor)
    out = session.handle(
        f"mask this: the [MASK] sat on the mat. --model {tiny_mlm_dir} --top-k 2 --targets cat"
    )
    assert "cat" in out and "your guess 'cat'" in out
    assert out.count("█") > 0


@pytest.fixture
def run_cli(monkeypatch, settings, encoder, capsys):
    monkeypatch.setattr(cli, "load_settings", lambda: settings)
    monkeypatch.setattr(cli, "Tutor", lambda s: Tutor(s, encoder=encoder))

    def run(*args: str):
        code = cli.main(list(args))
        return code, capsys.readouterr().out

    return run


def test_cli_tokenize_json(run_cli):
    code, out = run_cli("tokenize", "Hello world", "--pair", "Bye", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["pair"] == "Bye"
    assert data["results"][0]["token_type_ids"] == [0, 0, 0, 0, 1, 1]


def test_cli_tokenize_several_texts_is_the_padding_demo(run_cli):
    code, out = run_cli("tokenize", "a cat", "the cat sat", "--json")
    assert code == 0 and json.loads(out)["attention_mask"][0] == [1, 1, 1, 1, 0]


def test_cli_mask_json(run_cli, tiny_mlm_dir):
    code, out = run_cli(
        "mask", "the [MASK] sat on the mat.", "--model", str(tiny_mlm_dir), "--top-k", "3", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {"text", "model", "blanks"}
    blank = data["blanks"][0]
    assert set(blank) >= {"position", "predictions", "targets"}
    assert len(blank["predictions"]) == 3


def test_cli_mask_unavailable_exits_non_zero_with_explanation(run_cli, offline_hub):
    code, out = run_cli("mask", "the [MASK] sat.", "--json")
    assert code == 1 and "TUTOR_MODEL_DIR" in json.loads(out)["error"]


def test_cli_calc_and_mlm(run_cli):
    code, out = run_cli("calc", "lora", "768", "768", "16", "--json")
    assert code == 0 and json.loads(out)["data"]["lora_params"] == 24576
    code, out = run_cli("calc", "nonsense")
    assert code == 2
    code, out = run_cli("mlm", "the quick brown fox jumps", "--seed", "1", "--json")
    assert code == 0 and json.loads(out)["seed"] == 1


@pytest.mark.parametrize("probe", ["/etc", "/etc/no-such-folder", "../..", "tiny-mlm/../../etc"])
def test_chat_users_name_models_never_paths(tutor, probe):
    """Discord passes allow_paths=False: a path is refused before anything looks at it, with
    the same message whether it exists or not."""
    with pytest.raises(models.ModelNotAllowed) as refused:
        tutor.demos.tokenize("x", tokenizers=[probe], allow_paths=False)
    message = str(refused.value).replace(repr(probe), "NAME")
    assert message.startswith("Unknown tokenizer NAME. Available: ") and "gpt2" in message
    assert "folder" not in message and "path" not in message
    with pytest.raises(models.ModelNotAllowed, match="Unknown model"):
        tutor.demos.mask("The [MASK] sat.", model=probe, allow_paths=False)


def test_chat_users_may_name_models_in_the_model_folder(settings, encoder, tiny_mlm_dir, tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "tiny-mlm").symlink_to(tiny_mlm_dir, target_is_directory=True)
    tutor = Tutor(settings.model_copy(update={"model_dir": tmp_path / "models"}), encoder=encoder)
    try:
        assert "tiny-mlm" in tutor.res.masked_lms.available()
        assert "tiny-mlm" in tutor.res.tokenizers.available()
        reply = tutor.demos.mask("the [MASK] sat on the mat .", model="tiny-mlm", allow_paths=False)
        assert reply.result is not None
        tokens = tutor.demos.tokenize("a cat", tokenizers=["tiny-mlm"], allow_paths=False)
        assert tokens.results[0].tokenizer == "tiny-mlm"
    finally:
        tutor.close()
