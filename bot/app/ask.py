"""Ask: answers from the knowledge base, the queue of questions it could not answer, and the
documents instructors ingest."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from bot.app.context import Actor
from bot.app.resources import Resources
from bot.app.results import AskReply, IngestReport, IngestStatus, UnansweredQuestion
from bot.errors import TutorError
from bot.store import documents as document_rows
from bot.store import questions as question_rows
from knowledge.answers import KnowledgeBase
from knowledge.documents import DocumentError, load_document
from knowledge.index import HybridIndex, card_passages, document_passages
from skills.text import clean_user_text

log = logging.getLogger(__name__)


class AskService:
    def __init__(self, res: Resources) -> None:
        self.res = res
        self._knowledge: KnowledgeBase | None = None
        self._lock = threading.Lock()

    def knowledge(self) -> KnowledgeBase:
        """The knowledge base, loading (or, if cards/documents changed, rebuilding) its index."""
        with self._lock:
            if self._knowledge is None:
                settings = self.res.settings
                chunks = self.res.store.run(document_rows.all_chunks)
                passages = card_passages(self.res.cards) + document_passages(chunks)
                index, rebuilt = HybridIndex.load_or_build(
                    settings.index_path, passages, self.res.encoder, settings.embedding_model
                )
                if rebuilt:
                    log.info("retrieval index rebuilt: %d passages", len(passages))
                self._knowledge = KnowledgeBase(self.res.cards, index, settings.answer_threshold)
            return self._knowledge

    def warm_up(self) -> None:
        """Load models and the index now, so the first question is answered at full speed."""
        self.knowledge().answer("warm-up")

    def ask(self, actor: Actor, question: str) -> AskReply:
        limit = self.res.settings.max_question_chars
        cleaned = clean_user_text(question, limit)
        if cleaned.empty:
            raise TutorError("Please type a question, e.g. “what is an attention mask?”")
        answer = self.knowledge().answer(cleaned.text)
        self.res.remember(actor)
        self.res.store.write(
            lambda db: question_rows.record_question(
                db,
                server=actor.server,
                channel=actor.channel,
                user=actor.user,
                question=cleaned.text,
                answered=answer.answered,
                concept=answer.concept,
                confidence=answer.confidence,
            )
        )
        return AskReply(cleaned.text, answer, cleaned.note(limit))

    def unanswered(self, server: str, limit: int = 100) -> list[UnansweredQuestion]:
        rows = self.res.store.run(question_rows.unanswered, server, limit)
        return [UnansweredQuestion(**row) for row in rows]

    def ingest(self, paths: list[Path]) -> list[IngestReport]:
        reports = [self._ingest_one(Path(p)) for p in paths]
        if any(r.status in (IngestStatus.ADDED, IngestStatus.REPLACED) for r in reports):
            with self._lock:
                self._knowledge = None  # rebuilt with the new passages on next use
        return reports

    def _ingest_one(self, path: Path) -> IngestReport:
        try:
            document = load_document(path)
        except DocumentError as exc:
            return IngestReport(str(path), IngestStatus.ERROR, message=str(exc))
        if self.res.store.run(document_rows.by_hash, document.sha256):
            return IngestReport(
                str(path),
                IngestStatus.UNCHANGED,
                len(document.chunks),
                "already ingested; nothing to do",
            )
        replaced = self.res.store.write(
            lambda db: document_rows.replace(
                db,
                path=str(path.resolve()),
                name=document.name,
                sha256=document.sha256,
                chunks=list(document.chunks),
            )
        )
        status = IngestStatus.REPLACED if replaced else IngestStatus.ADDED
        return IngestReport(str(path), status, len(document.chunks))
