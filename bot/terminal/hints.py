"""How to fix a mistake, in the console's and the command line's terms (see skills/errors.py)."""

from __future__ import annotations

from bot.errors import Hint

HINTS: dict[Hint, str] = {
    Hint.QUESTION_IDS: "`tutor quiz list` shows the ids.",
    Hint.WHICH_TEAM: "Use --team N, or say it in your team's channel.",
    Hint.TEAM_CHANNELS: (
        "Use --channels team1=NAME,...,team5=NAME, or leave it out for channels named team1 to team5."
    ),
    Hint.SINCE: "--since takes a span such as 7d, 24h or 2w, a date such as 2025-03-01, or all.",
    Hint.MODEL_OFFLINE: (
        "Fetch it once where the hub is reachable: `tutor models download {name}` (`tutor "
        "models` shows what is here), or save a copy (config.json, safetensors weights, "
        "tokenizer files) in TUTOR_MODEL_DIR/{folder}."
    ),
    Hint.MODEL_ELSEWHERE: (
        "Fetch it once where the hub is reachable: `tutor models download {name}`, then copy "
        "the folder {folder} into TUTOR_MODEL_DIR here (`tutor models` shows what is here)."
    ),
}
