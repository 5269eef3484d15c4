"""peft 0.21 reads `model.is_gradient_checkpointing` when it wraps a model, which transformers 5
deprecates with a FutureWarning ("use is_activation_checkpointing"): printed to a student on every
`/finetune try` and in every training log, about nothing they did. Silenced here, only for that
message and only around peft's own wrapping; drop this once peft reads the new attribute."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def peft_wrapping() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r".*is_gradient_checkpointing.*", category=FutureWarning
        )
        yield
