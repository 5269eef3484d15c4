"""Fill-mask demos: top-k predictions per blank from a real masked-LM, and BERT's 80/10/10
masking rule applied with a real tokenizer.

Models load from a local folder or by allow-listed hub id at a pinned revision, safetensors
only, never with remote code. Loading happens once per model per process.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tokenizers import Tokenizer

from skills.errors import TutorError
from skills.models import (
    HUB_MODELS,
    ModelUnavailable,
    local_model_names,
    named_only,
    resolve_model,
)

BLANK = re.compile(r"\[MASK\]|<mask>|_{3,}", re.IGNORECASE)
MAX_TOP_K = 50
MAX_TARGETS = 10


class FillMaskError(TutorError):
    """Input the fill-mask demo cannot use; the message says what to change."""


@dataclass(frozen=True)
class Prediction:
    token: str
    score: float


@dataclass(frozen=True)
class Blank:
    position: int  # index of the blank's token in the model input
    predictions: list[Prediction]
    targets: list[Prediction] = field(default_factory=list)


@dataclass(frozen=True)
class FillMaskResult:
    text: str
    model: str
    blanks: list[Blank]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def count_blanks(text: str) -> int:
    return len(BLANK.findall(text))


def with_mask_token(text: str, mask_token: str) -> str:
    """Write every accepted blank spelling as the model's own mask token."""
    return BLANK.sub(mask_token, text)


class MaskedLM:
    """A loaded masked-LM with its tokenizer."""

    def __init__(self, name: str, model: Any, tokenizer: Any) -> None:
        self.name = name
        self.model = model
        self.tokenizer = tokenizer
        limit = getattr(tokenizer, "model_max_length", 512)
        config_limit = getattr(model.config, "max_position_embeddings", 512)
        self.max_length = min(limit if limit < 1_000_000 else config_limit, config_limit)

    def predict(
        self, text: str, top_k: int = 5, targets: list[str] | None = None
    ) -> FillMaskResult:
        import torch

        if not 1 <= top_k <= MAX_TOP_K:
            raise FillMaskError(f"top-k must be between 1 and {MAX_TOP_K}.")
        if count_blanks(text) == 0:
            raise FillMaskError("Put a blank in the sentence: [MASK], <mask> or ___.")
        targets = [t.strip() for t in (targets or []) if t.strip()][:MAX_TARGETS]
        mask_token = self.tokenizer.mask_token
        ids = self.tokenizer(with_mask_token(text, mask_token))["input_ids"]
        ids, notes = self._fit(ids)
        mask_id = self.tokenizer.mask_token_id
        positions = [i for i, token_id in enumerate(ids) if token_id == mask_id]
        with torch.inference_mode():
            logits = self.model(input_ids=torch.tensor([ids])).logits[0]
        target_ids, target_notes = self._target_ids(targets)
        notes += target_notes
        blanks = []
        for position in positions:
            probs = logits[position].float().softmax(-1)
            top = probs.topk(top_k)
            blanks.append(
                Blank(
                    position=position,
                    predictions=[
                        Prediction(self._show(i), round(float(p), 6))
                        for p, i in zip(top.values.tolist(), top.indices.tolist(), strict=True)
                    ],
                    targets=[Prediction(word, round(float(probs[i]), 6)) for word, i in target_ids],
                )
            )
        return FillMaskResult(text=text, model=self.name, blanks=blanks, notes=notes)

    def _fit(self, ids: list[int]) -> tuple[list[int], list[str]]:
        """Cut input longer than the model's limit to a window around the blanks."""
        if len(ids) <= self.max_length:
            return ids, []
        mask_id = self.tokenizer.mask_token_id
        masks = [i for i, t in enumerate(ids) if t == mask_id]
        first, last = masks[0], masks[-1]
        body = ids[1:-1]  # keep the special tokens at both ends
        room = self.max_length - 2
        centre = (first + last) // 2 - 1
        start = max(0, min(centre - room // 2, len(body) - room))
        window = [ids[0], *body[start : start + room], ids[-1]]
        kept = sum(1 for t in window if t == mask_id)
        note = (
            f"The text was {len(ids)} tokens, longer than {self.name}'s limit of "
            f"{self.max_length}; it was cut to the {self.max_length} tokens around the blank."
        )
        if kept < sum(1 for t in ids if t == mask_id):
            note += " Blanks outside that window were dropped."
        return window, [note]

    def _target_ids(self, targets: list[str]) -> tuple[list[tuple[str, int]], list[str]]:
        found, notes = [], []
        for word in targets:
            pieces = self.tokenizer.tokenize(word)
            if len(pieces) != 1:
                notes.append(
                    f"'{word}' is {len(pieces)} tokens for this model ({' '.join(pieces)}), "
                    "so it cannot fill a single blank; it was skipped."
                )
                continue
            found.append((word, self.tokenizer.convert_tokens_to_ids(pieces[0])))
        return found, notes

    def _show(self, token_id: int) -> str:
        return self.tokenizer.decode([token_id]).strip() or self.tokenizer.convert_ids_to_tokens(
            token_id
        )


class MaskedLMRegistry:
    def __init__(self, *, model_dir: Path | None = None, offline: bool = False) -> None:
        self.model_dir = model_dir
        self.offline = offline
        self._models: dict[str, MaskedLM] = {}
        self._lock = threading.Lock()

    def available(self) -> list[str]:
        """Masked-LMs by name: the allow-listed hub ids and models saved under the model
        folder."""
        hub = [m.id for m in HUB_MODELS.values() if m.kind == "fill-mask"]
        return sorted(set(hub) | set(local_model_names(self.model_dir)))

    def named(self, name: str) -> str:
        """`name` if it is one of `available()`; never a path (for chat users)."""
        return named_only(name, self.available(), "model")

    def get(self, name: str) -> MaskedLM:
        with self._lock:
            if name not in self._models:
                self._models[name] = self._load(name)
            return self._models[name]

    def _load(self, name: str) -> MaskedLM:
        from transformers import AutoModelForMaskedLM, AutoTokenizer

        source = resolve_model(name, model_dir=self.model_dir, offline=self.offline)
        kwargs = source.load_kwargs()
        try:
            tokenizer = AutoTokenizer.from_pretrained(**kwargs, trust_remote_code=False)
            model = AutoModelForMaskedLM.from_pretrained(
                **kwargs, use_safetensors=True, trust_remote_code=False
            )
        except (OSError, ValueError) as exc:
            where = source.path or name
            raise ModelUnavailable(
                f"Could not load a masked-LM from {where}: {exc}. A fill-mask model needs "
                "config.json, model.safetensors and its tokenizer files."
            ) from exc
        if tokenizer.mask_token is None:
            raise ModelUnavailable(f"{name} has no mask token: it is not a masked-LM.")
        model.eval()
        return MaskedLM(name, model, tokenizer)


# --- BERT's masking rule, shown with a real tokenizer ------------------------------------


@dataclass(frozen=True)
class MaskedPosition:
    position: int
    original: str
    action: str  # "mask" (80%), "random" (10%) or "keep" (10%)
    shown: str  # what the model sees at this position


@dataclass(frozen=True)
class MaskingDemo:
    text: str
    seed: int
    tokens: list[str]  # the tokenized sentence
    model_input: list[str]  # what the model sees after masking
    labels: list[str | None]  # what it must predict (None = position not scored)
    picked: list[MaskedPosition]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _random_token(tokenizer: Tokenizer, rng: random.Random, specials: set[str]) -> str:
    """Any ordinary vocabulary entry, uniformly: drawn by id, so the 30,000-entry vocabulary
    is never listed (that took 70 ms a call)."""
    size = tokenizer.get_vocab_size()
    while True:
        token = tokenizer.id_to_token(rng.randrange(size))
        if token and token not in specials and not token.startswith("["):
            return token


def masking_demo(
    tokenizer: Tokenizer, text: str, *, seed: int = 0, rate: float = 0.15
) -> MaskingDemo:
    """Pick `rate` of the (non-special) tokens and apply the 80/10/10 rule, reproducibly."""
    encoding = tokenizer.encode(text)
    tokens = list(encoding.tokens)
    candidates = [i for i, s in enumerate(encoding.special_tokens_mask) if not s]
    if not candidates:
        raise FillMaskError("There is no token to mask in that text.")
    rng = random.Random(seed)
    count = max(1, round(rate * len(candidates)))
    chosen = sorted(rng.sample(candidates, count))
    mask = "[MASK]" if tokenizer.token_to_id("[MASK]") is not None else "<mask>"
    specials = {tokens[i] for i, s in enumerate(encoding.special_tokens_mask) if s} | {mask}
    model_input = list(tokens)
    labels: list[str | None] = [None] * len(tokens)
    picked = []
    for i in chosen:
        roll = rng.random()
        if roll < 0.8:
            action, shown = "mask", mask
        elif roll < 0.9:
            action, shown = "random", _random_token(tokenizer, rng, specials)
        else:
            action, shown = "keep", tokens[i]
        model_input[i] = shown
        labels[i] = tokens[i]
        picked.append(MaskedPosition(i, tokens[i], action, shown))
    return MaskingDemo(text, seed, tokens, model_input, labels, picked)
