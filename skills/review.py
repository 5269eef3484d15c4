"""Spaced review of missed quiz questions: how a graded answer becomes an FSRS rating, how a
student's review card changes, and which day "today" is in the class's time zone.

Pure rules: every function takes `now` (epoch seconds) as an argument and reads no clock.

- A graded answer's credit and answer time map to FSRS ratings: wrong -> Again, partial ->
  Hard, correct -> Good, correct and quick -> Easy (`rating_for`).
- A question gets a card only once the student misses it (anything short of full credit), or
  when they ask for it (`asked_card`); after that, every graded answer reviews the card.
- Scheduling is by the class's local days, like Anki: no minute-long learning steps, so a
  missed question is due the next day (even one that had been spaced weeks out), and a question
  is served any time on the day it falls due. Fuzzing is off: the same answers, the same schedule.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from fsrs import Card, Rating, Scheduler

# A correct answer this quick (seconds, by question kind) was easy: FSRS spaces it further.
QUICK_SECONDS: dict[str, float] = {"choice": 10.0, "numeric": 20.0, "live": 20.0, "free": 40.0}
WEEK_DAYS = 7


class Result(IntEnum):
    """The grader's verdict in the words the student sees."""

    WRONG = 0
    PARTIAL = 1
    CORRECT = 2

    @classmethod
    def of(cls, credit: float) -> Result:
        if credit >= 1.0:
            return cls.CORRECT
        return cls.PARTIAL if credit > 0 else cls.WRONG


def is_miss(credit: float) -> bool:
    """Anything short of full credit is a miss: the question earns (or keeps) a card."""
    return Result.of(credit) is not Result.CORRECT


def rating_for(credit: float, seconds: float | None, kind: str) -> Rating:
    """The FSRS rating of one graded answer; `seconds` is the answer time, if known."""
    result = Result.of(credit)
    if result is Result.WRONG:
        return Rating.Again
    if result is Result.PARTIAL:
        return Rating.Hard
    quick = QUICK_SECONDS.get(kind, QUICK_SECONDS["free"])
    return Rating.Easy if seconds is not None and 0 <= seconds <= quick else Rating.Good


def scheduler() -> Scheduler:
    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


_SCHEDULER = scheduler()


def _when(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


@dataclass(frozen=True)
class ReviewCard:
    """One student's card for one question: FSRS's state plus what the student sees."""

    question_id: str
    fsrs: dict[str, Any]  # fsrs.Card.to_dict()
    due: float  # epoch seconds
    reviews: int = 0  # graded answers since the card was made (quiz and review)
    misses: int = 0
    last_rating: int | None = None
    origin: str = "quiz"  # "quiz": made by a miss; "asked": the student asked for it

    @property
    def stability(self) -> float | None:
        value = self.fsrs.get("stability")
        return float(value) if value is not None else None


def _card_id(question_id: str) -> int:
    return zlib.crc32(question_id.encode()) + 1


def asked_card(question_id: str, now: float) -> ReviewCard:
    """A card the student asked for: new, and due at once."""
    card = Card(card_id=_card_id(question_id), due=_when(now))
    return ReviewCard(question_id, dict(card.to_dict()), now, origin="asked")


def review(
    card: ReviewCard | None,
    question_id: str,
    rating: Rating,
    now: float,
    *,
    tz: str = "UTC",
    seconds: float | None = None,
) -> ReviewCard | None:
    """The card after one graded answer at `now`. Without a card, only a miss makes one: a
    question the student got right the first time is not scheduled.

    FSRS counts whole days between reviews, so a question reviewed at 9:00 that was missed at
    10:00 the day before would count as reviewed the same day. Like Anki, reviews are therefore
    dated by the class's local day (its midnight), and a card falls due at the start of a day."""
    if card is None:
        if rating not in (Rating.Again, Rating.Hard):
            return None
        card = replace(asked_card(question_id, now), origin="quiz")
    day = start_of_day(now, tz)
    duration = round(seconds * 1000) if seconds is not None and seconds >= 0 else None
    updated, _ = _SCHEDULER.review_card(
        Card.from_dict(card.fsrs),  # type: ignore[arg-type]  # our stored to_dict() output
        rating,
        review_datetime=day,
        review_duration=duration,
    )
    if rating == Rating.Again:  # forgotten: back tomorrow, however long the last interval was
        updated.due = min(updated.due, _next_day(day, tz))
    return replace(
        card,
        fsrs=dict(updated.to_dict()),
        due=updated.due.timestamp(),
        reviews=card.reviews + 1,
        misses=card.misses + (rating in (Rating.Again, Rating.Hard)),
        last_rating=int(rating),
    )


# --- days in the class's time zone ------------------------------------------------------------


def zone(name: str) -> ZoneInfo:
    """The class's time zone; a wrong name is a ValueError that says what to write."""
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(
            f"unknown time zone {name!r}: use an IANA name such as Europe/Paris"
        ) from exc


def local_time(now: float, tz: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(now, zone(tz))


def local_date(now: float, tz: str) -> str:
    """Today's date in the class's time zone (ISO), the unit of the once-a-day rules."""
    return local_time(now, tz).date().isoformat()


def start_of_day(now: float, tz: str) -> dt.datetime:
    """The local midnight that starts `now`'s day, as a UTC datetime."""
    local = local_time(now, tz)
    return dt.datetime.combine(local.date(), dt.time(), local.tzinfo).astimezone(dt.UTC)


def _next_day(day: dt.datetime, tz: str, days: int = 1) -> dt.datetime:
    # Calendar days, so a daylight-saving change cannot shift midnight.
    local = day.astimezone(zone(tz))
    following = local.date() + dt.timedelta(days=days)
    return dt.datetime.combine(following, dt.time(), local.tzinfo).astimezone(dt.UTC)


@dataclass(frozen=True)
class Horizon:
    """The ends (epoch seconds) of today and of the coming week, in the class's time zone."""

    today: str  # local ISO date
    end_of_today: float
    end_of_week: float  # the end of the sixth day after today


def horizon(now: float, tz: str) -> Horizon:
    day = start_of_day(now, tz)
    return Horizon(
        local_date(now, tz),
        _next_day(day, tz).timestamp(),
        _next_day(day, tz, WEEK_DAYS).timestamp(),
    )


def reminder_allowed(now: float, tz: str, hour: int, last_reminded_on: str | None) -> bool:
    """At most one reminder per local day, and not before `hour` o'clock."""
    local = local_time(now, tz)
    today = local.date().isoformat()
    return local.hour >= hour and (last_reminded_on is None or last_reminded_on < today)
