"""Hybrid retrieval over cards, ingested documents and instructor notes: BM25 + dense, fused.

Each card is split into passages (title and aliases, explanation, key points, analogy, common
mistakes, and each of its "Students ask" lines) so that a question matching any part of it
finds it; a card's dense score is its best passage's, and the passage's `section` says which part of the card matched. Document chunks
and instructor notes are their own sources, so answers can cite them.

Ranking: each source gets a score that is a learned weighting of its best passage's cosine and
its BM25 score (`fuse`, fitted on the tuning set by bench/fit_fusion.py); the confidence is a
logistic function of that score, fitted to mean "the probability that the top source answers
the question". BM25 runs over whole sources (a card's passages joined) with a tokenizer that
keeps code symbols ([SEP], ##, r=16, requires_grad). A question the instructor resolved is a
question passage of its card or note: a near-duplicate of it ranks that source first.

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
from knowledge.question_classifier import OUTSIDE, QuestionClassifier

log = logging.getLogger(__name__)

INDEX_FORMAT = 4  # bump when passage construction or the folder layout changes
TITLE_WEIGHT = 3  # chosen on bench/ask_questions.tsv, checked on the held-out set
BM25_HALF = 5.0  # the BM25 score that counts as half-sure; typical on-topic top scores are 3-10
# Passages that are questions (a question the instructor resolved, pointing at a card or a
# note): they do not count as content; a near-duplicate of one answers like it.
QUESTION_SECTIONS = frozenset({"example", "asked as"})
EXAMPLE_MATCH = 0.85  # cosine at which a question counts as a resolved question said again
# "classifier", "outside" and "sure" come from the question classifier
# (knowledge.question_classifier), 0 without one: each card's log probability less the best
# card's (0 for documents and notes, on which it has no opinion), the logit of the question
# being outside the course, and the best card's log probability.
FEATURES = ("dense", "bm25", "asked", "classifier", "outside", "sure")
# Ranking: a conditional logit (softmax over the cards of each question) fitted on the tuning
# sets (bench/ask_questions.tsv, ask_questions_short.tsv, ask_questions_tuning2.tsv) by
# bench/fit_fusion.py; the held-out sets were never used.
# "asked" is 0: passages that are questions made ranking worse (bench/results/ranking_options.txt,
# measured with an earlier bench/fit_fusion.py --compare); they only count as near-duplicates
# (EXAMPLE_MATCH).
RANKING_WEIGHTS = {"dense": 10.23, "bm25": 10.10, "asked": 0.0}
# Confidence: P(the top source answers the question) =
#   sigmoid(intercept + slope x ranking score + short / the question's distinct terms
#           + gap x min(GAP_CAP, how far the source's ranking score is ahead of the next best)),
# a logistic regression on the same tuning questions, bench/ask_offtopic_tuning.tsv and
# bench/ask_questions_short.tsv: a short question that matches well is as sure as a long one
# that matches better, and a top card only just ahead of another is less sure (wrong answers'
# median lead was 0.7 against right answers' 2.6 on bench/ask_questions_tuning2.tsv before the
# lead was used).
CONFIDENCE = {"intercept": -10.50, "slope": 0.92, "short": 5.16, "gap": 2.72}
GAP_CAP = 1.0
# A "Students ask" line is a question, and questions resemble each other in form ("where
# does ... take place?", "what's inside ...?") whatever they are about: its cosine counts 0.9
# times a content passage's. Chosen on the tuning sets (bench/fit_fusion.py, 10-fold CV: 1.0,
# 0.95, 0.9, 0.85 gave right 308, 312, 315, 314 of 355; off-topic declined 84, 85, 85, 85/86).
STUDENT_WEIGHT = 0.9
FUSION = "learned"  # or "fixed" (the formula before the fit, kept for bench comparisons):
DENSE_WEIGHT = 0.5  # "fixed": DENSE_WEIGHT x cosine + (1 - DENSE_WEIGHT) x bm25 / (bm25 + 5)
STALE_STAGING_SECONDS = 600  # a staging folder older than this was left by a crashed process
Kind = Literal["card", "document", "note"]
Fusion = dict[str, dict[str, float]]  # {"ranking": weights by FEATURES, "confidence": ...}
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
    score: float  # the confidence in [0, 1] for "hybrid"; the method's own score otherwise
    similarity: float  # best cosine similarity of the query to this source's passages
    passage: str  # the best-matching passage text
    section: str = ""  # the best-matching passage's section (cards)
    title: str = ""  # the best passage's citation title (documents, notes)
    ranking: float = 0.0  # the ranking score (the confidence is a monotone function of it)
    asked: float = 0.0  # best cosine to the source's question passages (resolved questions)
    outside: float = 0.0  # the question classifier's P(outside the course); 0 without one


def _card_ids(passages: Sequence[Passage]) -> set[str]:
    return {p.source_id for p in passages if p.kind == "card"}


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
        # each student's line on its own: six questions averaged into one vector match none
        # of them well
        parts += [("students ask", line) for line in card.students_ask]
        parts += [("symptoms", symptom.seen) for symptom in card.symptoms]
        parts += [("misconceptions", wrong.claim) for wrong in card.misconceptions]
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


# Code symbols students paste: [SEP] and <mask>, WordPiece's ## and GPT-2's Ġ, identifiers
# (requires_grad, attention_mask, tokenizer.encode) and settings (r=16, lr=1e-3). A plain word
# tokenizer drops or mangles all of them.
_TOKEN = re.compile(
    r"\[[a-z]+\]|<[a-z/]+>|##|ġ|[a-z0-9]+(?:(?:_|=|\.(?=[a-z0-9])|-(?=[0-9]))[a-z0-9]+)*"
)
_PARTS = re.compile(r"[a-z]+|[0-9]+")
BM25_TOKENIZER = "code"  # or "words" (bm25s's own), for bench/ask_quality.py comparisons


@cache
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def _code_tokens(text: str) -> list[str]:
    stop, stem = _stopwords(), _stemmer().stemWord
    tokens: list[str] = []
    for match in _TOKEN.finditer(text.lower()):
        token = match.group()
        if token[0] in "[<":  # a special token: itself, and its word
            tokens += [token, stem(token.strip("[]</>"))]
        elif token in ("##", "ġ"):
            tokens.append(token)
        elif _PARTS.fullmatch(token):
            if len(token) > 1 and token not in stop:
                tokens.append(stem(token))
        else:  # a compound: as typed, each side of an `=`, and the words in it
            tokens.append(token)
            for piece in token.split("=") if "=" in token else []:
                if piece and piece != token:
                    tokens.append(piece if not piece.isalpha() else stem(piece))
            if token[0].isdigit():
                continue  # a number such as 1e-3 or 0.1: no words in it
            for piece in token.split("="):
                if piece[:1].isdigit():
                    continue
                tokens += [
                    stem(part)
                    for part in _PARTS.findall(piece)
                    if part.isalpha()
                    and part not in stop
                    and (len(part) > 1 or "=" in token)
                    and part != piece
                ]
    return tokens


def bm25_tokens(texts: list[str]) -> list[list[str]]:
    if BM25_TOKENIZER == "code":
        return [_code_tokens(text) for text in texts]
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
    asked: np.ndarray  # passage -> is it a question (asked as, a resolved example)?
    student: np.ndarray  # passage -> is it a card's "Students ask" line?
    is_card: np.ndarray  # source -> is it a card (not a document or a note)?
    tokens: dict[tuple[str, Kind], list[str]]  # each source's content's BM25 tokens
    bm25: Any  # bm25s.BM25 over the sources' content, in `sources` order
    dense: Any  # faiss.IndexFlatIP over `vectors` (exact inner product = cosine)

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
        asked = np.array([p.section in QUESTION_SECTIONS for p in passages], dtype=bool)
        student = np.array([p.section == "students ask" for p in passages], dtype=bool)
        is_card = np.array([kind == "card" for _, kind in sources], dtype=bool)
        tokens = {key: tokens[key] for key in sources}
        bm25 = _bm25s().BM25()
        bm25.index([tokens[key] or [""] for key in sources], show_progress=False)
        import faiss

        dense = faiss.IndexFlatIP(vectors.shape[1] if vectors.ndim == 2 else 1)
        if len(vectors):
            dense.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(
            tuple(passages),
            vectors,
            sources,
            source_of,
            asked,
            student,
            is_card,
            tokens,
            bm25,
            dense,
        )

    def scores(self, query_vector: np.ndarray) -> np.ndarray:
        """Every passage's cosine with the query, in passage order, from the FAISS index."""
        n = len(self.passages)
        found, ids = self.dense.search(query_vector.reshape(1, -1).astype(np.float32), n)
        out = np.full(n, -1.0, dtype=np.float32)
        keep = ids[0] >= 0
        out[ids[0][keep]] = found[0][keep]
        return out


def _source_tokens(passages: Sequence[Passage]) -> dict[tuple[str, Kind], list[str]]:
    """BM25 tokens of each source: its content passages joined (questions left out).

    A card's first passage (title and aliases) counts TITLE_WEIGHT times, as in BM25F field
    weighting: a word in the title says more about the card than the same word in a mistake."""
    content: dict[tuple[str, Kind], list[str]] = {}
    for p in passages:
        texts = content.setdefault((p.source_id, p.kind), [])
        if p.section not in QUESTION_SECTIONS:
            texts.append(p.text)
    keys = list(content)
    joined = [
        " ".join(content[k][:1] * (TITLE_WEIGHT - 1) * (k[1] == "card") + content[k]) for k in keys
    ]
    return dict(zip(keys, bm25_tokens(joined), strict=True))


class HybridIndex:
    def __init__(
        self,
        passages: Sequence[Passage],
        vectors: np.ndarray,
        encoder: Encoder,
        fingerprint: str = "",
        fusion: Fusion | None = None,
        classifier: QuestionClassifier | None = None,
    ) -> None:
        if not passages:
            raise ValueError("cannot build an index without passages")
        vectors = _check_vectors(vectors, len(passages))
        self.fingerprint = fingerprint
        self.fusion = fusion  # weights fitted for this encoder; None: the defaults above
        if classifier is not None and not classifier.fits(vectors.shape[1], _card_ids(passages)):
            log.info("question classifier left out: fitted for other vectors or other cards")
            classifier = None
        self.classifier = classifier
        if classifier is not None:  # its ranking weight and calibration were fitted with it
            base = fusion or {"ranking": RANKING_WEIGHTS, "confidence": CONFIDENCE}
            ranking = {**base["ranking"], "classifier": classifier.ranking_weight}
            self.fusion = {"ranking": ranking, "confidence": classifier.confidence}
        self._encoder = encoder
        self._write_lock = threading.Lock()
        self._state = _State.make(passages, vectors, _source_tokens(passages))

    # --- building and changing -----------------------------------------------------------

    @classmethod
    def build(
        cls,
        passages: list[Passage],
        encoder: Encoder,
        model_name: str,
        fusion: Fusion | None = None,
        classifier: QuestionClassifier | None = None,
    ) -> HybridIndex:
        """Embed every passage and index it (benches and tests; the bot loads stored vectors)."""
        vectors = encode(encoder, [p.text for p in passages])
        return cls(
            passages, vectors, encoder, fingerprint(passages, model_name), fusion, classifier
        )

    @classmethod
    def load_or_build(
        cls,
        root: Path,
        passages: list[Passage],
        encoder: Encoder,
        model_name: str,
        classifier: QuestionClassifier | None = None,
    ) -> tuple[HybridIndex, bool]:
        """The index of these passages, its vectors loaded from `root` when they were persisted
        there, else embedded and persisted. Returns the index and whether it embedded."""

        def compute(missing: list[Passage]) -> np.ndarray:
            return encode(encoder, [p.text for p in missing])

        vectors, rebuilt = persisted_vectors(root, passages, model_name, compute)
        index = cls(passages, vectors, encoder, fingerprint(passages, model_name), None, classifier)
        return index, rebuilt

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
        """Add passages (a new document's chunks, a card's resolved question) with their
        vectors. Nothing else is embedded again."""
        self.change(add=passages, vectors=vectors)

    def remove(self, source_ids: Collection[str]) -> None:
        self.change(remove=source_ids)

    def change(
        self,
        *,
        remove: Collection[str] = (),
        drop: Callable[[Passage], bool] | None = None,
        add: Sequence[Passage] = (),
        vectors: np.ndarray | None = None,
    ) -> None:
        """Remove whole sources and the passages `drop` picks, and add passages, as one swap:
        a reader sees all of it or none."""
        dim = self._state.vectors.shape[1]
        added = _check_vectors(vectors if add else np.zeros((0, dim)), len(add), dim)
        with self._write_lock:
            state = self._state
            gone = set(remove)
            keep = [
                i
                for i, p in enumerate(state.passages)
                if p.source_id not in gone and not (drop and drop(p))
            ]
            if not add and len(keep) == len(state.passages):
                return
            passages = [state.passages[i] for i in keep] + list(add)
            if not passages:
                raise ValueError("an index cannot be left without passages")
            merged = np.vstack([state.vectors[keep], added]) if add else state.vectors[keep]
            kept = set(keep)
            changed = gone | {p.source_id for p in add}
            changed |= {p.source_id for i, p in enumerate(state.passages) if i not in kept}
            tokens = {k: v for k, v in state.tokens.items() if k[0] not in changed}
            tokens.update(_source_tokens([p for p in passages if p.source_id in changed]))
            self._state = _State.make(passages, np.ascontiguousarray(merged), tokens)

    # --- search ------------------------------------------------------------------------

    def features(self, query: str) -> tuple[_State, np.ndarray, np.ndarray]:
        """Every source's ranking FEATURES for `query`, and each source's best content
        passage: the best cosine over its content passages, its BM25 score squashed into
        [0, 1), and the best cosine over its question passages (0 without any)."""
        state = self._state  # one snapshot for the whole search
        vector = encode(self._encoder, [query])[0]
        passage_scores = state.scores(vector)
        passage_scores = np.where(state.student, passage_scores * STUDENT_WEIGHT, passage_scores)
        dense, best = _per_source_max(state, np.where(state.asked, -1.0, passage_scores))
        asked, _ = _per_source_max(state, np.where(state.asked, passage_scores, 0.0))
        bm25 = _bm25_scores(state.bm25, bm25_tokens([query])[0], len(state.sources))
        learned = self._classified(state, vector)
        features = np.column_stack(
            [np.clip(dense, 0, 1), bm25 / (bm25 + BM25_HALF), np.clip(asked, 0, 1), learned]
        )
        return state, features, best

    def _classified(self, state: _State, vector: np.ndarray) -> np.ndarray:
        """The question classifier's three FEATURES for every source (zeros without one). A
        card it was not fitted on (added since) is, like a document, given no penalty."""
        out = np.zeros((len(state.sources), 3))
        if self.classifier is None:
            return out
        p = self.classifier.probabilities(vector)
        labels = self.classifier.labels
        logp = {label: float(np.log(max(p[i], 1e-12))) for i, label in enumerate(labels)}
        outside = float(np.clip(p[labels.index(OUTSIDE)], 1e-9, 1 - 1e-9))
        del logp[OUTSIDE]
        sure = max(logp.values())
        for row, (source_id, kind) in enumerate(state.sources):
            if kind == "card" and source_id in logp:
                out[row, 0] = logp[source_id] - sure
        out[:, 1] = np.log(outside / (1 - outside))
        out[:, 2] = sure
        return out

    def search(self, query: str, k: int = 5, method: Method = "hybrid") -> list[SourceHit]:
        state, f, best = self.features(query)
        if method == "dense":
            score = ranking = f[:, 0]
        elif method == "bm25":
            score = ranking = f[:, 1]
        else:
            terms = len(set(bm25_tokens([query])[0]))
            ranking, score = fuse(f, terms, weights=self.fusion, cards=state.is_card)
        resolved = np.where(f[:, 2] >= EXAMPLE_MATCH, f[:, 2], 0.0)  # first, when there are any
        outside = 0.0
        if self.classifier is not None and len(f):
            outside = float(1 / (1 + np.exp(-f[0, FEATURES.index("outside")])))
        order = np.lexsort((-ranking, -score, -resolved))[:k]
        hits = []
        for i in order:
            passage = state.passages[best[i]]
            hits.append(
                SourceHit(
                    source_id=state.sources[i][0],
                    kind=state.sources[i][1],
                    score=float(score[i]),
                    similarity=float(f[i, 0]),
                    passage=passage.text,
                    section=passage.section,
                    title=passage.title,
                    ranking=float(ranking[i]),
                    asked=float(f[i, 2]),
                    outside=outside,
                )
            )
        return hits


def fuse(
    features: np.ndarray,
    terms: int = 1,
    fusion: str | None = None,
    weights: Fusion | None = None,
    cards: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each source's ranking score and its confidence in [0, 1], for a question of `terms`
    distinct BM25 terms.

    "learned": RANKING_WEIGHTS and CONFIDENCE, fitted on the tuning set (or `weights`, fitted
    the same way for another encoder: {"ranking": ..., "confidence": ...}); a source one of
    whose question passages is a near-duplicate of the query (EXAMPLE_MATCH) is as sure as
    that similarity. "fixed": the hand-set formula the fit replaced (its score is both)."""
    if (fusion or FUSION) == "fixed":
        fixed = DENSE_WEIGHT * features[:, 0] + (1 - DENSE_WEIGHT) * features[:, 1]
        return fixed, fixed
    fitted = weights or {"ranking": RANKING_WEIGHTS, "confidence": CONFIDENCE}
    vector = np.array([fitted["ranking"].get(name, 0.0) for name in FEATURES], dtype=np.float32)
    ranking = features @ vector
    calibration = fitted["confidence"]
    logit = (
        calibration["intercept"]
        + calibration["slope"] * ranking
        + calibration["short"] / max(1, terms)
        + calibration.get("gap", 0.0) * lead(ranking, cards)
    )
    if "outside" in calibration:  # fitted with the question classifier
        learned = features[:, FEATURES.index("classifier")] + features[:, FEATURES.index("sure")]
        logit = (
            logit
            + calibration["outside"] * features[:, FEATURES.index("outside")]
            + calibration["agree"] * learned
        )
    confidence = 1 / (1 + np.exp(-logit))
    asked = features[:, FEATURES.index("asked")]
    confidence = np.where(asked >= EXAMPLE_MATCH, np.maximum(confidence, asked), confidence)
    return ranking, confidence


def lead(ranking: np.ndarray, cards: np.ndarray | None = None) -> np.ndarray:
    """The confidence's lead input: how far the best card's ranking score is ahead of every
    other source's, floored at 0 and capped at GAP_CAP. It was fitted on the top card among
    cards only, so every other card gets 0 (no lead, as in a tie); documents and notes, whose
    chunks often nearly tie with each other and with the card they were written from, get
    GAP_CAP (no penalty), and a card behind a document has no lead. `cards`: which sources
    are cards (default: all)."""
    out = np.full_like(ranking, GAP_CAP)
    is_card = np.ones(len(ranking), dtype=bool) if cards is None else cards
    card_rows = np.flatnonzero(is_card)
    out[card_rows] = 0.0
    if len(card_rows):
        best = card_rows[np.argmax(ranking[card_rows])]
        others = np.delete(ranking, best)
        ahead = float(ranking[best] - others.max()) if len(others) else GAP_CAP
        out[best] = min(GAP_CAP, max(0.0, ahead))
    return out


def _bm25_scores(model: Any, tokens: list[str], n: int) -> np.ndarray:
    vocab = model.vocab_dict
    known = [t for t in tokens if t in vocab and t]
    if not known:
        return np.zeros(n, dtype=np.float32)
    return np.asarray(model.get_scores(known), dtype=np.float32)


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
