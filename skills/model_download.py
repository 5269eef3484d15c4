"""`tutor models download`: local copies of allow-listed hub models, fetched before class.

A model is fetched at its pinned revision, safetensors weights only (never pickled `.bin`
files, never remote code), into `<model dir>/.partial/<folder>` and moved to
`<model dir>/<folder>` only once every file is there, so a half-finished download is never
taken for a model. Run it again after an interruption and huggingface_hub resumes the files
it had started. Afterwards the model loads offline like any local folder.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skills import models
from skills.models import HUB_MODELS, MINILM_IDS, HubModel, ModelNotAllowed, ModelUnavailable

TOKENIZER_FILES = [
    "config.json",  # AutoTokenizer reads the model type from it
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "vocab.txt",
    "vocab.json",
    "merges.txt",
    "spiece.model",
]
WEIGHTS = "*.safetensors"
SOURCE_FILE = "tutorbot-source.json"  # which id and revision a folder holds


def folder_name(model_id: str) -> str:
    return model_id.replace("/", "--")


def patterns(model: HubModel) -> list[str]:
    """The files a model needs here: a tokenizer-only demo needs no weights."""
    return TOKENIZER_FILES if model.kind == "tokenizer" else [*TOKENIZER_FILES, WEIGHTS]


@dataclass(frozen=True)
class Downloaded:
    name: str
    path: Path
    revision: str
    files: list[str]
    already: bool  # it was there before this call

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.name,
            "path": str(self.path),
            "revision": self.revision,
            "files": self.files,
            "already_there": self.already,
        }


try:
    from huggingface_hub.errors import HfHubHTTPError as HubError
except ImportError:  # pragma: no cover - older huggingface_hub
    HubError = OSError  # type: ignore[misc,assignment]

Fetch = Callable[..., str]  # huggingface_hub.snapshot_download's signature


def _snapshot_download(**kwargs: Any) -> str:
    from huggingface_hub import snapshot_download
    from huggingface_hub.utils import enable_progress_bars

    if kwargs.pop("progress", True):
        enable_progress_bars()  # the CLI turns them off for every other command
    return snapshot_download(**kwargs)


def allowed(name: str) -> HubModel:
    name = name.strip()
    if name in MINILM_IDS:
        raise ModelNotAllowed(f"{name} ships with the project (packaged): nothing to download.")
    if name not in HUB_MODELS:
        choices = ", ".join(m for m in sorted(HUB_MODELS) if m not in MINILM_IDS)
        raise ModelNotAllowed(f"Unknown model {name!r}. Models that can be downloaded: {choices}.")
    return HUB_MODELS[name]


def download(
    name: str,
    model_dir: Path,
    *,
    endpoint: str | None = None,
    progress: bool = True,
    fetch: Fetch = _snapshot_download,
) -> Downloaded:
    """Fetch `name` (allow-listed) into `model_dir`, or report that it is already there."""
    model = allowed(name)
    model_dir = Path(model_dir).expanduser()
    target = model_dir / folder_name(model.id)
    if (target / SOURCE_FILE).is_file():
        recorded = json.loads((target / SOURCE_FILE).read_text())
        return Downloaded(model.id, target, recorded["revision"], recorded["files"], True)
    if target.exists():
        raise ModelUnavailable(
            f"{target} already exists and was not made by `tutor models download`; "
            "it is used as it is. Move it away to download a fresh copy."
        )
    if not models.hub_reachable(endpoint):
        raise ModelUnavailable(
            f"The model hub cannot be reached from here, so {model.id} cannot be downloaded. "
            f"On a machine that reaches it, run `tutor models download {model.id}` and copy "
            f"the folder {folder_name(model.id)} into {model_dir} here (or set "
            "TUTOR_MODEL_DIR to where it is)."
        )
    partial = model_dir / ".partial" / folder_name(model.id)
    partial.mkdir(parents=True, exist_ok=True)
    try:
        fetch(
            repo_id=model.id,
            revision=model.revision,
            local_dir=str(partial),
            allow_patterns=patterns(model),
            endpoint=endpoint,
            progress=progress,
        )
    except (OSError, HubError) as exc:  # the network or the hub, not a bug of ours
        raise ModelUnavailable(
            f"Downloading {model.id} stopped: {str(exc).splitlines()[0]} "
            "Run the same command again: it resumes where it stopped."
        ) from exc
    shutil.rmtree(partial / ".cache", ignore_errors=True)  # resume bookkeeping, done with
    files = sorted(str(p.relative_to(partial)) for p in partial.rglob("*") if p.is_file())
    if model.kind != "tokenizer" and not any(f.endswith(".safetensors") for f in files):
        raise ModelUnavailable(
            f"{model.id} at revision {model.revision[:10]} has no safetensors weights; "
            "only safetensors are ever loaded, so it cannot be used."
        )
    if not any(f in files for f in ("tokenizer.json", "vocab.txt", "vocab.json", "spiece.model")):
        raise ModelUnavailable(f"{model.id} came without tokenizer files; nothing was kept.")
    record = {"id": model.id, "revision": model.revision, "files": files}
    (partial / SOURCE_FILE).write_text(json.dumps(record, indent=2) + "\n")
    os.replace(partial, target)  # complete, or not there at all
    return Downloaded(model.id, target, model.revision, files, False)
