"""Storage: all SQL lives in this package (one module per table group)."""

from bot.store.database import AlreadyAnswered, DatabaseUnavailable, Store, number_of, utc_now
from bot.store.migrations import CONSOLE_SERVER, DIRECT_MESSAGES, migrations

__all__ = [
    "CONSOLE_SERVER",
    "DIRECT_MESSAGES",
    "AlreadyAnswered",
    "DatabaseUnavailable",
    "Store",
    "migrations",
    "number_of",
    "utc_now",
]
