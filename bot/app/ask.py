"""Ask: answers from the knowledge base, the queue of questions it could not answer, and the
documents instructors ingest."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.app.context import Actor
from bot.app.library import Library
from bot.app.resources import Resources
from bot.app.results import AskReply, IngestReport, UnansweredQuestion
from bot.errors import TutorError
from bot.store import questions as question_rows
from knowledge.answers import KnowledgeBase
from skills.text import clean_user_text

log = logging.getLogger(__name__)


class AskService:
    def __init__(self, res: Resources) -> None:
        self.res = res
        self.library = Library(res)

    def knowledge(self) -> KnowledgeBase:
        """The knowledge base, current with every document any process ingested."""
        return self.library.knowledge()

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

    def ingest(self, paths: list[Path], keys: list[str] | None = None) -> list[IngestReport]:
        """Add or replace instructor documents; see `Library.ingest`."""
        return self.library.ingest([Path(p) for p in paths], keys)
