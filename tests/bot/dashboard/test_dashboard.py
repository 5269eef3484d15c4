"""The dashboard's pages through Datasette's own test client, and its read-only guarantee."""

import asyncio
import html
import sqlite3

import pytest

from bot.app.insights import DASHBOARD_DATABASE, dashboard_metadata
from bot.dashboard import command, server
from bot.errors import UsageError
from bot.store import classes
from tests.helpers import seed_class

DB = DASHBOARD_DATABASE
PAGES = [
    "unanswered_queue",
    "digest_per_concept",
    "quiz_leaderboard",
    "team_leaderboard",
    "finetune_leaderboard",
    "quiz_history",
    "student_history",
    "jobs",
    "mastery_team_concept",
    "mastery_jigsaw",
    "mastery_student_concept",
    "grades",
]


@pytest.fixture
def dashboard(settings, encoder, monkeypatch):
    from bot.app.tutor import Tutor

    monkeypatch.setenv("TUTOR_DISCORD_TOKEN", "token-that-must-never-show")
    tutor = Tutor(settings, encoder=encoder)
    seed_class(tutor)
    datasette = server.build(settings.database_path, dashboard_metadata())
    yield tutor, datasette
    tutor.close()


def get(datasette, path: str):
    return asyncio.run(datasette.client.get(path))


def rows(datasette, query: str, **params: str) -> list[dict]:
    query_string = "&".join(f"{k}={v}" for k, v in params.items())
    response = get(datasette, f"/{DB}/{query}.json?_shape=array&{query_string}")
    assert response.status_code == 200, response.text
    return response.json()


def test_every_canned_query_has_a_title_a_description_and_a_page(dashboard):
    _, datasette = dashboard
    queries = dashboard_metadata()["databases"][DB]["queries"]
    assert sorted(queries) == sorted(PAGES)
    index = get(datasette, f"/{DB}").text
    for name, query in queries.items():
        assert query["title"] and query["description"]
        assert query["title"] in html.unescape(index)
        page = get(datasette, f"/{DB}/{name}?server=console")
        assert page.status_code == 200, (name, page.text[:500])
        assert query["title"] in html.unescape(page.text)


def test_the_pages_show_the_class(dashboard):
    _, datasette = dashboard
    queue = rows(datasette, "unanswered_queue")
    assert {r["question"] for r in queue} == {
        "why is my attention mask all ones",
        "what is the best pizza in town",
    }
    digest = {r["concept"]: r for r in rows(datasette, "digest_per_concept", server="console")}
    masks = digest["attention-masks-and-padding"]
    assert (masks["asked"], masks["declined"], masks["quiz_answers"]) == (2, 1, 5)
    assert masks["quiz_accuracy"] == 0.2
    assert "Anastasia Quux" not in str(digest)  # the class-wide view has no names
    board = rows(datasette, "quiz_leaderboard")
    assert board[0]["points"] == 100 and {r["student"] for r in board} >= {"Anastasia Quux"}
    grades = rows(datasette, "grades", server="console")
    assert [g["person_id"] for g in grades] == ["u-ana", "u-ben", "u-cy", "u-dee"]
    history = rows(datasette, "student_history", student="Anastasia+Quux")
    assert len(history) == 4
    grid = rows(datasette, "mastery_team_concept")
    assert {"team3", "team4"} == {r["team"] for r in grid}


def test_the_dashboard_sees_live_writes(dashboard):
    tutor, datasette = dashboard
    assert len(rows(datasette, "grades", server="console")) == 4
    tutor.store.write(lambda db: classes.join_team(db, "console", "u-new", 2))
    assert len(rows(datasette, "grades", server="console")) == 5  # mode=ro, not immutable


def test_a_write_through_the_dashboard_fails(dashboard, settings):
    _, datasette = dashboard
    refused = get(datasette, f"/{DB}.json?sql=DELETE+FROM+people")
    assert refused.status_code == 400
    database = datasette.get_database(DB)
    # Datasette's own write path (canned write queries, plugins, its write API) is refused by
    # SQLite itself: every connection is mode=ro with query_only.
    with pytest.raises(sqlite3.OperationalError, match="readonly database"):
        asyncio.run(database.execute_write("DELETE FROM people"))
    with pytest.raises(sqlite3.OperationalError, match="readonly database"):
        asyncio.run(database.execute_write_fn(lambda conn: conn.execute("DROP TABLE members")))
    connection = sqlite3.connect(settings.database_path)
    assert connection.execute("SELECT count(*) FROM people").fetchone()[0] == 4
    connection.close()


def test_a_writable_canned_query_still_cannot_write(dashboard, settings):
    metadata = dashboard_metadata()
    metadata["databases"][DB]["queries"]["wipe"] = {"sql": "DELETE FROM people", "write": True}
    datasette = server.build(settings.database_path, metadata)
    response = asyncio.run(datasette.client.post(f"/{DB}/wipe", data={"_json": "1"}))
    assert response.json()["ok"] is False
    assert "readonly database" in response.json()["message"]
    connection = sqlite3.connect(settings.database_path)
    assert connection.execute("SELECT count(*) FROM people").fetchone()[0] == 4
    connection.close()


def test_settings_and_secrets_are_never_reachable(dashboard, settings):
    _, datasette = dashboard
    seen = ""
    for path in [
        "/",
        f"/{DB}",
        "/-/metadata.json",
        "/-/settings.json",
        "/-/databases.json",
        "/-/plugins.json",
        "/-/versions.json",
        "/-/threads.json",
        "/-/actor.json",
        f"/{DB}.json?sql=select+*+from+sqlite_master",
    ]:
        response = get(datasette, path)
        seen += response.text
    assert "token-that-must-never-show" not in seen
    assert "discord_token" not in seen.lower() and "TUTOR_" not in seen
    # Only the class's database is served: no in-memory database to attach files from.
    assert [d["name"] for d in get(datasette, "/-/databases.json").json()] == [DB]
    attach = get(datasette, f"/{DB}.json?sql=ATTACH+DATABASE+'/etc/passwd'+AS+x")
    assert attach.status_code == 400
    assert get(datasette, f"/{DB}.db").status_code in (403, 404)  # no download of the file


def test_the_command_binds_to_localhost_and_checks_its_input(settings, tmp_path):
    from bot.terminal.cli import build_parser

    parser = build_parser([command.add_dashboard_command])
    args = parser.parse_args(["dashboard"])
    assert (args.host, args.port) == ("127.0.0.1", 8001)
    assert parser.parse_args(["dashboard", "--port", "8123"]).port == 8123
    with pytest.raises(UsageError, match="no database"):
        server.build(tmp_path / "missing.db", dashboard_metadata())
    assert server.read_only_uri(tmp_path / "a b.db").endswith("/a%20b.db?mode=ro")
