"""`tutor models`: what loads offline here, what each demo uses, and the download refusals."""

import json
import shutil


def test_the_report_says_what_each_demo_uses_and_whether_it_is_here(run_cli, settings):
    code, out, _ = run_cli("models", "--json")
    assert code == 0
    report = json.loads(out)
    demos = {(d["demo"], d["model"]): d["offline"] for d in report["demos"]}
    assert demos[("mask (fill-mask)", "distilbert-base-uncased")] is False
    assert demos[("tokenize", "bert-base-uncased")] is True  # the packaged MiniLM's vocabulary
    assert demos[("tokenize", "gpt2")] is True
    assert report["models_dir"] == str(settings.data_dir / "models")
    code, text, _ = run_cli("models")
    assert "NOT HERE: `tutor models download distilbert-base-uncased`" in text


def test_a_model_saved_in_the_models_folder_is_used_by_the_mask_demo(
    run_cli, settings, tiny_mlm_dir
):
    shutil.copytree(tiny_mlm_dir, settings.models_path / "distilbert-base-uncased")
    code, out, _ = run_cli("models", "--json")
    report = json.loads(out)
    assert {"demo": "mask (fill-mask)", "model": "distilbert-base-uncased", "offline": True} in (
        report["demos"]
    )
    code, out, _ = run_cli("mask", "--json", "the cat sat on the [MASK] .")
    assert code == 0
    assert json.loads(out)["model"] == "distilbert-base-uncased"


def test_download_with_hub_access_turned_off_is_one_clear_message(run_cli, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code, _, err = run_cli("models", "download")
    assert code == 2
    assert "Hub access is turned off" in err and "Traceback" not in err


def test_download_refuses_unknown_names_before_fetching_anything(run_cli, monkeypatch, settings):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    code, _, err = run_cli("models", "download", "gpt2", "someone/evil-model")
    assert code == 2
    assert "Unknown model 'someone/evil-model'" in err
    assert not settings.models_path.exists()


def test_download_with_no_reachable_hub_says_how_to_copy_a_model_in(run_cli, monkeypatch, settings):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # a closed port: no hub
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "ENDPOINT", "http://127.0.0.1:9")
    code, out, _ = run_cli("models", "download", "distilbert-base-uncased", "--json")
    assert code == 2
    error = json.loads(out)["error"]
    assert "cannot be reached" in error and "copy the folder distilbert-base-uncased" in error
