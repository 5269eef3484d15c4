"""The Tutor: one service API that every frontend (console, CLI, Discord) calls.

It owns the settings, the store and the lazily loaded models, and turns user input into data
(dataclasses), never into chat text: rendering belongs to each frontend.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from bot.config import Settings
from bot.store import Store
from knowledge.answers import Answer, KnowledgeBase
from knowledge.cards import Card, load_cards
from knowledge.documents import DocumentError, load_document
from knowledge.index import Encoder, HybridIndex, card_passages, document_passages
from skills.text import clean_user_text

log = logging.getLogger(__name__)


class UserInputError(ValueError):
    """Input the user must change; the message is shown to them as it is."""


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
class IngestReport:
    path: str
    status: str  # "added", "replaced", "unchanged" or "error"
    chunks: int = 0
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status,
            "chunks": self.chunks,
            "message": self.message,
        }


class Tutor:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        store: Store | None = None,
        encoder: Encoder | None = None,
        cards: list[Card] | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.store = store or Store(self.settings.database_path)
        self._encoder = encoder
        self._cards = cards
        self._knowledge: KnowledgeBase | None = None
        self._lock = threading.Lock()

    # --- shared resources, loaded once ---------------------------------------------------

    @property
    def cards(self) -> list[Card]:
        if self._cards is None:
            self._cards = load_cards()
        return self._cards

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            from skills.models import load_sentence_encoder

            loaded = load_sentence_encoder(
                self.settings.embedding_model,
                model_dir=self.settings.model_dir,
                offline=self.settings.hub_offline,
            )
            self._encoder = cast(Encoder, loaded)  # SentenceTransformer's overloads satisfy it
        return self._encoder

    def knowledge(self) -> KnowledgeBase:
        """The knowledge base, loading (or, if cards/documents changed, rebuilding) its index."""
        with self._lock:
            if self._knowledge is None:
                passages = card_passages(self.cards) + document_passages(
                    self.store.document_chunks()
                )
                index, rebuilt = HybridIndex.load_or_build(
                    self.settings.index_path, passages, self.encoder, self.settings.embedding_model
                )
                if rebuilt:
                    log.info("retrieval index rebuilt: %d passages", len(passages))
                self._knowledge = KnowledgeBase(self.cards, index, self.settings.answer_threshold)
            return self._knowledge

    def warm_up(self) -> None:
        """Load models and the index now, so the first question is answered at full speed."""
        self.knowledge().answer("warm-up")

    def close(self) -> None:
        self.store.close()

    # --- ask -------------------------------------------------------------------------------

    def ask(self, question: str, *, channel: str = "console", user: str = "local") -> AskReply:
        limit = self.settings.max_question_chars
        cleaned = clean_user_text(question, limit)
        if cleaned.empty:
            raise UserInputError("Please type a question, e.g. “what is an attention mask?”")
        answer = self.knowledge().answer(cleaned.text)
        self.store.record_question(
            channel=channel,
            user=user,
            question=cleaned.text,
            answered=answer.answered,
            concept=answer.concept,
            confidence=answer.confidence,
        )
        return AskReply(cleaned.text, answer, cleaned.note(limit))

    def unanswered(self, limit: int = 100) -> list[dict[str, Any]]:
        return self.store.unanswered_questions(limit)

    def card(self, concept_id: str) -> Card | None:
        return next((c for c in self.cards if c.id == concept_id), None)

    # --- ingest ----------------------------------------------------------------------------

    def ingest(self, paths: list[Path]) -> list[IngestReport]:
        reports = [self._ingest_one(Path(p)) for p in paths]
        if any(r.status in ("added", "replaced") for r in reports):
            with self._lock:
                self._knowledge = None  # rebuilt with the new passages on next use
        return reports

    def _ingest_one(self, path: Path) -> IngestReport:
        try:
            document = load_document(path)
        except DocumentError as exc:
            return IngestReport(str(path), "error", message=str(exc))
        if self.store.document_by_hash(document.sha256):
            return IngestReport(
                str(path), "unchanged", len(document.chunks), "already ingested; nothing to do"
            )
        replaced = self.store.remove_document(document.name)
        self.store.add_document(
            path=str(path.resolve()),
            name=document.name,
            sha256=document.sha256,
            chunks=list(document.chunks),
        )
        status = "replaced" if replaced else "added"
        return IngestReport(str(path), status, len(document.chunks))
