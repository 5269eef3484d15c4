"""Plain-chat triggers ("tokenize this: ...", "mask this: ...") shared by every frontend, so a
chat message routes to the same handler as the matching slash command."""

from __future__ import annotations

import re

_TRIGGER = re.compile(
    r"^\s*(?P<command>tokenize|tokenise|mask|fill|fill[- ]mask)"
    r"(?:\s+(?:this|that|it))?\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_COMMANDS = {"tokenize": "tokenize", "tokenise": "tokenize"}


def parse_trigger(message: str) -> tuple[str, str] | None:
    """("tokenize" | "mask", text) for a trigger message, or None for anything else."""
    match = _TRIGGER.match(message)
    if not match:
        return None
    command = _COMMANDS.get(match["command"].lower(), "mask")
    return command, match["rest"].strip()
