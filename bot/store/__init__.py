"""Storage: all SQL lives in this package (one module per table group)."""

from bot.store.database import Store, utc_now
from bot.store.migrations import CONSOLE_SERVER, DIRECT_MESSAGES, migrations

__all__ = ["CONSOLE_SERVER", "DIRECT_MESSAGES", "Store", "migrations", "utc_now"]
