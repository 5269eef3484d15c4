"""The instructor's and the operator's tools: ingested documents, the unanswered queue and
its resolution, the models available offline and downloaded, backups and a restore."""

from __future__ import annotations

from bot.app.backups import Backup, Restored
from bot.app.models import Downloaded, ModelsReport
from bot.app.results import IngestReport, IngestStatus, Resolution, UnansweredGroup
from bot.render.base import counted, table_lines


def render_ingest(reports: list[IngestReport]) -> str:
    lines = []
    for r in reports:
        if r.status is IngestStatus.ERROR:
            lines.append(f"✗ {r.path}: {r.message}")
        else:
            detail = f" ({r.message})" if r.message else ""
            lines.append(f"✓ {r.path}: {r.status.value}, {counted(r.chunks, 'chunk')}{detail}")
    return "\n".join(lines) or "Nothing to ingest."


def render_unanswered(groups: list[UnansweredGroup], resolve_hint: str) -> str:
    """The queue, near-duplicates grouped: resolve a group by its #id (`resolve_hint`, in the
    frontend's terms, says how)."""
    if not groups:
        return "No unanswered questions."
    lines = []
    for g in groups:
        count = f"x{g.count}" if g.count > 1 else ""
        askers = ", ".join(g.askers[:3]) + (f" +{len(g.askers) - 3}" if len(g.askers) > 3 else "")
        lines.append(f"#{g.id:<5} {count:>4}  {g.question}   ({askers}; {g.asked_at})")
        for q in g.flagged:
            given = q.answered_with or "an ingested document or the instructor's answer"
            lines.append(f"{'':12}not what {q.asker} asked: answered with {given}")
        for q in g.questions[1:4]:
            lines.append(f"{'':12}also: {q.question}")
        if g.count > 4:
            lines.append(f"{'':12}and {g.count - 4} more")
    lines.append(resolve_hint)
    return "\n".join(lines)


def render_resolution(r: Resolution) -> str:
    one = len(r.questions) == 1
    verb = "now answers" if one else "now answer"
    how = (
        f"{verb} with the card {r.card_title} ({r.card})" if r.card else f"{verb} with your answer"
    )
    asked = "; ".join(f"“{q}”" for q in r.questions[:3])
    more = f" and {len(r.questions) - 3} more" if len(r.questions) > 3 else ""
    return (
        f"Resolved {counted(len(r.question_ids), 'queued question')}: {asked}{more} {how}, "
        f"for everyone who asks {'it' if one else 'them'} again."
    )


def render_models(report: ModelsReport, headline: str = "") -> str:
    lines = [headline] if headline else []
    lines.append("What each demo uses:")
    width = max((len(d.demo) for d in report.demos), default=0)
    for d in report.demos:
        state = "offline" if d.offline else "NOT HERE: `tutor models download " + d.model + "`"
        lines.append(f"  {d.demo.ljust(width)}  {d.model}  ({state})")
    lines.append(f"Allow-listed models (local copies live in {report.models_dir}):")
    width = max((len(m.name) for m in report.models), default=0)
    for m in report.models:
        where = m.where or "hub only (not downloaded)"
        lines.append(f"  {m.name.ljust(width)}  {m.kind:<18}  {where}")
    return "\n".join(lines)


def render_downloads(fetched: list[Downloaded]) -> str:
    lines = []
    for d in fetched:
        if d.already:
            lines.append(f"{d.name}: already here ({d.path}, revision {d.revision[:10]}).")
        else:
            lines.append(
                f"{d.name}: downloaded {counted(len(d.files), 'file')} (revision {d.revision[:10]}) "
                f"to {d.path}; it now loads offline."
            )
    return "\n".join(lines)


def render_backups(found: list[Backup], folder: object) -> str:
    if not found:
        return f"No backups in {folder} yet (the bot writes one a day; `tutor backup` makes one)."
    rows = [
        [b.made.strftime("%Y-%m-%d %H:%M UTC"), f"{b.size / 1e6:.1f} MB", str(b.path)]
        for b in found
    ]
    lines = table_lines(["made", "size", "backup"], rows)
    return "\n".join(
        [*lines, "", "Restore one with: tutor backup restore [PATH] (default: the newest)"]
    )


def render_restored(restored: Restored) -> str:
    kept = (
        f" The database it replaced is kept at {restored.kept_aside}."
        if restored.kept_aside
        else ""
    )
    return f"Restored {restored.database} from {restored.source}.{kept}"
