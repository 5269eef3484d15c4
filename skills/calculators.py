"""Small exact calculators from the course handouts."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from skills.errors import TutorError


class CalculatorError(TutorError):
    """Arguments a calculator cannot use; the message says what is allowed."""


def softmax(logits: list[float], temperature: float = 1.0) -> list[float]:
    """exp(z_i / T) / sum_j exp(z_j / T), computed stably (the max is subtracted first)."""
    if not logits:
        raise CalculatorError("Give at least one logit.")
    if not all(math.isfinite(z) for z in logits):
        raise CalculatorError("Logits must be finite numbers.")
    if not temperature > 0 or not math.isfinite(temperature):
        raise CalculatorError("Temperature must be a positive number.")
    scaled = [z / temperature for z in logits]
    top = max(scaled)
    exps = [math.exp(z - top) for z in scaled]
    total = sum(exps)
    return [e / total for e in exps]


def steps_per_epoch(examples: int, batch_size: int, *, drop_last: bool = False) -> int:
    """Optimizer steps in one epoch: ceil(examples / batch), or floor with drop_last."""
    if examples < 0 or batch_size < 1:
        raise CalculatorError("Examples must be >= 0 and batch size >= 1.")
    return examples // batch_size if drop_last else math.ceil(examples / batch_size)


@dataclass(frozen=True)
class LoraCount:
    rows: int
    cols: int
    rank: int
    lora_params: int  # r x (rows + cols): B is rows x r, A is r x cols
    full_params: int  # rows x cols
    share_of_matrix: float  # lora / full
    share_of_model: float | None  # lora / model_params, when a model size is given

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def lora_parameters(
    rows: int, cols: int, rank: int, *, matrices: int = 1, model_params: int | None = None
) -> LoraCount:
    """Trainable LoRA parameters for `matrices` weight matrices of shape rows x cols."""
    if min(rows, cols, rank, matrices) < 1:
        raise CalculatorError("Shape, rank and matrix count must be positive.")
    if rank > min(rows, cols):
        raise CalculatorError(f"Rank {rank} is larger than the matrix allows ({min(rows, cols)}).")
    lora = rank * (rows + cols) * matrices
    full = rows * cols * matrices
    share_model = lora / model_params if model_params else None
    return LoraCount(rows, cols, rank, lora, full, lora / full, share_model)


@dataclass(frozen=True)
class BertConfig:
    name: str
    layers: int
    hidden: int
    heads: int
    intermediate: int
    vocab: int = 30522
    max_positions: int = 512
    type_vocab: int = 2


BERT_CONFIGS = {
    "bert-base": BertConfig("bert-base", layers=12, hidden=768, heads=12, intermediate=3072),
    "bert-large": BertConfig("bert-large", layers=24, hidden=1024, heads=16, intermediate=4096),
}


@dataclass(frozen=True)
class BertCount:
    config: BertConfig
    embeddings: int
    per_layer: int
    encoder: int
    pooler: int
    total: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def bert_parameters(config: BertConfig) -> BertCount:
    """Exact parameter count of a BertModel (with pooler), from its configuration."""
    h, i = config.hidden, config.intermediate
    embeddings = (
        config.vocab + config.max_positions + config.type_vocab
    ) * h + 2 * h  # + LayerNorm
    attention = 4 * (h * h + h) + 2 * h  # Q, K, V, output projections + LayerNorm
    feed_forward = (h * i + i) + (i * h + h) + 2 * h  # up, down + LayerNorm
    per_layer = attention + feed_forward
    encoder = per_layer * config.layers
    pooler = h * h + h
    return BertCount(config, embeddings, per_layer, encoder, pooler, embeddings + encoder + pooler)
