"""The one family of user mistakes.

A `TutorError` is input the user must change, and its message is shown to them as it is.
Frontends catch only this family; anything else is a bug, logged with its traceback (see
`bot/errors.py`). Every error a user can cause derives from it, so a programming error (a
`ValueError` or `TypeError` deep inside) is never mistaken for "you typed it wrong".

The message says what went wrong, in words every frontend can show. How to fix it often
depends on the frontend (a command line's `--team N` is no slash command's option), so an
error may carry a `Hint`: each frontend words each hint itself (`explained`).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Hint(StrEnum):
    """How to fix a mistake, worded by each frontend (bot/terminal/hints.py,
    bot/discord/hints.py; a test keeps both complete)."""

    QUESTION_IDS = "question_ids"  # where a question's id can be found
    WHICH_TEAM = "which_team"  # how to say which team
    TEAM_CHANNELS = "team_channels"  # how to map each team to its channel
    SINCE = "since"  # how to give the start of a period
    MODEL_OFFLINE = "model_offline"  # a model that is not here, and no hub access: {name} {folder}
    MODEL_ELSEWHERE = "model_elsewhere"  # the hub is unreachable from here: {name} {folder}


class TutorError(Exception):
    """Input the user must change; the message says what went wrong (and, with a `hint`,
    each frontend says how to fix it; `hint_args` fill the hint's blanks)."""

    def __init__(self, *args: object, hint: Hint | None = None, **hint_args: str) -> None:
        super().__init__(*args)
        self.hint = hint
        self.hint_args = hint_args

    def explained(self, hints: Mapping[Hint, str]) -> str:
        """The message, followed by the frontend's own words for its hint."""
        message = str(self)
        if self.hint is None or self.hint not in hints:
            return message
        return f"{message} {hints[self.hint].format(**self.hint_args)}"
