"""Team names as people type them: team3, Team 3, 3, t3, #team3."""

from __future__ import annotations

import re

TEAMS = range(1, 6)
_TEAM = re.compile(r"^#?\s*(?:team|t|group)?\s*[-_ ]?\s*(\d+)$", re.IGNORECASE)


def parse_team(text: str) -> int:
    """The team number, or ValueError with a message naming the valid teams."""
    match = _TEAM.match(text.strip())
    if match and int(match[1]) in TEAMS:
        return int(match[1])
    valid = ", ".join(f"team{t}" for t in TEAMS)
    shown = text.strip()[:40] or "(nothing)"
    raise ValueError(f"Unknown team {shown!r}: the teams are {valid}.")
