"""A quiz session's rules as a pure state machine with an injected clock.

One question is open at a time. It closes when its timer runs out (the caller calls `tick`) or
when everyone expected has answered.

Time accommodations: a student with a time multiplier m (1.5: half as much again) may answer
until `seconds x m` after the question opened, while everyone else's answers are refused after
`seconds`. So that the key is never revealed before they have had their time, the question
stays open past the class's deadline while an accommodated player may still answer: one in the
quiz's audience (the people expected to play), or who has answered in this quiz. It closes as
soon as every such player has answered, or their extended time is up. Each user's first answer counts; a second one is refused
with a note, and so is an answer after the question closed. Scoring: points per correct answer
(half for partial credit); a speed bonus and streaks exist but are off by default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from skills.quiz.bank import Question
from skills.quiz.grading import Grade


class Status(StrEnum):
    WAITING = "waiting"  # created, no question open yet
    OPEN = "open"  # a question is accepting answers
    BETWEEN = "between"  # a question closed; the next one is not open yet
    FINISHED = "finished"
    STOPPED = "stopped"


@dataclass(frozen=True)
class ScoringRules:
    points: int = 100
    speed_bonus: bool = False  # up to +50% for answering early (off: teachers dislike it)
    streaks: bool = False  # +10% per consecutive correct answer, up to +50%


@dataclass(frozen=True)
class RecordedAnswer:
    user: str
    question_index: int
    text: str
    grade: Grade
    points: int
    answered_at: float


@dataclass(frozen=True)
class SubmitResult:
    accepted: bool
    message: str
    answer: RecordedAnswer | None = None
    reply: object | None = None  # the bot's answer when the student asked a question instead


@dataclass
class QuizSession:
    channel: str
    team: int | None
    questions: list[Question]
    seconds_per_question: float
    rules: ScoringRules = field(default_factory=ScoringRules)
    expected_users: frozenset[str] = frozenset()
    status: Status = Status.WAITING
    index: int = -1
    opened_at: float = 0.0
    deadline: float = 0.0  # the class's: answers without an accommodation are refused after it
    closes_at: float = 0.0  # the latest an accommodated player may answer (>= deadline)
    time_multipliers: dict[str, float] = field(default_factory=dict)  # user -> multiplier
    audience: frozenset[str] = frozenset()  # who is expected to play (whose extra time counts)
    answers: list[RecordedAnswer] = field(default_factory=list)
    skipped: set[int] = field(default_factory=set)
    _answered: set[tuple[int, str]] = field(default_factory=set)

    @property
    def current(self) -> Question | None:
        return self.questions[self.index] if self.status == Status.OPEN else None

    def open_next(self, now: float) -> Question | None:
        """Open the next question, or finish the quiz when none are left."""
        if self.status in (Status.FINISHED, Status.STOPPED, Status.OPEN):
            return None
        self.index += 1
        if self.index >= len(self.questions):
            self.status = Status.FINISHED
            return None
        self.status = Status.OPEN
        self.opened_at = now
        self.deadline = now + self.seconds_per_question
        self.closes_at = max([self.deadline, *map(self.deadline_for, self._extra_time_players())])
        return self.questions[self.index]

    def multiplier(self, user: str) -> float:
        return max(1.0, self.time_multipliers.get(user, 1.0))

    def deadline_for(self, user: str) -> float:
        """When the open question stops accepting `user`'s answer."""
        return self.opened_at + self.seconds_per_question * self.multiplier(user)

    def _extra_time_players(self) -> set[str]:
        """Accommodated players: in the audience, expected, or who answered in this quiz."""
        players = self.audience | self.expected_users | {a.user for a in self.answers}
        return {u for u in players if self.multiplier(u) > 1.0}

    def waiting_for(self, now: float) -> set[str]:
        """Accommodated players who have not answered the open question and still may."""
        answered = {a.user for a in self.answers if a.question_index == self.index}
        return {
            u
            for u in self._extra_time_players()
            if u not in answered and now <= self.deadline_for(u)
        }

    def refusal(self, user: str, now: float) -> str | None:
        """Why an answer arriving `now` from `user` cannot count, or None if it can."""
        if self.status != Status.OPEN:
            return "No question is open right now; wait for the next one."
        if now > self.deadline_for(user):
            return "Time is up for this question; your answer was not counted."
        if self.has_answered(user):
            return "You already answered this question; only your first answer counts."
        return None

    def has_answered(self, user: str) -> bool:
        """Whether `user` has answered the open question already."""
        return (self.index, user) in self._answered

    def scored(self, user: str, text: str, grade: Grade, now: float) -> RecordedAnswer:
        """The answer as it will be recorded (points included); nothing changes yet."""
        return RecordedAnswer(user, self.index, text, grade, self._points(user, grade, now), now)

    def record(self, answer: RecordedAnswer) -> None:
        """Count an answer (the caller has stored it durably first)."""
        self._answered.add((answer.question_index, answer.user))
        self.answers.append(answer)

    def submit(self, user: str, text: str, grade: Grade, now: float) -> SubmitResult:
        refused = self.refusal(user, now)
        if refused:
            return SubmitResult(False, refused)
        if not grade.counted:
            return SubmitResult(False, grade.reason)
        answer = self.scored(user, text, grade, now)
        self.record(answer)
        return SubmitResult(True, grade.reason, answer)

    def everyone_answered(self) -> bool:
        answered = {a.user for a in self.answers if a.question_index == self.index}
        return bool(self.expected_users) and self.expected_users <= answered

    def should_close(self, now: float) -> bool:
        if self.status != Status.OPEN:
            return False
        if self.everyone_answered():
            return True
        return now >= self.deadline and (now >= self.closes_at or not self.waiting_for(now))

    def close_current(self) -> list[RecordedAnswer]:
        if self.status != Status.OPEN:
            return []
        self.status = Status.BETWEEN
        return [a for a in self.answers if a.question_index == self.index]

    def skip(self) -> None:
        if self.status == Status.OPEN:
            self.skipped.add(self.index)
            self.status = Status.BETWEEN

    def stop(self) -> None:
        if self.status not in (Status.FINISHED, Status.STOPPED):
            self.status = Status.STOPPED

    def _points(self, user: str, grade: Grade, now: float) -> int:
        base = self.rules.points * grade.credit
        if base == 0:
            return 0
        bonus = 0.0
        if self.rules.speed_bonus:
            window = self.seconds_per_question * self.multiplier(user)
            bonus += 0.5 * max(0.0, self.deadline_for(user) - now) / window
        if self.rules.streaks:
            bonus += min(0.5, 0.1 * self._streak(user))
        return round(base * (1 + bonus))

    def _streak(self, user: str) -> int:
        streak = 0
        for answer in reversed([a for a in self.answers if a.user == user]):
            if answer.grade.credit < 1:
                break
            streak += 1
        return streak


@dataclass(frozen=True)
class Standing:
    name: str
    points: int
    correct: int
    answered: int


def user_standings(answers: list[RecordedAnswer]) -> list[Standing]:
    table: dict[str, list[int]] = {}
    for a in answers:
        row = table.setdefault(a.user, [0, 0, 0])
        row[0] += a.points
        row[1] += a.grade.credit == 1.0
        row[2] += 1
    ranked = sorted(table.items(), key=lambda item: (-item[1][0], item[0]))
    return [Standing(user, *row) for user, row in ranked]


def team_standings(users: list[Standing], team_of: dict[str, int]) -> list[Standing]:
    """A team's score is the average of its members' scores; users with no team are left out."""
    members: dict[int, list[Standing]] = {}
    for s in users:
        if s.name in team_of:
            members.setdefault(team_of[s.name], []).append(s)
    rows = [
        Standing(
            f"team{team}",
            round(sum(s.points for s in group) / len(group)),
            sum(s.correct for s in group),
            sum(s.answered for s in group),
        )
        for team, group in members.items()
    ]
    return sorted(rows, key=lambda s: (-s.points, s.name))
