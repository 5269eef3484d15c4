"""The jigsaw activity in channels: phases on timers, team material, progress, the closing
quiz, and the team x concept mastery grid (text and PNG) stored at the end."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.quizzes import QuizEnded, QuizError, QuizEvent, QuizManager
from bot.store import Store, utc_now
from knowledge.cards import Card, cards_by_team
from skills.jigsaw import (
    TEAMS,
    Activity,
    ActivityEvent,
    ActivityFinished,
    PhaseStarted,
    Timings,
    mastery_grid,
    plan,
)

log = logging.getLogger(__name__)
QUIZ_QUESTIONS_PER_TEAM = 2


class JigsawError(ValueError):
    """A jigsaw command that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class TeamMaterial:
    channel: str
    team: int
    cards: list[Card]
    checklist: list[str]


@dataclass(frozen=True)
class Announcement:
    channel: str
    event: ActivityEvent
    covered: int
    total: int


@dataclass(frozen=True)
class MasteryReady:
    channel: str
    activity_id: int
    grid: dict[str, dict[int, float | None]]
    png_path: Path | None


@dataclass(frozen=True)
class JigsawStatus:
    activity_id: int
    status: str
    phase: str
    seconds_left: float
    covered: int
    total: int
    taught: dict[int, list[str]]


JigsawEvent = TeamMaterial | Announcement | MasteryReady
Listener = Callable[[JigsawEvent], None]

CHECKLIST = [
    "Explain {title} in your own words in under 30 seconds.",
    "Give the class one example or the analogy.",
    "Warn about one common mistake.",
    "Ask the class one question to check they got it.",
]


@dataclass
class _Running:
    id: int
    channel: str
    team_channels: dict[int, str]
    activity: Activity
    quiz_session: int | None = None


class JigsawManager:
    def __init__(
        self,
        store: Store,
        cards: list[Card],
        quizzes: QuizManager,
        output_dir: Path,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.cards = {c.id: c for c in cards}
        self.team_concepts = {t: [c.id for c in cards_by_team(cards, t)] for t in TEAMS}
        self.quizzes = quizzes
        self.output_dir = output_dir
        self._clock = clock
        self._running: dict[str, _Running] = {}
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()
        quizzes.subscribe(self._on_quiz_event)

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _emit(self, events: list[JigsawEvent]) -> None:
        for event in events:
            for listener in self._listeners:
                try:
                    listener(event)
                except Exception:
                    log.exception("jigsaw listener failed")

    # --- commands -------------------------------------------------------------------------

    def start(
        self,
        channel: str,
        *,
        team_channels: dict[int, str] | None = None,
        timings: Timings | None = None,
        started_by: str = "",
    ) -> JigsawStatus:
        mapping = team_channels or {t: f"team{t}" for t in TEAMS}
        if sorted(mapping) != list(TEAMS):
            raise JigsawError("Map every team to a channel: team1=... through team5=....")
        activity = Activity(plan(timings or Timings()), self.team_concepts)
        events: list[JigsawEvent] = []
        with self._lock:
            if channel in self._running:
                raise JigsawError("An activity is already running in this channel.")
            now = self._clock()
            started = activity.start(now)
            activity_id = self.store.run(_insert, channel, mapping, activity, started_by)
            running = _Running(activity_id, channel, mapping, activity)
            self._running[channel] = running
            events += [self._material(team, ch) for team, ch in mapping.items()]
            events += self._handle(running, started)
        self._emit(events)
        return self.status(channel)

    def tick(self) -> None:
        events: list[JigsawEvent] = []
        with self._lock:
            for running in list(self._running.values()):
                events += self._handle(running, running.activity.tick(self._clock()))
        self._emit(events)

    def _act(
        self, channel: str, action: Callable[[Activity, float], list[ActivityEvent] | None]
    ) -> JigsawStatus:
        with self._lock:
            running = self._require(channel)
            try:
                produced = action(running.activity, self._clock()) or []
            except ValueError as exc:
                raise JigsawError(str(exc)) from exc
            events = self._handle(running, produced)
            self._save(running)
        self._emit(events)
        return self.status(channel)

    def next_phase(self, channel: str) -> JigsawStatus:
        return self._act(channel, lambda a, now: a.next_phase(now))

    def pause(self, channel: str) -> JigsawStatus:
        return self._act(channel, lambda a, now: a.pause(now))

    def resume(self, channel: str) -> JigsawStatus:
        return self._act(channel, lambda a, now: a.resume(now))

    def extend(self, channel: str, minutes: float) -> JigsawStatus:
        return self._act(channel, lambda a, now: a.extend(minutes, now))

    def stop(self, channel: str) -> JigsawStatus:
        status = self.status(channel)
        self._act(channel, lambda a, now: a.stop())
        return status

    def mark_taught(self, channel: str, team: int, concept: str) -> JigsawStatus:
        concept = concept.strip().lower()
        if concept not in self.cards:
            matches = [c.id for c in self.cards.values() if c.title.lower() == concept]
            concept = matches[0] if matches else concept
        return self._act(channel, lambda a, now: a.mark_taught(team, concept))

    def team_for_channel(self, channel: str) -> int | None:
        """The team whose channel this is, in any running activity."""
        with self._lock:
            for running in self._running.values():
                for team, ch in running.team_channels.items():
                    if ch == channel:
                        return team
        return None

    def activity_channel(self, channel: str) -> str | None:
        """The class channel of the activity that `channel` (class or team channel) belongs to."""
        with self._lock:
            for running in self._running.values():
                if channel == running.channel or channel in running.team_channels.values():
                    return running.channel
        return None

    def status(self, channel: str) -> JigsawStatus:
        with self._lock:
            running = self._running.get(channel)
            if running is None:
                raise JigsawError("No jigsaw activity is running in this channel.")
            a = running.activity
            covered, total = a.progress()
            label = a.phase.label if a.phase else a.status
            return JigsawStatus(
                running.id,
                a.status,
                label,
                a.time_left(self._clock()),
                covered,
                total,
                {t: list(v) for t, v in a.taught.items()},
            )

    def recover_interrupted(self) -> list[dict[str, Any]]:
        return self.store.run(_mark_interrupted, utc_now())

    # --- internals (lock held) -----------------------------------------------------------

    def _require(self, channel: str) -> _Running:
        running = self._running.get(channel)
        if running is None:
            raise JigsawError("No jigsaw activity is running in this channel.")
        return running

    def _material(self, team: int, channel: str) -> TeamMaterial:
        cards = [self.cards[c] for c in self.team_concepts[team]]
        checklist = [line.format(title=card.title) for card in cards for line in CHECKLIST[:1]]
        return TeamMaterial(channel, team, cards, checklist + CHECKLIST[1:])

    def _handle(self, running: _Running, produced: list[ActivityEvent]) -> list[JigsawEvent]:
        covered, total = running.activity.progress()
        events: list[JigsawEvent] = [
            Announcement(running.channel, e, covered, total) for e in produced
        ]
        for event in produced:
            if isinstance(event, PhaseStarted) and event.phase.name == "quiz":
                self._start_quiz(running, event.seconds)
            if isinstance(event, ActivityFinished):
                events += self._finish(running, event.status)
        self._save(running)
        return events

    def _start_quiz(self, running: _Running, phase_seconds: float) -> None:
        count = QUIZ_QUESTIONS_PER_TEAM * len(TEAMS)
        seconds = max(5.0, min(60.0, phase_seconds / count))
        try:
            opened = self.quizzes.start(
                running.channel, team=None, count=count, seconds=seconds, started_by="jigsaw"
            )
            running.quiz_session = opened.session_id
        except QuizError as exc:  # e.g. a quiz someone started by hand is still running
            log.warning("jigsaw quiz not started: %s", exc)

    def _on_quiz_event(self, event: QuizEvent) -> None:
        if not isinstance(event, QuizEnded):
            return
        with self._lock:
            running = next(
                (r for r in self._running.values() if r.quiz_session == event.session_id), None
            )
            if running is None or running.activity.status not in ("running", "paused"):
                return
            events = self._handle(running, running.activity.next_phase(self._clock()))
        self._emit(events)

    def _finish(self, running: _Running, status: str) -> list[JigsawEvent]:
        self._running.pop(running.channel, None)
        if running.quiz_session and self.quizzes.is_running(running.channel):
            self.quizzes.stop(running.channel)
        if running.quiz_session is None:
            self.store.run(_end, running.id, status, None, None)
            return []
        rows = self.store.run(_quiz_rows, running.quiz_session)
        concepts = [c for t in TEAMS for c in self.team_concepts[t]]
        grid = mastery_grid(rows, TEAMS, concepts)
        png = self._draw(running.id, grid)
        self.store.run(_end, running.id, status, grid, str(png) if png else None)
        return [MasteryReady(running.channel, running.id, grid, png)]

    def _draw(self, activity_id: int, grid: dict[str, dict[int, float | None]]) -> Path | None:
        try:
            from bot.charts import mastery_png

            path = self.output_dir / f"jigsaw-{activity_id}-mastery.png"
            mastery_png(grid, {c: self.cards[c].title for c in grid}, path)
            return path
        except Exception:  # the grid is still stored as data and shown as text
            log.exception("could not draw the mastery grid")
            return None

    def _save(self, running: _Running) -> None:
        self.store.run(_update, running.id, running.activity, running.quiz_session)


# --- storage -----------------------------------------------------------------------------


def _insert(
    db: Database, channel: str, mapping: dict[int, str], activity: Activity, by: str
) -> int:
    row = {
        "channel": channel,
        "team_channels": json.dumps(mapping),
        "state": json.dumps(activity.to_dict()),
        "status": activity.status,
        "started_by": by,
        "started_at": utc_now(),
    }
    pk = db.table("jigsaw_activities").insert(row).last_pk
    assert pk is not None
    return int(pk)


def _update(db: Database, activity_id: int, activity: Activity, quiz_session: int | None) -> None:
    db.table("jigsaw_activities").update(
        activity_id,
        {
            "state": json.dumps(activity.to_dict()),
            "status": activity.status,
            "quiz_session_id": quiz_session,
        },
    )


def _end(db: Database, activity_id: int, status: str, grid: Any, png: str | None) -> None:
    mastery = json.dumps(grid) if grid is not None else None
    db.table("jigsaw_activities").update(
        activity_id,
        {"status": status, "ended_at": utc_now(), "mastery": mastery, "mastery_png": png},
    )


def _quiz_rows(db: Database, session_id: int) -> list[tuple[int | None, list[str], float]]:
    rows = db.table("quiz_answers").rows_where("session_id = ?", [session_id])
    return [(r["team"], json.loads(r["concepts"] or "[]"), r["credit"]) for r in rows]


def _mark_interrupted(db: Database, now: str) -> list[dict[str, Any]]:
    report = []
    for row in db.table("jigsaw_activities").rows_where("status IN ('running', 'paused')"):
        activity = Activity.from_dict(json.loads(row["state"]))
        covered, total = activity.progress()
        phase = activity.phase.label if activity.phase else activity.status
        db.table("jigsaw_activities").update(row["id"], {"status": "interrupted", "ended_at": now})
        report.append(
            {
                "id": row["id"],
                "channel": row["channel"],
                "phase": phase,
                "covered": covered,
                "total": total,
            }
        )
    return report
