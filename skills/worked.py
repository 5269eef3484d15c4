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
from skills.text import NUMBER_SCALES, NUMBER_TENS, NUMBER_UNITS

_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9}
_NUMBER = r"(\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)\s*([kmb](?![a-z]))?"
LIMIT = 1e12  # beyond any course-sized question: left to the card
MAX_QUESTION_CHARS = 600


@dataclass(frozen=True)
class Worked:
    concept: str  # the card that explains the calculation
    result: str  # one line, with the student's own numbers
    working: list[str]
    # other cards that explain it as well; whichever the question matched best answers
    alternatives: tuple[str, ...] = ()


def number(text: str) -> float | None:
    """ "2.5k" -> 2500, "1,000" -> 1000, "10%" is read by the callers; None if not a number."""
    match = re.fullmatch(_NUMBER, text.strip().lower())
    if not match:
        return None
    value = float(match[1].replace(",", "")) * _SUFFIX.get(match[2] or "", 1)
    return value if math.isfinite(value) and value <= LIMIT else None


_UNITS, _TENS, _SCALES = NUMBER_UNITS, NUMBER_TENS, NUMBER_SCALES
_WORD = "|".join([*_UNITS, *_TENS, *_SCALES])
_AFTER_SCALE = "(?:(?<=hundred)|(?<=thousand)|(?<=million)|(?<=billion))"
_NUMBER_WORDS = re.compile(rf"\b(?:{_WORD})(?:(?:[\s-]+|{_AFTER_SCALE}\s+and\s+)(?:{_WORD}))*\b")


def _words_to_number(words: str) -> int | None:
    """ "four thousand" -> 4000, "twenty-five" -> 25; None where the words are a list, not
    one number ("five six")."""
    total, current, last = 0, 0, ""
    for word in re.split(r"[\s-]+", words):
        if word == "and":
            continue
        if word in _SCALES:
            current = (current or 1) * _SCALES[word]
            if _SCALES[word] > 100:
                total, current = total + current, 0
            last = "scale"
        elif word in _TENS:
            if last in ("unit", "tens"):
                return None
            current, last = current + _TENS[word], "tens"
        else:
            if last == "unit" or (last == "tens" and _UNITS[word] >= 10):
                return None
            current, last = current + _UNITS[word], "unit"
    return total + current


def _spelled_numbers_as_digits(text: str) -> str:
    """ "four thousand examples, three epochs" -> "4000 examples, 3 epochs", "ten percent" ->
    "10%". A lone "one" stays a word ("which one", "one class"): it is rarely a quantity."""
    text = re.sub(r"\ba (hundred|thousand|million|billion)\b", r"one \1", text)

    def digits(match: re.Match[str]) -> str:
        # a scale word alone belongs to the digits before it ("1.5 million" is 1.5m, below)
        alone = all(w in _SCALES for w in re.split(r"[\s-]+", match[0]))
        value = None if alone or match[0] in ("one", "zero") else _words_to_number(match[0])
        return match[0] if value is None else str(value)

    text = _NUMBER_WORDS.sub(digits, text)
    text = re.sub(r"(\d)\s*(?:percent|per cent|pct)\b", r"\1%", text)
    for word, suffix in (("billion|bn", "b"), ("million|mil", "m"), ("thousand", "k")):
        text = re.sub(rf"(\d)\s*(?:{word})\b", rf"\1{suffix}", text)
    # "round to 3 decimals", "2 dp": how to show the result, never one of its numbers
    return re.sub(
        r"\(?\b(?:round(?:ed)? )?(?:to )?\d+ (?:decimal(?: place)?s?|dp|places|significant \w+)\)?",
        " ",
        text,
    )


def _find(pattern: str, text: str) -> float | None:
    """The number `pattern` captures where {n} marks it, or None; a pattern of alternatives
    may mark one number in each ("{n}-hidden|hidden size {n}")."""
    parts = pattern.split("{n}")
    marked = parts[0] + "".join(f"(?P<n{i}>{_NUMBER}){part}" for i, part in enumerate(parts[1:]))
    match = re.search(marked, text)
    if not match:
        return None
    found = next(v for k, v in match.groupdict().items() if v is not None)
    return number(found)


def _whole(value: float | None) -> int | None:
    return int(value) if value is not None and value == int(value) and value > 0 else None


_ITEMS = (
    r"(?:examples?|ex\w{2,5}ples?|samples?|sentences?|rows?|data ?points?|reviews?|items?|documents?|texts?|"
    r"records?|instances?|tweets?|emails?|pairs?|sequences?|questions?|articles?|labels?)"
)


def _examples(text: str) -> int | None:
    # "4,000 examples", "4000 labelled training examples", "a dataset of 4k", "4k in my train set"
    return _whole(
        _find(r"{n}\s*(?:[a-z][\w-]*\s+){0,2}?" + _ITEMS, text)
        or _find(
            r"(?:dataset|data set|training set|train set|corpus) (?:of|has|with|is)\s*{n}", text
        )
        or _find(r"{n}\s*(?:in (?:my|the|a) (?:training|train) set)", text)
    )


def _batch(text: str) -> int | None:
    return _whole(
        # "an effective batch of 64 with batch 16": the batch is 16, accumulation makes the 64
        _find(
            r"(?<!effective )batch(?:[ _-]?(?:size|sz|siz|sise))?\s*(?:of|=|is|:|was)?\s*{n}", text
        )
        or _find(r"batches of\s*{n}", text)
        or _find(r"\bbs\s*(?:=|:|of)?\s*{n}", text)
        or _find(r"{n}\s*(?:per batch|examples? per (?:batch|step)|-?sized? batch(?:es)?)", text)
    )


def _epochs(text: str) -> int | None:
    return _whole(_find(r"{n}\s*epochs?", text) or _find(r"epochs?\s*(?:=|:|of)?\s*{n}", text))


def _gpus(text: str) -> int:
    return _whole(_find(r"{n}\s*(?:gpus?|devices?|cards?)\b", text)) or 1


def _accumulation(text: str) -> int | None:
    return _whole(
        _find(r"{n}\s*(?:gradient |grad )?accum\w*(?: steps)?", text)
        or _find(r"accum\w*(?:[ _]steps)?\s*(?:of|=|:|over|for|is)?\s*{n}", text)
        or _find(r"accum\w* (?:the )?gradients? (?:over|for|of) {n}", text)
    )


def _drops_last(text: str) -> bool:
    return bool(
        re.search(
            r"drop(?:_last|s|ping)? (?:the )?(?:last|final|incomplete|partial)|drop_last", text
        )
    )


def _per_epoch(text: str) -> tuple[int, str] | None:
    """Steps per epoch from the question's examples and batch size, and the working line."""
    examples, batch = _examples(text), _batch(text)
    if examples is None or batch is None or batch > examples:
        return None
    drop, gpus = _drops_last(text), _gpus(text)
    per_step = batch * gpus  # each optimizer step takes a batch on every GPU
    per_epoch = steps_per_epoch(examples, per_step, drop_last=drop)
    rounding = "floor" if drop else "ceil"
    shown = f"{batch} x {gpus} GPUs" if gpus > 1 else f"{batch}"
    return per_epoch, f"steps per epoch = {rounding}({examples:,} / {shown}) = {per_epoch:,}"


def _training_steps(text: str) -> tuple[int, list[str]] | None:
    """Total optimizer steps from examples, batch size and epochs (default 1), with working."""
    found = _per_epoch(text)
    if found is None:
        return None
    per_epoch, line = found
    epochs = _epochs(text) or 1
    if epochs == 1:
        return per_epoch, [line]
    return epochs * per_epoch, [
        line,
        f"{epochs} epochs x {per_epoch:,} = {epochs * per_epoch:,} steps",
    ]


def _steps_run(text: str) -> int | None:
    """How many optimizer steps a run took: "800 steps", "1,200 training iterations"."""
    return _whole(
        _find(r"{n}\s*(?:training |optimi[sz]er |total )?(?:steps|iterations|updates)\b", text)
    )


def _epochs_run(text: str) -> Worked | None:
    """ "It ran 800 steps in total with 4,000 examples at batch 20: how many epochs?": the
    total steps divided by the steps in one epoch."""
    if not re.search(r"how many epochs|number of epochs|epochs (?:is|was|did|does)", text):
        return None
    total = _steps_run(text)
    found = _per_epoch(text)
    if total is None or found is None:
        return None
    per_epoch, line = found
    epochs = total / per_epoch
    shown = f"{epochs:g}" if epochs == int(epochs) else f"{epochs:.2f}"
    working = [line, f"epochs = {total:,} steps / {per_epoch:,} per epoch = {shown}"]
    return Worked("epochs-batches-steps", f"{shown} epochs", working)


def _examples_from_steps(text: str) -> Worked | None:
    """ "250 steps per epoch at batch 32: how many training examples?": steps x batch (the
    last batch full), or the range it allows when the last batch may be partial."""
    if not re.search(r"how many (?:training |train )?" + _ITEMS, text):
        return None
    per_epoch = _whole(
        _find(
            r"{n}\s*(?:steps|batches|iterations|updates) (?:per|in (?:one|each|an|every)) epoch",
            text,
        )
    )
    batch = _batch(text)
    working = []
    if per_epoch is None and (total := _steps_run(text)) and (epochs := _epochs(text)):
        # "it ran 1,800 steps over 3 epochs": 600 a epoch
        if total % epochs:
            return None
        per_epoch = total // epochs
        working.append(f"steps per epoch = {total:,} steps / {epochs} epochs = {per_epoch:,}")
    if per_epoch is None or batch is None:
        return None
    most = per_epoch * batch
    working.append(
        f"examples = steps per epoch x batch size = {per_epoch:,} x {batch:,} = {most:,}"
    )
    if re.search(
        r"(?:last|final) batch (?:is |was )?(?:full|complete)|divides evenly|no partial", text
    ):
        return Worked("epochs-batches-steps", f"{most:,} examples", working)
    least = (per_epoch - 1) * batch + 1
    working.append(f"with a partial last batch: anywhere from {least:,} to {most:,}")
    return Worked("epochs-batches-steps", f"{most:,} examples (if the last batch is full)", working)


def _batch_change(text: str) -> Worked | None:
    """ "double the batch from 16 to 32 on 4,800 examples: how many fewer steps per epoch?"."""
    change = re.search(r"batch(?: size)?[^.?!]{0,20}?from (\d[\d,]*) to (\d[\d,]*)", text)
    examples = _examples(text) or _whole(_find(r"{n}-(?:example|sample|review|sentence)", text))
    if (
        change is None
        or examples is None
        or not re.search(r"fewer|less|more|saved|change|differ", text)
    ):
        return None
    old, new = (int(g.replace(",", "")) for g in change.groups())
    if not 0 < min(old, new) <= max(old, new) <= examples:
        return None
    before, after = steps_per_epoch(examples, old), steps_per_epoch(examples, new)
    working = [
        f"before: ceil({examples:,} / {old}) = {before:,} steps per epoch",
        f"after: ceil({examples:,} / {new}) = {after:,} steps per epoch",
    ]
    word = "fewer" if after < before else "more"
    result = f"{abs(before - after):,} {word} steps per epoch ({after:,} instead of {before:,})"
    return Worked("epochs-batches-steps", result, working)


def _steps(text: str) -> Worked | None:
    if not re.search(
        r"step|iteration|update|how many batches|batches (?:are there )?(?:per|in)", text
    ):
        return None
    # "batches of 256 sequences for 1,000,000 steps: how many tokens?" gives the steps
    if re.search(r"warm[ -]?up|how many (?:tokens|sequences)", text):
        return None
    found = _per_epoch(text)
    if found is None:
        return None
    per_epoch, line = found
    working = [line]
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
        result += f" ({updates:,} optimizer updates per epoch"
        if epochs:
            working.append(f"{epochs} epochs x {updates:,} = {epochs * updates:,} updates")
            result += f", {epochs * updates:,} in {epochs} epochs"
        result += ")"
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
        or _find(r"(?<!effective )batch(?:[ _-]?size)?\s*(?:of|=|is|:)?\s*{n}", text)
    )
    if target is None or fits is None or _accumulation(text):  # given, not asked
        return None
    gpus = _gpus(text)
    if fits * gpus >= target:
        return None
    steps = math.ceil(target / (fits * gpus))
    per = f"{fits:,} x {gpus} GPUs" if gpus > 1 else f"{fits:,}"
    working = [f"accumulation steps = ceil({target:,} / {per}) = {steps}"]
    if steps * fits * gpus != target:
        working.append(
            f"(an effective batch of {steps * fits * gpus:,}, the nearest at or above {target:,})"
        )
    return Worked("gradient-accumulation", f"{steps} accumulation steps", working)


def _effective_batch(text: str) -> Worked | None:
    if "accum" not in text:
        return None
    batch, accumulation = _batch(text), _accumulation(text)
    # "accumulating over 4 batches of 8 (the same as a batch of 32?)": 4 and 8, never the 32
    if over := re.search(
        r"(?:over|across|for) (\d+) (?:micro[- ]?|mini[- ]?)?batches of (\d+)", text
    ):
        accumulation, batch = int(over[1]), int(over[2])
    if batch is None or accumulation is None or (batch == accumulation and "x" not in text):
        return None
    gpus = _gpus(text)
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
        else _find(r"ratio\s*(?:=|of|is|:)?\s*{n}", text)
        or _find(r"{n}\s*(?:warm[ -]?up )?ratio", text)
    )
    warm = _whole(_find(r"{n}\s*warm[ -]?up steps", text))
    total = _whole(
        _find(
            r"{n}\s*(?:total |training |optimi[sz]er )*(?:steps|iterations|updates)(?! per)", text
        )
        or _find(r"(?:steps|iterations|updates)\s*(?:=|:|of|is|are|equals?)\s*{n}", text)
    )
    if warm and total and warm < total and re.search(r"percent|%|share|fraction|what part", text):
        working = [f"{warm:,} / {total:,} = {warm / total:.4f}"]
        return Worked(
            "learning-rate-and-warmup", f"{warm / total:.2%} of training is warmup", working
        )
    per_epoch = _whole(
        _find(r"{n}\s*(?:steps|updates|iterations) (?:per|an|each|every) epoch", text)
        or _find(r"epochs? of {n}\s*(?:steps|updates|iterations)", text)
    )
    working = []
    if per_epoch and (epochs := _epochs(text)):
        total = per_epoch * epochs
        working = [f"{epochs} epochs x {per_epoch:,} steps = {total:,} steps"]
    if total is None and (computed := _training_steps(text)) is not None:
        total, working = computed
    if ratio is None or not 0 < ratio < 1 or total is None:
        return None
    warmup = math.ceil(total * ratio)  # as Hugging Face's get_warmup_steps counts them
    working.append(f"warmup steps = {total:,} x {ratio:g} = {warmup:,}")
    working.append(f"the learning rate rises from 0 to its peak over steps 1-{warmup:,}")
    return Worked("learning-rate-and-warmup", f"{warmup:,} warmup steps", working)


def _lora(text: str) -> Worked | None:
    if "lora" not in text and "rank" not in text and "r=" not in text.replace(" ", ""):
        return None
    digits = r"(\d+(?:,\d{3})*)"
    shape = re.search(rf"{digits}[\s-]*(?:x|×|\*|by)[\s-]*{digits}", text) or re.search(
        rf"\bd\s*=\s*{digits}\W+(?:and\s+)?k\s*=\s*{digits}", text
    )
    rank = _whole(_find(r"\br\s*=?\s*{n}", text) or _find(r"rank[\s-]*(?:of|=|r)?\s*{n}", text)
                  or _find(r"{n}\s*rank", text))  # fmt: skip
    # "q and v of a 768-hidden model": the attention projections are hidden x hidden
    hidden = _whole(_find(r"{n}[- ]hidden|hidden(?:[ _]size)?\s*(?:of|=|is|:)?\s*{n}", text))
    if rank is None or (shape is None and hidden is None):
        return None
    rows, cols = (_whole(number(shape[1])), _whole(number(shape[2]))) if shape else (hidden, hidden)
    if rows is None or cols is None:
        return None
    matrices = _lora_matrices(text)
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
    result = f"{count.lora_params:,} trainable LoRA parameters"
    model = [c for c in _parameter_counts(text) if c >= 1e6]
    if len(model) == 1 and re.search(r"percent|%|fraction|share|proportion|ratio", text):
        share = 100 * count.lora_params / model[0]
        working.append(f"{count.lora_params:,} / {model[0]:,.0f} = {share:.3g}% of the model")
        result += f", {share:.3g}% of the {_size(model[0])}-parameter model"
    elif re.search(r"times (?:more|fewer|less|smaller|bigger|larger)|how many times|ratio", text):
        full = rows * cols * matrices
        times = full / count.lora_params
        working.append(f"{full:,} / {count.lora_params:,} = {times:.3g} times")
        result += f": the full {'matrices have' if matrices > 1 else 'matrix has'} {times:.3g} times as many"
    elif re.search(r"percent|%|fraction|share|proportion", text):
        result += f", {count.share_of_matrix:.2%} of the full matrix"
        if matrices > 1:
            result = result.removesuffix("matrix") + "matrices"
    return Worked("lora-and-peft", result, working)


_PROJECTIONS = r"\b(?:q|k|v|o|query|key|value|output|attention output)\b"


def _lora_matrices(text: str) -> int:
    """How many weight matrices get an adapter: "24 matrices", or "q and v in each of 12
    layers" (2 x 12); never the "1024 matrix" of "a 1024x1024 matrix"."""
    given = _whole(_find(r"(?<![x*\d,])\s{n}\s*(?:weight )?matrices", " " + text))
    if given:
        return given
    layers = _whole(
        _find(
            r"(?:each|every|all)(?: one)? of (?:the |its )?{n}\s*(?:transformer |encoder )?layers",
            text,
        )
        or _find(r"{n}\s*(?:transformer |encoder |decoder )?layers", text)
        or _find(r"(?:across|in|over) {n}\s*(?:\w+ )?(?:layers|blocks)", text)
    )
    listed = re.search(
        rf"({_PROJECTIONS}(?:\s*(?:,|and|&|/|\+)\s*{_PROJECTIONS})+)", text.replace("_proj", "")
    )
    per_layer = len(re.findall(_PROJECTIONS, listed[1])) if listed else 1
    return per_layer * (layers or 1) if layers or listed else 1


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
        f"bert-{size[1]} has {count.total:,} parameters (about {count.total / 1e6:.0f}M; "
        f"the paper rounds it to {NOMINAL[size[1]] / 1e6:.0f}M)",
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


_LIST = r"-?\d+(?:\.\d+)?(?:\s*(?:,|;|\band\b|\bor\b|\s)\s*-?\d+(?:\.\d+)?)+"
_ORDINALS = {"first": 0, "top": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4}


def _named_softmax(text: str) -> Worked | None:
    """Logits given by name ("'dog' 1.8, 'cat' 2.2, 'fish' 0.3"), one asked for: P('cat')."""
    if "softmax" not in text and not ("logit" in text and "prob" in text):
        return None
    pairs = re.findall(r"['\"]([\w#]+)['\"]\s*(?:=|:|->)?\s*(?:logit )?(-?\d+(?:\.\d+)?)", text)
    asked = re.search(
        r"p\(\s*['\"]?([\w#]+)['\"]?\s*\)|probab\w* (?:of|for|does|that) ['\"]([\w#]+)['\"]", text
    )
    names = [n for n, _ in pairs]
    if len(pairs) < 2 or asked is None or len(set(names)) != len(names):
        return None
    name = asked[1] or asked[2]
    if name not in names:
        return None
    logits = [float(z) for _, z in pairs]
    probs = softmax(logits)
    i = names.index(name)
    total = sum(math.exp(z) for z in logits)
    working = [
        "P = exp(logit) / sum of exp(all logits)",
        " + ".join(f"exp({z:g})" for z in logits) + f" = {total:.3f}",
        f"P('{name}') = exp({logits[i]:g}) / {total:.3f} = {probs[i]:.3f}",
    ]
    return Worked("softmax-and-temperature", f"P('{name}') = {probs[i]:.3f}", working)


def _softmax(text: str) -> Worked | None:
    if "softmax" not in text and not ("logit" in text and "prob" in text):
        return None
    given = _find(r"(?:temperature|temp|\bt)\s*(?:of|is|:|=)?\s*(?:t\s*=\s*)?{n}", text)
    temperature = 1.0 if given is None else given  # T=0 is no softmax: left to the card
    body = re.sub(r"(?:temperature|temp|\bt)\s*(?:of|is|:|=)?\s*(?:t\s*=\s*)?[\d.]+", " ", text)
    # the logits are the first list after the word "logits" (else after "softmax"): never
    # the "3 tokens" before it or the "4.0 token" a question names after it
    after = re.split(r"logits?|softmax", body, maxsplit=1)[-1]
    listed = re.search(_LIST, after)
    logits = _listed_numbers(listed[0]) if listed else []
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
    named = _named_logit(after[listed.end() :] if listed else "", logits)
    if named is not None:
        result = f"p = {probs[named]:.3f} for the logit {logits[named]:g}; " + result
    return Worked("softmax-and-temperature", result, working)


def _named_logit(text: str, logits: list[float]) -> int | None:
    """Which logit a question asks about: "the first token", "the middle one", "(logit 1)"."""
    if ordinal := re.search(r"\b(first|top|second|third|fourth|fifth|middle|last)\b", text):
        word = ordinal[1]
        index = {"middle": len(logits) // 2, "last": len(logits) - 1}.get(word, _ORDINALS.get(word))
        return index if index is not None and index < len(logits) else None
    value = re.search(
        r"(?:logit|score)\s*(?:of|=)?\s*(-?\d+(?:\.\d+)?)|(-?\d+(?:\.\d+)?)[- ]?(?:token|one|logit)",
        text,
    )
    if value:
        z = float(value[1] or value[2])
        return logits.index(z) if z in logits else None
    return None


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
        # "TP = 45, FN = 30, and precision is 0.75": the other one is given
        given = _find(r"(?:precision|recall)\s*(?:of|=|is|:|was)?\s*{n}", text)
        if given is not None and given > 1:
            given /= 100
        if given is not None and 0 < given <= 1:
            if precision is None and "precision" in text:
                precision = given
                working.append(f"precision = {given:g} (given)")
            elif recall is None and "recall" in text:
                recall = given
                working.append(f"recall = {given:g} (given)")
        if precision is not None and recall is not None and precision + recall:
            f1 = 2 * precision * recall / (precision + recall)
            working.append(f"F1 = 2PR / (P + R) = {f1:.3f}")
            results.insert(0, f"F1 {f1:.3f}") if re.search(
                r"\bf1\b|f-1|f score", text
            ) else results.append(f"F1 {f1:.3f}")
        if tn is not None and fp is not None and fn is not None:
            accuracy = (tp + tn) / (tp + tn + fp + fn)
            working.append(f"accuracy = (TP + TN) / all = {tp + tn} / {tp + tn + fp + fn}")
            results.append(f"accuracy {accuracy:.3f}")
        return Worked("evaluation-metrics", ", ".join(results), working)
    both = _find(r"precision and recall (?:are |of )?(?:both )?{n}", text) or _find(
        r"\bp\s*=\s*r\s*=\s*{n}", text
    )
    p = (
        both
        or _find(r"(?:precision|\bp)\s*(?:of|=|is|:)?\s*{n}", text)
        or _find(r"{n}\s*%?\s*precision", text)
    )
    r = (
        both
        or _find(r"(?:recall|\br)\s*(?:of|=|is|:)?\s*{n}", text)
        or _find(r"{n}\s*%?\s*recall", text)
    )
    if p is None or r is None or ("f1" not in text and "f-1" not in text and "f score" not in text):
        return None
    p, r = (v / 100 if v > 1 else v for v in (p, r))
    if not (0 < p <= 1 and 0 < r <= 1):
        return None
    f1 = 2 * p * r / (p + r)
    working = [f"F1 = 2 x {p:g} x {r:g} / ({p:g} + {r:g}) = {2 * p * r:g} / {p + r:g}"]
    return Worked("evaluation-metrics", f"F1 = {f1:.3f}", working)


def _ratio_in_words(text: str) -> tuple[int, int] | None:
    """ "18 of the 20 it flagged", "out of 20 flagged, 18 were", "18/20": (18, 20)."""
    for pattern in (
        r"(\d[\d,]*) (?:out )?of (?:the |all |those |these )?(\d[\d,]*)\b",
        r"(\d[\d,]*)\s*/\s*(\d[\d,]*)\b",
    ):
        match = re.search(pattern, text)
        if match:
            part, whole = (int(g.replace(",", "")) for g in match.groups())
            return (part, whole) if 0 < part <= whole else None
    match = re.search(
        r"out of (\d[\d,]*)[^.?!;]*?[,;]\s*(?:only |just )?(\d[\d,]*)\b", text
    ) or re.search(
        r"(?:flagged|predicted|marked|labell?ed|caught|retrieved|found|returned) (\d[\d,]*)[^.?!;]*?(?:[,;]|\band\b)\s*"
        r"(?:only |just )?(\d[\d,]*) (?:of (?:those|them|these)|were|are)",
        text,
    )  # "flagged 60 reviews as negative; 45 of those really were"
    # "there are 60 positive examples and my model catches 45 of them"
    match = match or re.search(
        r"(\d[\d,]*) (?:actual |real |true )?(?:positive|relevant|spam|fraud)\w*[^.?!;]*?\b"
        r"(?:catch\w*|caught|finds?|found|gets?|detects?|detected|identifie\w*|flags?|flagged|"
        r"retriev\w*) (?:only |just )?(\d[\d,]*)\b",
        text,
    )
    if match:
        whole, part = (int(g.replace(",", "")) for g in match.groups())
        return (part, whole) if 0 < part <= whole else None
    return None


_MODEL_DID = re.compile(
    r"flag|predict|caught|catch|found|find|detect|identif|mark|label|classif|retriev|spam|"
    r"positive|relevant|correct|really|actually|truly|fraud|hit"
)


def _rate(text: str) -> Worked | None:
    """Precision or recall told in words: "18 of the 20 emails it flagged were spam"."""
    if re.search(r"\bf1\b|f-1|f score|f1 score", text):
        return _f1_in_words(text)
    asked = [m for m in ("precision", "recall") if m in text]
    if len(asked) != 1 or re.search(r"\btp\b|true positive", text):
        return None
    # "18 of the 20 it flagged": a count of what a model did, not "question 3 of 5"
    if not _MODEL_DID.search(text):
        return None
    found = _ratio_in_words(text)
    if found is None:
        return None
    part, whole = found
    metric = asked[0]
    meaning = (
        "of what the model flagged, the share that was right"
        if metric == "precision"
        else "of what was really there, the share the model found"
    )
    working = [f"{metric} = {part} / {whole} = {part / whole:.3f} ({meaning})"]
    result = f"{metric} = {part / whole:.3f} ({part / whole:.1%})"
    return Worked("evaluation-metrics", result, working)


def _f1_in_words(text: str) -> Worked | None:
    """ "18 of the 20 it flagged were spam, and there were 24 spam in total": P, R and F1."""
    found = _ratio_in_words(text)
    total = _whole(
        _find(r"{n}\s*(?:[a-z][\w-]*\s+){0,3}?(?:in total|altogether|overall|in all)", text)
        or _find(
            r"(?:there (?:were|are)|out of|of all|total of)\s*{n}\s*(?:actual|real|true)", text
        )
    )
    if found is None or total is None:
        return None
    part, flagged = found
    if part > total:
        return None
    precision, recall = part / flagged, part / total
    f1 = 2 * precision * recall / (precision + recall)
    working = [
        f"precision = {part} / {flagged} = {precision:.3f} (of what was flagged, the share right)",
        f"recall = {part} / {total} = {recall:.3f} (of what was there, the share found)",
        f"F1 = 2PR / (P + R) = {f1:.3f}",
    ]
    return Worked("evaluation-metrics", f"F1 = {f1:.3f}", working)


_FUNCTION_WORDS = {"and", "of", "are", "were", "is", "in", "to", "the", "a", "with", "for", "or"}


def _majority(text: str) -> Worked | None:
    """The accuracy of predicting one class for everything: that class's share."""
    if not re.search(r"accura", text) or not re.search(
        r"for (?:every|all)|always|everything|every (?:input|example|review|email)|majority|most common",
        text,
    ):
        return None
    whole_part = re.search(
        r"(?<![\d,.])(\d[\d,]*)\s*(?:[a-z][\w-]*\s+){0,3}?and (\d[\d,]*) (?:of them )?(?:are|were|is) ([a-z]+)",
        text,
    )
    said = re.search(
        r"(?:predicts?|says?|outputs?|guess\w*|always|labels?)\s+(?:\w+\s+)?([a-z]+)", text
    )
    part_of = re.search(
        r"(?<![\d,.])(\d[\d,]*) (?:out )?of (?:the |all |those )?(\d[\d,]*)\s*"
        r"(?:[a-z][\w-]*\s+){0,2}?(?:are|were|is) ([a-z]+)",
        text,
    )
    if part_of:  # "900 of 1000 reviews are positive": (part, total, class) in that order
        whole_part = part_of
        part, total = (int(g.replace(",", "")) for g in part_of.groups()[:2])
        if not 0 < part <= total:
            return None
        word = part_of[3]
        picked = (said and said[1].startswith(word[:5])) or "-" + word in text or not said
        count, name = (part, word) if picked else (total - part, f"not {word}")
    elif whole_part:  # "1,200 reviews and 840 are positive"
        total, part = (int(g.replace(",", "")) for g in whole_part.groups()[:2])
        if not 0 < part <= total:
            return None
        word = whole_part[3]
        picked = (said and said[1].startswith(word[:5])) or "-" + word in text or not said
        count, name = (part, word) if picked else (total - part, f"not {word}")
    else:
        # "950 negatives", "9,950 legit transactions": the class is the first word that names one
        found = re.findall(r"(?<![\d,.])(\d[\d,]*)\s*([a-z]+)(?:[\s-]+([a-z]+))?", text)
        counts: dict[str, int] = {}
        for n, first, second in found:
            word = first if first not in _FUNCTION_WORDS else second
            if not word or word in _FUNCTION_WORDS:
                continue
            if word in ("not", "non") and second:  # "950 not spam" is the class "not spam"
                word = f"not {second}"
            counts.setdefault(word.rstrip("s"), int(n.replace(",", "")))
        # "1,000 emails, 950 not spam and 50 spam": the count that is all the others is the set
        for whole, value in list(counts.items()):
            if len(counts) > 2 and 2 * value == sum(counts.values()):
                del counts[whole]
        listed = re.search(
            r"((?:\d[\d,]*(?:,\s+|,?\s+and\s+))+\d[\d,]*)\s*(?:examples|items|rows|reviews)", text
        )
        if listed:  # "three classes with 500, 300 and 200 examples"
            values = [int(v.replace(",", "")) for v in re.findall(r"\d[\d,]*", listed[1])]
            counts = {f"class {i}": v for i, v in enumerate(values, 1)}
        total = sum(counts.values())
        if len(counts) < 2 or total == 0:
            return None
        # "labels every email as not spam": the class is what comes after "as"
        labelled = re.search(
            r"(?:label|predict|classif|mark|call|tag)\w*\b[^.?!]*?\bas (not \w+|non[- ]?\w+|\w+)",
            text,
        )
        told = labelled or said
        named = told[1].rstrip("s") if told else ""
        named = re.sub(r"^non[- ]?", "not ", named)
        name, count = (
            (named, counts[named]) if named in counts else max(counts.items(), key=lambda kv: kv[1])
        )
    working = [
        f"predicting {name} for every example is right exactly on those {count:,}",
        f"accuracy = {count:,} / {total:,} = {count / total:.3f}: high, yet the model learned nothing",
    ]
    return Worked(
        "evaluation-metrics", f"accuracy = {count / total:.3f} ({count / total:.1%})", working
    )


def _sizes(text: str) -> Worked | None:
    """Two model sizes the question gives ("BERT-large (340M) vs BERT-base (110M)"): how many
    more, how many times, or what percent smaller or larger."""
    sizes = [
        number(f"{m[1]}{m[2][0]}")
        for m in re.finditer(r"(\d[\d,]*(?:\.\d+)?)\s*(m|b|million|billion)\b", text)
    ]
    values = [v for v in sizes if v is not None]
    if len(values) != 2 or values[0] == values[1]:
        return None
    big, small = max(values), min(values)
    unit, scale = ("B", 1e9) if small >= 1e9 else ("M", 1e6)
    shown = f"{big / scale:g}{unit} and {small / scale:g}{unit}"
    distil = "distil" in text
    concept, other = (
        ("knowledge-distillation", ("parameters-and-size", "bert-family"))
        if distil
        else ("parameters-and-size", ("bert-family",))
    )
    if re.search(r"percent|%", text):
        if re.search(r"smaller|fewer|less|reduc|shrink|cut", text):
            share = (big - small) / big
            working = [f"({big / scale:g} - {small / scale:g}) / {big / scale:g} = {share:.3f}"]
            return Worked(concept, f"{share:.0%} smaller ({shown})", working, other)
        share = (big - small) / small
        working = [f"({big / scale:g} - {small / scale:g}) / {small / scale:g} = {share:.3f}"]
        return Worked(concept, f"{share:.0%} larger ({shown})", working, other)
    if re.search(r"times|ratio|factor|x (?:bigger|larger)", text):
        working = [f"{big / scale:g} / {small / scale:g} = {big / small:.2f}"]
        return Worked(
            concept, f"{big / small:.2f} times as many parameters ({shown})", working, other
        )
    if re.search(r"more|difference|bigger|larger|fewer|less", text):
        working = [
            f"{big / scale:g}{unit} - {small / scale:g}{unit} = {(big - small) / scale:g}{unit}"
        ]
        return Worked(
            concept, f"{(big - small) / scale:g}{unit} more parameters ({shown})", working, other
        )
    return None


def _shrunk(text: str) -> Worked | None:
    """One size and a percentage ("40% smaller than BERT-base's 110M"): the size left, or
    the size grown."""
    share = _find(r"{n}\s*%\s*(?:smaller|fewer|less|larger|bigger|more)", text)
    sizes = re.findall(r"(\d[\d,]*(?:\.\d+)?)\s*(m|b|million|billion)\b", text)
    if share is None or len(sizes) != 1 or not 0 < share < 100:
        return None
    size = number(f"{sizes[0][0]}{sizes[0][1][0]}")
    if size is None:
        return None
    smaller = re.search(r"%\s*(?:smaller|fewer|less)", text) is not None
    left = size * (1 - share / 100) if smaller else size * (1 + share / 100)
    unit, scale = ("B", 1e9) if size >= 1e9 else ("M", 1e6)
    sign = "-" if smaller else "+"
    working = [f"{size / scale:g}{unit} x (1 {sign} {share:g}/100) = {left / scale:g}{unit}"]
    concept, other = (  # DistilBERT's size is told by the cards about DistilBERT
        ("knowledge-distillation", ("bert-family",))
        if "distil" in text
        else ("parameters-and-size", ("bert-family",))
    )
    return Worked(concept, f"about {left / scale:g}{unit} parameters", working, other)


def _factorized_embedding(text: str) -> Worked | None:
    """ALBERT's factorized embedding: V x E + E x H parameters instead of V x H."""
    vocab = _find(r"(?:\bv\s*=|vocab(?:ulary)?(?: size)?(?: of| is|:|=)?)\s*{n}", text)
    small = _find(r"\be\s*=\s*{n}", text)
    hidden = _find(r"\bh\s*=\s*{n}", text)
    if vocab is None or small is None or hidden is None or not 0 < small < hidden:
        return None
    v, e, h = int(vocab), int(small), int(hidden)
    factorized, full = v * e + e * h, v * h
    working = [
        f"V x E + E x H = {v:,} x {e:,} + {e:,} x {h:,} = {factorized:,}",
        f"instead of V x H = {v:,} x {h:,} = {full:,} ({full / factorized:.1f} times as many)",
    ]
    result = f"{factorized:,} embedding parameters"
    if re.search(r"percent|%", text) and re.search(r"shrink|smaller|reduc|fewer|less|sav", text):
        share = 1 - factorized / full
        working.append(f"1 - {factorized:,} / {full:,} = {share:.4f}")
        result = f"{share:.1%} fewer embedding parameters ({factorized:,} instead of {full:,})"
    elif re.search(r"\bsav\w*|fewer|less|reduc\w*|difference", text):
        working.append(f"saved: {full:,} - {factorized:,} = {full - factorized:,}")
        result = f"{full - factorized:,} parameters saved ({factorized:,} instead of {full:,})"
    return Worked("bert-family", result, working)  # ALBERT's own trick: its family's card


def _masked_tokens(text: str) -> Worked | None:
    """BERT's masking recipe on a sequence: 15% of the tokens are picked, 80% of those become
    [MASK], 10% a random token, 10% stay as they are."""
    if not re.search(r"mask|\bmlm\b|(?:picked|chosen|selected) for prediction", text):
        return None
    tokens = _whole(_find(r"{n}[\s-]*(?:tokens?|words?|positions?)\b", text))
    if tokens is None:
        return None
    picked_share = _find(
        r"{n}\s*%\s*(?:of (?:the |them|those|these)|are |get |is )?(?:picked|chosen|select|masked|of the tokens|of them)",
        text,
    )
    picked_share = picked_share if picked_share is not None else 15.0
    picked = tokens * picked_share / 100
    lines = [f"{picked_share:g}% of {tokens:,} tokens are picked: {picked:g}"]
    if re.search(r"unchanged|left (?:as|alone)|kept|stay|as they are|original", text):
        kept = picked * 0.1
        lines.append(f"10% of those stay unchanged: {picked:g} x 0.1 = {kept:g}")
        return Worked(
            "masked-language-modeling", f"{kept:g} tokens are picked but left unchanged", lines
        )
    if re.search(r"random", text):
        swapped = picked * 0.1
        lines.append(f"10% of those become a random token: {picked:g} x 0.1 = {swapped:g}")
        return Worked(
            "masked-language-modeling", f"{swapped:g} tokens become a random token", lines
        )
    if re.search(r"\[mask\]|replaced|become|turn", text) or "recipe" in text:
        share = _find(
            r"{n}\s*%\s*(?:of (?:the |those |them|these )?(?:picked|chosen|selected)?[a-z ]*)?(?:become|are replaced|get replaced|turn)",
            text,
        )
        share = share if share is not None else 80.0
        masked = picked * share / 100
        lines.append(
            f"{share:g}% of those become [MASK]: {picked:g} x {share / 100:g} = {masked:g}"
        )
        return Worked("masked-language-modeling", f"{masked:g} tokens become [MASK]", lines)
    return Worked("masked-language-modeling", f"{picked:g} tokens are picked for prediction", lines)


_MONEY = r"\$\s*(\d+(?:,\d{3})*(?:\.\d+)?)\s*([kmb](?![a-z]))?"


def _costs(text: str) -> Worked | None:
    """Money in the question: from scratch for each of N versus one shared model adapted N
    times (dollars saved), or how many times cheaper one cost is than another."""
    amounts = [number(f"{m[0]}{m[1]}") for m in re.findall(_MONEY, text)]
    values = [a for a in amounts if a is not None]
    if len(values) == 2 and re.search(r"times (?:cheaper|more expensive|as expensive|less)", text):
        big, small = max(values), min(values)
        if small == 0:
            return None
        working = [f"${big:,.0f} / ${small:,.0f} = {big / small:,.0f}"]
        said = "cheaper" if "cheaper" in text else "as expensive"
        return Worked("pretraining-cost", f"{big / small:,.0f} times {said}", working)
    many = _whole(
        _find(
            r"{n}\s+(?:companies|teams|labs|groups|organi[sz]ations|orgs|firms|clients|customers)",
            text,
        )
    )
    if len(values) != 3 or many is None or not re.search(r"scratch", text):
        return None
    scratch, shared, adapt = values
    apart, together = many * scratch, shared + many * adapt
    working = [
        f"each from scratch: {many} x ${scratch:,.0f} = ${apart:,.0f}",
        f"one shared model, adapted: ${shared:,.0f} + {many} x ${adapt:,.0f} = ${together:,.0f}",
    ]
    saved = apart - together
    result = f"${saved:,.0f} saved" if saved >= 0 else f"${-saved:,.0f} more"
    return Worked("pretraining-cost", result, working, ("transfer-learning",))


def _equal_logits(text: str) -> Worked | None:
    """ "three tokens all with logit 5": equal logits share the probability evenly."""
    if "logit" not in text and "score" not in text:
        return None
    match = re.search(
        r"(\d+)\s*(?:[a-z]+\s+)?(?:tokens?|classes|words|options|candidates|logits)\b[^.?!]*?"
        r"(?:all|each|every one|the same)[^.?!]*?(?:logit|score)s?\b",
        text,
    )
    n = _whole(number(match[1])) if match else None
    if n is None or not 2 <= n <= 1000:
        return None
    working = [f"equal logits give equal exponentials: each is exp(z) / ({n} x exp(z)) = 1/{n}"]
    working.append("(the temperature changes nothing when all logits are equal)")
    return Worked("softmax-and-temperature", f"each token gets 1/{n} = {1 / n:.3f}", working)


def _perplexity(text: str) -> Worked | None:
    """Perplexity from an average cross-entropy loss (in nats): exp(loss)."""
    if "perplexity" not in text:
        return None
    loss = _find(
        r"(?:loss|cross[- ]?entropy|\bce)\w*\s*(?:of|=|is|:|was|at)?\s*(?:a |an )?(?:loss of )?{n}",
        text,
    )
    if loss is None or not 0 < loss < 30:
        return None
    working = [f"perplexity = exp(loss) = e^{loss:g} = {math.exp(loss):.3f}"]
    working.append("(as if the model chose evenly among that many tokens at each step)")
    return Worked(
        "loss-and-gradients",
        f"perplexity = {math.exp(loss):.3f}",
        working,
        ("autoregressive-modeling", "evaluation-metrics"),
    )


# The sizes the papers give, which students quote; bert_parameters() counts the exact ones.
NOMINAL = {"base": 110e6, "large": 340e6}


def _bert_pair(text: str) -> Worked | None:
    """BERT-base beside BERT-large, by name only: how many more, times, percent, together."""
    if not (re.search(r"bert[\s-]?base", text) and re.search(r"bert[\s-]?large", text)):
        return None
    if "hidden" in text:
        c = {n: BERT_CONFIGS[f"bert-{n}"] for n in ("base", "large")}
        ratio = c["large"].hidden / c["base"].hidden
        working = [f"{c['large'].hidden} / {c['base'].hidden} = {ratio:.3f}"]
        return Worked(  # the sizes card has the two configurations side by side
            "parameters-and-size",
            f"hidden sizes {c['large'].hidden} and {c['base'].hidden}: ratio {ratio:.3f}",
            working,
            ("bert-family",),
        )
    big, small = NOMINAL["large"], NOMINAL["base"]
    exact = {n: bert_parameters(BERT_CONFIGS[f"bert-{n}"]).total for n in ("base", "large")}
    note = f"(counted exactly: {exact['large'] / 1e6:.1f}M and {exact['base'] / 1e6:.1f}M)"
    if re.search(r"together|altogether|both|total|combined|sum", text):
        result = f"{(big + small) / 1e6:g}M parameters together (340M + 110M)"
    elif re.search(r"percent|%", text):
        share = (
            small / big
            if re.search(r"base\W+(?:\w+\W+){0,3}?(?:have|has|is)|of bert[\s-]?large", text)
            else big / small
        )
        result = f"{share:.1%} (110M / 340M)" if share < 1 else f"{share:.1%} (340M / 110M)"
    elif re.search(r"times|ratio|factor", text):
        result = f"{big / small:.2f} times as many parameters (340M / 110M)"
    elif re.search(r"more|difference|bigger|larger", text):
        result = f"{(big - small) / 1e6:g}M more parameters (340M - 110M)"
    else:
        return None
    return Worked(
        "parameters-and-size",
        result,
        [f"BERT-large about 340M, BERT-base about 110M {note}"],
        ("bert-family",),
    )


def _padding_share(text: str) -> Worked | None:
    """ "padded to 128 with 40 real tokens on average: what percent is padding?"."""
    if "pad" not in text or not re.search(r"percent|%|share|fraction|proportion", text):
        return None
    longest = _whole(
        _find(
            r"pad(?:ded|ding)?\s*(?:them |all |everything |it |every \w+ )?(?:up )?to\s*{n}", text
        )
        or _find(r"max(?:imum)?[ _]?(?:length|len)\s*(?:of|=|:|is)?\s*{n}", text)
    )
    real = _find(
        r"(?:average|averages|avg|mean|typically|about)\s*(?:of )?{n}\s*(?:real )?tokens", text
    ) or _find(r"{n}\s*real tokens", text)
    if longest is None or real is None or not 0 < real < longest:
        return None
    share = (longest - real) / longest
    working = [f"({longest} - {real:g}) / {longest} = {share:.4f} of the positions are [PAD]"]
    return Worked(
        "attention-masks-and-padding", f"{share:.1%} padding", working, ("special-tokens",)
    )


def _padding(text: str) -> Worked | None:
    """[PAD] tokens (zeros in the attention mask) to pad sequences of given lengths."""
    if "pad" not in text:
        return None
    listed = re.search(
        r"(\d+(?:\s*(?:,|and|&)\s*\d+)+)", re.sub(r"max[_ ]?length\s*=?\s*\d+", " ", text)
    )
    if listed is None:
        return None
    lengths = [int(n) for n in re.findall(r"\d+", listed[1])]
    longest: int | None = max(lengths)
    if not re.search(r"longest|dynamic", text):
        longest = _whole(
            _find(r"max(?:imum)?[ _]?(?:length|len)\s*(?:of|=|:|is)?\s*{n}", text)
            or _find(r"pad(?:ded|ding)?\s*(?:them |all |everything |it )?(?:up )?to\s*{n}", text)
        )
    if longest is None or len(lengths) < 2 or max(lengths) > longest:
        return None
    pads = sum(longest - n for n in lengths)
    if re.search(r"\b1s\b|ones|real tokens|non-?pad", text) and "mask" in text:
        ones = sum(lengths)
        working = [
            " + ".join(str(n) for n in lengths) + f" = {ones} real tokens, each a 1 in the mask"
        ]
        working.append(f"the other {pads} positions are [PAD], 0 in the mask")
        return Worked(
            "attention-masks-and-padding",
            f"{ones} ones in the attention mask",
            working,
            ("special-tokens",),
        )
    working = [" + ".join(f"({longest} - {n})" for n in lengths) + f" = {pads}"]
    working.append("each [PAD] position gets attention mask 0, so the model ignores it")
    return Worked(
        "attention-masks-and-padding", f"{pads} [PAD] tokens", working, ("special-tokens",)
    )


BYTES_PER_PARAMETER = {
    r"fp32|float32|32[ -]bit|full precision|4 bytes": 4.0,
    r"fp16|bf16|float16|bfloat16|16[ -]bit|half precision|2 bytes": 2.0,
    r"int8|8[ -]bit|1 byte": 1.0,
    r"int4|4[ -]bit|half a byte": 0.5,
}


def _memory(text: str) -> Worked | None:
    """Memory for the weights: parameters x bytes per parameter (x copies), in MB or GB."""
    unit = re.search(r"\b(gb|gib|mb|mib|gigabytes?|megabytes?)\b", text)
    params = _find(r"{n}\s*(?:-parameter|parameters?|params?|weights)\b", text) or _find(
        r"(?<![\d.])(\d+(?:\.\d+)?\s*[mb])\s*(?:-parameter |parameter )?model\b".replace(
            r"(\d+(?:\.\d+)?\s*[mb])", "{n}"
        ),
        text,
    )
    kind = _find(
        r"{n}\s*bytes? (?:per|a|for each|each|of memory per) (?:parameter|param|weight)", text
    )
    if kind is None:
        kind = next((b for p, b in BYTES_PER_PARAMETER.items() if re.search(p, text)), None)
    if unit is None or params is None or kind is None or params < 1e5:
        return None
    copies = _whole(_find(r"{n}\s*(?:copies|times the weights)", text)) or 1
    total = params * kind * copies
    gb = unit[1].startswith("g")
    size = f"{total / 1e9:,.2f} GB" if gb else f"{total / 1e6:,.0f} MB"
    working = [f"{params:,.0f} parameters x {kind:g} bytes" + (f" x {copies} copies" if copies > 1 else "")
               + f" = {total:,.0f} bytes = {size} (1 GB = 10^9 bytes)"]  # fmt: skip
    return Worked("parameters-and-size", size, working)


_SCI = r"(\d+(?:\.\d+)?(?:e-?\d+)?)"  # a learning rate as students write it: 3e-5, 0.0003


def _rate_number(pattern: str, text: str) -> float | None:
    """A learning rate captured where `pattern` has {lr}: "3e-5", "2e-4", "0.001"."""
    match = re.search(pattern.replace("{lr}", _SCI), text)
    if not match:
        return None
    value = float(match[1])
    return value if 0 < value < 1 else None


_LR = r"(?:learning[ _-]?rate|\blr)"


def _decimal(value: float) -> str:
    """1.5e-05 as "1.5e-5 (0.000015)": both the way it is set and the way it reads."""
    short = f"{value:.3g}".replace("e-0", "e-")
    if "e" not in short:
        return short
    return f"{short} ({f'{value:.12f}'.rstrip('0')})"


def _lr_at_step(text: str) -> Worked | None:
    """The learning rate at step S of a linear warmup to a peak (and after it, of a linear
    decay to 0 when the total is given)."""
    if not re.search(r"warm[ -]?up", text) or not re.search(_LR, text):
        return None
    peak = (
        _rate_number(_LR + r"\s*(?:of|=|is|:|at|to)?\s*(?:a |the )?(?:peak )?(?:of )?{lr}", text)
        or _rate_number(r"peak\w*\s*(?:" + _LR + r")?\s*(?:of|=|is|:)?\s*{lr}", text)
        or _rate_number(r"warm[ -]?up\w*[^.?!]{0,30}?\bto\s*(?:a peak of )?{lr}", text)
    )
    step = _whole(
        _find(r"(?:at|on|after|of) (?:step|iteration|update)\s*(?:number )?{n}", text)
        or _find(r"(?:at|after) {n}\s*(?:steps|iterations|updates)\b", text)
    )
    warm = _whole(
        _find(r"{n}\s*warm[ -]?up steps", text)
        or _find(r"warm[ -]?up\w*\s*(?:steps)?\s*(?:of|=|:|is|over|for|lasts?)?\s*{n}", text)
        or _find(r"(?:over|for|during) (?:the first )?{n}\s*(?:steps|iterations|updates)", text)
    )
    if peak is None or step is None or warm is None:
        return None
    if step <= warm:
        lr = peak * step / warm
        working = [
            f"linear warmup: lr = peak x step / warmup = {_decimal(peak)} x {step:,} / {warm:,}"
        ]
        working.append(f"= {_decimal(lr)}; the peak is reached at step {warm:,}")
        return Worked(
            "learning-rate-and-warmup", f"learning rate {_decimal(lr)} at step {step:,}", working
        )
    total = _whole(_find(r"{n}\s*(?:total |training )*(?:steps|iterations|updates) (?:in total|total|of training)", text)
                   or _find(r"{n}\s*(?:total|training) (?:steps|iterations|updates)", text)
                   or _find(r"(?:total|training) (?:of )?{n}\s*(?:steps|iterations|updates)", text)
                   or _find(r"(?:out of|of|over) {n}\s*(?:total )?(?:steps|iterations|updates)", text))  # fmt: skip
    if total is None or not warm < step <= total or not re.search(r"decay|linear|down", text):
        working = [f"step {step:,} is past the {warm:,} warmup steps: the peak {_decimal(peak)}"]
        return Worked(
            "learning-rate-and-warmup", f"learning rate {_decimal(peak)} at step {step:,}", working
        )
    lr = peak * (total - step) / (total - warm)
    working = [
        f"after warmup it decays linearly to 0 at step {total:,}:",
        f"lr = {_decimal(peak)} x ({total:,} - {step:,}) / ({total:,} - {warm:,}) = {_decimal(lr)}",
    ]
    return Worked(
        "learning-rate-and-warmup", f"learning rate {_decimal(lr)} at step {step:,}", working
    )


def _lr_scaled(text: str) -> Worked | None:
    """A learning rate divided or multiplied: "cut it by a factor of 10", "halve it"."""
    if not re.search(_LR, text):
        return None
    lr = _rate_number(
        _LR + r"\s*(?:of|=|is|:|at|was|to)?\s*(?:a |the )?{lr}", text
    ) or _rate_number(r"{lr}\s*(?:as (?:the |my )?)?" + _LR, text)
    if lr is None:
        return None
    factor = _find(
        r"(?:factor of|divided? (?:it )?by|by a factor|reduce\w* (?:it )?by|cut (?:it )?by)\s*(?:a factor of )?{n}",
        text,
    )
    smaller = True
    if factor is None and (times := _find(r"{n}\s*(?:x|times) (?:smaller|lower|less)", text)):
        factor = times
    if factor is None and (
        times := _find(r"{n}\s*(?:x|times) (?:bigger|larger|higher|more)", text)
        or _find(r"multipl\w* (?:it )?by {n}", text)
    ):
        factor, smaller = times, False
    if factor is None and re.search(r"\bhalve|\bhalf\b", text):
        factor = 2
    if factor is None and re.search(r"\bdouble", text):
        factor, smaller = 2, False
    if factor is None or factor <= 1:
        return None
    new = lr / factor if smaller else lr * factor
    sign = "/" if smaller else "x"
    working = [f"{_decimal(lr)} {sign} {factor:g} = {_decimal(new)}"]
    return Worked("learning-rate-and-warmup", f"a learning rate of {_decimal(new)}", working)


def _sequences_processed(text: str) -> Worked | None:
    """Optimizer steps x batch size: how many sequences (and tokens) training went through."""
    if "effective batch" in text:  # "what effective batch does one update see": not a count
        return None
    if not re.search(
        r"in total|altogether|process|\bsee\b|\bsaw\b|went through|how many (?:sequences|examples|samples|tokens)",
        text,
    ):
        return None
    steps = _steps_run(text)
    batch = _batch(text) or _whole(
        _find(
            r"{n}\s*(?:sequences|examples|samples|sentences)\s*(?:per|in each|each|a|in every) (?:batch|step)",
            text,
        )
    )
    if steps is None or batch is None:
        return None
    seen = steps * batch
    working = [f"{steps:,} steps x {batch:,} sequences per batch = {seen:,} sequences"]
    result = f"{seen:,} sequences"
    length = _whole(
        _find(r"(?:of|with|at)\s*{n}\s*tokens(?: each)?", text)
        or _find(r"{n}[- ]token sequences", text)
        or _find(r"(?:length|max_length|seq(?:uence)? len\w*)\s*(?:of|=|:)?\s*{n}", text)
    )
    if length and "token" in text:
        working.append(f"x {length:,} tokens each = {seen * length:,} tokens")
        result += f" ({seen * length:,} tokens)"
    return Worked("epochs-batches-steps", result, working, ("pretraining-cost",))


_COUNTED = re.compile(
    r"(?<![\w.])" + _NUMBER
    + r"(?P<named>[\s-]*(?:(?:trainable|learnable|new|extra|total|lora|adapter|peft|model)\s+){0,3}"
    + r"(?:parameters?|params?)\b)?"
)  # fmt: skip


def _parameter_counts(text: str) -> list[float]:
    """The parameter counts a question gives: "110m", "a 340m-parameter model", "294,912
    trainable parameters", "a 1,538-parameter head"; never "24gb" or "12 layers"."""
    counts = []
    for match in _COUNTED.finditer(text):
        if match[2] in ("m", "b") or match["named"]:
            value = number(match[1] + (match[2] or ""))
            if value is not None and value >= 1:
                counts.append(value)
    return counts


def _size(value: float) -> str:
    return (
        f"{value / 1e9:g}B"
        if value >= 1e9
        else f"{value / 1e6:g}M"
        if value >= 1e6
        else f"{value:,.0f}"
    )


_SHAPE = re.compile(r"(\d[\d,]*)\s*(?:x|by|\*)\s*(\d[\d,]*)")
_WITH_BIASES = r"(?:plus|with|and|including|incl\.?) (?:the )?bias(?:es)?"


def _matrix_weights(text: str) -> Worked | None:
    """Weights in the matrices a question lists: "two weight matrices, 768x3072 and 3072x768",
    "the Q, K, V and output projections are each 768x768" (four matrices)."""
    if not re.search(r"weights|param", text) or not re.search(r"matri|projection", text):
        return None
    if re.search(r"\brank\b|\br\s*=|lora|adapter", text):  # LoRA's own rule counts those
        return None
    shapes = [(int(a.replace(",", "")), int(b.replace(",", ""))) for a, b in _SHAPE.findall(text)]
    if not shapes or any(a <= 1 or b <= 1 for a, b in shapes):
        return None
    copies = 1
    if len(shapes) == 1:
        copies = _whole(_find(r"{n}\s*(?:[a-z]+\s+){0,2}?(?:matrices|projections)", text)) or 1
    weights = copies * sum(a * b for a, b in shapes)
    listed = " + ".join(f"{a:,} x {b:,}" for a, b in shapes)
    working = [
        f"{copies} x {listed} = {weights:,} weights"
        if copies > 1
        else f"{listed} = {weights:,} weights"
    ]
    result = f"{weights:,} weights"
    if re.search(_WITH_BIASES, text):
        biases = copies * sum(b for _, b in shapes)
        working.append(f"+ {biases:,} biases (one per output) = {weights + biases:,} parameters")
        result = f"{weights + biases:,} parameters ({weights:,} weights + {biases:,} biases)"
    return Worked("parameters-and-size", result, working, ("transformer-architecture", "attention"))


def _linear_layer(text: str) -> Worked | None:
    """A linear layer such as a classification head, from d inputs to k outputs: d x k weights
    plus k biases (unless the question leaves the biases out)."""
    if not re.search(r"param|weights", text) or not re.search(
        r"head|linear|classifier|dense", text
    ):
        return None
    labels = r"\s*(?:labels|classes|outputs|categories|logits|output units)\b"
    match = re.search(
        r"(\d[\d,]*)[- ]?(?:dim\w*|d|features|hidden|inputs?)\b[^.?!]{0,40}?\bto (\d[\d,]*)"
        + labels,
        text,
    ) or re.search(
        r"(?:from|maps?|mapping) (?:the |a |an )?(\d[\d,]*)[^.?!\d]{0,30}?\bto (\d[\d,]*)" + labels,
        text,
    )
    if match is None:
        return None
    d, k = (int(g.replace(",", "")) for g in match.groups())
    if d <= 1 or k < 1:
        return None
    working = [f"weights: {d:,} inputs x {k:,} outputs = {d * k:,}"]
    if re.search(
        r"(?:without|no|ignor\w*|excluding|not counting) (?:the )?bias|weights only", text
    ):
        return Worked("layer-freezing", f"{d * k:,} weights", working)
    working.append(f"+ {k:,} biases = {d * k + k:,} parameters")
    return Worked("layer-freezing", f"{d * k + k:,} parameters", working)


def _share_of_parameters(text: str) -> Worked | None:
    """The share of a model that is trained: 294,912 of 110M as a percent, or 0.1% of 340M
    as a count."""
    if not re.search(r"train|lora|peft|adapter|head|freez|updat|tun", text) or re.search(
        r"smaller|fewer|larger|bigger|reduc", text
    ):
        return None
    counts = _parameter_counts(text)
    share = _find(r"{n}\s*%", text)
    other: tuple[str, ...]
    # the question's words name the method: its card explains the share, wherever it ranks
    if re.search(r"lora|peft|adapter|low[- ]rank", text):
        concept, other = "lora-and-peft", ()
    elif re.search(r"freez|head|probe|feature extract", text):
        concept, other = "layer-freezing", ()
    else:
        concept, other = "parameters-and-size", ("lora-and-peft", "layer-freezing")
    if share is not None and len(counts) == 1 and 0 < share < 100:
        trained = counts[0] * share / 100
        working = [
            f"{share:g}% of {_size(counts[0])} = {counts[0]:,.0f} x {share / 100:g} = {trained:,.0f}"
        ]
        return Worked(concept, f"{trained:,.0f} parameters are trained", working, other)
    if (
        share is not None
        or len(counts) != 2
        or not re.search(r"percent|%|fraction|share|proportion", text)
    ):
        return None
    part, whole = min(counts), max(counts)
    percent = 100 * part / whole
    working = [f"{part:,.0f} / {whole:,.0f} = {part / whole:.3g} = {percent:.3g}%"]
    return Worked(concept, f"{percent:.3g}% of the parameters are trained", working, other)


def _sequence_length(text: str) -> int | None:
    digits = r"(\d[\d,]*)"
    shape = re.search(rf"{digits}\s*(?:x|by|\*)\s*{digits}", text)
    if shape and shape[1] == shape[2]:
        return _whole(number(shape[1]))
    return _whole(
        _find(r"{n}[- ](?:token|word|position)s?\b", text)
        or _find(r"(?:length|len|max_length|seq_len|n)\s*(?:of|=|is|:)?\s*{n}", text)
        or _find(r"{n}\s*(?:tokens|words|positions)\b", text)
    )


def _attention_sizes(text: str) -> Worked | None:
    """Per-head dimensions (hidden / heads), attention scores per head (N x N), and the pairs
    a causal mask allows (N(N+1)/2) or blocks (N(N-1)/2)."""
    if not re.search(r"attention|head|causal|query|mask", text):
        return None
    hidden = _whole(
        _find(
            r"(?:hidden|d_model|model|embedding)(?:[ _](?:size|dim\w*|width))?\s*(?:of|=|is|:)?\s*{n}",
            text,
        )
        or _find(r"{n}[- ]?(?:dim\w* )?(?:hidden|model|embedding)", text)
    )
    heads = _whole(
        _find(r"{n}\s*(?:attention |self-attention )?heads", text)
        or _find(r"heads?\s*(?:=|:|of)\s*{n}", text)
    )
    if (
        hidden
        and heads
        and re.search(
            r"per head|each head|head (?:dim|size)|dim\w* (?:per|for each|of each|does each)|how (?:big|large|wide)",
            text,
        )
    ):
        if hidden % heads:
            return None
        working = [f"{hidden} / {heads} heads = {hidden // heads} dimensions per head"]
        working.append(
            "each head attends in its own smaller space; their outputs are concatenated back to the full size"
        )
        return Worked(
            "attention",
            f"{hidden // heads} dimensions per head",
            working,
            ("transformer-architecture",),
        )
    layers = _whole(_find(r"{n}\s*(?:transformer |encoder |decoder )?(?:layers|blocks)", text))
    if (
        heads
        and layers
        and re.search(r"how many (?:attention )?heads|heads (?:in )?(?:total|altogether)", text)
    ):
        working = [f"{layers} layers x {heads} heads each = {layers * heads:,} attention heads"]
        return Worked(
            "transformer-architecture",
            f"{layers * heads:,} attention heads",
            working,
            ("attention", "parameters-and-size"),
        )
    grow = re.search(r"from (\d[\d,]*) to (\d[\d,]*)\s*tokens", text)
    if grow and re.search(r"factor|times|grow|increase|how much (?:more|bigger)", text):
        a, b = (int(g.replace(",", "")) for g in grow.groups())
        if 0 < a < b:
            working = [
                f"scores grow with the square of the length: ({b:,} / {a:,})^2 = {(b / a) ** 2:g}"
            ]
            return Worked(
                "attention",
                f"{(b / a) ** 2:g} times as many attention scores",
                working,
                ("transformer-architecture",),
            )
    # "how is the score between two tokens computed" asks how, not how many
    if not re.search(r"how many|number of|count|total", text):
        return None
    n = _sequence_length(text)
    if n is None or n > 100_000:
        return None
    if re.search(r"causal|future|look[- ]?ahead|triangular|gpt|decoder", text):
        allowed_asked = re.search(r"\ballowed|not masked|unmasked|visible|can (?:attend|see)", text)
        if not allowed_asked and re.search(
            r"zero|block|masked|hidden|can't|cannot|not allowed|disallowed|forbidden|-inf", text
        ):
            blocked = n * (n - 1) // 2
            working = [f"the entries above the diagonal: {n} x ({n} - 1) / 2 = {blocked:,}"]
            return Worked("causal-masking", f"{blocked:,} blocked entries", working, ("attention",))
        allowed = n * (n + 1) // 2
        working = [
            f"token i sees tokens 1..i: 1 + 2 + ... + {n} = {n} x ({n} + 1) / 2 = {allowed:,}"
        ]
        working.append(
            f"of the {n * n:,} entries of the {n}x{n} matrix, the {n * (n - 1) // 2:,} above the diagonal are blocked"
        )
        return Worked(
            "causal-masking", f"{allowed:,} allowed query-key pairs", working, ("attention",)
        )
    if not re.search(r"score|query|connection|pairs|entries|attention weights", text):
        return None
    scores = n * n
    working = [f"every query scores every key: {n:,} x {n:,} = {scores:,} per head"]
    result = f"{scores:,} attention scores per head"
    if heads and not re.search(r"one head|a head|per head|each head|single head", text):
        working.append(f"x {heads} heads = {scores * heads:,}")
        result += f", {scores * heads:,} for {heads} heads"
    return Worked("attention", result, working, ("transformer-architecture",))


def _embedding_table(text: str) -> Worked | None:
    """An embedding table's parameters: vocabulary size x hidden size."""
    if not re.search(r"embedding|vocab", text) or not re.search(
        r"param|weights|how (?:many|big|large)|size of|entries|numbers", text
    ):
        return None
    vocab = _whole(
        _find(r"vocab\w*(?: size)?\s*(?:of|=|is|:)?\s*{n}", text)
        or _find(r"{n}[- ]?(?:token|word|entry|wordpiece|subword|piece)s?[- ](?:vocab\w*)", text)
        or _find(r"{n}\s*(?:tokens? |words? |entries )?in (?:the|its|a) vocab", text)
        or _find(r"{n}\s*(?:positions|position embeddings|segments|token types)\b", text)
    )
    hidden = _whole(
        _find(
            r"(?:hidden|embedding|d_model)(?:[ _](?:size|dim\w*|width))?\s*(?:of|=|is|:)?\s*{n}",
            text,
        )
        or _find(r"{n}[- ]dim\w*", text)
        or _find(r"dim\w*\s*(?:of|=|is|:)?\s*{n}", text)
    )
    if vocab is None or hidden is None or vocab == hidden:
        return None
    working = [f"one {hidden}-number vector per token: {vocab:,} x {hidden:,} = {vocab * hidden:,}"]
    return Worked(
        "parameters-and-size",
        f"{vocab * hidden:,} parameters ({vocab:,} x {hidden:,})",
        working,
        ("subwords-and-vocabulary", "contextual-embeddings"),
    )


def _input_length(text: str) -> Worked | None:
    """BERT's input with its special tokens: [CLS] a [SEP] (n + 2), [CLS] a [SEP] b [SEP]
    (a + b + 3); or how much of max_length is left for the text."""
    if not re.search(r"\[cls\]|\[sep\]|special tokens", text):
        return None
    # "the 2 [SEP] tokens" ("two", spelled out above) count the special tokens, not the text
    found = re.findall(r"(?<![\w.])(\d[\d,]*)(?!\d|\.\d)(?!\s*(?:\[|special))", text)
    numbers = [int(n.replace(",", "")) for n in found]
    pair = re.search(
        r"pair|2 sentences|sentence a|2 \[sep\]|both sentences|question and|and a passage|the passage",
        text,
    )
    limit = _whole(_find(r"max[_ ]?(?:length|len)\s*(?:of|=|:|is)?\s*{n}", text))
    if limit and "pad" in text and re.search(r"how many|number of", text):
        text_tokens = [n for n in numbers if n != limit]
        if len(text_tokens) == 1 or (pair and len(text_tokens) == 2):
            used = sum(text_tokens) + (3 if pair else 2)
            if used <= limit:
                working = [
                    f"{' + '.join(map(str, text_tokens))} + {used - sum(text_tokens)} special tokens = {used}"
                ]
                working.append(
                    f"{limit} - {used} = {limit - used} [PAD] tokens to reach max_length {limit}"
                )
                return Worked(
                    "special-tokens",
                    f"{limit - used} [PAD] tokens",
                    working,
                    ("attention-masks-and-padding",),
                )
    room = re.search(r"fit|room|left|available|budget|max", text)
    if room and len(numbers) == 1:
        limit, extra = numbers[0], 3 if pair else 2
        working = [
            f"{limit} - {extra} special tokens ([CLS] and {'two [SEP]' if pair else '[SEP]'}) = {limit - extra}"
        ]
        return Worked(
            "special-tokens", f"{limit - extra} tokens of text fit", working, ("tokenization",)
        )
    if pair and len(numbers) == 2:
        a, b = numbers
        working = [f"[CLS] + {a} + [SEP] + {b} + [SEP] = {a} + {b} + 3 = {a + b + 3}"]
        return Worked(
            "special-tokens",
            f"{a + b + 3} tokens",
            working,
            ("tokenization", "next-sentence-prediction"),
        )
    if not pair and len(numbers) == 1 and re.search(r"how (?:long|many)|length|total", text):
        n = numbers[0]
        working = [f"[CLS] + {n} + [SEP] = {n + 2}"]
        return Worked("special-tokens", f"{n + 2} tokens", working, ("tokenization",))
    return None


_AMOUNT = re.compile(
    r"(\$\s*)?" + _NUMBER
    + r"\s*(mwh|kwh|gwh|gpu[- ]?hours?|hours?|hrs?|days?|weeks?|tons?|tonnes?|kg|dollars|usd)?\b"
)  # fmt: skip


def _savings(text: str) -> Worked | None:
    """Two amounts in one unit (MWh, $, GPU-hours): the percent saved by the smaller one."""
    if not re.search(r"percent|%", text) or not re.search(
        r"sav|less|reduc|cut|cheaper|lower|fewer|smaller", text
    ):
        return None
    amounts: dict[str, list[float]] = {}
    for match in _AMOUNT.finditer(text):
        unit = "$" if match[1] or match[4] in ("dollars", "usd") else match[4]
        if unit:
            value = number(match[2] + (match[3] or ""))
            if value is not None:
                amounts.setdefault(re.sub(r"s$|[- ]", "", unit), []).append(value)
    pairs = [(u, v) for u, v in amounts.items() if len(v) == 2 and min(v) < max(v)]
    if len(pairs) != 1:
        return None
    unit, (first, second) = pairs[0]
    big, small = max(first, second), min(first, second)
    shown = (
        (lambda v: f"${v:,.0f}")
        if unit == "$"
        else (lambda v: f"{v:,g} {unit[:-2].upper() + 'Wh' if unit.endswith('wh') else unit}")
    )
    share = (big - small) / big
    working = [f"({shown(big)} - {shown(small)}) / {shown(big)} = {share:.4f}"]
    return Worked(
        "pretraining-cost",
        f"{100 * share:.3g}% saved ({shown(small)} instead of {shown(big)})",
        working,
        ("transfer-learning",),
    )


def _sentence_pairs(text: str) -> Worked | None:
    """Next-sentence prediction's pairs: half IsNext (the real next sentence), half NotNext."""
    if "pair" not in text or not re.search(
        r"50/50|50-50|50 ?%|half|next[- ]sentence|\bnsp\b|isnext|notnext", text
    ):
        return None
    pairs = _whole(_find(r"(?<![/\d.,]){n}\s*(?:sentence[- ])?pairs", text))  # not 50/50
    if pairs is None:
        return None
    share = _find(
        r"{n}\s*%\s*(?:are |of them |of the pairs )?(?:random|notnext|not next|negative)", text
    )
    share = 50.0 if share is None else share
    if not 0 < share < 100:
        return None
    random_pairs = pairs * share / 100
    working = [
        f"{pairs:,} x {share / 100:g} = {random_pairs:,.0f} pairs get a random second sentence (NotNext)"
    ]
    working.append(f"the other {pairs - random_pairs:,.0f} keep the real next sentence (IsNext)")
    return Worked(
        "next-sentence-prediction",
        f"{random_pairs:,.0f} pairs with a random second sentence",
        working,
    )


def _memory_scaled(text: str) -> Worked | None:
    """Activation memory that grows linearly with the batch: from one batch size to another."""
    if "batch" not in text or not re.search(r"linear|scale|proportional", text):
        return None
    memory = re.search(r"(\d+(?:\.\d+)?)\s*(gb|gib|mb|mib)\b", text)
    batches = [
        int(b) for b in re.findall(r"batch(?:[ _-]?size)?\s*(?:of|=|is|:|to)?\s*(\d+)", text)
    ]
    if memory is None or len(batches) != 2 or 0 in batches:
        return None
    amount, unit = float(memory[1]), memory[2].upper().replace("I", "i")
    before, after = batches
    scaled = amount * after / before
    working = [f"{amount:g} {unit} x {after} / {before} = {scaled:g} {unit}"]
    return Worked("hardware", f"about {scaled:g} {unit}", working, ("gradient-accumulation",))


def _cross_entropy(text: str) -> Worked | None:
    """Cross-entropy of one prediction: -ln(p of the right class); a uniform guess over k
    classes: ln k. Perplexity given, the loss asked: ln(perplexity)."""
    if not re.search(r"cross[- ]?entropy|\bloss\b|\bnats?\b", text):
        return None
    if "perplexity" in text and re.search(
        r"(?:what|which) (?:is )?(?:the )?(?:per[- ]token )?loss|loss in nats|how much loss", text
    ):
        ppl = _find(r"perplexity\s*(?:of|=|is|:|was)?\s*{n}", text)
        if ppl is None or ppl < 1:
            return None
        working = [f"loss = ln(perplexity) = ln({ppl:g}) = {math.log(ppl):.3f} nats per token"]
        return Worked(
            "loss-and-gradients",
            f"loss = {math.log(ppl):.3f} nats",
            working,
            ("autoregressive-modeling",),
        )
    uniform = re.search(
        r"(\d+)[- ](?:class|way)\b[^.?!]*?(?:50/50|uniform|evenly|equal|random|guess)", text
    )
    if uniform and re.search(r"50/50|uniform|evenly|equal(?:ly)? (?:on|likely|probab)|guess", text):
        k = int(uniform[1])
        if k < 2:
            return None
        working = [f"each class gets 1/{k}: loss = -ln(1/{k}) = ln {k} = {math.log(k):.3f}"]
        return Worked("loss-and-gradients", f"loss = ln {k} = {math.log(k):.3f}", working)
    p = _find(
        r"(?:probability|prob|p)\s*(?:of|=|is|:)?\s*{n}\s*(?:on|to|for) (?:the )?(?:correct|right|true|target)",
        text,
    ) or _find(
        r"(?:correct|right|true|target) (?:class|token|label|word)\w*[^.?!\d]{0,30}?(?:probability|prob|p)\s*(?:of|=|is|:)?\s*{n}",
        text,
    )
    if p is None or not 0 < p < 1:
        return None
    working = [f"loss = -ln(p of the right class) = -ln({p:g}) = {-math.log(p):.3f}"]
    return Worked("loss-and-gradients", f"loss = {-math.log(p):.3f}", working)


def _sequence_probability(text: str) -> Worked | None:
    """The chain rule of an autoregressive model: P(w1..wn) = P(w1) x P(w2|w1) x ..."""
    factors = re.findall(r"p\([^)]*\)\s*=\s*(\d*\.\d+|\d+(?:\.\d+)?)", text)
    if len(factors) < 2 or "|" not in text or not re.search(r"probab|p\(", text):
        return None
    values = [float(f) for f in factors]
    if not all(0 < v <= 1 for v in values):
        return None
    product = math.prod(values)
    working = [
        " x ".join(f"{v:g}" for v in values)
        + f" = {product:.4g} (each word given the ones before it)"
    ]
    return Worked("autoregressive-modeling", f"P = {product:.4g}", working, ("loss-and-gradients",))


def _nsp_pairs(text: str) -> Worked | None:
    """Next sentence prediction pairs: half have the real next sentence, half a random one."""
    if not re.search(r"\bnsp\b|next sentence", text) or not re.search(
        r"random|real|actual|isnext|notnext|true next", text
    ):
        return None
    pairs = _whole(_find(r"{n}\s*(?:nsp |sentence |training )?(?:pairs|examples)", text))
    if pairs is None:
        return None
    half = pairs / 2
    working = [
        f"half the pairs keep the real next sentence, half get a random one: {pairs:,} / 2 = {half:g}"
    ]
    return Worked("next-sentence-prediction", f"{half:g} pairs", working)


def _student_score(text: str) -> Worked | None:
    """Distillation: a student keeping X% of its teacher's score."""
    if not re.search(r"student", text) or not re.search(r"teacher", text):
        return None
    teacher = _find(r"teacher\w*[^.?!\d]{0,20}?{n}\s*%", text)
    kept = _find(r"(?:keeps|retains|keeping|retaining|reaches|gets) {n}\s*%\s*of", text)
    if teacher is None or kept is None or not 0 < kept <= 100:
        return None
    score = teacher * kept / 100
    working = [f"{teacher:g}% x {kept:g}% = {score:.4g}%"]
    return Worked("knowledge-distillation", f"{score:.4g}%", working, ("bert-family",))


def _layers_frozen(text: str) -> Worked | None:
    """ "a 24-layer encoder, the bottom 18 frozen: what share is trained?" and how many are."""
    if not re.search(r"freez|frozen", text):
        return None
    layers = _whole(
        _find(r"{n}[- ](?:layers?|encoder layers|transformer layers|blocks)\b", text)
        or _find(r"has {n} (?:encoder |transformer )?layers", text)
    )
    frozen = _whole(
        _find(r"(?:freeze|freezing|frozen)\s*(?:the )?(?:bottom|lowest|first|lower)?\s*{n}", text)
        or _find(r"(?:bottom|lowest|first|lower) {n}\s*(?:layers )?(?:are |is )?frozen", text)
    )
    if layers is None or frozen is None or not 0 < frozen < layers:
        return None
    left = layers - frozen
    working = [f"{layers} layers - {frozen} frozen = {left} still trained"]
    if re.search(r"percent|%|share|fraction|proportion", text):
        working.append(f"{left} / {layers} = {left / layers:.1%}")
        return Worked(
            "layer-freezing",
            f"{left / layers:.1%} of the layers are trained ({left} of {layers})",
            working,
        )
    return Worked("layer-freezing", f"{left} layers are still trained", working)


def _grid_runs(text: str) -> Worked | None:
    """A grid search's runs: the product of each hyperparameter's number of values (and the
    time, when one run's time is given)."""
    if not re.search(r"grid", text):
        return None
    sets = re.findall(r"\{([^{}]*)\}", text)
    counts = [len([v for v in g.split(",") if v.strip()]) for g in sets]
    if len(counts) < 2:
        listed = re.findall(
            r"(\d+) (?:different )?(?:learning rates?|lrs?|batch sizes?|warm[- ]?up \w+|epochs? (?:settings|values|counts)|seeds?|values of \w+|dropout \w+|weight decays?|ranks?)",
            text,
        )
        counts = [int(c) for c in listed]
    if len(counts) < 2 or not all(counts):
        return None
    runs = math.prod(counts)
    working = [" x ".join(map(str, counts)) + f" = {runs:,} runs"]
    result = f"{runs:,} runs"
    minutes = _find(r"{n}\s*(?:min|minutes)", text)
    hours = _find(r"{n}\s*(?:h|hours?)\b", text)
    if minutes or hours:
        total_h = runs * (minutes / 60 if minutes else hours or 0)
        working.append(
            f"{runs:,} runs x {(minutes or 0):g} minutes = {total_h:g} hours"
            if minutes
            else f"{runs:,} runs x {hours:g} hours = {total_h:g} hours"
        )
        result += f", {total_h:g} hours"
    return Worked("hyperparameter-tuning", result, working)


def _early_stopping(text: str) -> Worked | None:
    """Validation losses listed by epoch: early stopping keeps the epoch with the lowest."""
    if not re.search(r"early stop|which epoch|best epoch|keep", text) or "loss" not in text:
        return None
    listed = re.search(r"(?:was|were|are|:)\s*(\d*\.\d+(?:\s*,\s*\d*\.\d+){2,})", text)
    if listed is None:
        return None
    losses = [float(v) for v in listed[1].split(",")]
    start = _whole(_find(r"epochs? {n}\s*(?:to|-|through)", text)) or 1
    best = min(range(len(losses)), key=losses.__getitem__)
    working = [", ".join(f"epoch {start + i}: {v:g}" for i, v in enumerate(losses))]
    working.append(
        f"the lowest validation loss is {losses[best]:g}, at epoch {start + best}; after it the model overfits"
    )
    return Worked("overfitting", f"epoch {start + best}", working)


def _demonstrations(text: str) -> Worked | None:
    """How many few-shot demonstrations fit in a context window."""
    if (
        not re.search(r"demonstration|examples? in the prompt|shots?\b|few-shot", text)
        or "fit" not in text
    ):
        return None
    window = _whole(
        _find(r"{n}[- ]token (?:context|window)", text)
        or _find(r"context (?:window )?(?:of|is)?\s*{n}", text)
    )
    used = _whole(_find(r"(?:use|uses|takes?|is)\s*{n}\s*tokens", text))
    each = _whole(
        _find(r"each (?:demonstration|example|shot)\s*(?:is|takes|uses|of)?\s*{n}", text)
        or _find(r"{n}\s*tokens (?:per|each|a) (?:demonstration|example|shot)", text)
    )
    if window is None or used is None or each is None or used >= window:
        return None
    fit = (window - used) // each
    working = [
        f"({window:,} - {used:,}) / {each} = {(window - used) / each:.2f}: {fit} whole demonstrations"
    ]
    return Worked("few-shot-learning", f"{fit} demonstrations", working)


def _beam_candidates(text: str) -> Worked | None:
    """Beam search scores every vocabulary token after every beam: beams x vocabulary."""
    if "beam" not in text:
        return None
    beams = _whole(
        _find(r"{n}\s*beams", text) or _find(r"beam (?:width|size)\s*(?:of|=|is)?\s*{n}", text)
    )
    vocab = _whole(
        _find(r"{n}[- ](?:token|word)s?[- ]vocab", text)
        or _find(r"vocab\w*(?: size)?\s*(?:of|=|is)?\s*{n}", text)
    )
    if beams is None or vocab is None or not re.search(r"how many|number of", text):
        return None
    working = [
        f"{beams} beams x {vocab:,} possible next tokens = {beams * vocab:,} candidates, of which the best {beams} are kept"
    ]
    return Worked("generation-strategies", f"{beams * vocab:,} candidates", working)


RULES: list[Callable[[str], Worked | None]] = [
    _lr_at_step,  # before _warmup: "peak 3e-5 over 100 warmup steps, lr at step 50"
    _warmup,
    _memory_scaled,
    _accumulation_needed,  # before _steps: "32 examples fit" is no dataset size
    _epochs_run,  # before _steps: the total steps are given, the epochs asked
    _examples_from_steps,  # before _steps: the steps are given, the examples asked
    _batch_change,  # before _steps: two batch sizes, the difference asked
    _steps,
    _sequences_processed,  # after _steps: steps given, not a dataset to divide
    _effective_batch,
    _lr_scaled,
    _lora,
    _memory,
    _factorized_embedding,
    _embedding_table,  # after _factorized_embedding: V x E + E x H is ALBERT's
    _matrix_weights,  # before _bert: "768x3072 in BERT-base's feed-forward" asks about those
    _linear_layer,
    _demonstrations,  # before _attention_sizes: "a 1024-token context" is no attention count
    _attention_sizes,  # before _bert: "BERT-large's 1024 hidden and 16 heads, per head?"
    _share_of_parameters,  # before _sizes: "4M of a 7B model trained" is a share, not a size
    _shrunk,  # before _sizes: "40% smaller than 110M" gives one size and asks for the other
    _sizes,  # before _bert: "BERT-large (340M) vs BERT-base (110M)" asks about those numbers
    _bert_pair,
    _bert,
    _equal_logits,
    _named_softmax,
    _softmax,
    _metrics,
    _rate,
    _majority,
    _perplexity,
    _input_length,
    _sentence_pairs,
    _padding_share,
    _padding,
    _masked_tokens,
    _costs,
    _savings,
    _cross_entropy,
    _sequence_probability,
    _nsp_pairs,
    _student_score,
    _layers_frozen,
    _grid_runs,
    _early_stopping,
    _beam_candidates,
]


def work_out(question: str) -> Worked | None:
    """The calculation `question` asks for with its own numbers, or None."""
    # A course calculation fits in a few sentences; a long text or a run of 16+ digits is no
    # such question, and would only make the rules' regexes work hard.
    if len(question) > MAX_QUESTION_CHARS or re.search(r"\d{16,}", question):
        return None
    text = _spelled_numbers_as_digits(question.lower().replace("\u00d7", "x"))
    for rule in RULES if re.search(r"\d", text) else [_bert_pair, _bert]:  # BERT's need none
        try:
            worked = rule(text)
        except (CalculatorError, ZeroDivisionError, OverflowError):
            continue  # numbers no calculation can use ("0 negatives and 0 positives")
        if worked is not None:
            return worked
    return None
