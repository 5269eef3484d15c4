"""Answers composed from the knowledge base: the best card, its sources, related concepts.

No text is generated: an answer is the best card's explanation and key points (or the best
ingested passage), with the sources it came from. Below the confidence threshold the answer
says so and offers the closest concepts instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.cards import Card
from knowledge.index import HybridIndex, Method, SourceHit

SEARCH_DEPTH = 5
# When the second concept's ranking score is within this of the first's, the answer says so and
# offers it ("if you meant ..."); chosen on the tuning set (bench/fit_fusion.py).
ALTERNATIVE_GAP = 0.8


@dataclass(frozen=True)
class Source:
    id: str
    kind: str  # "card" or "document"
    score: float
    title: str  # card title, or "file, chunk N"


@dataclass(frozen=True)
class Answer:
    answered: bool
    concept: str | None
    title: str | None
    answer: str
    confidence: float
    sources: list[Source]
    related: list[tuple[str, str]] = field(default_factory=list)  # (id, title)

    def to_json(self) -> dict:
        return {
            "answered": self.answered,
            "concept": self.concept,
            "title": self.title,
            "answer": self.answer,
            "confidence": round(self.confidence, 4),
            "sources": [
                {"id": s.id, "kind": s.kind, "score": round(s.score, 4)} for s in self.sources
            ],
            "related": [{"id": i, "title": t} for i, t in self.related],
        }


def confidence_of(hit: SourceHit) -> float:
    """How sure we are that `hit` answers the question: its fused hybrid score in [0, 1].

    bench/ask_quality.py prints the confidence of right, wrong and off-topic answers."""
    return max(0.0, min(1.0, hit.score))


def card_answer_text(card: Card) -> str:
    points = "\n".join(f"- {p}" for p in card.key_points)
    return f"{card.explanation}\n\nKey points:\n{points}"


class KnowledgeBase:
    def __init__(self, cards: list[Card], index: HybridIndex, threshold: float) -> None:
        self.cards = {c.id: c for c in cards}
        self.index = index
        self.threshold = threshold

    def _source(self, hit: SourceHit) -> Source:
        if hit.kind == "card":
            title = self.cards[hit.source_id].title
        else:
            title = hit.title or hit.source_id
        return Source(hit.source_id, hit.kind, hit.score, title)

    def _related(self, card: Card) -> list[tuple[str, str]]:
        return [(r, self.cards[r].title) for r in card.related[:2] if r in self.cards]

    def answer(self, question: str, method: Method = "hybrid") -> Answer:
        hits = self.index.search(question, k=SEARCH_DEPTH, method=method)
        if not hits:
            return self._not_sure([], 0.0)
        confidence = confidence_of(hits[0])
        sources = [self._source(h) for h in hits[:3]]
        if confidence < self.threshold:
            return self._not_sure(hits, confidence)
        best_card = next((h for h in hits if h.kind == "card"), None)
        card = self.cards[best_card.source_id] if best_card else None
        if hits[0].kind == "document":
            # An instructor's document matched best: quote it, and add the best card if it
            # also clears the bar.
            doc = hits[0]
            text = f"From {self._source(doc).title}:\n{doc.passage}"
            if card and best_card and confidence_of(best_card) >= self.threshold:
                text += f"\n\n{card.title}: {card.explanation}"
            else:
                card = None
            return Answer(
                True,
                card.id if card else None,
                card.title if card else None,
                text,
                confidence,
                sources,
                self._related(card) if card else [],
            )
        assert card is not None
        return Answer(
            True,
            card.id,
            card.title,
            card_answer_text(card),
            confidence,
            sources,
            self._related(card),
        )

    def _not_sure(self, hits: list[SourceHit], confidence: float) -> Answer:
        closest = [(h.source_id, self.cards[h.source_id].title) for h in hits if h.kind == "card"][
            :3
        ]
        text = "I'm not sure I can answer that from the course material."
        if closest:
            text += " The closest concepts I know are: " + ", ".join(t for _, t in closest) + "."
        text += " I've kept your question for the instructor."
        return Answer(
            False, None, None, text, confidence, [self._source(h) for h in hits[:3]], closest
        )
