"""Review tables: keyed by server and student; a reminder is claimed once per local day."""

from bot.store import Store
from bot.store import reviews as rows
from skills.review import asked_card


def test_review_tables_are_keyed_by_server_and_student(tmp_path):
    with Store(tmp_path / "t.db") as store:
        assert store.run(lambda db: db["review_cards"].pks) == ["server", "user", "question_id"]
        assert store.run(lambda db: db["review_reminders"].pks) == ["server", "user"]
        store.run(rows.add_cards, "a", "ana", [asked_card("q1", 10.0)])
        store.run(rows.add_cards, "b", "ana", [asked_card("q1", 20.0)])
        assert [c.due for c in store.run(rows.cards, "a", "ana")] == [10.0]
        assert store.run(rows.servers_of, "ana") == ["a", "b"]


def test_a_reminder_is_claimed_once_a_day_and_only_by_who_opted_in(tmp_path):
    with Store(tmp_path / "t.db") as store:
        store.run(rows.add_cards, "a", "ana", [asked_card("q1", 10.0)])
        store.run(rows.add_cards, "a", "bo", [asked_card("q1", 10.0)])
        assert not store.run(rows.claim_reminder, "a", "bo", "2026-03-02")  # never opted in
        store.run(rows.set_reminders, "a", "ana", True)
        assert store.run(rows.reminder_candidates, 11.0, "2026-03-02") == [("a", "ana", 1)]
        assert store.run(rows.claim_reminder, "a", "ana", "2026-03-02")
        assert not store.run(rows.claim_reminder, "a", "ana", "2026-03-02")
        assert store.run(rows.reminder_candidates, 11.0, "2026-03-02") == []
    with Store(tmp_path / "t.db") as store:  # a restart remembers the day
        assert not store.run(rows.claim_reminder, "a", "ana", "2026-03-02")
        assert store.run(rows.claim_reminder, "a", "ana", "2026-03-03")
