"""Calculations about a model's size: LoRA and full parameters, BERT's sizes, memory,
embedding tables and weight matrices, the share of parameters or layers trained."""

from __future__ import annotations

import math
import re

from skills.calculators import BERT_CONFIGS, CalculatorError, bert_parameters, lora_parameters
from skills.worked.reading import _NUMBER, Worked, _find, _whole, number


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
    hidden = _whole(
        _find(
            r"{n}[- ]hidden|hidden(?:[ _]size)?\s*(?:of|=|is|:)?\s*{n}|\bd(?:_model)?\s*=\s*{n}",
            text,
        )
    )
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
    model = sorted({c for c in _parameter_counts(text) if c >= 1e6})  # "340M ... of the 340M"
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
    # "batch size 32" or "tokenizer.vocab_size" is not the model's size
    unsized = re.sub(r"\b(?:batch|vocab\w*|hidden|step|sample|data\w*|file|font)[ _]size", "", text)
    # "i loaded bert-base weights" asks no count of them
    asks = r"param|(?:how many|number of|count of|total) (?:\w+ )?weights|how (big|large)|size"
    # "I switched to ALBERT because it only has 12M parameters, but inference isn't any faster
    # than bert-base." asks for no number
    counting = r"how many|how (big|large)|number of|count|size|total|in millions"
    if size is None or not re.search(asks, unsized) or not re.search(counting, unsized):
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
    shown = f"{_size(big)} and {_size(small)}"
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
    if re.search(r"what (?:fraction|share|proportion)\b", text):
        working = [f"{small / scale:g} / {big / scale:g} = {small / big:.3f}"]
        return Worked(concept, f"{small / big:.3f} of the size ({shown})", working, other)
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


BYTES_PER_PARAMETER = {
    r"fp32|float32|32[ -]bit|full precision|4 bytes": 4.0,
    r"fp16|bf16|float16|bfloat16|16[ -]bit|half precision|2 bytes": 2.0,
    r"int8|8[ -]bit|1 byte": 1.0,
    r"int4|4[ -]bit|half a byte": 0.5,
}


def _in_unit(size: float, gb: bool) -> str:
    return f"{size / 1e9:,.2f} GB" if gb else f"{size / 1e6:,.4g} MB"


def _memory(text: str) -> Worked | None:
    """Memory for the weights: parameters x bytes per parameter (x copies), in MB or GB."""
    unit = re.search(r"\b(gb|gib|mb|mib|gigabytes?|megabytes?)\b", text)
    # "(?<![a-z])": the 32 of "fp32 weights" is no parameter count
    params = _find(
        r"(?<![a-z\d.]){n}\s*(?:-parameter|parameters?|params?|weights)\b", text
    ) or _find(
        r"(?<![\d.])(\d+(?:\.\d+)?\s*[mb])\s*(?:-parameter |parameter )?model\b".replace(
            r"(\d+(?:\.\d+)?\s*[mb])", "{n}"
        ),
        text,
    )
    named = ""
    if params is None and (sized := re.search(r"\b[a-z]+\d*-(\d+(?:\.\d+)?[mb])(?:'s)?\b", text)):
        params = number(sized[1])  # "t5-11b's weights": the size its name gives
    if params is None and (model := re.search(r"bert[- ](base|large)", text)):
        # "BERT-large weights in fp32": the paper's rounded size, as the course quotes it
        params, named = (110e6, "BERT-base's ") if model[1] == "base" else (340e6, "BERT-large's ")
    kind = _find(
        r"{n}\s*bytes? (?:per|a|for each|each|of memory per) (?:parameter|param|weight)", text
    )
    given_per_parameter = kind is not None  # "16 bytes per parameter" counts every copy
    # "fp16 instead of fp32", "from fp32 to int8": what the change saves
    kinds = sorted({b for p, b in BYTES_PER_PARAMETER.items() if re.search(p, text)})
    # "how much memory do 340M parameters take in fp16?": no unit named, GB
    asks_memory = re.search(
        r"how much (?:memory|space|vram|ram|storage|disk)|memory (?:do|does)", text
    )
    if (unit is None and not asks_memory) or params is None or params < 1e5:
        return None
    gb = unit is None or unit[1].startswith("g")
    if kind is None and len(kinds) == 2 and re.search(r"sav|instead|less|reduc|smaller", text):
        saved = params * (kinds[1] - kinds[0])
        size = _in_unit(saved, gb)
        working = [f"{named}{params:,.0f} parameters x ({kinds[1]:g} - {kinds[0]:g}) bytes"
                   + f" = {saved:,.0f} bytes = {size} saved (1 GB = 10^9 bytes)"]  # fmt: skip
        return Worked("parameters-and-size", f"{size} saved", working)
    if kind is None:
        kind = next((b for p, b in BYTES_PER_PARAMETER.items() if re.search(p, text)), None)
    if kind is None:
        return None
    # "16 bytes per parameter" counts every copy; "4 bytes each for weights, gradients and
    # Adam's two states" counts one
    copies = _whole(_find(r"{n}\s*(?:copies|times the weights)", text)) or (
        1 if given_per_parameter and kind >= 8 else _copies(text)
    )
    total = params * kind * copies
    size = _in_unit(total, gb)
    working = [f"{named}{params:,.0f} parameters x {kind:g} bytes" + (f" x {copies} copies" if copies > 1 else "")
               + f" = {total:,.0f} bytes = {size} (1 GB = 10^9 bytes)"]  # fmt: skip
    # "the minimum number of 80 GB GPUs to hold them"
    per_card = _find(r"{n}\s*gb (?:gpus?|cards?|a100s?|h100s?)", text)
    if per_card and gb and re.search(r"how many|minimum number|number of", text):
        cards = math.ceil(total / 1e9 / per_card - 1e-9)
        working.append(f"{total / 1e9:,.2f} GB / {per_card:g} GB per GPU: {cards} GPUs")
        return Worked(
            "parameters-and-size",
            f"{cards} GPUs of {per_card:g} GB ({size})",
            working,
            ("hardware",),
        )
    # "my GPU has 16 GB ... how many GB are left over?"
    card = _find(
        r"(?:gpu|card|device|vram|memory)\w*\s*(?:has|with|of|is)\s*(?:only )?{n}\s*gb", text
    ) or _find(r"{n}\s*gb (?:gpu|card|vram|of (?:gpu )?memory)", text)
    if card is not None and gb and re.search(r"\b(?:left|remain\w*|spare|free)\b", text):
        left = card - total / 1e9
        if left >= 0:
            working.append(f"{card:g} GB - {total / 1e9:,.2f} GB = {left:,.2f} GB left")
            return Worked(
                "parameters-and-size", f"{size}, leaving {left:,.2f} GB", working, ("hardware",)
            )
    return Worked("parameters-and-size", size, working)


def _copies(text: str) -> int:
    """ "weights plus gradients": 2 copies of the parameters; Adam's two moments add 2 more."""
    adam = re.search(r"\badam\w*|optimi[sz]er (?:states?|moments?)|two moments", text)
    if adam and re.search(r"\b(?:alone|only|just)\b", text):
        return 2  # "the Adam states alone"
    copies = 1
    if re.search(r"\bgradients?\b", text):
        copies += 1
    if adam:
        copies += 2
    return copies


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
    if not re.search(r"weights|param", text) or not re.search(
        r"matri|projection|feed-?forward|linear layers", text
    ):
        return None
    if re.search(r"\brank\b|\br\s*=|lora|adapter", text):  # LoRA's own rule counts those
        return None
    shapes = [(int(a.replace(",", "")), int(b.replace(",", ""))) for a, b in _SHAPE.findall(text)]
    # "the feed-forward goes 768 to 3072 and back to 768": two matrices, there and back
    there = re.search(r"(\d[\d,]*) to (\d[\d,]*),? and (?:then )?back", text)
    chain = re.search(r"(\d[\d,]*)\s*(?:->|→|to)\s*(\d[\d,]*)\s*(?:->|→)\s*(\d[\d,]*)", text)
    if not shapes and there:
        a, b = (int(g.replace(",", "")) for g in there.groups())
        shapes = [(a, b), (b, a)]
    elif not shapes and chain:  # "768 -> 3072 -> 768": two layers
        a, b, c = (int(g.replace(",", "")) for g in chain.groups())
        shapes = [(a, b), (b, c)]
    if not shapes or any(a <= 1 or b <= 1 for a, b in shapes):
        return None
    copies = 1
    if len(shapes) == 1:
        copies = _whole(_find(r"{n}\s*(?:[a-z]+\s+){0,2}?(?:matrices|projections)", text)) or 1
        # "the query, key, value and output projections are each 768x768": four of them
        named = re.findall(r"\b(query|key|value|output)\b", text.split("x")[0])
        if copies == 1 and len(set(named)) >= 2 and "each" in text:
            copies = len(set(named))
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
    match = (
        re.search(
            r"(\d[\d,]*)[- ]?(?:dim\w*|d|features|hidden|inputs?)\b[^.?!]{0,40}?\b(?:to|for|into) (\d[\d,]*)"
            + labels,
            text,
        )
        or re.search(
            r"(?:from|maps?|mapping) (?:the |a |an )?(\d[\d,]*)[^.?!\d]{0,30}?\bto (\d[\d,]*)"
            + labels,
            text,
        )
        or re.search(
            r"(\d[\d,]*)\s*(?:->|→)\s*(\d[\d,]*)" + labels,
            text,
        )
    )
    other: tuple[str, ...] = ()
    concept = "layer-freezing"
    if match is None:
        # "a 768-to-768 linear layer": a layer of the model, not a classifier head
        match = re.search(
            r"(\d[\d,]*)[- ](?:to|->|by)[- ](\d[\d,]*)\s*(?:linear|dense|layer|projection)", text
        )
        concept, other = "parameters-and-size", ("transformer-architecture", "layer-freezing")
    if match is None:
        return None
    d, k = (int(g.replace(",", "")) for g in match.groups())
    if d <= 1 or k < 1:
        return None
    working = [f"weights: {d:,} inputs x {k:,} outputs = {d * k:,}"]
    if re.search(
        r"(?:without|no|ignor\w*|excluding|not counting) (?:the )?bias|weights only", text
    ):
        return Worked(concept, f"{d * k:,} weights", working, other)
    working.append(f"+ {k:,} biases = {d * k + k:,} parameters")
    return Worked(concept, f"{d * k + k:,} parameters", working, other)


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
    shape = _SHAPE.search(text)
    if (vocab is None or hidden is None) and shape and re.search(r"table|matrix", text):
        vocab, hidden = (_whole(number(g)) for g in shape.groups())
    if vocab is None or hidden is None or vocab == hidden:
        return None
    working = [f"one {hidden}-number vector per token: {vocab:,} x {hidden:,} = {vocab * hidden:,}"]
    return Worked(
        "parameters-and-size",
        f"{vocab * hidden:,} parameters ({vocab:,} x {hidden:,})",
        working,
        ("subwords-and-vocabulary", "contextual-embeddings"),
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
