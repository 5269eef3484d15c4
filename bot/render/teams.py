"""Teams and extra time: who is in which team, and the accommodations only the instructor
sees."""

from __future__ import annotations

from bot.app.classes import Accommodation


def render_teams(teams: dict[int, list[str]]) -> str:
    """Who is in which team, by display name; an empty team says so (it still works)."""
    return "\n".join(f"team{t}: {', '.join(names) or 'nobody yet'}" for t, names in teams.items())


def render_accommodation(done: Accommodation) -> str:
    if done.multiplier == 1.0:
        return f"{done.person} has no extra time now."
    return (
        f"{done.person} now has {done.multiplier:g}x the time on timed quiz questions in this "
        "class (only you see this)."
    )


def render_accommodations(rows: list[Accommodation]) -> str:
    if not rows:
        return "Nobody in this class has extra time."
    return "Extra time in this class (only you see this):\n" + "\n".join(
        f"  {a.person}: {a.multiplier:g}x" for a in rows
    )
