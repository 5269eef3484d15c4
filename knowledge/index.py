"""Hybrid retrieval over cards and ingested documents: BM25 (bm25s) + dense (FAISS), fused.

Each card is split into a few passages (title and aliases, explanation, key points, analogy,
common mistakes) so that a question matching any part of it finds it; a card's score is its best
passage's. Document chunks are their own sources, so answers can cite file and position.

Ranking: each source gets `DENSE_WEIGHT x cosine + (1 - DENSE_WEIGHT) x bm25 / (bm25 + BM25_HALF)`.
Both terms lie in [0, 1], so the fused score doubles as the answer's confidence. BM25 runs over
whole sources (a card's passages joined), dense similarity takes a source's best passage; on
bench/ask_questions.tsv this beat reciprocal rank fusion and per-passage BM25
(bench/ask_quality.py).

The index is persisted under a folder named by a fingerprint of the passages and the model, so
it is rebuilt only when cards, documents or the embedding model change; start-up just loads it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from knowledge.cards import Card

if TYPE_CHECKING:
    import bm25s
    import faiss

INDEX_FORMAT = 3  # bump when passage construction or file layout changes
DENSE_WEIGHT = 0.5
TITLE_WEIGHT = 3  # chosen on bench/ask_questions.tsv, checked on the held-out set
BM25_HALF = 5.0  # the BM25 score that counts as half-sure; typical on-topic top scores are 3-10
Kind = Literal["card", "document"]
Method = Literal["hybrid", "bm25", "dense"]


class Encoder(Protocol):
    def encode(self, sentences: list[str], **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class Passage:
    source_id: str  # a card id, or "<file name>#<chunk position>" for documents
    kind: Kind
    text: str


@dataclass(frozen=True)
class SourceHit:
    source_id: str
    kind: Kind
    score: float  # fused score in [0, 1] for "hybrid"; the raw method score otherwise
    similarity: float  # best cosine similarity of the query to this source's passages
    passage: str  # the best-matching passage text


def card_passages(cards: Iterable[Card]) -> list[Passage]:
    passages: list[Passage] = []
    for card in cards:
        parts = [
            f"{card.title}. Also known as: {', '.join(card.aliases)}."
            if card.aliases
            else card.title,
            card.explanation,
            " ".join(card.key_points),
            card.analogy or "",
            "Common mistakes: " + " ".join(card.common_mistakes),
        ]
        passages += [
            Passage(card.id, "card", f"{card.title}: {part}" if i else part)
            for i, part in enumerate(parts)
            if part
        ]
    return passages


def document_passages(chunks: Iterable[dict]) -> list[Passage]:
    """Passages from the store's `document_chunks()` rows."""
    return [Passage(f"{c['name']}#{c['position']}", "document", c["text"]) for c in chunks]


def fingerprint(passages: Sequence[Passage], model_name: str) -> str:
    digest = hashlib.sha256(f"{INDEX_FORMAT}\n{model_name}\n".encode())
    for p in passages:
        digest.update(f"{p.kind}\t{p.source_id}\t{p.text}\n".encode())
    return digest.hexdigest()[:20]


@cache
def _stemmer():  # one per process: it is used on every query
    import Stemmer

    return Stemmer.Stemmer("english")


def _bm25s():
    import bm25s

    # bm25s sets its own logger to DEBUG, which prints "Building index..." on every build.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def _bm25_tokens(texts: list[str]) -> list[list[str]]:
    bm25s = _bm25s()
    tokenized = bm25s.tokenize(
        texts, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False
    )
    return tokenized


class HybridIndex:
    def __init__(
        self,
        passages: list[Passage],
        bm25: bm25s.BM25,
        dense: faiss.Index,
        encoder: Encoder,
        fingerprint: str,
    ) -> None:
        self.passages = passages
        self.fingerprint = fingerprint
        self._bm25 = bm25
        self._dense = dense
        self._encoder = encoder
        self._sources: list[tuple[str, Kind]] = sorted({(p.source_id, p.kind) for p in passages})
        position = {key: i for i, key in enumerate(self._sources)}
        self._source_of = np.array([position[(p.source_id, p.kind)] for p in passages])

    # --- building and persistence ------------------------------------------------------

    @classmethod
    def build(cls, passages: list[Passage], encoder: Encoder, model_name: str) -> HybridIndex:
        import faiss

        bm25s = _bm25s()
        if not passages:
            raise ValueError("cannot build an index without passages")
        bm25 = bm25s.BM25()
        bm25.index(_bm25_tokens(_source_texts(passages)), show_progress=False)
        vectors = _encode(encoder, [p.text for p in passages])
        dense = faiss.IndexFlatIP(vectors.shape[1])
        dense.add(vectors)
        return cls(passages, bm25, dense, encoder, fingerprint(passages, model_name))

    def save(self, folder: Path) -> None:
        import faiss

        folder.mkdir(parents=True, exist_ok=True)
        self._bm25.save(str(folder / "bm25"))
        faiss.write_index(self._dense, str(folder / "dense.faiss"))
        (folder / "passages.json").write_text(
            json.dumps([asdict(p) for p in self.passages], ensure_ascii=False)
        )

    @classmethod
    def load(cls, folder: Path, encoder: Encoder, expected_fingerprint: str) -> HybridIndex:
        import faiss

        bm25s = _bm25s()
        passages = [Passage(**p) for p in json.loads((folder / "passages.json").read_text())]
        bm25 = bm25s.BM25.load(str(folder / "bm25"))
        dense = faiss.read_index(str(folder / "dense.faiss"))
        if dense.ntotal != len(passages):
            raise ValueError(f"index in {folder} is inconsistent")
        return cls(passages, bm25, dense, encoder, expected_fingerprint)

    @classmethod
    def load_or_build(
        cls, root: Path, passages: list[Passage], encoder: Encoder, model_name: str
    ) -> tuple[HybridIndex, bool]:
        """Load the persisted index for these passages, or build and persist it.

        Returns the index and whether it was (re)built."""
        key = fingerprint(passages, model_name)
        folder = root / key
        if folder.is_dir():
            try:
                return cls.load(folder, encoder, key), False
            except (OSError, ValueError, KeyError, RuntimeError):
                shutil.rmtree(folder, ignore_errors=True)  # damaged: rebuild below
        index = cls.build(passages, encoder, model_name)
        root.mkdir(parents=True, exist_ok=True)
        # Write to a temporary folder and rename, so a crash or a second process never
        # leaves a half-written index under the real name.
        staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
        index.save(staging)
        try:
            staging.rename(folder)
        except OSError:  # another process finished first: keep theirs
            shutil.rmtree(staging, ignore_errors=True)
        for old in root.iterdir():
            if old.is_dir() and old.name != key and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)
        return index, True

    # --- search ------------------------------------------------------------------------

    def _bm25_scores(self, query: str) -> np.ndarray:
        """BM25 score of every source (in `self._sources` order)."""
        vocab = self._bm25.vocab_dict
        tokens = [t for t in _bm25_tokens([query])[0] if t in vocab]
        if not tokens:
            return np.zeros(len(self._sources), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)

    def _dense_scores(self, query: str) -> np.ndarray:
        vector = _encode(self._encoder, [query])
        scores, ids = self._dense.search(vector, len(self.passages))
        out = np.empty(len(self.passages), dtype=np.float32)
        out[ids[0]] = scores[0]
        return out

    def _per_source_max(self, passage_scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each source's best passage score and that passage's index (vectorised: ingested
        documents can add thousands of passages)."""
        order = np.lexsort((-passage_scores, self._source_of))  # by source, best first
        first = np.ones(len(order), dtype=bool)
        first[1:] = self._source_of[order[1:]] != self._source_of[order[:-1]]
        best_passage = order[first]  # sources are numbered 0..n-1, each with >= 1 passage
        return passage_scores[best_passage].astype(np.float32), best_passage

    def search(self, query: str, k: int = 5, method: Method = "hybrid") -> list[SourceHit]:
        dense, dense_passage = self._per_source_max(self._dense_scores(query))
        bm25 = self._bm25_scores(query)
        if method == "dense":
            ranking = dense
        elif method == "bm25":
            ranking = bm25
        else:
            ranking = DENSE_WEIGHT * np.clip(dense, 0, 1) + (1 - DENSE_WEIGHT) * bm25 / (
                bm25 + BM25_HALF
            )
        order = np.argsort(-ranking, kind="stable")[:k]
        return [
            SourceHit(
                source_id=self._sources[i][0],
                kind=self._sources[i][1],
                score=float(ranking[i]),
                similarity=float(dense[i]),
                passage=self.passages[dense_passage[i]].text,
            )
            for i in order
        ]


def _source_texts(passages: Sequence[Passage]) -> list[str]:
    """One text per source, in sorted (source_id, kind) order, for BM25.

    A card's first passage (title and aliases) counts TITLE_WEIGHT times, as in BM25F field
    weighting: a word in the title says more about the card than the same word in a mistake."""
    texts: dict[tuple[str, str], list[str]] = {}
    for p in passages:
        texts.setdefault((p.source_id, p.kind), []).append(p.text)
    return [
        " ".join([parts[0]] * (TITLE_WEIGHT - 1) * (kind == "card") + parts)
        for (_, kind), parts in sorted(texts.items())
    ]


def _encode(encoder: Encoder, texts: list[str]) -> np.ndarray:
    vectors = encoder.encode(
        texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)
