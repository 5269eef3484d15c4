"""Leases: a process renews its lease; the leases renewed lately are the live ones, with the
process that holds each; a released or long-silent lease is gone."""

from bot.store import Store
from bot.store import leases as rows


def test_renew_release_and_forget(tmp_path):
    with Store(tmp_path / "t.db") as store:
        store.write(rows.renew, "bot-1", 101, "h", "tutor", 1000.0)
        store.write(rows.renew, "bot-1", 101, "h", "tutor", 1010.0)  # a heartbeat, not a copy
        store.write(rows.renew, "chat-1", 202, "h", "tutor", 900.0)
        live = store.run(rows.renewed_since, 950.0)
        assert [(r["id"], r["pid"], r["host"], r["kind"]) for r in live] == [
            ("bot-1", 101, "h", "tutor")
        ]
        assert live[0]["started_at"]  # when it first took the lease, for the pid check
        store.write(rows.forget_dead, 950.0)
        assert [r["id"] for r in store.run(rows.renewed_since, 0.0)] == ["bot-1"]
        store.write(rows.release, "bot-1")
        assert store.run(rows.renewed_since, 0.0) == []
