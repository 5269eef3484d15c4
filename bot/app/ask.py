"""Ask: answers from the knowledge base, the instructor's queue (questions it could not answer
and answers students flagged as not what they asked), the instructor's resolutions, and the
documents instructors ingest.

Small talk ("thanks!", "hi") gets a friendly reply and is neither recorded nor queued. The
queue groups near-duplicate questions (skills.grouping). Resolving a queued question points
it, and its near-duplicates, at a card or at the instructor's written answer; the questions
become retrieval examples, so the next student who asks the same thing gets that answer.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import numpy as np

from bot.app.context import DIRECT_MESSAGES, Actor
from bot.app.library import Library
from bot.app.resources import Resources
from bot.app.results import (
    AskReply,
    CardPage,
    Flagged,
    IngestReport,
    Resolution,
    UnansweredGroup,
    UnansweredQuestion,
)
from bot.errors import NotAllowed, TutorError, UsageError
from bot.store import classes as class_rows
from bot.store import instructor as instructor_rows
from bot.store import questions as question_rows
from knowledge.answers import KEPT_FOR_THE_INSTRUCTOR, Answer, KnowledgeBase, card_text
from knowledge.cards import find_card
from knowledge.index import encode
from skills.grouping import group_by_meaning
from skills.smalltalk import small_talk_reply
from skills.text import CleanText, clean_user_text

log = logging.getLogger(__name__)
MAX_ANSWER_CHARS = 2000  # an instructor's written answer
NOBODY_WILL_SEE_IT = (
    "You are in no class I know of, so no instructor will see this question: "
    "ask it in your class's server to keep it for them."
)
QUEUE_SCAN = 200  # how many queued questions are grouped to find a question's near-duplicates


def _ids(group: UnansweredGroup) -> list[int]:
    return [q.id for q in group.questions]


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

    def question(self, text: str) -> CleanText:
        """The question as it will be answered; a blank one is refused. Cheap: a frontend
        checks it before showing a public "thinking…" for a question that cannot be asked."""
        cleaned = clean_user_text(text, self.res.settings.max_question_chars)
        if cleaned.empty:
            raise TutorError("Please type a question, e.g. “what is an attention mask?”")
        return cleaned

    def ask(self, actor: Actor, question: str) -> AskReply:
        cleaned = self.question(question)
        chat = small_talk_reply(cleaned.text)
        if chat:
            return AskReply(cleaned.text, Answer(True, None, None, chat, 1.0, []), small_talk=True)
        answer = self.knowledge().answer(cleaned.text)
        self.res.remember(actor)
        servers = [actor.server]
        if actor.server == DIRECT_MESSAGES:
            # A DM belongs to the asker's class (each of them, for a member of several);
            # someone in no class is told that no instructor will see it.
            servers = self.res.store.run(class_rows.classes_of, actor.user) or servers
            if servers == [DIRECT_MESSAGES] and KEPT_FOR_THE_INSTRUCTOR in answer.answer:
                text = answer.answer.replace(KEPT_FOR_THE_INSTRUCTOR, NOBODY_WILL_SEE_IT)
                answer = replace(answer, answer=text)
        ids = [
            self.res.store.write(
                lambda db, server=server: question_rows.record_question(
                    db,
                    server=server,
                    channel=actor.channel,
                    user=actor.user,
                    question=cleaned.text,
                    answered=answer.answered,
                    # a decline counts for the concept the student was told it may be about
                    concept=answer.concept or answer.hint,
                    confidence=answer.confidence,
                    off_topic=answer.off_topic,
                )
            )
            for server in servers
        ]
        return AskReply(
            cleaned.text, answer, cleaned.note(self.res.settings.max_question_chars), ids[0]
        )

    def more(self, concept: str) -> CardPage:
        """The whole card an answer came from (an answer itself stays short): by its id, title
        or alias."""
        card = find_card(self.res.cards, concept)  # the cards only: no index sync for a click
        if card is None:
            raise UsageError(
                f"No concept called {concept.strip()[:80]!r}. "
                "Ask a question first, or name a concept, e.g. “lora-and-peft”."
            )
        return CardPage(card.id, card.title, card_text(card))

    # --- the instructor's queue ----------------------------------------------------------------

    def _queued(self, server: str, limit: int) -> list[UnansweredQuestion]:
        titles = self.res.titles
        return [
            UnansweredQuestion(
                id=row["id"],
                asked_at=row["asked_at"],
                channel=row["channel"],
                asker=row["asker"],
                question=row["question"],
                flagged=bool(row["flagged_at"]),
                answered_with=titles.get(row["concept"] or "") if row["answered"] else None,
            )
            for row in self.res.store.run(question_rows.unanswered, server, limit)
        ]

    def _groups(self, queued: list[UnansweredQuestion]) -> list[UnansweredGroup]:
        def embed(texts: list[str]) -> np.ndarray:
            return encode(self.res.encoder, texts)

        groups = group_by_meaning([q.question for q in queued], embed)
        return [UnansweredGroup([queued[i] for i in g.members]) for g in groups]

    def unanswered(self, server: str, limit: int = 100) -> list[UnansweredGroup]:
        """The queue of the `limit` newest queued questions, near-duplicates grouped with a
        count, the largest groups first."""
        return self._groups(self._queued(server, limit))

    def resolve(
        self, actor: Actor, question_id: int, *, card: str | None = None, answer: str | None = None
    ) -> Resolution:
        """Resolve a queued question and its near-duplicates: point them at `card`, or answer
        them with `answer`. From then on the same question answers that way for everyone."""
        if not actor.instructor:
            raise NotAllowed("Only the instructor can resolve questions.")
        if (card is None) == (answer is None):
            raise UsageError("Give either a card (--card ID) or an answer (--answer TEXT).")
        text = None
        if answer is not None:
            text = clean_user_text(answer, MAX_ANSWER_CHARS).text
            if not text:
                raise UsageError("The answer is empty: write what the students should read.")
        if card is not None and card not in self.res.titles:
            raise UsageError(f"No card {card!r}. Cards: {', '.join(sorted(self.res.titles))}.")
        row = self.res.store.run(question_rows.get, question_id)
        if row is None or row["server"] != actor.server:
            raise UsageError(f"No question #{question_id} in this class's queue.")
        queued = self._queued(actor.server, QUEUE_SCAN)
        group = next((g for g in self._groups(queued) if question_id in _ids(g)), None)
        ids = _ids(group) if group else [question_id]
        texts = list(dict.fromkeys(q.question for q in group.questions)) if group else []
        texts = texts or [row["question"]]
        vectors = encode(self.res.encoder, texts + ([text] if text else []))
        model = self.res.embedding_key
        self.res.remember(actor)
        self.res.store.write(
            lambda db: instructor_rows.add(
                db,
                author=actor.user,
                model=model,
                card=card,
                answer=text,
                answer_vector=vectors[-1] if text else None,
                examples=list(zip(texts, vectors, strict=False)),
                resolves=ids,
            )
        )
        self.knowledge()  # picks the resolution up now (its version changed)
        return Resolution(ids, texts, card, self.res.titles.get(card or ""), text)

    def flag(self, actor: Actor, question_id: int | None = None) -> Flagged:
        """A student marks an answer as not what they asked (their last question, or one by
        id): it goes to the instructor's queue."""
        if question_id is None:
            row = self.res.store.run(question_rows.latest, actor.server, actor.user)
            if row is None:
                raise UsageError("You have not asked anything here yet.")
        else:
            row = self.res.store.run(question_rows.get, question_id)
            # a question asked by DM is kept in the asker's class: theirs to flag from the DM
            by_dm = (
                actor.server == DIRECT_MESSAGES and row is not None and row["user"] == actor.user
            )
            if row is None or (row["server"] != actor.server and not by_dm):
                raise UsageError(f"No question #{question_id} here.")
            if row["user"] != actor.user and not actor.instructor:
                raise NotAllowed("You can only flag answers to your own questions.")
        queued = not (row["answered"] == 0 or row["flagged_at"]) or bool(row["resolved_at"])
        if queued:
            self.res.store.write(question_rows.flag, row["id"])
        return Flagged(row["id"], row["question"], queued)

    def ingest(self, paths: list[Path], keys: list[str] | None = None) -> list[IngestReport]:
        """Add or replace instructor documents; see `Library.ingest`."""
        return self.library.ingest([Path(p) for p in paths], keys)
