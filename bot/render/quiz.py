"""A quiz as the class sees it: an answer recorded, each question opening and closing, the
standings (only who did well is named), a student's own result, and the leaderboard."""

from __future__ import annotations

from bot.app.quizzes import OwnResult, QuestionClosed, QuestionOpened, QuizEnded, QuizEvent
from bot.app.results import AskReply, Leaderboard
from bot.render.ask import render_answer
from bot.render.base import counted, question_body
from skills.quiz.session import Standing, SubmitResult


def render_submit(result: SubmitResult) -> str:
    if result.accepted:
        return f"Recorded: {result.message} You will see the answer when the question closes."
    if isinstance(result.reply, AskReply):  # a question to the bot, answered
        return f"{result.message}\n\n{render_answer(result.reply)}"
    return f"Not counted: {result.message}"


def render_question(event: QuestionOpened) -> str:
    q = event.question
    lines = [f"Question {event.number}/{event.total} ({_answer_time(event)}): {q.prompt}"]
    return "\n".join(lines + question_body(q))


def _answer_time(event: QuestionOpened) -> str:
    """The time to answer; with extra time for some (never named), when results come."""
    if not event.extended:
        return f"{event.seconds:.0f} s"
    return (
        f"{event.seconds:.0f} s; with extra time, up to {event.open_for:.0f} s before the results"
    )


def render_question_closed(event: QuestionClosed) -> str:
    if event.skipped:
        return f"Question {event.number} skipped."
    right = [event.names.get(a.user, "someone") for a in event.answers if a.grade.credit == 1.0]
    partly = [event.names.get(a.user, "someone") for a in event.answers if a.grade.credit == 0.5]
    head = "Everyone has answered." if event.everyone_answered else "Time!"
    lines = [
        f"{head} Question {event.number}: {len(right)} of {len(event.answers)} answers fully correct.",
        f"  Answer: {event.expected}",
    ]
    if event.question.explanation:
        lines.append(f"  Why: {event.question.explanation}")
    if event.live_detail:
        lines.append(f"  How the key was found: {event.live_detail}")
    # Only what the class did well is named in the shared channel; wrong answers stay private.
    if right:
        lines.append(f"  Right: {', '.join(right)}")
    if partly:
        lines.append(f"  Partly right: {', '.join(partly)}")
    return "\n".join(lines)


def render_standings(
    title: str, rows: list[Standing], limit: int = 10, others_are: str = "other"
) -> list[str]:
    """Standings the class sees: who did well, never who did badly (the privacy rule). Only
    people with a right answer are named, with their points and right answers, never their
    misses; the others are a count. Each student sees their own result privately."""
    named = [s for s in rows if s.correct > 0][:limit]
    others = len(rows) - len(named)
    if not rows:
        return [f"{title}: nobody yet."]
    lines = [f"{title}:"] + [
        f"  {i}. {s.name}: {s.points} points ({counted(s.correct, 'right answer')})"
        for i, s in enumerate(named, start=1)
    ]
    if others:
        lines.append(f"  and {counted(others, others_are)} who took part")
    return lines


def render_own_result(result: OwnResult, titles: dict[str, str]) -> str:
    """A student's own result of one quiz, for their eyes only."""
    if result.answered == 0:
        return f"You did not answer any question of quiz #{result.quiz_number}."
    rank = f", rank {result.rank} of {result.of}" if result.rank else ""
    lines = [
        f"Your result in quiz #{result.quiz_number}: {result.points} points, "
        f"{result.correct} of {counted(result.answered, 'answer')} right{rank}."
    ]
    if result.missed:
        missed = ", ".join(titles.get(c, c) for c in result.missed)
        lines.append(f"To review: {missed} (they come back in your reviews).")
    return "\n".join(lines)


def render_quiz_ended(event: QuizEnded, titles: dict[str, str]) -> str:
    lines = [f"Quiz #{event.quiz_number} {event.status.value}."]
    lines += render_standings("Scores", event.users)
    if event.teams:
        lines += render_standings(
            "Teams (average of members)", event.teams, others_are="other team"
        )
    weak = [c for c in event.missed if c.mean_credit < 1.0][:3]
    if weak:
        lines.append("Review these concepts (missed most):")
        lines += [
            f"  {titles.get(c.concept, c.concept)}: {c.mean_credit:.0%} credit over {counted(c.answers, 'answer')} "
            f"(ask: /ask {titles.get(c.concept, c.concept)})"
            for c in weak
        ]
    return "\n".join(lines)


def render_quiz_event(event: QuizEvent, titles: dict[str, str]) -> str:
    if isinstance(event, QuestionOpened):
        return render_question(event)
    if isinstance(event, QuestionClosed):
        return render_question_closed(event)
    return render_quiz_ended(event, titles)


def render_leaderboard(board: Leaderboard) -> str:
    lines = render_standings("Class leaderboard", board.users)
    return "\n".join(lines + render_standings("Teams", board.teams, others_are="other team"))
