"""What the application layer returns to frontends: typed data (never database rows), each
with a `to_json` for --json output. Rendering it is each frontend's job."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.store.enums import JobStatus
from knowledge.answers import Answer
from knowledge.cards import CardTable as CardTable  # a card's table, rendered by frontends
from skills.errors import TutorError
from skills.fill_mask import FillMaskResult
from skills.finetune.predict import Prediction
from skills.inside import AttentionMap, ContextualEmbeddings
from skills.quiz.session import Standing
from skills.tokenization import BatchResult, TokenizeResult


@dataclass(frozen=True)
class CardPage:
    """A whole card, as "more" shows it after a short answer."""

    concept: str
    title: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"concept": self.concept, "title": self.title, "text": self.text}


@dataclass(frozen=True)
class AskReply:
    question: str  # the cleaned question that was answered
    answer: Answer
    note: str | None = None  # e.g. "your question was cut to 1,000 characters"
    question_id: int | None = None  # the recorded question (to flag it); None for small talk
    small_talk: bool = False  # "thanks!": a friendly reply, nothing recorded or queued

    def to_json(self) -> dict[str, Any]:
        data = self.answer.to_json()
        if self.note:
            data["note"] = self.note
        if self.question_id is not None:
            data["question_id"] = self.question_id
        if self.small_talk:
            data["small_talk"] = True
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
    # Why the model could not be loaded, with its hint for each frontend to word (not JSON).
    problem: TutorError | None = field(default=None, repr=False, compare=False)

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
    flagged: bool = False  # answered, but the student said it was not what they asked
    answered_with: str | None = None  # the concept's title it was answered with

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class UnansweredGroup:
    """Queued questions that say the same thing (skills.grouping), newest first."""

    questions: list[UnansweredQuestion]

    @property
    def id(self) -> int:  # resolving this id resolves the whole group
        return self.questions[0].id

    @property
    def question(self) -> str:
        return self.questions[0].question

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def askers(self) -> list[str]:
        return list(dict.fromkeys(q.asker for q in self.questions))

    @property
    def asked_at(self) -> str:
        return self.questions[0].asked_at

    @property
    def flagged(self) -> list[UnansweredQuestion]:
        return [q for q in self.questions if q.flagged]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "count": self.count,
            "askers": self.askers,
            "asked_at": self.asked_at,
            "flagged": len(self.flagged),
            "questions": [q.to_json() for q in self.questions],
        }


@dataclass(frozen=True)
class Resolution:
    """What `unanswered resolve` did: which queued questions it resolved, and how."""

    question_ids: list[int]
    questions: list[str]  # their distinct texts, now retrieval examples
    card: str | None = None  # the card they now answer with
    card_title: str | None = None
    answer: str | None = None  # or the instructor's written answer

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Flagged:
    """A student's "not what I asked": the question, and whether it was newly queued."""

    question_id: int
    question: str
    queued: bool  # False: it was already in the instructor's queue

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

    id: int  # the database's key
    number: int  # what the class sees and types: its own jobs count from 1
    owner: str  # display name
    team: int | None
    status: JobStatus
    progress: float
    dev_accuracy: float | None
    reason: str | None
    result: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        # "id" is what a script passes back (`tutor jobs cancel ID`): the class's number,
        # never the database's key
        shown = asdict(self)
        shown["id"] = shown.pop("number")
        return shown


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

    job: int  # the job's number in its class
    text: str
    model: str
    method: str
    fine_tuned: Prediction
    untrained: Prediction

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
