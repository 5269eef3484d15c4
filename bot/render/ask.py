"""The words of asking: an answer with its sources, the whole card it came from, and a flagged
answer's acknowledgement."""

from __future__ import annotations

from bot.app.results import AskReply, CardPage, Flagged


def render_answer(reply: AskReply, flag: str | None = None, more: str | None = None) -> str:
    """The answer, its sources and related concepts; with `more` (the command, e.g. "/more"),
    how to read the whole card; with `flag` (e.g. "/flag"), a last line on how to say it was
    not what you asked."""
    answer = reply.answer
    if reply.small_talk:
        return answer.answer
    lines: list[str] = []
    if reply.note:
        lines.append(f"(note: {reply.note})")
    if answer.read_as:
        lines.append(f"(read as: “{answer.read_as}”)")
    if answer.answered and answer.title:
        lines.append(f"{answer.title}  [confidence {answer.confidence:.2f}]")
        lines.append("")
    lines.append(answer.answer)
    if answer.sources and not answer.off_topic:  # an off-topic question used no source
        cited = ", ".join(f"{s.title} ({s.kind}, {s.score:.2f})" for s in answer.sources)
        lines += ["", f"Sources: {cited}"]
    if answer.answered and answer.related:
        lines.append("Related: " + ", ".join(title for _, title in answer.related))
    if more and answer.more:
        lines.append(f"The whole card: {more}")
    if flag and reply.question_id is not None and answer.answered:
        lines.append(f"Not what you asked? {flag} {reply.question_id} tells the instructor.")
    return "\n".join(lines)


def render_card_page(page: CardPage) -> str:
    return f"{page.title}\n\n{page.text}"


def render_flagged(f: Flagged) -> str:
    if not f.queued:
        return f"“{f.question}” is already with the instructor."
    return (
        f"Thanks: “{f.question}” is with the instructor now, who will point it at the "
        "right card or answer it."
    )
