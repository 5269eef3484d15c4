"""Backups as the instructor uses them: a damaged database restored from the newest backup,
with the damaged file kept aside; a damaged backup or a database in use refused."""

import pytest

from bot.app import backups
from bot.app.tutor import Tutor
from bot.errors import BackupError
from bot.store.database import problem_with
from tests.helpers import who


def _class_with_one_question(settings, encoder):
    """A class that asked one question, backed up, then asked another (after the backup)."""
    tutor = Tutor(settings, encoder=encoder)
    try:
        tutor.ask.ask(who("ana"), "what is lora?")
        made = tutor.backups.make()
        tutor.ask.ask(who("ana"), "what is a tokenizer?")
    finally:
        tutor.close()
    return made


def _questions_asked(settings, encoder) -> int:
    tutor = Tutor(settings, encoder=encoder)
    try:
        return tutor.store.run(lambda db: db.table("questions").count)
    finally:
        tutor.close()


def test_a_damaged_database_is_restored_from_the_newest_backup(settings, encoder):
    made = _class_with_one_question(settings, encoder)
    database = settings.database_path
    database.write_bytes(b"a disk error wrote this" * 500)
    database.with_name(database.name + "-wal").write_bytes(b"stale pages of the damaged file")
    restored = backups.restore(settings)
    assert restored.source == made and restored.kept_aside.name.startswith("tutor.db.damaged-")
    assert restored.kept_aside.read_bytes().startswith(b"a disk error")  # kept, not deleted
    assert restored.kept_aside.with_name(restored.kept_aside.name + "-wal").exists()
    assert problem_with(database) is None
    assert _questions_asked(settings, encoder) == 1  # what the backup held; the bot opens it


def test_a_damaged_backup_is_refused_and_nothing_is_moved(settings, encoder, tmp_path):
    _class_with_one_question(settings, encoder)
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database" * 100)
    before = settings.database_path.read_bytes()
    with pytest.raises(BackupError, match="cannot be restored: file is not a database"):
        backups.restore(settings, bad)
    assert settings.database_path.read_bytes() == before
    assert sorted(p.name for p in settings.data_dir.glob("tutor.db.*")) == ["tutor.db.lock"]


def test_a_database_in_use_is_not_replaced(settings, encoder):
    made = _class_with_one_question(settings, encoder)
    running = Tutor(settings, encoder=encoder)
    running.start_timers()  # the bot: it holds a lease
    try:
        with pytest.raises(BackupError, match=r"in use by .*Stop it first"):
            backups.restore(settings, made)
    finally:
        running.close()
    assert backups.restore(settings, made).kept_aside.name.startswith("tutor.db.replaced-")
    assert _questions_asked(settings, encoder) == 1


def test_no_backup_yet_says_how_to_name_one(settings):
    with pytest.raises(BackupError, match=r"no backups in .*tutor backup restore PATH"):
        backups.restore(settings)
