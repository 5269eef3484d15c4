"""The jigsaw activity in channels: phases on timers, team material, progress, the closing
quiz, and the team x concept mastery grid (text and PNG) stored at the end."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.app.charts import mastery_alt_text, mastery_png
from bot.app.context import Actor
from bot.app.events import Listeners
from bot.app.quizzes import QuestionOpened, QuizEnded, QuizEvent, QuizManager
from bot.app.resources import Resources
from bot.errors import JigsawError, QuizError
from bot.store import jigsaw as rows
from bot.store import number_of, utc_now
from bot.store import quizzes as quiz_rows
from bot.store.enums import ActivityStatus
from knowledge.cards import Card, cards_by_team, find_card
from skills.course import TEAMS, Team, parse_team, team_or_none
from skills.errors import Hint
from skills.jigsaw import (
    Activity,
    ActivityEvent,
    ActivityFinished,
    MasteryGrid,
    PhaseStarted,
    Timings,
    mastery_grid,
    plan,
)
from skills.quiz.bank import Question

log = logging.getLogger(__name__)
# The closing quiz: one choice or numeric question per concept, with this much time each, a
# gap between questions (settings), and time at the end to read the last results.
QUESTION_SECONDS = (8.0, 12.0)  # the least, and the most, a question gets
RESULTS_SECONDS = 5.0
QUICK_KINDS = ("choice", "numeric", "live")  # answered in seconds (free text takes longer)


@dataclass(frozen=True)
class TeamMaterial:
    server: str
    channel: str
    team: int
    cards: list[Card]
    checklist: list[str]


@dataclass(frozen=True)
class Announcement:
    server: str
    channel: str
    event: ActivityEvent
    covered: int
    total: int


@dataclass(frozen=True)
class MasteryReady:
    server: str
    channel: str
    number: int  # the activity's number in its class
    grid: MasteryGrid
    png_path: Path | None
    alt_text: str = ""


@dataclass(frozen=True)
class QuizPlan:
    """The closing quiz, planned to fit its phase: which concepts it covers, which not."""

    server: str
    channel: str
    covered: list[str]
    left_out: list[str]
    seconds_per_question: float
    gap_seconds: float
    extra_time: float = 1.0  # the longest time multiplier among the players (1.0: none)
    questions: int = 0  # how many (a question may cover two concepts); 0: one per concept


@dataclass(frozen=True)
class InterruptedActivity:
    """A jigsaw activity a crash or restart cut short (its state is kept, to resume)."""

    id: int
    number: int  # what its class calls it
    server: str
    channel: str
    phase: str
    covered: int
    total: int


@dataclass(frozen=True)
class JigsawStatus:
    number: int  # the activity's number in its class (its own activities count from 1)
    status: str
    phase: str
    seconds_left: float
    covered: int
    total: int
    taught: dict[int, list[str]]


JigsawEvent = TeamMaterial | Announcement | MasteryReady | QuizPlan
Listener = Callable[[JigsawEvent], None]

CHECKLIST = [
    "Explain {title} in your own words in under 30 seconds.",
    "Give the class one example or the analogy.",
    "Warn about one common mistake.",
    "Ask the class one question to check they got it.",
]


@dataclass(frozen=True)
class _Plan:
    questions: list[Question]
    covered: list[str]
    left_out: list[str]
    seconds_per_question: float
    extra_time: float = 1.0


@dataclass
class _Running:
    id: int
    number: int  # what its class calls it
    server: str
    channel: str
    team_channels: dict[int, str]
    activity: Activity
    quiz_session: int | None = None


class JigsawManager:
    def __init__(self, res: Resources, quizzes: QuizManager) -> None:
        self.res = res
        self.store = res.store
        self.cards = {c.id: c for c in res.cards}
        self.team_concepts = {t: [c.id for c in cards_by_team(res.cards, t)] for t in TEAMS}
        self.quizzes = quizzes
        self.output_dir = res.settings.data_dir / "jigsaw"
        self._clock = res.clock
        self._running: dict[tuple[str, str], _Running] = {}
        self._events: Listeners[JigsawEvent] = Listeners("jigsaw")
        self._lock = threading.RLock()
        self._openings: list[QuestionOpened] = []  # the closing quiz's first question, held back
        quizzes.subscribe(self._on_quiz_event)

    def subscribe(self, listener: Listener) -> None:
        self._events.subscribe(listener)

    # --- commands -------------------------------------------------------------------------

    def start(
        self,
        actor: Actor,
        *,
        team_channels: Mapping[str, str] | Mapping[int, str] | None = None,
        timings: Timings | None = None,
    ) -> JigsawStatus:
        """Start the activity with `actor.channel` as the class channel; each team's material
        goes to its channel in `team_channels` (default: channels named team1 to team5)."""
        if team_channels is None:
            mapping = {t: f"team{t}" for t in TEAMS}
        else:
            mapping = {parse_team(team): channel for team, channel in team_channels.items()}
        missing = [f"team{t}" for t in TEAMS if t not in mapping]
        if missing:
            raise JigsawError(
                f"Map every team to its channel first: missing {', '.join(missing)}.",
                hint=Hint.TEAM_CHANNELS,
            )
        activity = Activity(plan(timings or Timings()), self.team_concepts)
        key = (actor.server, actor.channel)
        events: list[JigsawEvent] = []
        with self._lock:
            if key in self._running:
                raise JigsawError("An activity is already running in this channel.")
            started = activity.start(self._clock())
            activity_id = self.store.write(
                rows.insert,
                actor.server,
                actor.channel,
                mapping,
                activity,
                actor.user,
                self.res.lease.hold(),
            )
            number = self.store.run(number_of, rows.TABLE, activity_id)
            running = _Running(activity_id, number, actor.server, actor.channel, mapping, activity)
            self._running[key] = running
            events += [self._material(running, team, ch) for team, ch in mapping.items()]
            events += self._handle(running, started)
        self._emit(events)
        return self.status(actor)

    def tick(self) -> None:
        events: list[JigsawEvent] = []
        with self._lock:
            for running in list(self._running.values()):
                events += self._handle(running, running.activity.tick(self._clock()))
        self._emit(events)

    def _emit(self, events: list[JigsawEvent]) -> None:
        """Announce the activity's events, then the first question of a closing quiz they
        started: the class reads "Phase 8/8: quiz" and the plan before "Question 1/10"."""
        with self._lock:
            openings, self._openings = self._openings, []
        self._events.emit(events)
        for opened in openings:
            self.quizzes.announce(opened)

    def _act(
        self, actor: Actor, action: Callable[[Activity, float], list[ActivityEvent] | None]
    ) -> JigsawStatus:
        with self._lock:
            running = self._require(actor)
            produced = action(running.activity, self._clock()) or []
            events = self._handle(running, produced)
            status = self._status(running)
        self._emit(events)
        return status

    def next_phase(self, actor: Actor) -> JigsawStatus:
        return self._act(actor, lambda a, now: a.next_phase(now))

    def pause(self, actor: Actor) -> JigsawStatus:
        return self._act(actor, lambda a, now: a.pause(now))

    def _live_here(self, actor: Actor) -> bool:
        """Whether an activity runs in the actor's channel (its class or a team channel)."""
        with self._lock:
            return any(
                r.server == actor.server and actor.channel in (r.channel, *r.team_channels.values())
                for r in self._running.values()
            )

    def resume(self, actor: Actor) -> JigsawStatus:
        """Resume the paused clock; or, when no activity runs here, continue the one a restart
        interrupted, from its phase with the time it had left."""
        if self._live_here(actor):
            return self._act(actor, lambda a, now: a.resume(now))
        row = self.store.run(rows.interrupted_in, actor.server, actor.channel)
        if row is None:
            raise JigsawError("No jigsaw activity is paused or interrupted in this channel.")
        state = json.loads(row["state"])
        activity = Activity.from_dict(state)
        saved_at = state.get("saved_at", self._clock())
        held = activity.paused_at if activity.paused_at is not None else saved_at
        left = max(30.0, activity.deadline - held)
        now = self._clock()
        activity.status, activity.paused_at, activity.deadline = "running", None, now + left
        mapping = {int(t): ch for t, ch in json.loads(row["team_channels"]).items()}
        running = _Running(
            row["id"], row["number"], actor.server, row["channel"], mapping, activity
        )
        self.store.write(rows.reopen, row["id"], self.res.lease.hold())
        events: list[JigsawEvent] = []
        with self._lock:
            self._running[(actor.server, row["channel"])] = running
            phase = activity.phase
            if phase is not None:
                resumed = PhaseStarted(phase, activity.index + 1, len(activity.phases), left)
                events += self._handle(running, [resumed])
        self._emit(events)
        return self.status(actor)

    def extend(self, actor: Actor, minutes: float) -> JigsawStatus:
        return self._act(actor, lambda a, now: a.extend(minutes, now))

    def stop(self, actor: Actor) -> JigsawStatus:
        """Stop the activity; returns its status as it was when stopped. With none running
        here, end the one a restart interrupted instead of leaving it to be resumed."""
        if not self._live_here(actor):
            row = self.store.run(rows.interrupted_in, actor.server, actor.channel)
            if row is not None:
                activity = Activity.from_dict(json.loads(row["state"]))
                self.store.write(rows.end, row["id"], ActivityStatus.STOPPED, None, None)
                activity.status = ActivityStatus.STOPPED.value
                return self._status_of(row["number"], activity)
        return self._act(actor, lambda a, now: a.stop())

    def team_here(self, actor: Actor) -> int | None:
        """The team whose channel the actor is in, during a running activity."""
        with self._lock:
            try:
                running = self._require(actor)
            except JigsawError:
                return None
            return next((t for t, ch in running.team_channels.items() if ch == actor.channel), None)

    def mark_taught(self, actor: Actor, concept: str, team: Team | None = None) -> JigsawStatus:
        """Mark a concept taught, for `team` or, by default, the team whose channel this is."""
        team = team_or_none(team) or self.team_here(actor)
        if team is None:
            raise JigsawError("Which team? This is no team's channel.", hint=Hint.WHICH_TEAM)
        card = find_card(list(self.cards.values()), concept)
        concept_id = card.id if card else concept.strip().lower()
        return self._act(actor, lambda a, now: a.mark_taught(team, concept_id))

    def status(self, actor: Actor) -> JigsawStatus:
        with self._lock:
            return self._status(self._require(actor))

    def recover_interrupted(self) -> list[InterruptedActivity]:
        lost = self.store.write(rows.mark_interrupted, utc_now(), self.res.lease.alive())
        return [InterruptedActivity(**row) for row in lost]

    # --- internals (lock held) -----------------------------------------------------------

    def _require(self, actor: Actor) -> _Running:
        """The activity that the actor's channel (its class channel or a team channel) is in."""
        for running in self._running.values():
            if running.server == actor.server and (
                actor.channel == running.channel or actor.channel in running.team_channels.values()
            ):
                return running
        raise JigsawError("No jigsaw activity is running in this channel.")

    def _status(self, running: _Running) -> JigsawStatus:
        return self._status_of(running.number, running.activity)

    def _status_of(self, number: int, a: Activity) -> JigsawStatus:
        covered, total = a.progress()
        return JigsawStatus(
            number,
            a.status,
            a.phase.label if a.phase else a.status,
            a.time_left(self._clock()),
            covered,
            total,
            {t: list(v) for t, v in a.taught.items()},
        )

    def _material(self, running: _Running, team: int, channel: str) -> TeamMaterial:
        cards = [self.cards[c] for c in self.team_concepts[team]]
        checklist = [line.format(title=card.title) for card in cards for line in CHECKLIST[:1]]
        return TeamMaterial(running.server, channel, team, cards, checklist + CHECKLIST[1:])

    def _handle(self, running: _Running, produced: list[ActivityEvent]) -> list[JigsawEvent]:
        covered, total = running.activity.progress()
        events: list[JigsawEvent] = [
            Announcement(running.server, running.channel, e, covered, total) for e in produced
        ]
        for event in produced:
            if isinstance(event, PhaseStarted) and event.phase.name == "quiz":
                events += self._start_quiz(running, event.seconds)
            if isinstance(event, ActivityFinished):
                events += self._finish(running, ActivityStatus(event.status))
        self._save(running)
        return events

    def _class_actor(self, running: _Running) -> Actor:
        return Actor("jigsaw", "the jigsaw", running.server, running.channel, instructor=True)

    def _start_quiz(self, running: _Running, phase_seconds: float) -> list[JigsawEvent]:
        extra = self.quizzes.longest_accommodation(running.server, running.channel)
        plan = self.plan_quiz(phase_seconds, extra)
        try:
            opened = self.quizzes.start(
                self._class_actor(running),
                team=None,
                seconds=plan.seconds_per_question,
                questions=plan.questions,
                announce=False,
            )
            running.quiz_session = opened.session_id
            self._openings.append(opened)
        except QuizError as exc:  # e.g. a quiz someone started by hand is still running
            log.warning("jigsaw quiz not started: %s", exc)
            return []
        return [
            QuizPlan(
                running.server,
                running.channel,
                plan.covered,
                plan.left_out,
                plan.seconds_per_question,
                self.quizzes.gap_seconds,
                plan.extra_time,
                len(plan.questions),
            )
        ]

    def plan_quiz(self, phase_seconds: float, extra_time: float = 1.0) -> _Plan:
        """One quick question per concept, in teaching order, as many as fit the phase with
        their gaps and the last results; the rest are named as left out. A concept that a
        question already chosen tests too is covered by it: no question is asked twice.

        `extra_time` is the longest time accommodation among the players: a question may stay
        open that many times its seconds (until that student has answered), so the plan
        fits the phase even then, with fewer concepts if need be."""
        extra_time = max(1.0, extra_time)
        gap = self.quizzes.gap_seconds
        concepts = [c for t in TEAMS for c in self.team_concepts[t]]
        by_concept: dict[str, list[Question]] = {}
        for q in self.quizzes.bank.questions():
            if q.kind in QUICK_KINDS:
                for c in q.concepts:
                    by_concept.setdefault(c, []).append(q)
        askable = [c for c in concepts if by_concept.get(c)]
        least, most = QUESTION_SECONDS
        usable = max(0.0, phase_seconds - RESULTS_SECONDS)
        count = min(len(askable), int(usable // (least * extra_time + gap)), 20)
        count = max(count, 1) if askable else 0
        chosen: list[Question] = []
        for concept in askable:
            tested = any(concept in q.concepts for q in chosen)
            if not tested and len(chosen) < count:
                chosen.append(next(q for q in by_concept[concept] if q not in chosen))
        # The time is shared by the questions asked (fewer, when some test two concepts).
        per = max(least, min(most, (usable / max(len(chosen), 1) - gap) / extra_time))
        covered = [c for c in concepts if any(c in q.concepts for q in chosen)]
        left_out = [c for c in concepts if c not in covered]
        return _Plan(chosen, covered, left_out, float(int(per)), extra_time)

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

    def _finish(self, running: _Running, status: ActivityStatus) -> list[JigsawEvent]:
        self._running.pop((running.server, running.channel), None)
        if running.quiz_session and self.quizzes.is_running(running.server, running.channel):
            self.quizzes.stop(self._class_actor(running))
        if running.quiz_session is None:
            self.store.write(rows.end, running.id, status, None, None)
            return []
        credits = self.store.run(quiz_rows.answer_credits, running.quiz_session)
        concepts = [c for t in TEAMS for c in self.team_concepts[t]]
        taught = frozenset(c for done in running.activity.taught.values() for c in done)
        grid = mastery_grid(credits, TEAMS, concepts, taught)
        png, alt = self._draw(running.id, grid)
        self.store.write(rows.end, running.id, status, grid.to_dict(), str(png) if png else None)
        return [MasteryReady(running.server, running.channel, running.number, grid, png, alt)]

    def grid(self, actor: Actor, number: int | None = None) -> MasteryReady:
        """The mastery grid of the class's activity #`number` (default: its latest)."""
        row = self.store.run(rows.with_grid, actor.server, number)
        if row is None:
            which = f"#{number}" if number else "in this class"
            raise JigsawError(f"No finished jigsaw activity {which} has a mastery grid.")
        grid = MasteryGrid.from_dict(json.loads(row["mastery"]))
        png = Path(row["mastery_png"]) if row["mastery_png"] else None
        if png is None or not png.exists():
            png, _ = self._draw(row["id"], grid)
        alt = mastery_alt_text(grid, self.titles)
        return MasteryReady(actor.server, actor.channel, row["number"], grid, png, alt)

    @property
    def titles(self) -> dict[str, str]:
        return {c: card.title for c, card in self.cards.items()}

    def _draw(self, activity_id: int, grid: MasteryGrid) -> tuple[Path | None, str]:
        alt = mastery_alt_text(grid, self.titles)
        try:
            path = self.output_dir / f"jigsaw-{activity_id}-mastery.png"
            return path, mastery_png(grid, self.titles, path)
        except Exception:  # the grid is still stored as data and shown as text
            log.exception("could not draw the mastery grid")
            return None, alt

    def _save(self, running: _Running) -> None:
        self.store.write(
            rows.update, running.id, running.activity, running.quiz_session, self._clock()
        )
