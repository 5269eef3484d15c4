"""Forgetting a person and closing a term: privacy the code enforces, not only a promise.

- `forget`: a person's answers, reviews, questions, memberships and fine-tune jobs (with
  their output folders) are deleted from every table that names them, in the live database
  and in every backup copy; rows the class shares (a quiz they started, a question bank entry
  they imported) stay, with their name cleared. See bot/store/privacy.py for the tables.
- `close_term`: the class's activity is archived (a consistent copy of the database) and
  cleared, so a new term starts clean; course content (cards, documents, imported questions)
  and the team channels stay.

Both are the instructor's, and both first say what they would remove unless `confirm`."""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.app.backups import Backups
from bot.app.context import Actor
from bot.app.resources import Resources
from bot.errors import NotAllowed, TutorError
from bot.store import privacy as rows

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ForgetReport:
    person: str  # the id
    name: str
    done: bool  # False: what would go (no --yes)
    rows: dict[str, int]  # table.column -> rows removed (or that would be)
    job_folders: list[str] = field(default_factory=list)
    backups: list[str] = field(default_factory=list)  # copies it was removed from too

    def to_json(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "name": self.name,
            "done": self.done,
            "rows": self.rows,
            "job_folders": self.job_folders,
            "backups": self.backups,
        }


@dataclass(frozen=True)
class TermReport:
    server: str
    done: bool
    rows: dict[str, int]
    archive: Path | None = None
    people: int = 0  # people no class names any more, forgotten with the term
    job_folders: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "done": self.done,
            "rows": self.rows,
            "archive": str(self.archive) if self.archive else None,
            "people_forgotten": self.people,
            "job_folders": self.job_folders,
        }


class PrivacyService:
    def __init__(self, res: Resources, backups: Backups) -> None:
        self.res = res
        self.backups = backups
        self.jobs_dir = res.settings.data_dir / "finetune"

    def forget(self, actor: Actor, who: str, *, confirm: bool = False) -> ForgetReport:
        """Remove `who` (a stable id or a display name) from every table that names them."""
        if not actor.instructor:
            raise NotAllowed("Only the instructor can make the bot forget someone.")
        person, name = self._one_person(who)
        blockers = self.res.store.run(rows.forget_blockers, person)
        if blockers:
            raise TutorError(f"Cannot forget {name} yet: {'; '.join(blockers)}.")
        if not confirm:
            found = self.res.store.run(rows.traces, person)
            return ForgetReport(person, name, False, {k: v for k, v in found.items() if v})
        removed = self.res.store.write(rows.forget_person, person)
        folders = self._remove_job_folders(removed["jobs"])
        self.res.store.run(rows.checkpoint)
        copies = []
        for copy in sorted(self.backups.folder.glob("*.db")):
            try:
                if rows.forget_in_copy(copy, person)["rows"]:
                    copies.append(str(copy))
            except (sqlite3.DatabaseError, OSError) as exc:
                raise TutorError(
                    f"{name} is forgotten in the database, but the backup {copy} could not be "
                    f"cleaned ({exc}); delete that file by hand."
                ) from exc
        log.info("forgot a person: %s", removed["rows"])
        return ForgetReport(person, name, True, removed["rows"], folders, copies)

    def _one_person(self, who: str) -> tuple[str, str]:
        who = who.strip()
        if not who:
            raise TutorError("Say whom to forget: their id or display name.")
        found = self.res.store.run(rows.find_people, who)
        if not found:
            raise TutorError(f"Nobody called “{who}” is known to the bot.")
        if len(found) > 1:
            ids = ", ".join(f"{name} ({pid})" for pid, name in found)
            raise TutorError(f"Several people are called “{who}”: {ids}. Give the id.")
        return found[0]

    def close_term(self, actor: Actor, *, confirm: bool = False) -> TermReport:
        """Archive the class's activity in a database copy, then clear it for a new term."""
        if not actor.instructor:
            raise NotAllowed("Only the instructor can close the term.")
        server = actor.server
        blockers = self.res.store.run(rows.term_blockers, server)
        if blockers:
            raise TutorError(f"The term cannot close yet: {'; '.join(blockers)}.")
        if not confirm:
            return TermReport(server, False, self.res.store.run(rows.term_activity, server))
        stamp = dt.datetime.fromtimestamp(self.res.clock(), dt.UTC).strftime("%Y%m%d-%H%M%S")
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", server)
        archive = self.backups.make(self.backups.folder / f"term-{safe}-{stamp}.db")
        closed = self.res.store.write(rows.close_term, server)
        folders = self._remove_job_folders(closed["jobs"])
        self.res.store.run(rows.checkpoint)
        log.info("term closed in %s, archived at %s: %s", server, archive, closed["rows"])
        return TermReport(server, True, closed["rows"], archive, closed["people"], folders)

    def _remove_job_folders(self, job_ids: list[int]) -> list[str]:
        removed = []
        for job_id in job_ids:
            folder = self.jobs_dir / f"job-{job_id}"
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(str(folder))
        return removed
