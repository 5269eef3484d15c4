"""What every service shares: settings, the store, the clock, and models loaded once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from bot.app.context import Actor
from bot.app.leases import Lease
from bot.app.model_threads import limit_model_threads
from bot.config import Settings
from bot.store import Store
from bot.store import classes as class_rows
from knowledge.cards import Card, load_cards
from knowledge.encoder_tuning import TunedEncoder
from knowledge.index import Encoder, Fusion
from skills.fill_mask import MaskedLMRegistry
from skills.tokenization import TokenizerRegistry

if TYPE_CHECKING:
    from knowledge.question_classifier import QuestionClassifier
    from skills.inside import InsideModel


class Resources:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        encoder: Encoder | None = None,
        cards: list[Card] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        limit_model_threads(settings.model_threads)
        self._embedding = (
            TunedEncoder(encoder, settings.embedding_model) if encoder is not None else None
        )
        self._cards = cards
        self._classifier: QuestionClassifier | None = None
        self._classifier_loaded = False
        self._lock = threading.Lock()
        model_dir, offline = settings.models_path, settings.hub_offline
        self.tokenizers = TokenizerRegistry(model_dir=model_dir, offline=offline)
        self.masked_lms = MaskedLMRegistry(model_dir=model_dir, offline=offline)
        self.lease = Lease(store, settings, "tutor")

    @property
    def cards(self) -> list[Card]:
        if self._cards is None:
            self._cards = load_cards()
        return self._cards

    def card(self, concept_id: str) -> Card | None:
        return next((c for c in self.cards if c.id == concept_id), None)

    @property
    def titles(self) -> dict[str, str]:
        return {c.id: c.title for c in self.cards}

    @property
    def embedding(self) -> TunedEncoder:
        """The embedding model (with the course adapter when the settings ask for it), the
        name its vectors are stored under, and the fusion weights fitted for it."""
        with self._lock:
            if self._embedding is None:
                from knowledge.encoder_tuning import load_encoder

                self._embedding = load_encoder(
                    self.settings.embedding_model,
                    self.settings.embedding_adapter,
                    model_dir=self.settings.models_path,
                    offline=self.settings.hub_offline,
                )
            return self._embedding

    @property
    def encoder(self) -> Encoder:
        return cast(Encoder, self.embedding.encoder)  # SentenceTransformer's overloads fit

    @property
    def embedding_key(self) -> str:
        """The name stored vectors are kept under: the model, and the adapter's hash."""
        return self.embedding.key

    @property
    def fusion(self) -> Fusion | None:
        return self.embedding.fusion

    @property
    def classifier(self) -> QuestionClassifier | None:
        """The question classifier fitted for this embedding model (None for another one, such
        as the course adapter, or when its file is missing or damaged: retrieval alone)."""
        key = self.embedding_key  # (takes the lock itself)
        with self._lock:
            if not self._classifier_loaded:
                from knowledge.encoder_tuning import BASE_MODEL
                from knowledge.question_classifier import load_classifier
                from skills.models import MINILM_IDS

                # the packaged model's short name gives the same vectors
                self._classifier = load_classifier(BASE_MODEL if key in MINILM_IDS else key)
                self._classifier_loaded = True
            return self._classifier

    @property
    def inside(self) -> InsideModel:
        """The packaged MiniLM with attention weights, for the look-inside demos (loaded once
        per process, on first use: importing transformers' model code takes a few seconds)."""
        from skills.inside import load_inside_model

        return load_inside_model()

    def remember(self, actor: Actor) -> None:
        """Keep the actor's display name current, so every view shows names, never ids."""
        self.store.write(class_rows.remember_person, actor.user, actor.name)

    def names(self, person_ids: list[str]) -> dict[str, str]:
        """Display names by id; an id nobody has named yet shows as "someone"."""
        known = self.store.run(class_rows.names, sorted(set(person_ids)))
        return {pid: known.get(pid, "someone") for pid in person_ids}
