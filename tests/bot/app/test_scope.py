"""Two servers (two sections of the course) share one bot but none of their class activity;
people are shown by their display names, never their ids."""

from sqlite_utils import Database

from bot.store import Store, migrations
from bot.terminal.console import ConsoleSession
from tests.helpers import right_answer, who


def test_two_servers_keep_quizzes_teams_and_queues_apart(tutor):
    a, b = "111", "222"
    ana = who("1", "quiz", server=a, name="Ana")
    bo = who("2", "quiz", server=b, name="Bo")
    tutor.classes.join_team(ana, "team3")
    tutor.classes.join_team(bo, "team4")
    tutor.classes.set_team_channel(who("9", server=a, instructor=True), "team3", "a-team3")
    for person in (ana, bo):  # the same channel name in both servers: two quizzes
        opened = tutor.quizzes.start(person, team=3, count=1, seconds=30, seed=1)
        assert tutor.quizzes.answer(person, right_answer(opened, tutor)).accepted
        tutor.quizzes.stop(person)
    for server, mine, other in ((a, "Ana", "Bo"), (b, "Bo", "Ana")):
        board = tutor.quizzes.leaderboard(server)
        assert [u.name for u in board.users] == [mine]
        assert other not in str(board)
    assert [t.name for t in tutor.quizzes.leaderboard(a).teams] == ["team3"]
    assert tutor.classes.team_channels(a) == {3: "a-team3"} and tutor.classes.team_channels(b) == {}
    tutor.ask.ask(ana, "can bert read handwriting?")
    assert [asker for g in tutor.ask.unanswered(a) for asker in g.askers] == ["Ana"]
    assert tutor.ask.unanswered(b) == []


def test_names_follow_the_person_and_ids_never_show(tutor):
    first = who("1574513484941492240", "quiz", server="9", name="Ana")
    opened = tutor.quizzes.start(first, team=1, count=1, seconds=30, seed=0)
    tutor.quizzes.answer(first, right_answer(opened, tutor))
    tutor.quizzes.stop(first)
    renamed = who("1574513484941492240", "quiz", server="9", name="Ana P.")
    tutor.ask.ask(renamed, "what is lora?")  # acting again refreshes the stored name
    board = tutor.quizzes.leaderboard("9")
    assert [u.name for u in board.users] == ["Ana P."]
    text = ConsoleSession(tutor, who("x", server="9")).handle("/quiz leaderboard")
    assert "Ana P." in text and "1574513484941492240" not in text


def test_an_old_database_moves_into_the_console_server(tmp_path):
    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="m007_servers_and_people")
    old["members"].insert({"user": "ana", "team": 3, "joined_at": "t"})
    old["team_channels"].insert({"team": 3, "channel": "t3", "set_at": "t"})
    old["questions"].insert({"asked_at": "t", "question": "pizza?", "answered": 0, "user": "ana"})
    old.close()
    with Store(path) as store:
        members = store.run(lambda db: list(db["members"].rows))
        assert members == [{"user": "ana", "team": 3, "joined_at": "t", "server": "console"}]
        assert store.run(lambda db: db["members"].pks) == ["server", "user"]
        assert store.run(lambda db: db["team_channels"].pks) == ["server", "team"]
        (question,) = store.run(lambda db: list(db["questions"].rows))
        assert question["server"] == "console"


def test_the_instructor_assigns_and_balances_teams(tutor):
    for user in ("ana", "bo", "cy", "di", "ed", "flo", "gus"):
        tutor.ask.ask(who(user), "what is lora?")  # everyone who has used the bot here
    session = ConsoleSession(tutor, who("prof", instructor=True))
    assert "Only the instructor" in ConsoleSession(tutor, who("ana")).handle("/teams balance")
    assert "team3: ana, bo" in session.handle("/teams assign ana=team3 bo=3")
    assert "Nobody called 'zed'" in session.handle("/teams assign zed=1")
    shown = session.handle("/teams balance")
    sizes = [len(line.split(": ")[1].split(", ")) for line in shown.splitlines()]
    assert sorted(sizes) == [1, 1, 1, 2, 2] and "ana, bo" in shown  # nobody moved, all placed
