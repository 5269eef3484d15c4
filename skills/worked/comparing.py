"""Two quantities a question gives, compared: "how many more", "how many times", "what
fraction of". The last resort of the rules: a question no calculation of its own recognised
("GPT-2's vocabulary has 50,257 tokens and BERT's 30,522: how many more?") still gets its
own result; the card is whichever the question's words found (ANY_CARD)."""

from __future__ import annotations

import re

from skills.worked.reading import ANY_CARD, HOURS_PER, Worked, last_sentence, number, ratio_text

# a number standing alone: not the 2 of "gpt-2", the 5 of "t5", the 32 of "fp32"
_ALONE = re.compile(
    r"(?<![\w.-])\$?(\d+(?:,\d{3})*(?:\.\d+)?)\s*([kmb](?![a-z])|million\b|billion\b)?(?![\w.-]*\w)"
)


def _in_hours(text: str) -> list[float] | None:
    """Two durations in different units ("6 hours ... 10 minutes") as hours; None if the
    question's quantities are not all durations."""
    found = re.findall(r"(\d+(?:\.\d+)?)\s*(second|sec|minute|min|hour|hr|day|week)s?\b", text)
    if len(found) != 2 or len({unit for _, unit in found}) < 2:
        return None
    return [float(value) * HOURS_PER[unit] for value, unit in found]


def _quantities(text: str) -> list[float]:
    values = []
    for match in _ALONE.finditer(text):
        suffix = {"million": "m", "billion": "b"}.get(match[2] or "", match[2] or "")
        value = number(match[1] + suffix)
        if value is not None:
            values.append(value)
    return values


def _shown(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.4g}"


def _points(text: str) -> Worked | None:
    """Two percentages compared: "89% and 94%: the difference in percentage points?", "the
    relative improvement in percent?"."""
    shares = [float(v) for v in re.findall(r"(\d+(?:\.\d+)?)\s*%", text)]
    if len(shares) != 2 or shares[0] == shares[1]:
        return None
    low, high = min(shares), max(shares)
    ask = last_sentence(text)
    if re.search(r"\b(?:can|should|do|could|would) (?:i|we|you)\b|\bhow (?:do|can|to)\b", ask):
        return None  # "what can I do to close that gap?" asks for advice, not for points
    if re.search(
        r"relative|by what percent|how many percent|what percent(?:age)? (?:more|higher|bigger|better)",
        ask,
    ):
        gain = 100 * (high - low) / low
        working = [f"({high:g} - {low:g}) / {low:g} = {gain:.3g}% relative"]
        return Worked(ANY_CARD, f"{gain:.3g}% relative improvement", working)
    if re.search(
        r"percentage points?|\bgap\b|difference (?:in|is)\b|how much (?:higher|lower|better|worse)",
        ask,
    ):
        working = [f"{high:g}% - {low:g}% = {high - low:g} percentage points"]
        return Worked(ANY_CARD, f"{high - low:g} percentage points", working)
    return None


def _compared(text: str) -> Worked | None:
    if re.search(r"%|percent", text):
        return _points(text)  # shares compared in points, never as plain numbers
    values = _in_hours(text) or _quantities(text)
    if len(values) != 2 or 0 in values or values[0] == values[1]:
        return None
    big, small = max(values), min(values)
    # what is asked is in the last sentence: "...and the warmup ratio. Which should I tune?"
    # asks for no ratio
    whole, text = text, last_sentence(text)
    if re.search(
        r"how many (?:more|fewer|less|extra)\b|how much (?:more|less|bigger|larger|smaller)|difference in (?:the )?(?:number|count|size)|bigger by|larger by|by how (?:many|much)",
        text,
    ):
        result = f"{_shown(big)} - {_shown(small)} = {_shown(big - small)}"
        return Worked(ANY_CARD, f"a difference of {_shown(big - small)}", [result])
    if re.search(
        r"how many times|what factor|by what factor|what(?:'s| is) the ratio|ratio (?:of|between)|times (?:more|bigger|larger|as)",
        text,
    ):
        ratio = ratio_text(big / small)
        result = f"{_shown(big)} / {_shown(small)} = {ratio}"
        return Worked(ANY_CARD, f"{ratio} times as much", [result])
    if re.search(r"\beach\b", whole) and re.search(
        r"\b(?:total|in all|altogether|combined|overall)\b", text
    ):
        # "five companies, $500,000 each: the total?"
        result = f"{_shown(big)} x {_shown(small)} = {_shown(big * small)}"
        money = "$" if "$" in whole else ""
        return Worked(ANY_CARD, f"{money}{_shown(big * small)} in total", [result])
    if re.search(r"what (?:fraction|share|proportion)\b", text):
        result = f"{_shown(small)} / {_shown(big)} = {small / big:.3g}"
        return Worked(ANY_CARD, f"{small / big:.3g} ({small / big:.1%})", [result])
    return None
