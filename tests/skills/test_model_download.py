"""`tutor models download`'s core: pinned, safetensors only, all or nothing, resumable.

No model hub is reachable from the project's machines, so huggingface_hub's
`snapshot_download` is replaced by a stand-in that writes what it would (the files of a real
saved masked-LM) into the folder it is given; what is checked is what a person gets: a folder
that loads offline, or nothing but a clear message."""

import json
import shutil
from pathlib import Path

import pytest

from skills import models
from skills.fill_mask import MaskedLMRegistry
from skills.model_download import SOURCE_FILE, download
from skills.models import HUB_MODELS, ModelNotAllowed, ModelUnavailable


class FakeHub:
    """Serves one saved model folder the way snapshot_download fills `local_dir`, and can
    fail after `fail_after` files (a dropped connection)."""

    def __init__(self, source: Path, fail_after: int | None = None) -> None:
        self.source, self.fail_after, self.calls = source, fail_after, []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        target = Path(kwargs["local_dir"])
        from fnmatch import fnmatch

        wanted = [
            p
            for p in sorted(self.source.iterdir())
            if any(fnmatch(p.name, pattern) for pattern in kwargs["allow_patterns"])
        ]
        for n, path in enumerate(wanted):
            if self.fail_after is not None and n >= self.fail_after:
                (target / ".cache").mkdir(exist_ok=True)
                (target / ".cache" / (path.name + ".incomplete")).write_bytes(b"partial")
                raise ConnectionError("connection reset by peer")
            if not (target / path.name).exists():
                shutil.copy(path, target / path.name)
        return str(target)


@pytest.fixture
def hub_up(monkeypatch):
    monkeypatch.setattr(models, "hub_reachable", lambda endpoint=None: True)


@pytest.fixture
def served(tiny_mlm_dir, tmp_path) -> Path:
    """The tiny masked-LM's files plus a pickled checkpoint the download must never take."""
    folder = tmp_path / "served"
    shutil.copytree(tiny_mlm_dir, folder)
    (folder / "pytorch_model.bin").write_bytes(b"pickle: never loaded")
    return folder


def test_a_downloaded_model_loads_offline_from_its_folder(hub_up, served, tmp_path):
    hub = FakeHub(served)
    got = download("distilbert-base-uncased", tmp_path / "models", fetch=hub, progress=False)
    assert got.path == tmp_path / "models" / "distilbert-base-uncased" and not got.already
    call = hub.calls[0]
    assert call["revision"] == HUB_MODELS["distilbert-base-uncased"].revision  # pinned
    assert "pytorch_model.bin" not in got.files and "model.safetensors" in got.files
    assert not (tmp_path / "models" / ".partial" / "distilbert-base-uncased").exists()
    recorded = json.loads((got.path / SOURCE_FILE).read_text())
    assert recorded["revision"] == call["revision"]
    lms = MaskedLMRegistry(model_dir=tmp_path / "models", offline=True)
    result = lms.get("distilbert-base-uncased").predict("paris is the capital of [MASK].")
    assert result.blanks[0].predictions  # the same fill-mask path as any local folder


def test_an_interrupted_download_leaves_no_model_and_a_rerun_completes(hub_up, served, tmp_path):
    target = tmp_path / "models"
    with pytest.raises(ModelUnavailable, match="resumes where it stopped"):
        download("bert-base-uncased", target, fetch=FakeHub(served, fail_after=2), progress=False)
    assert not (target / "bert-base-uncased").exists()  # never taken for a model
    partial = target / ".partial" / "bert-base-uncased"
    assert len([p for p in partial.iterdir() if p.is_file()]) == 2  # kept for the rerun
    again = FakeHub(served)
    got = download("bert-base-uncased", target, fetch=again, progress=False)
    assert again.calls[0]["local_dir"] == str(partial)  # same folder: the fetch resumes there
    assert (got.path / "model.safetensors").is_file() and not (got.path / ".cache").exists()
    twice = download("bert-base-uncased", target, fetch=FakeHub(served), progress=False)
    assert twice.already


def test_tokenizer_models_fetch_no_weights(hub_up, served, tmp_path):
    got = download("gpt2", tmp_path, fetch=FakeHub(served), progress=False)
    assert not [f for f in got.files if f.endswith((".safetensors", ".bin"))]


def test_a_revision_without_safetensors_is_refused_and_nothing_kept(hub_up, served, tmp_path):
    (served / "model.safetensors").unlink()
    with pytest.raises(ModelUnavailable, match="safetensors"):
        download("roberta-base", tmp_path, fetch=FakeHub(served), progress=False)
    assert not (tmp_path / "roberta-base").exists()


def test_names_outside_the_allow_list_are_refused_before_any_fetch(hub_up, served, tmp_path):
    hub = FakeHub(served)
    for name in ("evil/model", "../../etc", "sentence-transformers/all-MiniLM-L6-v2"):
        with pytest.raises(ModelNotAllowed):
            download(name, tmp_path, fetch=hub, progress=False)
    assert hub.calls == []


def test_no_hub_is_one_clear_message(served, tmp_path):
    # A real connection attempt to a closed local port: what an offline machine sees.
    with pytest.raises(ModelUnavailable, match="cannot be reached") as refused:
        download(
            "distilbert-base-uncased",
            tmp_path / "models",
            endpoint="http://127.0.0.1:9",
            fetch=FakeHub(served),
            progress=False,
        )
    assert "copy the folder distilbert-base-uncased" in str(refused.value)
    assert not (tmp_path / "models").exists()


def test_a_hand_made_folder_is_never_overwritten(hub_up, served, tmp_path):
    (tmp_path / "bert-base-cased").mkdir()
    with pytest.raises(ModelUnavailable, match="not made by"):
        download("bert-base-cased", tmp_path, fetch=FakeHub(served), progress=False)
