"""Database backups: on demand (`tutor backup`), and a few rotating daily ones kept by the
long-running processes. Copies are made with SQLite's online backup API, so they are
consistent while the bot writes."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from bot.app.resources import Resources

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
