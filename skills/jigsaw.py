"""The jigsaw activity's clock as a pure state machine (time passed in, events returned).

Default plan from the course: learn 10 min, prepare 5, teach 2 per team (5 teams), then the
quiz. A real class overruns, so phases can be extended, paused, resumed or skipped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from skills.course import TEAMS
from skills.errors import TutorError

WARN_SECONDS = 60  # announce "one minute left" once per phase


class ActivityError(TutorError):
    """A jigsaw action the activity's rules refuse; the message says why."""


@dataclass(frozen=True)
class Timings:
    learn: float = 10
    prepare: float = 5
    teach_per_team: float = 2
    quiz: float = 5

    def __post_init__(self) -> None:
        for name, minutes in asdict(self).items():
            if not 0.1 <= minutes <= 120:
                raise ActivityError(f"{name} must be between 0.1 and 120 minutes, got {minutes:g}.")


@dataclass(frozen=True)
class Phase:
    name: str  # learn, prepare, teach, quiz
    minutes: float
    team: int | None = None  # the teaching team, for teach phases

    @property
    def label(self) -> str:
        return f"teach: team{self.team}" if self.team else self.name


def plan(timings: Timings) -> list[Phase]:
    return [
        Phase("learn", timings.learn),
        Phase("prepare", timings.prepare),
        *(Phase("teach", timings.teach_per_team, team) for team in TEAMS),
        Phase("quiz", timings.quiz),
    ]


@dataclass(frozen=True)
class PhaseStarted:
    phase: Phase
    number: int  # 1-based
    total: int
    seconds: float


@dataclass(frozen=True)
class TimeWarning:
    phase: Phase
    seconds_left: float


@dataclass(frozen=True)
class ActivityFinished:
    status: str  # finished or stopped


ActivityEvent = PhaseStarted | TimeWarning | ActivityFinished


@dataclass
class Activity:
    phases: list[Phase]
    team_concepts: dict[int, list[str]]
    status: str = "waiting"  # waiting, running, paused, finished, stopped
    index: int = -1
    deadline: float = 0.0
    paused_at: float | None = None
    warned: bool = False
    taught: dict[int, list[str]] = field(default_factory=dict)

    @property
    def phase(self) -> Phase | None:
        return self.phases[self.index] if 0 <= self.index < len(self.phases) else None

    def start(self, now: float) -> list[ActivityEvent]:
        if self.status != "waiting":
            raise ActivityError("The activity has already started.")
        self.status = "running"
        return self._enter(0, now)

    def tick(self, now: float) -> list[ActivityEvent]:
        if self.status != "running" or self.phase is None:
            return []
        left = self.deadline - now
        if left <= 0:
            return self._enter(self.index + 1, now)
        if left <= WARN_SECONDS and not self.warned and self.phase.minutes * 60 > WARN_SECONDS:
            self.warned = True
            return [TimeWarning(self.phase, left)]
        return []

    def next_phase(self, now: float) -> list[ActivityEvent]:
        self._require_active()
        if self.status == "paused":
            self.resume(now)
        return self._enter(self.index + 1, now)

    def pause(self, now: float) -> None:
        if self.status != "running":
            raise ActivityError("Only a running activity can be paused.")
        self.status, self.paused_at = "paused", now

    def resume(self, now: float) -> None:
        if self.status != "paused" or self.paused_at is None:
            raise ActivityError("The activity is not paused.")
        self.deadline += now - self.paused_at
        self.status, self.paused_at = "running", None

    def extend(self, minutes: float, now: float) -> None:
        self._require_active()
        if not 0 < minutes <= 60:
            raise ActivityError("Extend by more than 0 and at most 60 minutes.")
        self.deadline += minutes * 60
        if self.deadline - now > WARN_SECONDS:
            self.warned = False

    def stop(self) -> list[ActivityEvent]:
        self._require_active()
        self.status = "stopped"
        return [ActivityFinished("stopped")]

    def time_left(self, now: float) -> float:
        if self.status == "paused" and self.paused_at is not None:
            return max(0.0, self.deadline - self.paused_at)
        return max(0.0, self.deadline - now)

    def mark_taught(self, team: int, concept: str) -> None:
        if concept not in self.team_concepts.get(team, []):
            owned = ", ".join(self.team_concepts.get(team, [])) or "none"
            raise ActivityError(f"{concept!r} is not one of team{team}'s concepts ({owned}).")
        taught = self.taught.setdefault(team, [])
        if concept not in taught:
            taught.append(concept)

    def progress(self) -> tuple[int, int]:
        covered = sum(len(v) for v in self.taught.values())
        return covered, sum(len(v) for v in self.team_concepts.values())

    def _require_active(self) -> None:
        if self.status not in ("running", "paused"):
            raise ActivityError("No activity is running.")

    def _enter(self, index: int, now: float) -> list[ActivityEvent]:
        self.index = index
        self.warned = False
        if index >= len(self.phases):
            self.status = "finished"
            return [ActivityFinished("finished")]
        phase = self.phases[index]
        self.deadline = now + phase.minutes * 60
        return [PhaseStarted(phase, index + 1, len(self.phases), phase.minutes * 60)]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["taught"] = {str(k): v for k, v in self.taught.items()}
        data["team_concepts"] = {str(k): v for k, v in self.team_concepts.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Activity:
        return cls(
            phases=[Phase(**p) for p in data["phases"]],
            team_concepts={int(k): v for k, v in data["team_concepts"].items()},
            status=data["status"],
            index=data["index"],
            deadline=data["deadline"],
            paused_at=data["paused_at"],
            warned=data["warned"],
            taught={int(k): v for k, v in data["taught"].items()},
        )


Cell = tuple[float | None, int]  # (share of quiz credit, answers it rests on)


@dataclass(frozen=True)
class MasteryGrid:
    """Team x concept mastery from the closing quiz: the share of credit and how many answers
    it rests on (a team of one shows 0% or 100% on one answer: the count says so)."""

    concepts: list[str]
    teams: tuple[int, ...]
    cells: dict[str, dict[int, Cell]]
    taught: frozenset[str] = frozenset()
    unplaced: int = 0  # answers from students in no team: in no column, but counted

    def overall(self, concept: str) -> Cell:
        shares = [(s, n) for s, n in self.cells[concept].values() if s is not None]
        answers = sum(n for _, n in shares)
        if not answers:
            return None, 0
        return sum(s * n for s, n in shares) / answers, answers

    def weakest(self, k: int = 3) -> list[str]:
        """The concepts to revisit first: lowest share with data behind it, below full credit."""
        scored = [(self.overall(c)[0], i, c) for i, c in enumerate(self.concepts)]
        ranked = sorted((share, i, c) for share, i, c in scored if share is not None and share < 1)
        return [c for _, _, c in ranked[:k]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "concepts": self.concepts,
            "teams": list(self.teams),
            "cells": {
                c: {str(t): list(cell) for t, cell in row.items()} for c, row in self.cells.items()
            },
            "taught": sorted(self.taught),
            "unplaced": self.unplaced,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MasteryGrid:
        if "cells" not in data:  # stored before counts were kept: {concept: {team: share}}
            teams = tuple(sorted({int(t) for row in data.values() for t in row}))
            cells = {c: {int(t): (v, 0) for t, v in row.items()} for c, row in data.items()}
            return cls(list(data), teams, cells)
        cells = {
            c: {int(t): (cell[0], int(cell[1])) for t, cell in row.items()}
            for c, row in data["cells"].items()
        }
        return cls(
            data["concepts"],
            tuple(data["teams"]),
            cells,
            frozenset(data["taught"]),
            int(data.get("unplaced", 0)),
        )


def mastery_grid(
    rows: list[tuple[int | None, list[str], float]],
    teams: tuple[int, ...],
    concepts: list[str],
    taught: frozenset[str] = frozenset(),
) -> MasteryGrid:
    """`rows` are (answering user's team, concepts the question tests, credit)."""
    sums: dict[tuple[str, int], list[float]] = {}
    unplaced = 0
    for team, tested, credit in rows:
        if team is None:
            unplaced += 1
            continue
        for concept in tested:
            sums.setdefault((concept, team), []).append(credit)
    cells: dict[str, dict[int, Cell]] = {}
    for c in concepts:
        row: dict[int, Cell] = {}
        for t in teams:
            credits = sums.get((c, t), [])
            row[t] = (sum(credits) / len(credits), len(credits)) if credits else (None, 0)
        cells[c] = row
    return MasteryGrid(list(concepts), teams, cells, taught, unplaced)
