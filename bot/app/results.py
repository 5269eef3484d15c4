"""What the application layer returns to frontends: typed data (never database rows), each
with a `to_json` for --json output. Rendering it is each frontend's job."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.store.enums import JobStatus
from knowledge.answers import Answer
from skills.fill_mask import FillMaskResult
from skills.finetune.predict import Prediction
from skills.inside import AttentionMap, ContextualEmbeddings
from skills.quiz.session import Standing
from skills.tokenization import BatchResult, TokenizeResult


@dataclass(frozen=True)
class AskReply:
    question: str  # the cleaned question that was answered
    answer: Answer
    note: str | None = None  # e.g. "your question was cut to 1,000 characters"

    def to_json(self) -> dict[str, Any]:
        data = self.answer.to_json()
        if self.note:
            data["note"] = self.note
        return data


@dataclass(frozen=True)
class TokenizeReply:
    text: str
    results: list[TokenizeResult]
    pair: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "results": [r.to_json() for r in self.results]}
        if self.pair is not None:
            data["pair"] = self.pair
        if self.notes:
            data["notes"] = self.notes
        return data


@dataclass(frozen=True)
class BatchReply:
    texts: list[str]
    batch: BatchResult
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"texts": self.texts, **self.batch.to_json(), "notes": self.notes}


@dataclass(frozen=True)
class MaskReply:
    """Predictions, or - when the model cannot be loaded - why, plus the tokenizer's view."""

    text: str
    model: str
    result: FillMaskResult | None
    error: str | None = None
    tokenizer_view: TokenizeResult | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": self.text,
            "model": self.model,
            "blanks": [asdict(b) for b in self.result.blanks] if self.result else [],
            "notes": self.notes + (self.result.notes if self.result else []),
        }
        if self.error:
            data["error"] = self.error
        if self.tokenizer_view:
            data["tokens"] = self.tokenizer_view.tokens
            data["ids"] = self.tokenizer_view.ids
        return data


@dataclass(frozen=True)
class AttentionReply:
    """An attention map, the heatmap drawn from it, and the heatmap's alt text."""

    map: AttentionMap
    image: Path
    alt_text: str
    notes: list[str] = field(default_factory=list)  # the text's cut and the tokens' cut

    def to_json(self) -> dict[str, Any]:
        data = self.map.to_json()
        data.pop("notes")
        return {**data, "image": str(self.image), "alt_text": self.alt_text, "notes": self.notes}


@dataclass(frozen=True)
class EmbedReply:
    """A word's contextual vectors and their similarities, and the picture of them."""

    result: ContextualEmbeddings
    image: Path
    alt_text: str
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = self.result.to_json()
        data.pop("notes")
        return {**data, "image": str(self.image), "alt_text": self.alt_text, "notes": self.notes}


class IngestStatus(StrEnum):
    ADDED = "added"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass(frozen=True)
class IngestReport:
    path: str
    status: IngestStatus
    chunks: int = 0
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status.value,
            "chunks": self.chunks,
            "message": self.message,
        }


@dataclass(frozen=True)
class UnansweredQuestion:
    id: int
    asked_at: str
    channel: str
    asker: str  # display name
    question: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Leaderboard:
    """Standings by display name (people) and by team (the average of its members)."""

    users: list[Standing]
    teams: list[Standing]

    def to_json(self) -> dict[str, Any]:
        return {"users": [asdict(u) for u in self.users], "teams": [asdict(t) for t in self.teams]}


@dataclass(frozen=True)
class JobView:
    """A fine-tune job as people see it."""

    id: int
    owner: str  # display name
    team: int | None
    status: JobStatus
    progress: float
    dev_accuracy: float | None
    reason: str | None
    result: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Entry:
    """One line of the fine-tune leaderboard: a team's or a student's best run."""

    name: str  # "team3", or a student's display name
    dev_accuracy: float
    runs: int
    job: int
    model: str
    method: str
    trainable_share: float | None
    train_seconds: float | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# The course handout's SST-2 figures (full fine-tuning), shown beside the class's results.
REFERENCE_SST2 = (
    ("DistilBERT", "66M", 0.89),
    ("BERT-base", "110M", 0.92),
    ("RoBERTa", "125M", 0.94),
    ("DeBERTa", "86-304M", 0.95),
)


@dataclass(frozen=True)
class FinetuneBoard:
    teams: list[Entry]
    students: list[Entry]
    reference: tuple[tuple[str, str, float], ...] = REFERENCE_SST2

    def to_json(self) -> dict[str, Any]:
        return {
            "teams": [e.to_json() for e in self.teams],
            "students": [e.to_json() for e in self.students],
            "reference": [{"model": m, "params": p, "sst2": a} for m, p, a in self.reference],
        }


@dataclass(frozen=True)
class TryReply:
    """A fine-tuned model's prediction beside the base model with an untrained head."""

    job: int
    text: str
    model: str
    method: str
    fine_tuned: Prediction
    untrained: Prediction

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
