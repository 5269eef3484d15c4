"""What every service shares: settings, the store, the clock, and models loaded once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from bot.app.context import Actor
from bot.config import Settings
from bot.store import Store
from bot.store import classes as class_rows
from knowledge.cards import Card, load_cards
from knowledge.index import Encoder
from skills.fill_mask import MaskedLMRegistry
from skills.tokenization import TokenizerRegistry

if TYPE_CHECKING:
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
        self._encoder = encoder
        self._cards = cards
        self._lock = threading.Lock()
        model_dir, offline = settings.model_dir, settings.hub_offline
        self.tokenizers = TokenizerRegistry(model_dir=model_dir, offline=offline)
        self.masked_lms = MaskedLMRegistry(model_dir=model_dir, offline=offline)
        from bot.app.leases import Lease  # (leases need Resources: imported here, not above)

        self.lease = Lease(self, "tutor")

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
    def encoder(self) -> Encoder:
        with self._lock:
            if self._encoder is None:
                from skills.models import load_sentence_encoder

                loaded = load_sentence_encoder(
                    self.settings.embedding_model,
                    model_dir=self.settings.model_dir,
                    offline=self.settings.hub_offline,
                )
                self._encoder = cast(Encoder, loaded)  # SentenceTransformer's overloads fit
            return self._encoder

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
