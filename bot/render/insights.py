"""Plain text for the digest, a student's progress, the grades export, forgetting a person and
closing a term (the console, the CLI and Discord all print these)."""

from __future__ import annotations

from bot.app.insights import Digest, GradesExport, Progress
from bot.app.privacy import ForgetReport, TermReport
from bot.render.base import bar, counted, table_lines


def _accuracy(value: float | None, n: int) -> str:
    return "-" if value is None else f"{value:.0%} (n={n})"


def _clip(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_digest(digest: Digest, *, where: str, cards: bool = True) -> str:
    """The instructor's digest (`where`: the class's name): no student names, by
    construction of its data."""
    lines = [
        f"Class digest of {where}, {digest.since[:10]} to {digest.until[:10]}",
        f"{counted(digest.questions, 'question')} asked, {digest.declined} declined by the bot"
        + (
            f" ({digest.declined_unmatched} matched no concept)"
            if digest.declined_unmatched
            else ""
        )
        + f"; {counted(digest.answers, 'graded quiz answer')}."
        + (
            f" {counted(digest.off_topic, 'off-topic question')} declined, not queued."
            if digest.off_topic
            else ""
        ),
    ]
    if not digest.concepts:
        return "\n".join([*lines, "", "Nothing happened in this period."])
    rows = [
        [_clip(c.title, 40), str(c.asked), str(c.declined), _accuracy(c.accuracy, c.answers)]
        for c in digest.concepts
    ]
    lines += ["", *table_lines(["concept", "asked", "declined", "quiz accuracy"], rows)]
    wrong = [c for c in digest.concepts if c.wrong_answers]
    if wrong:
        lines += ["", "Common wrong answers (grouped by meaning; count, then an example):"]
    for c in wrong:
        lines.append(f"  {c.title}")
        for w in c.wrong_answers:
            lines.append(f"    {w.count} x “{_clip(w.example, 60)}”  to: {_clip(w.prompt, 60)}")
            lines.append(f"        right: {_clip(w.expected, 70)}")
    lines.append("")
    if not digest.feedback_recorded:
        lines.append("Answers marked “not what I asked”: not recorded by this version yet.")
    else:
        marked = [c for c in digest.concepts if c.not_what_i_asked]
        lines.append(
            "Answers marked “not what I asked”: "
            + (", ".join(f"{c.title} {c.not_what_i_asked}" for c in marked) or "none")
        )
    if digest.revisit:
        lines += ["", "Revisit first:"]
    for number, r in enumerate(digest.revisit, start=1):
        lines.append(f"{number}. {r.title}: {r.reason}")
        if cards:
            lines.append(f"   Card: {_clip(r.explanation, 300)}")
            lines += [f"   • {point}" for point in r.key_points]
    if digest.chart:
        lines += ["", f"Chart: {digest.chart}"]
    return "\n".join(lines)


def render_progress(progress: Progress) -> str:
    if not progress.concepts:
        return (
            "No quiz answers from you in this class yet: your mastery per concept appears "
            "after your first quiz."
        )
    lines = [f"Your progress, {progress.name} (only you see this):"]
    rows = [
        [
            _clip(c.title, 40),
            bar(c.mastery, 10),
            f"{c.mastery:.0%}",
            str(c.answers),
            str(c.reviews_due) if c.reviews_due else "",
        ]
        for c in progress.concepts
    ]
    lines += table_lines(["concept", "mastery", "", "answers", "to review"], rows)
    if progress.review_cards:
        lines.append(f"{progress.review_cards} questions in your spaced review (/review status).")
    return "\n".join(lines)


def render_grades_export(export: GradesExport) -> str:
    text = (
        f"Wrote {counted(len(export.rows), 'student')} to {export.path} "
        f"({counted(len(export.columns), 'column')})."
    )
    if export.unmatched:
        text += f"\nOn the roster without activity in this class: {', '.join(export.unmatched)}."
    return text


def _rows(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.items() if n) or "nothing"


def render_forget(report: ForgetReport) -> str:
    if not report.done:
        return (
            f"{report.name} ({report.person}) appears in: {_rows(report.rows)}.\n"
            "Add --yes to remove them from every table and backup."
        )
    lines = [f"Forgot {report.name}: removed or cleared {_rows(report.rows)}."]
    if report.job_folders:
        lines.append(f"Deleted {counted(len(report.job_folders), 'fine-tune output folder')}.")
    if report.backups:
        lines.append(
            f"Also removed from {counted(len(report.backups), 'backup copy', 'backup copies')}."
        )
    return "\n".join(lines)


def render_term(report: TermReport) -> str:
    if not report.done:
        return (
            f"Closing the term in {report.server} archives and clears: {_rows(report.rows)}.\n"
            "Cards, documents, imported questions and team channels stay. Add --yes to close it."
        )
    lines = [
        f"Term closed in {report.server}. Archived at {report.archive}.",
        f"Cleared: {_rows(report.rows)}.",
    ]
    if report.people:
        lines.append(
            f"Forgot {counted(report.people, 'person', 'people')} no class names any more."
        )
    lines.append("A new term starts clean; course content and team channels are kept.")
    return "\n".join(lines)
