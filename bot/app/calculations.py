"""One text syntax for the handout calculators, shared by the console, the CLI and Discord:

softmax 2.5 1.0 0.5 1.5 [T=0.5]       steps 1000 10 [drop_last]
lora 768 768 16 [matrices=24] [model=110M]    bert base|large
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from typing import Any

from skills.calculators import (
    BERT_CONFIGS,
    CalculatorError,
    bert_parameters,
    lora_parameters,
    softmax,
    steps_per_epoch,
)

USAGE = (
    "Calculators: softmax LOGITS... [T=temperature] | steps EXAMPLES BATCH [drop_last] | "
    "lora ROWS COLS RANK [matrices=N] [model=PARAMS] | bert base|large"
)
_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9}
# Far beyond any real model or dataset, and small enough that integer arithmetic stays exact.
MAX_MAGNITUDE = 1e15


@dataclass(frozen=True)
class Calculation:
    kind: str
    summary: str  # one line a person reads
    lines: list[str]  # the working, step by step
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _number(text: str) -> float:
    match = re.fullmatch(r"([-+]?[\d.]+(?:e[-+]?\d+)?)([kmb]?)", text.strip().lower())
    if not match:
        raise CalculatorError(f"'{text}' is not a number.")
    try:
        value = float(match[1]) * _SUFFIX.get(match[2], 1)
    except ValueError as exc:
        raise CalculatorError(f"'{text}' is not a number.") from exc
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise CalculatorError(f"'{text}' is too large: keep numbers under {MAX_MAGNITUDE:.0e}.")
    return value


def _integer(text: str) -> int:
    value = _number(text)
    if value != int(value):
        raise CalculatorError(f"'{text}' must be a whole number.")
    return int(value)


def calculate(text: str) -> Calculation:
    words = text.replace(",", " ").split()
    if not words:
        raise CalculatorError(USAGE)
    kind, args = words[0].lower(), words[1:]
    options = dict(a.lower().split("=", 1) for a in args if "=" in a)
    plain = [a for a in args if "=" not in a]
    if kind == "softmax":
        return _softmax(plain, options)
    if kind == "steps":
        return _steps(plain)
    if kind == "lora":
        return _lora(plain, options)
    if kind == "bert":
        return _bert(plain)
    raise CalculatorError(USAGE)


def _softmax(plain: list[str], options: dict[str, str]) -> Calculation:
    if len(plain) > 1000:
        raise CalculatorError("At most 1,000 logits.")
    logits = [_number(x) for x in plain]
    temperature = _number(options.get("t", options.get("temperature", "1")))
    probs = softmax(logits, temperature)
    lines = [
        f"p{i + 1} = exp({z:g}/{temperature:g}) / Σ = {p:.4f}"
        for i, (z, p) in enumerate(zip(logits, probs, strict=True))
    ]
    summary = "softmax = [" + ", ".join(f"{p:.4f}" for p in probs) + f"] at T={temperature:g}"
    return Calculation(
        "softmax",
        summary,
        lines,
        {"logits": logits, "temperature": temperature, "probabilities": probs},
    )


def _steps(plain: list[str]) -> Calculation:
    if len(plain) != 2:
        raise CalculatorError("Usage: steps EXAMPLES BATCH_SIZE")
    examples, batch = _integer(plain[0]), _integer(plain[1])
    steps = steps_per_epoch(examples, batch)
    lines = [f"steps per epoch = ceil({examples} / {batch}) = {steps}"]
    return Calculation(
        "steps",
        f"{steps} steps per epoch",
        lines,
        {"examples": examples, "batch_size": batch, "steps_per_epoch": steps},
    )


def _lora(plain: list[str], options: dict[str, str]) -> Calculation:
    if len(plain) != 3:
        raise CalculatorError("Usage: lora ROWS COLS RANK [matrices=N] [model=PARAMS]")
    rows, cols, rank = (_integer(x) for x in plain)
    matrices = _integer(options.get("matrices", "1"))
    model = _integer(options["model"]) if "model" in options else None
    count = lora_parameters(rows, cols, rank, matrices=matrices, model_params=model)
    lines = [
        f"B is {rows}x{rank}, A is {rank}x{cols}: "
        f"{rank} x ({rows} + {cols}) = {rank * (rows + cols):,} per matrix",
        f"full matrix: {rows} x {cols} = {rows * cols:,} per matrix",
        f"share of the matrix: {count.share_of_matrix:.2%}",
    ]
    if matrices > 1:
        lines.insert(2, f"x {matrices} matrices = {count.lora_params:,} trainable")
    if count.share_of_model is not None:
        lines.append(f"share of a {model:,}-parameter model: {count.share_of_model:.4%}")
    return Calculation(
        "lora", f"{count.lora_params:,} trainable LoRA parameters", lines, count.to_json()
    )


def _bert(plain: list[str]) -> Calculation:
    name = f"bert-{plain[0].lower().removeprefix('bert-')}" if plain else ""
    if name not in BERT_CONFIGS:
        raise CalculatorError("Usage: bert base|large")
    count = bert_parameters(BERT_CONFIGS[name])
    c = count.config
    lines = [
        f"{c.layers} layers, hidden {c.hidden}, {c.heads} heads, "
        f"feed-forward {c.intermediate}, vocabulary {c.vocab:,}",
        f"embeddings: ({c.vocab:,} + {c.max_positions} + {c.type_vocab}) x {c.hidden} "
        f"+ LayerNorm = {count.embeddings:,}",
        f"per layer: attention 4 x ({c.hidden}² + {c.hidden}) + FFN 2 x {c.hidden} x "
        f"{c.intermediate} + biases + 2 LayerNorms = {count.per_layer:,}",
        f"{c.layers} layers = {count.encoder:,}; pooler = {count.pooler:,}",
    ]
    return Calculation(
        "bert",
        f"{name}: {count.total:,} parameters ({count.total / 1e6:.1f}M)",
        lines,
        count.to_json(),
    )
