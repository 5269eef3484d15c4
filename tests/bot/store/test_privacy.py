"""Forgetting works on older copies of the schema too (backups made before a migration)."""

import sqlite3

from sqlite_utils import Database

from bot.store import classes, privacy
from bot.store.migrations import migrations


def test_forget_in_a_copy_without_the_newer_tables(tmp_path):
    path = tmp_path / "old-backup.db"
    db = Database(path)
    migrations.apply(db)
    classes.remember_person(db, "zed", "Zebulon")
    classes.join_team(db, "console", "zed", 2)
    classes.join_team(db, "console", "kim", 1)
    for table in ("review_cards", "review_log", "review_reminders"):
        db.table(table).drop()  # as before m009
    db.conn.close()

    found = privacy.forget_in_copy(path, "zed")

    assert found["rows"] == {"members.user": 1, "people.id": 1}
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT user FROM members").fetchall() == [("kim",)]
    connection.close()
    # VACUUM rewrote the file: the forgotten name is not left in a free page.
    assert b"Zebulon" not in path.read_bytes()
