"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.app.context import Actor
from bot.store import CONSOLE_SERVER


class FakeClock:
    """A clock tests move by hand (`clock.now += 31`)."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def who(
    user: str = "local",
    channel: str = "class",
    *,
    server: str = CONSOLE_SERVER,
    instructor: bool = False,
    name: str = "",
) -> Actor:
    """An actor for tests: `who("ana")` is ana in #class of the console's server."""
    return Actor(user, name or user, server, channel, instructor)


def wait_for(condition: Callable[[], object], timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def tiny_bert_config(vocab_size: int):
    """A 2-layer, hidden-64 BERT: fast on CPU, real vocabulary."""
    from transformers import BertConfig

    return BertConfig(
        vocab_size=vocab_size,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        max_position_embeddings=64,
    )


def right_answer(opened, tutor) -> str:
    """The answer that earns full credit for an opened quiz question."""
    q = opened.question
    if q.kind == "choice":
        return "ABCDE"[q.answer]
    if q.kind == "numeric":
        return str(q.answer)
    if q.kind == "live":
        return str(tutor.bank.live_key(q))
    return q.reference
