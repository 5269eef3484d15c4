"""Shared fixtures: the real packaged MiniLM encoder (loaded once) and Tutors on temp dirs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

COURSE_DIR = Path(__file__).resolve().parents[2] / "shared" / "course"


class CountingEncoder:
    """Wraps the real encoder and counts how many texts it embedded."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.texts_encoded = 0

    def encode(self, sentences, **kwargs):
        self.texts_encoded += len(sentences)
        return self.inner.encode(sentences, **kwargs)


@pytest.fixture(scope="session")
def real_encoder():
    from skills.models import load_sentence_encoder

    return load_sentence_encoder("sentence-transformers/all-MiniLM-L6-v2")


@pytest.fixture
def encoder(real_encoder) -> CountingEncoder:
    return CountingEncoder(real_encoder)


@pytest.fixture(scope="session")
def shared_index_dir(tmp_path_factory) -> Path:
    # Index folders are keyed by a content fingerprint, so tests can share them safely.
    return tmp_path_factory.mktemp("index")


@pytest.fixture
def settings(tmp_path, shared_index_dir):
    from bot.config import Settings

    return Settings(data_dir=tmp_path / "data", index_dir=shared_index_dir, _env_file=None)


@pytest.fixture
def tutor(settings, encoder) -> Iterator:
    from bot.services import Tutor

    tutor = Tutor(settings, encoder=encoder)
    yield tutor
    tutor.close()


@pytest.fixture
def course_dir() -> Path:
    if not COURSE_DIR.is_dir():
        pytest.skip("../shared/course is not next to this checkout")
    return COURSE_DIR
