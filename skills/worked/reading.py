"""Reading a question's numbers and the quantities most calculations need: "2.5k", "1,000",
"four", "4,000 examples", "batch 64", "3 epochs", the steps per epoch they make."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from skills.calculators import steps_per_epoch
from skills.text import NUMBER_SCALES, NUMBER_TENS, NUMBER_UNITS

_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9}


_NUMBER = r"(\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)\s*([kmb](?![a-z]))?"


LIMIT = 1e12  # beyond any course-sized question: left to the card


MAX_QUESTION_CHARS = 600


# a Worked.concept for a calculation that belongs to no card of its own ("how many more"):
# the card the question's words found explains it
ANY_CARD = "*"


HOURS_PER = {"second": 1 / 3600, "sec": 1 / 3600, "minute": 1 / 60, "min": 1 / 60,
             "hour": 1.0, "hr": 1.0, "day": 24.0, "week": 168.0}  # fmt: skip


def ratio_text(ratio: float) -> str:
    """ "9.2", "36", "10,000": a ratio to three figures, or whole with separators when large."""
    return f"{ratio:,.0f}" if ratio >= 100 else f"{ratio:.3g}"


def last_sentence(text: str) -> str:
    """What a several-sentence question asks is in its last sentence."""
    return re.split(r"(?<=[.!?])\s+", text.strip())[-1]


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
    # "the last partial batch is not dropped", "drop_last=False", "keep the last batch"
    if re.search(
        r"(?:not|n't|never)\s+(?:be\s+|being\s+)?(?:dropped|discarded|skipped|ignored)|"
        r"drop_last\s*=\s*false|\bkeep(?:s|ing)? (?:the )?(?:last|final|partial|incomplete)",
        text,
    ):
        return False
    return bool(
        re.search(
            r"(?:drop(?:s|ping|ped)?|discard(?:s|ing|ed)?|skip(?:s|ping|ped)?|ignor(?:e|es|ing|ed)) "
            r"(?:the )?(?:last|final|incomplete|partial|leftover)|drop_last|"
            # "with the last incomplete batch dropped", "the partial batch is discarded"
            r"(?:last|final|incomplete|partial|leftover)(?: \w+){0,2} batch(?:es)? (?:is |are |gets |"
            r"get |being |was |were )?(?:dropped|discarded|thrown away|skipped|ignored)\b",
            text,
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
