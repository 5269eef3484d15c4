"""Database backups: on demand (`tutor backup`), a few rotating daily ones kept by the
long-running processes, and restoring one (`tutor backup restore`). Copies are made with
SQLite's online backup API, so they are consistent while the bot writes."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app.leases import live
from bot.app.resources import Resources
from bot.config import Settings
from bot.errors import BackupError
from bot.store.database import backups_in, leases_in, problem_with, replace_with

log = logging.getLogger(__name__)
DAILY = "tutor-{date}.db"


class Backups:
    def __init__(self, res: Resources) -> None:
        self.res = res
        self.folder = res.settings.backups_dir

    def make(self, destination: Path | None = None) -> Path:
        """A consistent copy of the database at `destination` (default: the backups folder)."""
        if destination is None:
            stamp = dt.datetime.fromtimestamp(self.res.clock(), dt.UTC).strftime("%Y%m%d-%H%M%S")
            destination = self.folder / f"manual-{stamp}.db"
        elif destination.is_dir():
            destination = destination / "tutor-backup.db"
        return self.res.store.backup(destination)

    def daily(self) -> Path | None:
        """Today's backup if there is none yet; keeps the newest `backups_kept` daily copies."""
        kept = self.res.settings.backups_kept
        if kept <= 0:
            return None
        today = dt.datetime.fromtimestamp(self.res.clock(), dt.UTC).date().isoformat()
        path = self.folder / DAILY.format(date=today)
        made = None
        if not path.exists():
            made = self.res.store.backup(path)
            log.info("daily backup written: %s", path)
        for old in sorted(self.folder.glob(DAILY.format(date="*")))[:-kept]:
            old.unlink(missing_ok=True)
        return made


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    made: dt.datetime

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "bytes": self.size, "made": self.made.isoformat()}


@dataclass(frozen=True)
class Restored:
    source: Path
    database: Path
    kept_aside: Path | None  # the database it replaced (damaged or not), never deleted

    def to_json(self) -> dict[str, Any]:
        aside = str(self.kept_aside) if self.kept_aside else None
        return {"restored": str(self.source), "database": str(self.database), "kept_aside": aside}


# Listing and restoring work on files, without a Tutor: they are what one runs when the
# database is too damaged to open.


def listing(settings: Settings) -> list[Backup]:
    """The backups in the backups folder, oldest first."""
    return [
        Backup(p, p.stat().st_size, dt.datetime.fromtimestamp(p.stat().st_mtime, dt.UTC))
        for p in backups_in(settings.backups_dir)
    ]


def restore(settings: Settings, source: Path | None = None) -> Restored:
    """Put a backup (the newest by default) in place of the database, after checking the
    backup's integrity. The database it replaces is moved aside, never deleted. Refused while
    a live process (the bot, a console, a job runner) uses a healthy database."""
    database = settings.database_path
    if source is None:
        found = backups_in(settings.backups_dir)
        if not found:
            raise BackupError(
                f"There are no backups in {settings.backups_dir}. Name a copy to restore: "
                "tutor backup restore PATH."
            )
        source = found[-1]
    if not source.is_file():
        raise BackupError(f"There is no backup at {source}. `tutor backup list` shows them.")
    if source.resolve() == database.resolve():
        raise BackupError(f"{source} is the database itself; name a backup to restore.")
    why = problem_with(source)
    if why is not None:
        raise BackupError(
            f"The backup {source} cannot be restored: {why}. Name another one "
            "(tutor backup list shows them): tutor backup restore PATH."
        )
    damaged = problem_with(database) if database.exists() else None
    if database.exists() and damaged is None:
        using = live(leases_in(database, time.time() - settings.lease_seconds))
        if using:
            who = ", ".join(
                f"{lease['kind']} (pid {lease['pid']} on {lease['host']})" for lease in using
            )
            raise BackupError(
                f"The database {database} is in use by {who}. Stop it first, then restore."
            )
    aside = None
    if database.exists():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        label = "damaged" if damaged else "replaced"
        aside = database.with_name(f"{database.name}.{label}-{stamp}")
    replace_with(database, source, aside)
    log.info("database restored from %s; the old one is at %s", source, aside)
    return Restored(source, database, aside)
