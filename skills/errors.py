"""The one family of user mistakes.

A `TutorError` is input the user must change, and its message is shown to them as it is.
Frontends catch only this family; anything else is a bug, logged with its traceback (see
`bot/errors.py`). Every error a user can cause derives from it, so a programming error (a
`ValueError` or `TypeError` deep inside) is never mistaken for "you typed it wrong".
"""

from __future__ import annotations


class TutorError(Exception):
    """Input the user must change; the message says what and how."""
