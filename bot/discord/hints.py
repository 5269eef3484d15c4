"""How to fix a mistake, in Discord's terms: slash commands and their options, never a
command line or the bot machine's settings (see skills/errors.py)."""

from __future__ import annotations

from bot.errors import Hint

HINTS: dict[Hint, str] = {
    Hint.QUESTION_IDS: "Choose a team instead, to add all of its questions.",
    Hint.WHICH_TEAM: "Use the command in your team's channel.",
    Hint.TEAM_CHANNELS: "Map each one with /admin team-channel.",
    Hint.SINCE: "`since` takes a span such as 7d, 24h or 2w, a date such as 2025-03-01, or all.",
    Hint.MODEL_OFFLINE: "The instructor can install it on the bot's machine.",
    Hint.MODEL_ELSEWHERE: "The instructor can install it on the bot's machine.",
}
