"""Calculations about cost: the money and energy of pre-training against fine-tuning."""

from __future__ import annotations

import re

from skills.worked.reading import _NUMBER, HOURS_PER, Worked, _find, _whole, number, ratio_text

_MONEY = r"\$\s*(\d+(?:,\d{3})*(?:\.\d+)?)\s*([kmb](?![a-z]))?"


def _costs(text: str) -> Worked | None:
    """Money in the question: from scratch for each of N versus one shared model adapted N
    times (dollars saved), or how many times cheaper one cost is than another."""
    amounts = [number(f"{m[0]}{m[1]}") for m in re.findall(_MONEY, text)]
    values = [a for a in amounts if a is not None]
    if len(values) == 2 and re.search(
        r"times (?:cheaper|more expensive|as expensive|less)|how many times", text
    ):
        big, small = max(values), min(values)
        if small == 0:
            return None
        ratio = ratio_text(big / small)
        working = [f"${big:,.0f} / ${small:,.0f} = {ratio}"]
        said = "cheaper" if "cheaper" in text else "as expensive"
        return Worked("pretraining-cost", f"{ratio} times {said}", working)
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


def _dollars(amount: float) -> str:
    return f"${amount:,.0f}" if amount == int(amount) else f"${amount:,.2f}"


def _device_hours(text: str) -> Worked | None:
    """ "4 days on 64 TPUs: how many TPU-hours?": devices x hours."""
    if not re.search(r"(?:gpu|tpu|device|accelerator)[- ]?hours", text):
        return None
    match = re.search(
        r"(\d+(?:\.\d+)?)\s*(hours?|days?|weeks?)\s*(?:on|with|using|across)\s*(\d+)\s*"
        r"(gpu|tpu|device|accelerator)s?\b",
        text,
    )
    if match is not None:
        span, unit, count, kind = float(match[1]), match[2], int(match[3]), match[4]
    else:  # "256 GPUs for 2 weeks"
        match = re.search(
            r"(\d+)\s*(gpu|tpu|device|accelerator)s?\b[^.?!]{0,20}?\bfor (\d+(?:\.\d+)?)\s*"
            r"(hours?|days?|weeks?)",
            text,
        )
        if match is None:
            return None
        count, kind, span, unit = int(match[1]), match[2], float(match[3]), match[4]
    unit, kind = unit.rstrip("s"), kind.upper()
    hours = span * HOURS_PER[unit]
    working = [
        f"{span:g} {unit}s = {hours:g} hours; {count} {kind}s x {hours:g} hours = {count * hours:,g} {kind}-hours"
    ]
    return Worked("pretraining-cost", f"{count * hours:,g} {kind}-hours", working, ("hardware",))


def _cost_per_run(text: str) -> Worked | None:
    """ "$0.50 per run and we do 40 runs: how much?": the price of one times how many."""
    rate = re.search(
        _MONEY
        + r"\s*(?:per|an?|/|each)\s*(?:fine-?tuning |training )?(run|experiment|job|model|epoch|step)\b",
        text,
    )
    if rate is None or not re.search(r"cost|how much|price|spend|pay|bill|total", text):
        return None
    count = _whole(_find(r"{n}\s*(?:" + rate[3] + r")s\b", text))
    each = number(f"{rate[1]}{rate[2] or ''}")
    if count is None or each is None:
        return None
    total = each * count
    shown = _dollars(total)
    working = [f"{count:,} {rate[3]}s x ${each:,.2f} = {shown}"]
    return Worked("pretraining-cost", f"{shown} in total", working)


def _hourly_cost(text: str) -> Worked | None:
    """ "$3 per GPU-hour for a 40 GPU-hour run: total cost?": rate x hours (x runs)."""
    rate = re.search(_MONEY + r"\s*(?:per|an|a|/)\s*(?:gpu[- ]?)?(?:hour|hr|h)\b", text)
    hours = _find(r"{n}\s*(?:gpu[- ]?)?(?:hours|hrs|h)\b", text)
    if rate is None or hours is None or not re.search(r"cost|how much|price|spend|pay|bill", text):
        return None
    per_hour = number(f"{rate[1]}{rate[2] or ''}")
    if per_hour is None:
        return None
    runs = _whole(_find(r"{n}\s*(?:runs|times|trainings|experiments)\b", text)) or 1
    # "4 GPUs for 2.5 hours at $1.80 per GPU-hour": every GPU's hours are paid
    gpus = _whole(_find(r"{n}\s*(?:gpus|cards|a100s|v100s|t4s)\b", text)) or 1
    working = []
    if gpus > 1 and not re.search(r"gpu[- ]?hours", text.replace("per gpu-hour", "")):
        working.append(f"{gpus} GPUs x {hours:,g} hours = {gpus * hours:,g} GPU-hours")
        hours *= gpus
    total = per_hour * hours * runs
    working.append(f"${per_hour:,.2f} per hour x {hours:,g} hours = ${per_hour * hours:,.2f}")
    if runs > 1:
        working.append(f"{runs} runs x ${per_hour * hours:,.2f} = ${total:,.2f}")
    shown = _dollars(total)
    return Worked("pretraining-cost", f"{shown} in total", working)
