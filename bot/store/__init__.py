"""Storage: all SQL lives in this package (one module per table group)."""

from bot.store.database import Store, utc_now
from bot.store.migrations import CONSOLE_SERVER, migrations

__all__ = ["CONSOLE_SERVER", "Store", "migrations", "utc_now"]
