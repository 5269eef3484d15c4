"""The Tutor: the application layer's one entry point, wiring the services every frontend
(console, CLI, Discord) calls.

    tutor.ask       questions, the unanswered queue, ingested documents   (bot/app/ask.py)
    tutor.demos     tokenizers, padding, fill-mask, masking, calculators  (bot/app/demos.py)
    tutor.bank      quiz questions: built-in and imported                 (bot/app/bank.py)
    tutor.quizzes   quizzes in channels, timers, leaderboards             (bot/app/quizzes.py)
    tutor.jigsaw    the jigsaw activity                                   (bot/app/jigsaw.py)
    tutor.finetunes fine-tune jobs                                        (bot/app/finetune.py)
    tutor.classes   teams and team channels                               (bot/app/classes.py)
    tutor.backups   database backups                                      (bot/app/backups.py)
    tutor.reviews   spaced review of missed quiz questions, reminders     (bot/app/reviews.py)
    tutor.insights  the class digest, a student's progress, grades        (bot/app/insights.py)
    tutor.privacy   forgetting a person, closing a term                   (bot/app/privacy.py)
    tutor.models    models available offline, downloading the rest        (bot/app/models.py)

Services take an `Actor` (who, in which server and channel) and return typed results, never
chat text and never database rows.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from bot.app.ask import AskService
from bot.app.backups import Backups
from bot.app.bank import QuestionBank
from bot.app.classes import ClassService
from bot.app.demos import DemoService
from bot.app.finetune import FinetuneJobs, InterruptedJob
from bot.app.insights import InsightsService
from bot.app.jigsaw import InterruptedActivity, JigsawManager
from bot.app.models import ModelService
from bot.app.privacy import PrivacyService
from bot.app.quizzes import InterruptedQuiz, QuizManager
from bot.app.resources import Resources
from bot.app.reviews import ReviewService
from bot.app.ticker import Ticker, every
from bot.config import Settings
from bot.store import Store
from knowledge.cards import Card
from knowledge.index import Encoder


@dataclass(frozen=True)
class Recovered:
    """What the last shutdown cut short, found at start-up (`Tutor.recover_interrupted`)."""

    quizzes: list[InterruptedQuiz]
    activities: list[InterruptedActivity]
    jobs: list[InterruptedJob]

    def __bool__(self) -> bool:
        return bool(self.quizzes or self.activities or self.jobs)


class Tutor:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        store: Store | None = None,
        encoder: Encoder | None = None,
        cards: list[Card] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings or Settings()
        self.store = store or Store(self.settings.database_path, backups=self.settings.backups_dir)
        self.res = Resources(self.settings, self.store, encoder=encoder, cards=cards, clock=clock)
        self.ask = AskService(self.res)
        self.demos = DemoService(self.res)
        self.bank = QuestionBank(self.res)
        self.classes = ClassService(self.res)
        self.backups = Backups(self.res)
        self.reviews = ReviewService(self.res, self.bank)
        self.insights = InsightsService(self.res, self.bank)
        self.privacy = PrivacyService(self.res, self.backups)
        self.models = ModelService(self.res)
        self._ticker: Ticker | None = None

    # Managers with timers are made on first use: one-shot commands rarely need them.
    @cached_property
    def quizzes(self) -> QuizManager:
        quizzes = QuizManager(self.res, self.bank, ask=self.ask.ask)
        # Every graded quiz answer moves that student's review card (a miss makes one).
        quizzes.subscribe(self.reviews.on_quiz_event)
        return quizzes

    @cached_property
    def jigsaw(self) -> JigsawManager:
        return JigsawManager(self.res, self.quizzes)

    @cached_property
    def finetunes(self) -> FinetuneJobs:
        return FinetuneJobs(self.res)

    @property
    def cards(self) -> list[Card]:
        return self.res.cards

    @property
    def titles(self) -> dict[str, str]:
        return self.res.titles

    def warm_up(self) -> None:
        """Load models and the index now, so the first question is answered at full speed."""
        self.ask.warm_up()

    def recover_interrupted(self) -> Recovered:
        """Mark what a crash or restart left running as interrupted; returns it for the report.

        Only a long-running frontend (tutor chat, tutor run) calls this, at start-up: a one-shot
        command beside a running bot must not declare that bot's live sessions dead."""
        return Recovered(
            self.quizzes.recover_interrupted(),
            self.jigsaw.recover_interrupted(),
            self.finetunes.recover_interrupted(),
        )

    def start_timers(self) -> None:
        """Run quiz, jigsaw, job and review-reminder timers from one background thread
        (frontends call this). The process takes its lease now and renews it from the same
        thread."""
        self.res.lease.hold()
        if self._ticker is None:
            self._ticker = Ticker(
                [
                    self.quizzes.tick,
                    self.jigsaw.tick,
                    self.finetunes.tick,
                    self.reviews.tick,
                    self.res.lease.heartbeat,
                    every(3600, self.backups.daily),
                ]
            )
        self._ticker.start()

    def stop_timers(self) -> None:
        if self._ticker is not None:
            self._ticker.stop()

    def close(self) -> None:
        self.stop_timers()
        if "finetunes" in self.__dict__:
            self.finetunes.close()
        with contextlib.suppress(Exception):  # a damaged or full database must not block exit
            self.res.lease.release()
        self.store.close()
