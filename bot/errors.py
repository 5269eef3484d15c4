"""One error contract for every frontend.

- A `TutorError` (and its subclasses, from any layer) is a user mistake: its message is shown
  to the user as it is.
- Anything else is a bug. `report_bug` logs it with its traceback under a short reference id,
  and the user gets `bug_message(ref)`: an apology with that reference, never a traceback.
"""

from __future__ import annotations

import logging
import secrets

from skills.errors import Hint, TutorError

__all__ = [
    "BackupError",
    "Hint",
    "JigsawError",
    "JobError",
    "NotAllowed",
    "QuizError",
    "ReviewError",
    "TutorError",
    "UsageError",
    "bug_message",
    "report_bug",
]

log = logging.getLogger("tutorbot.bugs")


class UsageError(TutorError):
    """A command typed wrongly: unknown command or option, a missing or malformed value."""


class NotAllowed(TutorError):
    """The user may not do this (an instructor command, someone else's job)."""


class QuizError(TutorError):
    """A quiz command that cannot be carried out; the message says why."""


class ReviewError(TutorError):
    """A review request that cannot be carried out; the message says why."""


class ReviewClosed(ReviewError):
    """An answer to a review question that can no longer be answered (answered already, no
    longer due, or gone from the bank): its buttons can be disabled."""


class JigsawError(TutorError):
    """A jigsaw command that cannot be carried out; the message says why."""


class BackupError(TutorError):
    """A backup that cannot be restored (none found, damaged, the database in use)."""


class JobError(TutorError):
    """A fine-tune request that is refused; the message says why."""


def report_bug(error: BaseException, context: str = "") -> str:
    """Log an unexpected error with its traceback; returns the reference shown to the user."""
    ref = secrets.token_hex(4)
    log.error("bug ref %s%s", ref, f" in {context}" if context else "", exc_info=error)
    return ref


def bug_message(ref: str) -> str:
    return f"Something went wrong on our side (ref {ref}). The instructor can find it in the log."
