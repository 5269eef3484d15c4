"""Datasette over the bot's database, read-only whatever is asked of it.

- Every connection Datasette opens, including the one it would write through (canned write
  queries, plugins, its write API), is `mode=ro` with `PRAGMA query_only`: SQLite itself
  refuses a write. It is not `immutable`, so the pages show the bot's live writes.
- It listens on 127.0.0.1 unless told otherwise, and has no login: anyone who can reach the
  port sees the class's data, names included.
- Settings and secrets are never reachable: they live in the environment and `.env`, which
  Datasette is never given; the metadata holds only the canned queries; no static folders,
  plugins folders or extensions are configured; Datasette's SQL checks refuse anything but a
  SELECT, and SQLite's file functions are not loaded.
"""

from __future__ import annotations

import signal
import socket
import sqlite3
import sys
from pathlib import Path
from typing import Any

from bot.app.insights import DASHBOARD_DATABASE
from bot.errors import UsageError

LOCAL = "127.0.0.1"
DEFAULT_PORT = 8001
SETTINGS = {
    "default_page_size": 100,
    "sql_time_limit_ms": 3000,
    "allow_download": False,
    "default_allow_sql": True,  # read-only anyway; the instructor may explore
}


def read_only_uri(path: Path) -> str:
    return Path(path).resolve().as_uri() + "?mode=ro"


def build(database: Path, metadata: dict[str, Any]) -> Any:
    """A Datasette app over `database` (read-only) with `metadata` (titles, canned queries)."""
    from datasette.app import Datasette
    from datasette.database import Database

    class ReadOnlyDatabase(Database):
        """Reads and would-be writes alike go through `mode=ro` connections."""

        def connect(self, write: bool = False) -> sqlite3.Connection:
            connection = sqlite3.connect(
                read_only_uri(Path(self.path)), uri=True, check_same_thread=False
            )
            connection.execute("PRAGMA query_only = 1")
            self._all_file_connections.append(connection)
            return connection

    if not Path(database).is_file():
        raise UsageError(f"There is no database at {database} yet: run the bot once first.")
    datasette = Datasette(metadata=metadata, settings=SETTINGS)
    datasette.remove_database("_memory")  # only the class's data, nothing to run SQL against
    datasette.add_database(
        ReadOnlyDatabase(datasette, path=str(database), is_mutable=True), name=DASHBOARD_DATABASE
    )
    return datasette


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # As uvicorn binds: a port left in TIME_WAIT by the last run is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def serve(database: Path, metadata: dict[str, Any], *, host: str = LOCAL, port: int) -> int:
    """Serve until Ctrl-C (or SIGTERM); returns the exit code."""
    import uvicorn

    datasette = build(database, metadata)
    if not _port_free(host, port):
        raise UsageError(f"Port {port} on {host} is in use: try --port {port + 1}.")
    if host not in (LOCAL, "localhost", "::1"):
        print(
            f"warning: listening on {host}: anyone who can reach port {port} sees the class's "
            "data, names included (there is no login).",
            file=sys.stderr,
        )
    print(f"Dashboard (read-only): http://{host}:{port}/{DASHBOARD_DATABASE}  (Ctrl-C stops it)")
    # uvicorn shuts down gracefully on Ctrl-C or SIGTERM, then raises the signal again with the
    # handler that was there before. For SIGTERM that would kill the process before the caller
    # closes the database; as an interrupt, uvicorn.run returns and everything closes normally.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
