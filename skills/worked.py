"""A question that gives its own numbers gets its own result, worked out.

"How many steps per epoch for 4000 examples at batch 64?" is answered with 63, not with the
card's example of 1,000 and 10. Each rule below recognises one calculation by its words and
takes the numbers it needs from the question ("2.5k", "1,000", "10%", "r=8", "1024x1024"); a
question that lacks one of them is left to the card. The arithmetic is skills/calculators.py's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from skills.calculators import (
    BERT_CONFIGS,
    CalculatorError,
    bert_parameters,
    lora_parameters,
    softmax,
    steps_per_epoch,
)

_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9}
_NUMBER = r"(\d[\d,]*(?:\.\d+)?|\.\d+)\s*([kmb](?![a-z]))?"
LIMIT = 1e12  # beyond any course-sized question: left to the card


@dataclass(frozen=True)
class Worked:
    concept: str  # the card that explains the calculation
    result: str  # one line, with the student's own numbers
    working: list[str]


def number(text: str) -> float | None:
    """ "2.5k" -> 2500, "1,000" -> 1000, "10%" is read by the callers; None if not a number."""
    match = re.fullmatch(_NUMBER, text.strip().lower())
    if not match:
        return None
    value = float(match[1].replace(",", "")) * _SUFFIX.get(match[2] or "", 1)
    return value if math.isfinite(value) and value <= LIMIT else None


def _find(pattern: str, text: str) -> float | None:
    """The number captured as group 'n' by `pattern` (where {n} marks it), or None."""
    match = re.search(pattern.replace("{n}", f"(?P<n>{_NUMBER})"), text)
    return number(match["n"]) if match else None


def _whole(value: float | None) -> int | None:
    return int(value) if value is not None and value == int(value) and value > 0 else None


def _examples(text: str) -> int | None:
    nouns = r"(?:training )?(?:examples?|samples?|sentences?|rows?|data ?points?|reviews?|items?)"
    return _whole(_find(r"{n}\s*" + nouns, text) or _find(r"(?:dataset|data set) of\s*{n}", text))


def _batch(text: str) -> int | None:
    return _whole(
        _find(r"batch(?:[ _-]?size)?\s*(?:of|=|is|:)?\s*{n}", text)
        or _find(r"\bbs\s*(?:=|:|of)?\s*{n}", text)
        or _find(r"{n}\s*(?:per batch|examples? per (?:batch|step))", text)
    )


def _epochs(text: str) -> int | None:
    return _whole(_find(r"{n}\s*epochs?", text) or _find(r"epochs?\s*(?:=|:|of)?\s*{n}", text))


def _accumulation(text: str) -> int | None:
    return _whole(
        _find(r"{n}\s*(?:gradient )?accumulation(?: steps)?", text)
        or _find(r"accumulat\w*(?: steps)?\s*(?:of|=|:|over|for)?\s*{n}", text)
        or _find(r"accumulat\w* (?:the )?gradients? (?:over|for|of) {n}", text)
    )


def _steps(text: str) -> Worked | None:
    if not re.search(r"step|iteration|update", text):
        return None
    examples, batch = _examples(text), _batch(text)
    if examples is None or batch is None or "warmup" in text or "warm-up" in text:
        return None
    per_epoch = steps_per_epoch(examples, batch)
    working = [f"steps per epoch = ceil({examples:,} / {batch}) = {per_epoch:,}"]
    result = f"{per_epoch:,} steps per epoch"
    epochs = _epochs(text)
    if epochs:
        working.append(f"{epochs} epochs x {per_epoch:,} = {epochs * per_epoch:,} steps")
        result += f", {epochs * per_epoch:,} steps in {epochs} epochs"
    accumulation = _accumulation(text)
    if accumulation and accumulation > 1:
        updates = math.ceil(per_epoch / accumulation)
        working.append(
            f"with {accumulation} accumulation steps: ceil({per_epoch:,} / {accumulation}) "
            f"= {updates:,} optimizer updates per epoch"
        )
        result += f" ({updates:,} optimizer updates per epoch)"
        # the updates are what accumulation changes: its card explains them
        return Worked("gradient-accumulation", result, working)
    return Worked("epochs-batches-steps", result, working)


def _accumulation_needed(text: str) -> Worked | None:
    """ "An effective batch of 64, but only 16 fit": how many accumulation steps."""
    target = _whole(_find(r"effective batch(?:[ _-]?size)?\s*(?:of|=|is|:)?\s*{n}", text))
    fits = _whole(
        _find(r"(?:only )?{n}\s*(?:examples?|samples?|sequences?)?\s*fits?\b", text)
        or _find(
            r"(?:per[ -]device|per[ -]gpu|micro)[ _-]?batch(?:[ _-]?size)?\s*(?:of|=|is|:)?\s*{n}",
            text,
        )
    )
    if target is None or fits is None or fits >= target:
        return None
    steps = math.ceil(target / fits)
    working = [f"accumulation steps = ceil({target:,} / {fits:,}) = {steps}"]
    if steps * fits != target:
        working.append(
            f"(an effective batch of {steps * fits:,}, the nearest at or above {target:,})"
        )
    return Worked("gradient-accumulation", f"{steps} accumulation steps", working)


def _effective_batch(text: str) -> Worked | None:
    if "accumulat" not in text:
        return None
    batch, accumulation = _batch(text), _accumulation(text)
    if batch is None or accumulation is None or (batch == accumulation and "x" not in text):
        return None
    gpus = _whole(_find(r"{n}\s*(?:gpus?|devices?)", text)) or 1
    effective = batch * accumulation * gpus
    per = f" x {gpus} GPUs" if gpus > 1 else ""
    working = [f"effective batch = {batch} per step x {accumulation} accumulation steps{per}"]
    working.append(f"= {effective:,} examples per optimizer update")
    return Worked("gradient-accumulation", f"an effective batch of {effective:,}", working)


def _warmup(text: str) -> Worked | None:
    if "warmup" not in text and "warm-up" not in text and "warm up" not in text:
        return None
    share = _find(r"{n}\s*%", text)
    ratio = (
        share / 100
        if share is not None
        else _find(r"(?:ratio|warmup_ratio)\s*(?:=|of)?\s*{n}", text)
    )
    total = _whole(
        _find(r"{n}\s*(?:total |training )?(?:steps|iterations|updates)", text)
        or _find(r"(?:steps|iterations|updates)\s*(?:=|:|of|is|are|equals?)\s*{n}", text)
    )
    if ratio is None or not 0 < ratio < 1 or total is None:
        return None
    warmup = round(total * ratio)
    working = [f"warmup steps = {total:,} x {ratio:g} = {warmup:,}"]
    working.append(f"the learning rate rises from 0 to its peak over steps 1-{warmup:,}")
    return Worked("learning-rate-and-warmup", f"{warmup:,} warmup steps", working)


def _lora(text: str) -> Worked | None:
    if "lora" not in text and "rank" not in text and "r=" not in text.replace(" ", ""):
        return None
    shape = re.search(r"(\d[\d,]*)\s*(?:x|×|\*|by)\s*(\d[\d,]*)", text) or re.search(
        r"\bd\s*=\s*(\d[\d,]*)\W+(?:and\s+)?k\s*=\s*(\d[\d,]*)", text
    )
    rank = _whole(_find(r"\br\s*=?\s*{n}", text) or _find(r"rank[\s-]*(?:of|=|r)?\s*{n}", text)
                  or _find(r"{n}\s*rank", text))  # fmt: skip
    if shape is None or rank is None:
        return None
    rows, cols = _whole(number(shape[1])), _whole(number(shape[2]))
    if rows is None or cols is None:
        return None
    # "24 matrices", never the "1024 matrix" of "a 1024x1024 matrix"
    matrices = _whole(_find(r"(?<![x×*\d,])\s{n}\s*(?:weight )?matrices", " " + text)) or 1
    try:
        count = lora_parameters(rows, cols, rank, matrices=matrices)
    except CalculatorError:
        return None
    working = [
        f"B is {rows:,} x {rank} and A is {rank} x {cols:,}: "
        f"{rank} x ({rows:,} + {cols:,}) = {rank * (rows + cols):,} per matrix",
        f"the full matrix has {rows:,} x {cols:,} = {rows * cols:,} "
        f"({count.share_of_matrix:.2%} of it is trained)",
    ]
    if matrices > 1:
        working.insert(1, f"x {matrices} matrices = {count.lora_params:,}")
    return Worked("lora-and-peft", f"{count.lora_params:,} trainable LoRA parameters", working)


def _bert(text: str) -> Worked | None:
    size = re.search(r"bert[\s-]?(base|large)", text)
    if size is None or not re.search(r"param|weights|how (big|large)|size", text):
        return None
    count = bert_parameters(BERT_CONFIGS[f"bert-{size[1]}"])
    c = count.config
    working = [
        f"embeddings ({c.vocab:,} + {c.max_positions} + {c.type_vocab}) x {c.hidden} "
        f"+ LayerNorm = {count.embeddings:,}",
        f"{c.layers} layers x {count.per_layer:,} = {count.encoder:,}; pooler {count.pooler:,}",
    ]
    return Worked(
        "parameters-and-size",
        f"bert-{size[1]} has {count.total:,} parameters (about {count.total / 1e6:.0f}M)",
        working,
    )


def _listed_numbers(text: str) -> list[float]:
    """The numbers of a list such as "2, 1, 0" or "2.0 1.0 -1"; "50,000" is one number."""
    numbers: list[float] = []
    for token in re.findall(r"-?\d[\d,]*(?:\.\d+)?", text):
        token = token.rstrip(",")
        if re.fullmatch(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?", token):
            numbers.append(float(token.replace(",", "")))
        else:
            numbers += [float(part) for part in token.split(",") if part]
    return numbers


def _softmax(text: str) -> Worked | None:
    if "softmax" not in text and not ("logit" in text and "prob" in text):
        return None
    temperature = _find(r"(?:temperature|temp|\bt)\s*(?:=|of|is|:)?\s*{n}", text) or 1.0
    body = re.sub(r"(?:temperature|temp|\bt)\s*(?:=|of|is|:)?\s*[\d.]+", " ", text)
    logits = _listed_numbers(body)
    if not 2 <= len(logits) <= 20 or temperature <= 0:
        return None
    probs = softmax(logits, temperature)
    shown = ", ".join(f"{z:g}" for z in logits)
    working = [f"divide each logit by T = {temperature:g}, exponentiate, and normalise"]
    working += [
        f"p{i} = exp({z:g}/{temperature:g}) / sum = {p:.3f}"
        for i, (z, p) in enumerate(zip(logits, probs, strict=True), start=1)
    ]
    result = f"softmax([{shown}]) at T={temperature:g} = [{', '.join(f'{p:.3f}' for p in probs)}]"
    return Worked("softmax-and-temperature", result, working)


def _count(name: str, short: str, text: str) -> int | None:
    return _whole(
        _find(r"{n}\s*" + name, text) or _find(r"\b" + short + r"\s*(?:=|:|of|is)?\s*{n}", text)
    )


def _metrics(text: str) -> Worked | None:
    tp = _count(r"true positives?", "tp", text)
    fp = _count(r"false positives?", "fp", text)
    fn = _count(r"false negatives?", "fn", text)
    tn = _count(r"true negatives?", "tn", text)
    if tp is not None and (fp is not None or fn is not None):
        working, results = [], []
        precision = recall = None
        if fp is not None:
            precision = tp / (tp + fp)
            working.append(f"precision = TP / (TP + FP) = {tp} / {tp + fp} = {precision:.3f}")
            results.append(f"precision {precision:.3f}")
        if fn is not None:
            recall = tp / (tp + fn)
            working.append(f"recall = TP / (TP + FN) = {tp} / {tp + fn} = {recall:.3f}")
            results.append(f"recall {recall:.3f}")
        if precision is not None and recall is not None and precision + recall:
            f1 = 2 * precision * recall / (precision + recall)
            working.append(f"F1 = 2PR / (P + R) = {f1:.3f}")
            results.append(f"F1 {f1:.3f}")
        if tn is not None and fp is not None and fn is not None:
            accuracy = (tp + tn) / (tp + tn + fp + fn)
            working.append(f"accuracy = (TP + TN) / all = {tp + tn} / {tp + tn + fp + fn}")
            results.append(f"accuracy {accuracy:.3f}")
        return Worked("evaluation-metrics", ", ".join(results), working)
    both = _find(r"precision and recall (?:are |of )?(?:both )?{n}", text)
    p = both or _find(r"precision\s*(?:of|=|is|:)?\s*{n}", text)
    r = both or _find(r"recall\s*(?:of|=|is|:)?\s*{n}", text)
    if p is None or r is None or ("f1" not in text and "f-1" not in text and "f score" not in text):
        return None
    p, r = (v / 100 if v > 1 else v for v in (p, r))
    if not (0 < p <= 1 and 0 < r <= 1):
        return None
    f1 = 2 * p * r / (p + r)
    working = [f"F1 = 2 x {p:g} x {r:g} / ({p:g} + {r:g}) = {2 * p * r:g} / {p + r:g}"]
    return Worked("evaluation-metrics", f"F1 = {f1:.3f}", working)


BYTES_PER_PARAMETER = {
    r"fp32|float32|32[ -]bit|full precision|4 bytes": 4.0,
    r"fp16|bf16|float16|bfloat16|16[ -]bit|half precision|2 bytes": 2.0,
    r"int8|8[ -]bit|1 byte": 1.0,
    r"int4|4[ -]bit|half a byte": 0.5,
}


def _memory(text: str) -> Worked | None:
    """Memory for the weights: parameters x bytes per parameter (x copies), in MB or GB."""
    unit = re.search(r"\b(gb|gib|mb|mib|gigabytes?|megabytes?)\b", text)
    params = _find(r"{n}\s*(?:-parameter|parameters?|params?|weights)\b", text)
    kind = next((b for pattern, b in BYTES_PER_PARAMETER.items() if re.search(pattern, text)), None)
    if unit is None or params is None or kind is None or params < 1e5:
        return None
    copies = _whole(_find(r"{n}\s*(?:copies|times the weights)", text)) or 1
    total = params * kind * copies
    gb = unit[1].startswith("g")
    size = f"{total / 1e9:,.2f} GB" if gb else f"{total / 1e6:,.0f} MB"
    working = [f"{params:,.0f} parameters x {kind:g} bytes" + (f" x {copies} copies" if copies > 1 else "")
               + f" = {total:,.0f} bytes = {size} (1 GB = 10^9 bytes)"]  # fmt: skip
    return Worked("parameters-and-size", size, working)


RULES: list[Callable[[str], Worked | None]] = [
    _warmup,
    _accumulation_needed,  # before _steps: "32 examples fit" is no dataset size
    _steps,
    _effective_batch,
    _lora,
    _memory,
    _bert,
    _softmax,
    _metrics,
]


def work_out(question: str) -> Worked | None:
    """The calculation `question` asks for with its own numbers, or None."""
    text = question.lower().replace("\u00d7", "x")
    for rule in RULES if re.search(r"\d", text) else [_bert]:  # only BERT's sizes need none
        worked = rule(text)
        if worked is not None:
            return worked
    return None
