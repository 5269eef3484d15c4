"""The jigsaw activity: each team's material (cards in blocks, a card's table), the phase
announcements, the closing quiz's plan, the mastery grid and the activity's status."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.app.jigsaw import (
    Announcement,
    JigsawEvent,
    JigsawStatus,
    MasteryReady,
    QuizPlan,
    TeamMaterial,
)
from bot.render.base import counted
from knowledge.cards import Card, CardTable
from skills.jigsaw import PhaseStarted, TimeWarning


def _clock(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def progress_bar(covered: int, total: int, width: int = 20) -> str:
    filled = round(width * covered / total) if total else 0
    return f"[{'█' * filled}{'·' * (width - filled)}] {covered}/{total} concepts covered"


def render_table(table: CardTable) -> str:
    """A card's table in aligned columns, for a monospace font (a terminal, a code block)."""
    rows = [table.header, *table.rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(table.header))]

    def line(cells: tuple[str, ...]) -> str:
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([line(table.header), rule, *(line(row) for row in table.rows)])


TableFormat = Callable[[CardTable], str]


def _unwrapped(text: str) -> str:
    """A card's hard-wrapped text with one line per paragraph: readers' windows wrap it."""
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()))


def _bullets(heading: str, items: tuple[str, ...]) -> str:
    return "\n".join([heading, *(f"  • {item}" for item in items)])


def card_material(card: Card, number: int, *, table: TableFormat = render_table) -> list[str]:
    """A card as a team studies it, in blocks (a frontend keeps each block whole): its title
    and explanation, key points, analogy, table and common mistakes."""
    blocks = [
        f"{number}. {card.title}\n{_unwrapped(card.explanation)}",
        _bullets("Key points:", card.key_points),
    ]
    if card.analogy:
        blocks.append(f"Analogy: {_unwrapped(card.analogy)}")
    if card.table:
        blocks.append(table(card.table))
    blocks.append(_bullets("Common mistakes:", card.common_mistakes))
    return blocks


def team_material_parts(
    event: TeamMaterial, *, table: TableFormat = render_table
) -> list[list[str]]:
    """A team's material in parts, each a list of blocks: one part per card (the first opens
    with the team's heading), then the teach-back checklist."""
    heading = f"Team {event.team}: your {len(event.cards)} concepts to learn, prepare and teach."
    parts = [card_material(card, n, table=table) for n, card in enumerate(event.cards, 1)]
    parts = [[heading + "\n\n" + part[0], *part[1:]] for part in parts[:1]] + parts[1:]
    checklist = [
        f"Teach-back checklist for Team {event.team}:\n"
        + "\n".join(f"  [ ] {item}" for item in event.checklist),
        "When you have taught a concept: /jigsaw taught CONCEPT",
    ]
    return [*(parts or [[heading]]), checklist]


def render_team_material(event: TeamMaterial) -> str:
    """The whole material as text: every card in full, then the checklist."""
    return "\n\n".join(block for part in team_material_parts(event) for block in part)


def render_announcement(event: Announcement) -> str:
    e = event.event
    if isinstance(e, PhaseStarted):
        head = f"Phase {e.number}/{e.total}: {e.phase.label} ({_clock(e.seconds)})"
    elif isinstance(e, TimeWarning):
        head = f"{_clock(e.seconds_left)} left in {e.phase.label}"
    else:
        head = f"The activity has {e.status}"
    return f"{head}. {progress_bar(event.covered, event.total)}"


def render_mastery(event: MasteryReady, titles: dict[str, str], *, paths: bool = True) -> str:
    grid = event.grid
    names = {c: ("✓ " if c in grid.taught else "  ") + titles.get(c, c) for c in grid.concepts}
    width = max((len(n) for n in names.values()), default=0)
    texts = {
        c: ["no data" if share is None else f"{share:.0%} (n={n})" for share, n in
            (grid.cells[c][t] for t in grid.teams)]
        for c in grid.concepts
    }  # fmt: skip
    headers = [f"team{t}" for t in grid.teams]
    # each column as wide as its widest cell, two spaces apart: "100% (n=12)" never touches
    # its neighbour
    columns = [max([len(h), *(len(texts[c][i]) for c in grid.concepts)]) for i, h in
               enumerate(headers)]  # fmt: skip
    row = lambda cells: "  ".join(x.rjust(w) for x, w in zip(cells, columns, strict=True))  # noqa: E731
    lines = [
        f"Mastery grid of activity #{event.number}: share of quiz credit per team and "
        "concept, with the number of answers behind it (✓ = taught):",
        " " * (width + 2) + row(headers),
    ]
    for concept in grid.concepts:
        lines.append(f"{names[concept]:<{width}}  {row(texts[concept])}")
    if grid.unplaced:
        lines.append(
            f"{counted(grid.unplaced, 'answer')} came from students in no team and "
            f"{'is' if grid.unplaced == 1 else 'are'} in no column: put everyone in a team "
            "(teams balance) before the next activity."
        )
    weakest = grid.weakest()
    if weakest:
        lines.append("Revisit first:")
        lines += [
            f"  {titles.get(c, c)}: {grid.overall(c)[0]:.0%} over {counted(grid.overall(c)[1], 'answer')} "
            f"(card: /ask {titles.get(c, c)})"
            for c in weakest
        ]
    if event.png_path and paths:
        lines.append(f"Image: {event.png_path}")
    return "\n".join(lines)


def render_quiz_plan(event: QuizPlan, titles: dict[str, str]) -> str:
    asked = event.questions or len(event.covered)
    what = (
        "one per concept"
        if asked == len(event.covered)
        else f"on {len(event.covered)} concepts (some questions test two)"
    )
    text = (
        f"Closing quiz: {counted(asked, 'question')}, {what}, "
        f"{event.seconds_per_question:.0f} s each with {event.gap_seconds:.0f} s between them."
    )
    if event.extra_time > 1.0:  # nobody named: an accommodation is private
        longest = event.seconds_per_question * event.extra_time
        text += (
            f" Students with extra time get up to {longest:.0f} s; a question's results wait "
            "until they have answered."
        )
    if event.left_out:
        text += " Not enough time for: " + ", ".join(titles.get(c, c) for c in event.left_out) + "."
    return text


def render_jigsaw_event(event: JigsawEvent, titles: dict[str, str]) -> str:
    if isinstance(event, TeamMaterial):
        return render_team_material(event)
    if isinstance(event, Announcement):
        return render_announcement(event)
    if isinstance(event, QuizPlan):
        return render_quiz_plan(event, titles)
    return render_mastery(event, titles)


def render_jigsaw_status(status: JigsawStatus) -> str:
    bar = progress_bar(status.covered, status.total)
    if status.status in ("stopped", "finished"):
        head = f"Activity #{status.number} {status.status} during {status.phase}."
        if status.phase in ("stopped", "finished"):  # it had no phase left
            head = f"Activity #{status.number} {status.status}."
        lines = [f"{head} {bar}"]
    else:
        state = "paused" if status.status == "paused" else f"{_clock(status.seconds_left)} left"
        lines = [f"Activity #{status.number}: {status.phase}, {state}. {bar}"]
    for team in sorted(status.taught):
        lines.append(f"  team{team} taught: {', '.join(status.taught[team])}")
    return "\n".join(lines)
