"""Spaced review: the question served, its verdict (with the concept's card after a miss),
what is due, the end of a run, and the reminder."""

from __future__ import annotations

from bot.app.reviews import Reminder, ReviewOutcome, ReviewQuestion, ReviewStatus
from bot.render.base import question_body
from knowledge.cards import Card

_VERDICTS = {"CORRECT": "Right", "PARTIAL": "Partly right", "WRONG": "Missed"}


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def render_review_question(served: ReviewQuestion) -> str:
    missed = f"; missed {_times(served.misses)}" if served.misses else ""
    lines = [f"Review ({served.due_today} due today{missed}): {served.question.prompt}"]
    return "\n".join(lines + question_body(served.question))


def render_concept_card(card: Card) -> str:
    lines = [f"Read the card: {card.title}", card.explanation, "Key points:"]
    lines += [f"  • {point}" for point in card.key_points]
    if card.common_mistakes:
        lines.append("Common mistakes:")
        lines += [f"  • {mistake}" for mistake in card.common_mistakes]
    return "\n".join(lines)


def render_review_outcome(outcome: ReviewOutcome) -> str:
    """The verdict, when the question comes back, and the concept's card after a miss."""
    lines = [f"{_VERDICTS[outcome.result.name]}. {outcome.grade.reason}"]
    if outcome.question.kind == "free" and outcome.grade.credit < 1:
        lines.append(f"  A full answer: {outcome.grade.expected}")
    if outcome.question.explanation:
        lines.append(f"  Why: {outcome.question.explanation}")
    lines.append(f"  Next review of this question: {outcome.next_due}.")
    if outcome.card is not None:
        lines += ["", render_concept_card(outcome.card)]
    return "\n".join(lines)


def render_review_status(status: ReviewStatus) -> str:
    if not status.cards:
        return (
            "Nothing to review: questions you miss in a class quiz come back here, spaced out "
            "over the days (or ask for some with /review add)."
        )
    lines = [f"Due today ({status.today}): {len(status.due_today)}"]
    for item in status.due_today:
        lines.append(f"  • {', '.join(item.concepts)}: {item.prompt}")
    lines.append(f"Later this week: {len(status.due_this_week)}")
    for item in status.due_this_week:
        lines.append(f"  • {item.due}  {', '.join(item.concepts)}: {item.prompt}")
    if status.later:
        lines.append(f"Further out: {status.later}")
    if not status.due_today and status.next_due:
        lines.append(f"Next review: {status.next_due}.")
    state = "on: a private message on days with reviews due" if status.reminders else "off"
    lines.append(f"Reminders: {state} (time zone {status.timezone}).")
    return "\n".join(lines)


def render_review_done(answered: int | None, status: ReviewStatus) -> str:
    """When no question is served any more: `answered` in this run (None: not counted)."""
    if status.due_today:
        left = len(status.due_today)
        return f"Stopped with {left} still due today; /review picks up where you left off."
    if answered is None:
        head = "That was the last question due today."
    elif answered:
        head = f"Done for today: {answered} reviewed."
    else:
        head = "Nothing due for review today."
    return f"{head} Next review: {status.next_due}." if status.next_due else head


def render_reminder(reminder: Reminder, where: str = "") -> str:
    questions = "question" if reminder.due_today == 1 else "questions"
    place = f" in {where}" if where else ""
    return (
        f"You have {reminder.due_today} quiz {questions} to review today{place}. "
        "Start with /review start; /review remind off stops these reminders."
    )
