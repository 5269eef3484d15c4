"""Hybrid retrieval over cards, ingested documents and instructor notes: BM25 + dense, fused.

Each card is split into passages (title and aliases, explanation, key points, analogy, common
mistakes) so that a question matching any part of it finds it; a card's dense score is its best
passage's, and the passage's `section` says which part of the card matched. Document chunks
and instructor notes are their own sources, so answers can cite them.

Ranking: each source gets `DENSE_WEIGHT x cosine + (1 - DENSE_WEIGHT) x bm25 / (bm25 + BM25_HALF)`.
Both terms lie in [0, 1], so the fused score doubles as the answer's confidence. BM25 runs over
whole sources (a card's passages joined), dense similarity takes a source's best passage
(bench/ask_quality.py).

The index lives in memory and changes in place: `add` and `remove` take whole sources, with
their vectors, so ingesting a document embeds only its own chunks and never the cards. Readers
never lock: every change builds a new immutable state and swaps it in.

Card vectors are persisted under a folder named by a fingerprint of the card passages and the
model (`persisted_vectors`); a missing, damaged or foreign folder is rebuilt by the caller's
`compute` (which looks in the database before it embeds anything).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from knowledge.cards import Card

log = logging.getLogger(__name__)

INDEX_FORMAT = 4  # bump when passage construction or the folder layout changes
DENSE_WEIGHT = 0.5
TITLE_WEIGHT = 3  # chosen on bench/ask_questions.tsv, checked on the held-out set
BM25_HALF = 5.0  # the BM25 score that counts as half-sure; typical on-topic top scores are 3-10
STALE_STAGING_SECONDS = 600  # a staging folder older than this was left by a crashed process
Kind = Literal["card", "document", "note"]
Method = Literal["hybrid", "bm25", "dense"]
_FOLDER_NAME = re.compile(r"^[0-9a-f]{20}$")


class Encoder(Protocol):
    def encode(self, sentences: list[str], **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class Passage:
    source_id: str  # a card id, "<document label>#<chunk position>", or "note:<id>"
    kind: Kind
    text: str
    section: str = ""  # for cards, which part: title, explanation, key points, analogy, ...
    title: str = field(default="", compare=False)  # how a citation names a non-card source


@dataclass(frozen=True)
class SourceHit:
    source_id: str
    kind: Kind
    score: float  # fused score in [0, 1] for "hybrid"; the raw method score otherwise
    similarity: float  # best cosine similarity of the query to this source's passages
    passage: str  # the best-matching passage text
    section: str = ""  # the best-matching passage's section (cards)
    title: str = ""  # the best passage's citation title (documents, notes)
    bm25: float = 0.0  # the raw BM25 score


def card_passages(cards: Iterable[Card]) -> list[Passage]:
    passages: list[Passage] = []
    for card in cards:
        parts = [
            (
                "title",
                f"{card.title}. Also known as: {', '.join(card.aliases)}."
                if card.aliases
                else card.title,
            ),
            ("explanation", card.explanation),
            ("key points", " ".join(card.key_points)),
            ("analogy", card.analogy or ""),
            ("common mistakes", "Common mistakes: " + " ".join(card.common_mistakes)),
        ]
        passages += [
            Passage(card.id, "card", f"{card.title}: {text}" if i else text, section)
            for i, (section, text) in enumerate(parts)
            if text
        ]
    return passages


def document_passages(chunks: Iterable[dict]) -> list[Passage]:
    """Passages from the store's chunk rows (`name`, `position`, `text`, optional lines)."""
    passages = []
    for c in chunks:
        title = f"{c['name']}, part {c['position']}"
        if c.get("line_start"):
            lines = (
                f"line {c['line_start']}"
                if c["line_start"] == c.get("line_end")
                else f"lines {c['line_start']}-{c['line_end']}"
            )
            title += f" ({lines})"
        passages.append(Passage(f"{c['name']}#{c['position']}", "document", c["text"], "", title))
    return passages


def fingerprint(passages: Sequence[Passage], model_name: str) -> str:
    digest = hashlib.sha256(f"{INDEX_FORMAT}\n{model_name}\n".encode())
    for p in passages:
        digest.update(f"{p.kind}\t{p.source_id}\t{p.section}\t{p.text}\n".encode())
    return digest.hexdigest()[:20]


def text_key(text: str) -> str:
    """The key a passage's vector is stored under (with the model's name)."""
    return hashlib.sha256(text.encode()).hexdigest()


@cache
def _stemmer():  # one per process: it is used on every query
    import Stemmer

    return Stemmer.Stemmer("english")


def _bm25s():
    import bm25s

    # bm25s sets its own logger to DEBUG, which prints "Building index..." on every build.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def bm25_tokens(texts: list[str]) -> list[list[str]]:
    tokenized = _bm25s().tokenize(
        texts, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False
    )
    return tokenized


# --- the in-memory index ---------------------------------------------------------------------


@dataclass(frozen=True)
class _State:
    """One consistent snapshot of the index; never changed once made."""

    passages: tuple[Passage, ...]
    vectors: np.ndarray  # (passages, dim), normalised float32
    sources: tuple[tuple[str, Kind], ...]  # sorted
    source_of: np.ndarray  # passage -> position in `sources`
    tokens: dict[tuple[str, Kind], list[str]]  # each source's BM25 tokens
    bm25: Any  # bm25s.BM25 over `sources`, in order

    @classmethod
    def make(
        cls,
        passages: Sequence[Passage],
        vectors: np.ndarray,
        tokens: dict[tuple[str, Kind], list[str]],
    ) -> _State:
        sources = tuple(sorted({(p.source_id, p.kind) for p in passages}))
        position = {key: i for i, key in enumerate(sources)}
        source_of = np.array([position[(p.source_id, p.kind)] for p in passages], dtype=np.int64)
        tokens = {key: tokens[key] for key in sources}
        bm25 = _bm25s().BM25()
        bm25.index([tokens[key] or [""] for key in sources], show_progress=False)
        return cls(tuple(passages), vectors, sources, source_of, tokens, bm25)


def _source_tokens(passages: Sequence[Passage]) -> dict[tuple[str, Kind], list[str]]:
    """BM25 tokens of each source: its passages joined.

    A card's first passage (title and aliases) counts TITLE_WEIGHT times, as in BM25F field
    weighting: a word in the title says more about the card than the same word in a mistake."""
    texts: dict[tuple[str, Kind], list[str]] = {}
    for p in passages:
        texts.setdefault((p.source_id, p.kind), []).append(p.text)
    keys = list(texts)
    joined = [
        " ".join([texts[key][0]] * (TITLE_WEIGHT - 1) * (key[1] == "card") + texts[key])
        for key in keys
    ]
    return dict(zip(keys, bm25_tokens(joined), strict=True)) if keys else {}


class HybridIndex:
    def __init__(
        self,
        passages: Sequence[Passage],
        vectors: np.ndarray,
        encoder: Encoder,
        fingerprint: str = "",
    ) -> None:
        if not passages:
            raise ValueError("cannot build an index without passages")
        vectors = _check_vectors(vectors, len(passages))
        self.fingerprint = fingerprint
        self._encoder = encoder
        self._write_lock = threading.Lock()
        self._state = _State.make(passages, vectors, _source_tokens(passages))

    # --- building and changing -----------------------------------------------------------

    @classmethod
    def build(cls, passages: list[Passage], encoder: Encoder, model_name: str) -> HybridIndex:
        """Embed every passage and index it (benches and tests; the bot loads stored vectors)."""
        vectors = encode(encoder, [p.text for p in passages])
        return cls(passages, vectors, encoder, fingerprint(passages, model_name))

    @classmethod
    def load_or_build(
        cls, root: Path, passages: list[Passage], encoder: Encoder, model_name: str
    ) -> tuple[HybridIndex, bool]:
        """The index of these passages, its vectors loaded from `root` when they were persisted
        there, else embedded and persisted. Returns the index and whether it embedded."""

        def compute(missing: list[Passage]) -> np.ndarray:
            return encode(encoder, [p.text for p in missing])

        vectors, rebuilt = persisted_vectors(root, passages, model_name, compute)
        return cls(passages, vectors, encoder, fingerprint(passages, model_name)), rebuilt

    @property
    def passages(self) -> tuple[Passage, ...]:
        return self._state.passages

    @property
    def vectors(self) -> np.ndarray:
        return self._state.vectors

    def source_ids(self, kind: Kind | None = None) -> set[str]:
        return {s for s, k in self._state.sources if kind is None or k == kind}

    def encode(self, texts: list[str]) -> np.ndarray:
        return encode(self._encoder, texts)

    def add(self, passages: Sequence[Passage], vectors: np.ndarray) -> None:
        """Add whole sources (e.g. a new document's chunks) with their vectors; a source that
        is already indexed is replaced. Nothing else is embedded again."""
        self.change(remove=(), add=passages, vectors=vectors)

    def remove(self, source_ids: Collection[str]) -> None:
        self.change(remove=source_ids)

    def change(
        self,
        *,
        remove: Collection[str] = (),
        add: Sequence[Passage] = (),
        vectors: np.ndarray | None = None,
    ) -> None:
        """Remove some sources and add others, as one swap: a reader sees all of it or none."""
        dim = self._state.vectors.shape[1]
        added = _check_vectors(vectors if add else np.zeros((0, dim)), len(add), dim)
        with self._write_lock:
            state = self._state
            gone = set(remove) | {p.source_id for p in add}
            keep = [i for i, p in enumerate(state.passages) if p.source_id not in gone]
            if not add and len(keep) == len(state.passages):
                return
            passages = [state.passages[i] for i in keep] + list(add)
            if not passages:
                raise ValueError("an index cannot be left without passages")
            kept_vectors = state.vectors[keep]
            merged = np.vstack([kept_vectors, added]) if add else kept_vectors
            tokens = {k: v for k, v in state.tokens.items() if k[0] not in gone}
            tokens.update(_source_tokens(add))
            self._state = _State.make(passages, np.ascontiguousarray(merged), tokens)

    # --- search ------------------------------------------------------------------------

    def search(self, query: str, k: int = 5, method: Method = "hybrid") -> list[SourceHit]:
        state = self._state  # one snapshot for the whole search
        passage_scores = state.vectors @ encode(self._encoder, [query])[0]
        dense, dense_passage = _per_source_max(state, passage_scores)
        vocab = state.bm25.vocab_dict
        tokens = [t for t in bm25_tokens([query])[0] if t in vocab]
        bm25 = (
            np.asarray(state.bm25.get_scores(tokens), dtype=np.float32)
            if tokens
            else np.zeros(len(state.sources), dtype=np.float32)
        )
        if method == "dense":
            ranking = dense
        elif method == "bm25":
            ranking = bm25
        else:
            ranking = DENSE_WEIGHT * np.clip(dense, 0, 1) + (1 - DENSE_WEIGHT) * bm25 / (
                bm25 + BM25_HALF
            )
        order = np.argsort(-ranking, kind="stable")[:k]
        hits = []
        for i in order:
            best = state.passages[dense_passage[i]]
            hits.append(
                SourceHit(
                    source_id=state.sources[i][0],
                    kind=state.sources[i][1],
                    score=float(ranking[i]),
                    similarity=float(dense[i]),
                    passage=best.text,
                    section=best.section,
                    title=best.title,
                    bm25=float(bm25[i]),
                )
            )
        return hits


def _per_source_max(state: _State, passage_scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each source's best passage score and that passage's index (vectorised: ingested
    documents can add thousands of passages)."""
    order = np.lexsort((-passage_scores, state.source_of))  # by source, best first
    first = np.ones(len(order), dtype=bool)
    first[1:] = state.source_of[order[1:]] != state.source_of[order[:-1]]
    best_passage = order[first]  # sources are numbered 0..n-1, each with >= 1 passage
    return passage_scores[best_passage].astype(np.float32), best_passage


def encode(encoder: Encoder, texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    vectors = encoder.encode(
        texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)


def _check_vectors(vectors: Any, count: int, dim: int | None = None) -> np.ndarray:
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    if array.ndim != 2 or array.shape[0] != count or (dim is not None and array.shape[1] != dim):
        raise ValueError(f"expected {count} vectors of dimension {dim or 'd'}, got {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("vectors contain NaN or infinity")
    return array


# --- persisted card vectors ------------------------------------------------------------------


class IndexFolderError(ValueError):
    """An index folder that cannot be used: missing files, damaged or foreign content."""


def load_vectors(folder: Path, key: str, count: int) -> np.ndarray:
    """The vectors persisted in `folder`, checked against what they must be."""
    try:
        meta = json.loads((folder / "meta.json").read_text())
        vectors = np.load(folder / "vectors.npy", allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise IndexFolderError(f"{folder}: unreadable ({exc})") from exc
    if not isinstance(meta, dict) or meta.get("format") != INDEX_FORMAT:
        raise IndexFolderError(f"{folder}: not an index of format {INDEX_FORMAT}")
    if meta.get("fingerprint") != key or meta.get("count") != count:
        raise IndexFolderError(f"{folder}: holds another set of passages")
    try:
        return _check_vectors(vectors, count, meta.get("dim"))
    except ValueError as exc:
        raise IndexFolderError(f"{folder}: {exc}") from exc


def save_vectors(root: Path, key: str, vectors: np.ndarray, model_name: str) -> Path:
    """Persist under `root/key`: written to a staging folder and renamed, so a crash or a
    second process never leaves a half-written folder under the real name, and the staging
    folder is removed whatever happens."""
    root.mkdir(parents=True, exist_ok=True)
    folder = root / key
    staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
    try:
        np.save(staging / "vectors.npy", vectors, allow_pickle=False)
        meta = {
            "format": INDEX_FORMAT,
            "fingerprint": key,
            "model": model_name,
            "count": int(vectors.shape[0]),
            "dim": int(vectors.shape[1]),
        }
        (staging / "meta.json").write_text(json.dumps(meta))
        try:
            staging.rename(folder)
        except OSError:  # another process finished first, or a damaged folder is in the way
            if folder.exists():
                _remove(folder)
                staging.rename(folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return folder


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _clean(root: Path, keep: str) -> None:
    """Remove our own old index folders and stale staging folders; anything else is left."""
    now = time.time()
    for entry in root.iterdir():
        try:
            if entry.name.startswith(".") and _FOLDER_NAME.match(entry.name[1:21]):
                if now - entry.stat().st_mtime > STALE_STAGING_SECONDS:
                    shutil.rmtree(entry, ignore_errors=True)
            elif entry.name != keep and _FOLDER_NAME.match(entry.name) and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue


def persisted_vectors(
    root: Path,
    passages: list[Passage],
    model_name: str,
    compute: Callable[[list[Passage]], np.ndarray],
) -> tuple[np.ndarray, bool]:
    """The passages' vectors from the folder `root/<fingerprint>`, or from `compute` when that
    folder is missing, damaged or foreign (then persisted again). A root that cannot hold
    folders (a file, a read-only disk) costs the persistence, never the start-up.

    Returns the vectors and whether `compute` was called."""
    key = fingerprint(passages, model_name)
    folder = root / key
    if folder.exists():
        try:
            return load_vectors(folder, key, len(passages)), False
        except IndexFolderError as exc:
            log.warning("retrieval index rebuilt: %s", exc)
    vectors = _check_vectors(compute(passages), len(passages))
    try:
        if folder.exists() or folder.is_symlink():
            _remove(folder)
        save_vectors(root, key, vectors, model_name)
        _clean(root, key)
    except OSError as exc:
        log.warning("cannot keep the retrieval index in %s (%s); it lives in memory", root, exc)
    return vectors, True
