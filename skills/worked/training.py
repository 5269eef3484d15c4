"""Calculations about a training run: steps and epochs, batches and accumulation, warmup and
the learning rate, the data a run went through, grid searches and early stopping."""

from __future__ import annotations

import math
import re

from skills.calculators import steps_per_epoch
from skills.worked.reading import (
    _ITEMS,
    Worked,
    _accumulation,
    _batch,
    _epochs,
    _examples,
    _find,
    _gpus,
    _per_epoch,
    _steps_run,
    _training_steps,
    _whole,
)

_GIVEN_PER_EPOCH = (
    r"{n}\s*(?:steps|batches|iterations|updates) (?:per|in (?:one|each|an|every)) epoch|"
    # "if one epoch is 750 steps"
    r"(?:one|an|each|every) epoch(?: (?!and\b|but\b)\w+){0,4} (?:is|=|has|takes|was) {n}\s*(?:steps|batches|"
    r"iterations|updates)"
)
# a count of steps that is not the steps of one epoch: "1200 total steps", "750 steps in total"
_TOTAL_STEPS = (
    r"{n}\s*(?:training |optimi[sz]er |total )?(?:steps|iterations|updates)\b"
    r"(?! (?:per|in (?:one|each|an|every)) epoch)"
)


def _epochs_run(text: str) -> Worked | None:
    """ "It ran 800 steps in total with 4,000 examples at batch 20: how many epochs?": the
    total steps divided by the steps in one epoch (worked out, or given: "300 steps per
    epoch")."""
    if not re.search(
        r"how many epochs|number of epochs|epochs (?:is|was|did|does)|how many (?:full )?passes",
        text,
    ):
        return None
    found = _per_epoch(text)
    if found is None and (given := _whole(_find(_GIVEN_PER_EPOCH, text))):
        found = given, f"steps per epoch = {given:,} (given)"
    # the total is the other count of steps: "each epoch is 400 steps and I train for 2.5k steps"
    rest = re.sub(_GIVEN_PER_EPOCH.replace("{n}", r"\d[\d,.]*\s*[kmb]?"), " ", text)
    total = _whole(_find(_TOTAL_STEPS, rest))
    if total is None or found is None:
        return None
    per_epoch, line = found
    epochs = total / per_epoch
    shown = f"{epochs:g}" if epochs == int(epochs) else f"{epochs:.2f}"
    working = [line, f"epochs = {total:,} steps / {per_epoch:,} per epoch = {shown}"]
    return Worked("epochs-batches-steps", f"{shown} epochs", working)


def _steps_from_total(text: str) -> Worked | None:
    """ "It ran 750 steps in total over 3 epochs: how many steps per epoch?"."""
    if not re.search(r"steps (?:per|in (?:one|each|an|every)) epoch|steps an epoch", text):
        return None
    if _per_epoch(text) is not None or _find(_GIVEN_PER_EPOCH, text) is not None:
        return None  # examples and batch given (_steps), or the steps per epoch themselves
    total, epochs = _whole(_find(_TOTAL_STEPS, text)), _epochs(text)
    if total is None or epochs is None:
        return None
    per_epoch = total / epochs
    shown = f"{per_epoch:,.0f}" if per_epoch == int(per_epoch) else f"{per_epoch:,.1f}"
    working = [f"steps per epoch = {total:,} steps / {epochs} epochs = {shown}"]
    return Worked("epochs-batches-steps", f"{shown} steps per epoch", working)


def _last_batch(text: str) -> Worked | None:
    """ "1,050 examples at batch 8: how many examples are in the last batch?": the remainder
    (a full batch when the batch size divides the examples)."""
    # "the last batch", "the last (partial) batch"
    if not re.search(r"(?:last|final|leftover)(?: \(?\w+\)?){0,2} batch", text) or not re.search(
        r"how many (?:examples|samples|items|sentences|rows)|how big|what size|size of", text
    ):
        return None
    if re.search(r"\bsteps?\b|drop", text):  # "drop the final batch: how many steps?"
        return None
    examples, batch = _examples(text), _batch(text)
    if examples is None or batch is None or batch > examples:
        return None
    full, left = divmod(examples, batch)
    if left == 0:
        working = [f"{examples:,} / {batch} = {full:,} exactly: every batch is full"]
        return Worked("epochs-batches-steps", f"{batch} examples (a full batch)", working)
    working = [
        f"{examples:,} = {full:,} full batches x {batch} + {left}",
        f"the last batch holds the {left} left over ({full + 1:,} steps per epoch;"
        " drop_last=True would skip it)",
    ]
    return Worked("epochs-batches-steps", f"{left} examples in the last batch", working)


def _examples_over_epochs(text: str) -> Worked | None:
    """ "3 epochs on 1000 examples: how many examples does the model process in total?"."""
    if not re.search(r"in total|altogether|process|\bsee\b|\bsees\b|went through", text):
        return None
    if not re.search(r"how many (?:training |train )?" + _ITEMS, text):
        return None
    examples, epochs = _examples(text), _epochs(text)
    if examples is None or epochs is None or _steps_run(text) is not None:
        return None
    working = [f"{examples:,} examples x {epochs} epochs = {examples * epochs:,} examples"]
    return Worked("epochs-batches-steps", f"{examples * epochs:,} examples", working)


# the size of a dataset asked for: "how many examples", "how big is my dataset"
_ASKS_DATASET_SIZE = (
    r"how many (?:training |train )?" + _ITEMS + r"|how (?:big|large) is (?:my|the|our) "
    r"(?:dataset|data set|data|training set|train set)|(?:dataset|data set|training set) size"
    r"|size of (?:my|the|our) (?:dataset|data set|training set)"
)


def _examples_from_steps(text: str) -> Worked | None:
    """ "250 steps per epoch at batch 32: how many training examples?": steps x batch (the
    last batch full), or the range it allows when the last batch may be partial."""
    if not re.search(_ASKS_DATASET_SIZE, text):
        return None
    per_epoch = _whole(_find(_GIVEN_PER_EPOCH, text))
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


def _batch_for_steps(text: str) -> Worked | None:
    """ "What batch size gives 250 steps per epoch on 8,000 examples?": the smallest batch
    that needs no more than those steps, ceil(examples / steps)."""
    if not re.search(r"(?:what|which) batch(?: size)?|batch size (?:do|should|would|will|must)"
                     r"|how big (?:a|the|my|should the) batch", text):  # fmt: skip
        return None
    per_epoch, examples = _whole(_find(_GIVEN_PER_EPOCH, text)), _examples(text)
    if per_epoch is None or examples is None or per_epoch > examples:
        return None
    batch = math.ceil(examples / per_epoch)
    working = [f"batch size = ceil({examples:,} examples / {per_epoch:,} steps) = {batch:,}"]
    steps = steps_per_epoch(examples, batch)
    if steps != per_epoch:
        working.append(
            f"(no batch size gives exactly {per_epoch:,}: batch {batch:,} gives "
            f"{steps:,} steps per epoch)"
        )
    elif examples % batch:
        working.append(f"the last batch is partial: ceil({examples:,} / {batch:,}) = {per_epoch:,}")
    return Worked("epochs-batches-steps", f"a batch size of {batch:,}", working)


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
    target = _whole(
        _find(r"effective batch(?:[ _-]?size)?\s*(?:of|=|is|:|to)?\s*(?:at least )?{n}", text)
    )
    if target is None and re.search(r"how many (?:gradient )?accum", text):
        # "to mimic a batch of 256 with micro-batches of 32, how many accumulation steps?"
        target = _whole(_find(r"(?<![-\w])batch(?:[ _-]?size)?\s*(?:of|=|is|:)\s*{n}", text))
    fits = _whole(
        _find(r"(?:only )?{n}\s*(?:examples?|samples?|sequences?)?\s*fits?\b", text)
        or _find(r"\bfits?\s*(?:only )?{n}\s*(?:examples?|samples?|sequences?)", text)
        or _find(
            r"(?:per[ -]device|per[ -]gpu|micro)[ _-]?batch(?:es)?(?:[ _-]?size)?\s*(?:of|=|is|:)?\s*{n}",
            text,
        )
        or _find(r"(?<!effective )batch(?:[ _-]?size)?\s*(?:of|=|is|:)?\s*{n}", text)
        # "4 GPUs with 8 examples each per forward pass"
        or _find(
            r"{n}\s*(?:examples?|samples?|sequences?)\s*(?:each\s*)?(?:per (?:gpu|device|forward "
            r"pass|pass|step)|at a time|at once|each)",
            text,
        )
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
    warm = _whole(
        _find(r"{n}\s*warm[ -]?up steps|warm[ _-]?up[ _]steps\s*(?:=|:|of|is)\s*{n}", text)
    )
    total = _whole(
        _find(
            r"{n}\s*(?:total |training |optimi[sz]er )*(?:steps|iterations|updates)(?! per)", text
        )
        or _find(r"{n}[- ](?:step|iteration|update) (?:schedule|run|training|budget)", text)
        or _find(r"(?:steps|iterations|updates)\s*(?:=|:|of|is|are|equals?)\s*{n}", text)
        or _find(r"out of (?:a total of )?{n}", text)
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


def _warmup_fraction(text: str) -> Worked | None:
    """ "During a 120-step linear warmup, what fraction of the peak learning rate is reached
    at step 30?": step / warmup steps, whatever the peak."""
    if not re.search(r"warm[ -]?up", text) or not re.search(
        r"(?:fraction|percent\w*|share|proportion|%) of (?:the |its )?(?:peak|max|full|target)",
        text,
    ):
        return None
    warm = _whole(
        _find(r"{n}[- ]steps? (?:linear )?warm[ -]?up", text)
        or _find(r"{n}\s*warm[ -]?up steps", text)
        or _find(r"warm[ -]?up (?:of|over|for|lasts?) {n}\s*steps", text)
    )
    step = _whole(_find(r"(?:at|after) step {n}", text) or _find(r"after {n}\s*steps", text))
    if warm is None or step is None or step > warm:
        return None
    share = step / warm
    working = [f"linear warmup: lr(step) = peak x step / warmup steps = peak x {step} / {warm}"]
    return Worked("learning-rate-and-warmup", f"{share:g} of the peak ({share:.0%})", working)


def _lr_ratio(text: str) -> Worked | None:
    """ "from scratch uses lr 1e-3 and fine-tuning 2e-5: how many times larger?"."""
    if not re.search(
        r"how many times|what factor|ratio|times (?:larger|bigger|smaller|higher|lower)", text
    ):
        return None
    rates = [float(r) for r in re.findall(r"(?<![\w.])(\d+(?:\.\d+)?e-\d+)", text)]
    if len(rates) != 2 or min(rates) <= 0 or not re.search(_LR + "|learning", text):
        return None
    big, small = max(rates), min(rates)
    ratio = big / small
    working = [f"{_decimal(big)} / {_decimal(small)} = {ratio:g}"]
    return Worked("learning-rate-and-warmup", f"{ratio:g} times larger", working)


def _gradient_step(text: str) -> Worked | None:
    """One plain gradient descent step: new weight = weight - learning rate x gradient."""
    if not re.search(r"gradient", text) or not re.search(
        r"new (?:value|weight)|after (?:one|a|1)", text
    ):
        return None
    signed = r"(-?\d*\.?\d+(?:e-?\d+)?)"
    weight = re.search(r"weight\s*(?:is|=|of|:|starts at)?\s*" + signed, text)
    gradient = re.search(r"gradient\s*(?:is|=|of|:)?\s*" + signed, text)
    rate = _rate_number(_LR + r"\s*(?:is|=|of|:)?\s*{lr}", text)
    if weight is None or gradient is None or rate is None:
        return None
    w, g = float(weight[1]), float(gradient[1])
    new = w - rate * g
    working = [f"new weight = weight - lr x gradient = {w:g} - {rate:g} x {g:g} = {new:g}"]
    return Worked("loss-and-gradients", f"a new weight of {new:g}", working)


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


def _throughput(text: str) -> Worked | None:
    """ "One step of batch 32 takes 0.4 s: examples per second?"; "1,000 steps at 0.2 s a step,
    3 epochs: how many minutes?"."""
    seconds = _find(
        r"{n}\s*(?:s|sec|secs|seconds)\b(?:\s*(?:per|a|each|/)\s*(?:step|batch|iteration))?", text
    )
    if seconds is None or seconds <= 0:
        return None
    if re.search(
        r"(?:examples?|samples?|sentences?|sequences?) (?:per|a|each|/) ?(?:second|sec|s)\b|throughput",
        text,
    ):
        batch = _batch(text)
        if batch is None:
            return None
        working = [
            f"{batch} examples / {seconds:g} s per step = {batch / seconds:,.1f} examples per second"
        ]
        return Worked(
            "hardware",
            f"{batch / seconds:,.1f} examples per second",
            working,
            ("epochs-batches-steps",),
        )
    asked = re.search(
        r"how (?:many|much|long)[^.?!]*?\b(seconds|minutes|hours|time)\b|how long", text
    )
    steps = _whole(_find(r"{n}\s*(?:training |optimi[sz]er )?(?:steps|iterations|batches)\b", text))
    epochs = _epochs(text) or 1
    pre: list[str] = []
    if steps is None and (found := _per_epoch(text)):  # "10k examples, batch 20, 3 epochs"
        steps, line = found
        pre = [line]
    if asked is None or steps is None:
        return None
    total = steps * epochs * seconds
    unit = (
        asked[1] if asked.lastindex and asked[1] in ("seconds", "minutes", "hours") else "minutes"
    )
    shown = {"seconds": total, "minutes": total / 60, "hours": total / 3600}[unit]
    epochs_shown = f" x {epochs} epochs" if epochs > 1 else ""
    line = f"{steps:,} steps{epochs_shown} x {seconds:g} s = {total:,.0f} s = {shown:,.4g} {unit}"
    working = [*pre, line]
    return Worked("epochs-batches-steps", f"{shown:,.4g} {unit}", working, ("hardware",))


def _batch_that_fits(text: str) -> Worked | None:
    """ "20 GB of GPU memory, the model takes 4 GB, each example 0.5 GB: the largest batch?"."""
    if not re.search(
        r"largest|biggest|max(?:imum)?|how (?:many|big|large)[^.?!]*\bbatch|fits?\b", text
    ):
        return None
    if "batch" not in text:
        return None
    memory = _find(
        r"{n}\s*gb (?:of )?(?:gpu |vram |memory|card)|(?:gpu|card|vram)\w*\s*(?:has|with|of)\s*{n}\s*gb",
        text,
    )
    model = _find(
        r"model\w*\s*(?:itself )?(?:takes|needs|uses|is|weights take)\s*(?:up )?{n}\s*gb|{n}\s*gb for the (?:model|weights)",
        text,
    )
    each = _find(
        r"(?:each|every|per|one) (?:example|sample|sequence|input)\w*\s*(?:needs|takes|uses|adds|costs)?\s*(?:another |about )?{n}\s*gb|"
        r"{n}\s*gb (?:of activations )?(?:per|for each|each|a) (?:example|sample|sequence|input)",
        text,
    )
    if memory is None or model is None or each is None or each <= 0 or model >= memory:
        return None
    batch = int((memory - model) // each)
    working = [
        f"({memory:g} GB - {model:g} GB for the model) / {each:g} GB per example = {(memory - model) / each:g}: a batch of {batch}"
    ]
    return Worked("hardware", f"a batch of {batch} fits", working, ("gradient-accumulation",))


def _grid_runs(text: str) -> Worked | None:
    """A grid search's runs: the product of each hyperparameter's number of values (and the
    time, when one run's time is given)."""
    if not re.search(
        r"grid|how many (?:[\w-]+ )?(?:runs|experiments|trainings|combinations)", text
    ):
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
