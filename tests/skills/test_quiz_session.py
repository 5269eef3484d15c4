from skills.quiz.bank import Question
from skills.quiz.grading import Grade
from skills.quiz.session import QuizSession, ScoringRules, Status, team_standings, user_standings

Q = [Question(f"q{i}", 1, "numeric", ("attention",), f"Q{i}?", answer=i) for i in range(3)]
RIGHT, HALF, WRONG = Grade(1.0, "ok", "1"), Grade(0.5, "half", "1"), Grade(0.0, "no", "1")


def session(**kwargs) -> QuizSession:
    s = QuizSession("c", 1, Q, 30, **kwargs)
    s.open_next(now=0)
    return s


def test_first_answer_counts_duplicates_and_late_answers_do_not():
    s = session()
    assert s.submit("ana", "1", RIGHT, now=5).accepted
    dup = s.submit("ana", "2", WRONG, now=6)
    assert not dup.accepted and "already answered" in dup.message
    late = s.submit("bo", "1", RIGHT, now=31)
    assert not late.accepted and "Time is up" in late.message
    assert len(s.answers) == 1


def test_question_closes_on_timer_or_when_everyone_answered():
    s = session(expected_users=frozenset({"ana", "bo"}))
    assert not s.should_close(now=10)
    s.submit("ana", "1", RIGHT, now=10)
    assert not s.should_close(now=11)
    s.submit("bo", "1", RIGHT, now=12)
    assert s.should_close(now=12)
    timed = session()
    assert timed.should_close(now=30) and not timed.should_close(now=29.9)


def test_flow_skip_stop_and_finish():
    s = session()
    s.skip()
    assert s.status == Status.BETWEEN and s.skipped == {0}
    assert s.submit("ana", "1", RIGHT, now=1).accepted is False
    s.open_next(now=1)
    s.close_current()
    s.open_next(now=2)
    s.close_current()
    assert s.open_next(now=3) is None and s.status == Status.FINISHED
    stopped = session()
    stopped.stop()
    assert stopped.status == Status.STOPPED and stopped.open_next(now=1) is None


def test_default_scoring_has_no_speed_bonus_or_streaks():
    s = session()
    assert s.submit("ana", "1", RIGHT, now=1).answer.points == 100
    assert s.submit("bo", "1", RIGHT, now=29).answer.points == 100
    assert s.submit("cy", "1", HALF, now=2).answer.points == 50


def test_speed_bonus_and_streaks_when_switched_on():
    s = session(rules=ScoringRules(speed_bonus=True, streaks=True))
    fast = s.submit("ana", "1", RIGHT, now=0).answer.points
    slow = s.submit("bo", "1", RIGHT, now=30).answer.points
    assert fast == 150 and slow == 100
    s.close_current()
    s.open_next(now=30)
    assert s.submit("ana", "1", RIGHT, now=60).answer.points == 110  # one correct before


def test_team_score_is_the_average_of_members():
    s = session()
    s.submit("ana", "1", RIGHT, now=1)
    s.submit("bo", "1", WRONG, now=1)
    s.submit("cy", "1", RIGHT, now=1)
    users = user_standings(s.answers)
    assert [u.name for u in users] == ["ana", "cy", "bo"]
    teams = team_standings(users, {"ana": 1, "bo": 1, "cy": 2})
    assert [(t.name, t.points) for t in teams] == [("team2", 100), ("team1", 50)]
