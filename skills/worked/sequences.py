"""Calculations about token sequences: attention scores and heads, causal masks, padding and
the attention mask, special tokens and input length, BERT's masking, NSP pairs, few-shot
prompts, beam search."""

from __future__ import annotations

import re

from skills.worked.reading import Worked, _find, _whole, number


def _masked_tokens(text: str) -> Worked | None:
    """BERT's masking recipe on a sequence: 15% of the tokens are picked, 80% of those become
    [MASK], 10% a random token, 10% stay as they are."""
    # an attention mask is padding's, not masked language modeling's
    recipe = re.sub(r"attention[ _-]?masks?", "", text)
    if not re.search(
        r"mask|\bmlm\b|(?:pick|choos|chose|select)\w* (?:\d+\s*% )?(?:of (?:the |them|its )?(?:tokens )?)?for "
        r"(?:prediction|predicting)|80/10/10",
        recipe,
    ):
        return None
    tokens = _whole(
        _find(r"{n}[\s-]*(?:tokens?|words?|positions?)\b", text)
        or _find(r"(?:tokens?|words?|positions?) out of {n}", text)
    )
    # "of 1,000 masked positions": those are the picked ones
    chosen = _whole(
        _find(r"{n}\s*(?:masked|selected|picked|chosen) (?:tokens?|positions?|words?)", text)
    )
    if tokens is None and chosen is None:
        return _masked_share(recipe)
    # "a batch of 256 sequences x 128 tokens": every sequence is masked
    sequences = _whole(
        _find(
            r"{n}\s*(?:sequences|sentences|examples|inputs|documents)\s*(?:x|\*|times|of|with)\s*\d",
            text,
        )
    )
    if sequences and sequences > 1 and tokens:
        tokens *= sequences
    picked_share = _find(
        r"{n}\s*%\s*(?:of (?:the |them|those|these)|are |get |is )?(?:picked|chosen|select|masked|of the tokens|of them)",
        text,
    )
    if chosen is not None and (picked_share is None or tokens is None):
        if not re.search(r"\[mask\]|replaced|random|changed|kept|stay|become|turn|left", text):
            return None  # the picked positions given, and not the recipe asked ("their loss?")
        picked, lines = float(chosen), [f"{chosen:,} tokens are picked"]
    elif tokens is None:
        return None
    elif picked_share is None and re.search(
        r"\d[\s-]*tokens? (?:are |were |get )?(?:selected|picked|chosen)", text
    ):
        # "out of 150 tokens selected for MLM": those are the picked ones
        picked, lines = float(tokens), [f"{tokens:,} tokens are picked"]
    else:
        picked_share = picked_share if picked_share is not None else 15.0
        picked = tokens * picked_share / 100
        lines = [f"{picked_share:g}% of {tokens:,} tokens are picked: {picked:g}"]
    if re.search(r"\bchanged|altered|modified|(?:mask|\[mask\]) or (?:to )?a random", text):
        changed = picked * 0.9
        lines.append(f"80% become [MASK] and 10% a random token: {picked:g} x 0.9 = {changed:g}")
        return Worked("masked-language-modeling", f"{changed:g} tokens are changed", lines)
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


def _masked_share(text: str) -> Worked | None:
    """ "What percent of all input tokens become [MASK]?": 15% picked x 80% = 12%."""
    if not re.search(r"percent|%|fraction|share|proportion|how much of", text):
        return None
    if re.search(r"\d\s*%", text):
        return None  # "what share does BERT mask, 15%?" gives the share it asks: the card's
    if not re.search(r"\ball\b|overall|in total|input|of (?:the )?tokens|every", text):
        return None  # "what percent of the picked ones" is the recipe's own 80/10/10
    if re.search(r"\bchanged|altered|modified|(?:mask|\[mask\]) or (?:to )?a random", text):
        share, what = 0.9, "changed ([MASK] or a random token)"
    elif re.search(r"unchanged|left (?:as|alone)|kept|stay|as they are|original", text):
        share, what = 0.1, "picked but left unchanged"
    elif "random" in text:
        share, what = 0.1, "replaced by a random token"
    elif re.search(r"\[mask\]|replaced|become|turn", text):
        share, what = 0.8, "replaced by [MASK]"
    else:
        share, what = 1.0, "picked for prediction"
    overall = 0.15 * share
    working = ["15% of the tokens are picked"]
    if share < 1:
        working.append(f"{share:.0%} of those are {what}: 0.15 x {share:g} = {overall:g}")
    return Worked(
        "masked-language-modeling",
        f"{overall:.1%} of all tokens ({overall:g}) are {what}",
        working,
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
        return _one_sequence_mask(text)
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
    if (
        re.search(r"\b1s\b|ones|real tokens|non-?pad|(?:are|is|equal to|=)\s*1\b", text)
        and "mask" in text
    ):
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


def _one_sequence_mask(text: str) -> Worked | None:
    """ "Padded to max_length=128, my sentence is 40 tokens: how many zeros in its attention
    mask?": 128 - 40 (with [CLS] and [SEP] added when the question adds them)."""
    ones = re.search(r"\b1s\b|\bones\b|real tokens|non-?pad", text)
    pads = re.search(
        r"how many (?:padding|\[pad\]|pad) (?:tokens|positions)|padding (?:tokens|positions) does",
        text,
    )
    if not pads and not ("mask" in text and (ones or re.search(r"\b0s\b|zeros?|zeroes", text))):
        return None
    if pads:
        ones = None
    longest = _whole(
        _find(r"max(?:imum)?[ _]?(?:length|len)\s*(?:of|=|:|is)?\s*{n}", text)
        or _find(
            r"pad(?:ded|ding|s)?\s*(?:it |them |everything |(?:a|the|my|each) (?:batch|sequence|sentence) )?"
            r"(?:up )?to\s*(?:length |a length of )?{n}",
            text,
        )
    )
    # the real tokens: a count of tokens that is not the padded length ("pad to 64 tokens")
    counts = re.findall(
        r"(\d[\d,]*)\s*(?:real |actual )?(?:tokens|wordpieces|word ?pieces|subwords|sub-words|words|pieces)\b",
        text,
    )
    real = next((n for n in (_whole(number(c)) for c in counts) if n and n != longest), None)
    if longest is None or real is None:
        return None
    working = []
    if re.search(r"(?:plus|\+|and|add\w*|with)\s*(?:the )?\[cls\](?: tokens?)? and \[sep\]", text):
        working.append(f"{real} pieces + [CLS] + [SEP] = {real + 2} real tokens")
        real += 2
    if real > longest:
        return None
    if ones:
        working.append(f"each of the {real} real tokens is a 1 in the attention mask")
        result = f"{real} ones in the attention mask"
    elif pads:
        working.append(f"{longest} - {real} = {longest - real} [PAD] tokens, each a 0 in the mask")
        result = f"{longest - real} [PAD] tokens"
    else:
        working.append(
            f"{longest} - {real} = {longest - real} [PAD] positions, each a 0 in the mask"
        )
        result = f"{longest - real} zeros in the attention mask"
    return Worked("attention-masks-and-padding", result, working, ("special-tokens",))


def _attention_growth(text: str) -> Worked | None:
    """ "From 256 to 512 tokens, by what factor do the attention scores grow?": (512/256)^2."""
    if "attention" not in text or not re.search(r"factor|times|grow|increase|more|scale", text):
        return None
    if not re.search(r"length|len\b|tokens?\b|sequence|context|seq", text):
        return None
    match = re.search(r"from (\d+(?:,\d{3})*)(?: tokens?)? to (\d+(?:,\d{3})*)", text)
    if match is None:
        return None
    before, after = (_whole(number(g)) for g in match.groups())
    if before is None or after is None or before == after:
        return None
    factor = (after / before) ** 2
    working = [
        f"attention scores every pair of positions: {before:,}^2 = {before**2:,} before, "
        f"{after:,}^2 = {after**2:,} after",
        f"{after**2:,} / {before**2:,} = ({after:,} / {before:,})^2 = {factor:g}",
    ]
    return Worked("attention", f"{factor:g} times as many attention scores", working)


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
            r"per head|each (?:attention )?head|head (?:dim|size)|dim\w* (?:per|for each|of each|does each)|how (?:big|large|wide)",
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
    # a GPT named with a length is about its mask only when the question asks what attends
    # ("GPT-3 has a 2048-token context: how many 100-token demonstrations fit?" is not)
    causal = re.search(r"causal|future|look[- ]?ahead|triangular", text) or (
        re.search(r"gpt|decoder", text)
        and re.search(r"attend|attention|mask|entries|pairs|connections|see|non-?zero", text)
    )
    if causal:
        allowed_asked = re.search(
            r"\ballowed|not masked|non-?masked|non-?zero|unmasked|visible|can (?:attend|see)", text
        )
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
    # "query-key", not "the query" of a prompt
    if not re.search(r"score|query-key|queries|connection|pairs|entries|attention weights", text):
        return None
    scores = n * n
    working = [f"every query scores every key: {n:,} x {n:,} = {scores:,} per head"]
    result = f"{scores:,} attention scores per head"
    if heads and not re.search(r"one head|a head|per head|each head|single head", text):
        working.append(f"x {heads} heads = {scores * heads:,}")
        result += f", {scores * heads:,} for {heads} heads"
        if layers and re.search(
            r"all (?:the )?layers|across (?:all )?(?:the )?layers|in total|every layer", text
        ):
            working.append(f"x {layers} layers = {scores * heads * layers:,}")
            result += f", {scores * heads * layers:,} across {layers} layers"
    return Worked("attention", result, working, ("transformer-architecture",))


def _input_length(text: str) -> Worked | None:
    """BERT's input with its special tokens: [CLS] a [SEP] (n + 2), [CLS] a [SEP] b [SEP]
    (a + b + 3); or how much of max_length is left for the text."""
    if not re.search(r"\[cls\]|\[sep\]|special tokens", text):
        return None
    if re.search(r"(?:special tokens|\[cls\] and \[sep\]) (?:are )?(?:already )?includ", text):
        return None  # the count given is the whole input: padding or truncation is asked
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
    # "7 words become 9 wordpieces": the pieces are the tokens
    pieces = re.findall(
        r"(\d[\d,]*)\s*(?:word ?pieces|wordpieces|subwords|sub-words|pieces|tokens)\b", text
    )
    if not pair and len(numbers) == 2 and len(pieces) == 1:
        numbers = [int(pieces[0].replace(",", ""))]
    if not pair and len(numbers) == 1 and re.search(r"how (?:long|many)|length|total", text):
        n = numbers[0]
        working = [f"[CLS] + {n} + [SEP] = {n + 2}"]
        return Worked("special-tokens", f"{n + 2} tokens", working, ("tokenization",))
    return None


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


_WINDOW = (
    r"{n}[- ]tokens? (?:context|window|limit)|"
    r"(?:context|window)(?: window| length| size| limit)?\s*(?:of|is|=|:)?\s*{n}"
)
_EXAMPLES_OF = (
    r"(\d+) (?:worked |few-shot |demo )?(?:examples?|demonstrations?|shots?|exemplars?|demos?)\w* "
    r"(?:of|with|at|averaging) (?:about )?(\d+) tokens"
)


def _prompt_parts(text: str, skip: str = "") -> tuple[int, list[str]]:
    """The tokens a prompt's parts use, with working: "5 examples of 30 tokens", an "8-shot"
    prompt whose "examples are 45 tokens each", and every other "20-token query"; never the
    context window itself, nor the part `skip` matches (the one asked about)."""
    rest = re.sub(_WINDOW.replace("{n}", r"\d[\d,]*"), " ", text)
    if skip:
        rest = re.sub(skip, " ", rest)
    used, working = 0, []
    shots = re.search(r"(\d+)[- ]shot", rest)
    each = re.search(
        r"(?:examples?|demonstrations?|demos?|shots?) (?:are|is|of) (?:about )?(\d+) tokens(?: each)?",
        rest,
    )
    if shots and each:
        used += int(shots[1]) * int(each[1])
        working.append(f"{shots[1]} examples x {each[1]} = {int(shots[1]) * int(each[1]):,} tokens")
        rest = rest.replace(each[0], " ")
    for count, size in re.findall(_EXAMPLES_OF, rest):
        used += int(count) * int(size)
        working.append(f"{count} x {size} = {int(count) * int(size):,} tokens")
    rest = re.sub(_EXAMPLES_OF, " ", rest)
    # "a 20-token query", "100 tokens reserved", "the query needs 32"
    for size in re.findall(
        r"(\d[\d,]*)[- ]?tokens?\b|(?:needs|takes|uses|is|of) (\d[\d,]*)\b(?! ?(?:%|examples|shots))",
        rest,
    ):
        value = next(v for v in size if v)
        used += int(value.replace(",", ""))
        working.append(f"+ {value} tokens")
    return used, working


def _context_left(text: str) -> Worked | None:
    """ "5 examples of 30 tokens each plus a 20-token query: how many tokens are left in a
    2048-token context?": the window minus what the prompt uses."""
    if not re.search(r"\b(?:left|remain\w*|spare|free|room)\b", text):
        return None
    window = _whole(_find(_WINDOW, text))
    if window is None:
        return None
    used, working = _prompt_parts(text)
    if not used or used > window:
        return None
    working.append(f"{window:,} - {used:,} = {window - used:,} tokens left")
    return Worked("few-shot-learning", f"{window - used:,} tokens left", working)


def _prompt_length(text: str) -> Worked | None:
    """ "A 15-token instruction, five examples of 24 tokens each and a 20-token query: how many
    tokens is the prompt?"."""
    if not re.search(
        r"how (?:many|long)[^.?!]*\bprompt\b|prompt(?:'s)? (?:length|size)|tokens (?:is|in) the (?:whole )?prompt",
        text,
    ):
        return None
    if not re.search(_EXAMPLES_OF, text) and not re.search(r"\d+[- ]shot", text):
        return None
    used, working = _prompt_parts(text)
    if not used:
        return None
    return Worked("few-shot-learning", f"{used:,} tokens in the prompt", working)


_EACH_EXAMPLE = (
    r"each (?:few-shot |demo |demonstration )?(?:example|demonstration|demo|shot)\w*\s*"
    r"(?:is|takes|uses|of|needs|=)?\s*{n}(?:\s*tokens)?|{n}\s*tokens (?:per|each|a) (?:example|demonstration|demo|shot)"
)


def _examples_that_fit(text: str) -> Worked | None:
    """ "2048-token context; 50-token instruction, 40-token query, 100 reserved; each example
    60 tokens: the most examples?": (window - everything else) // each."""
    if not re.search(
        r"max(?:imum)?(?: number of)? (?:examples|demonstrations|demos|shots)|"
        r"how many (?:examples|demonstrations|demos|shots)|examples? (?:can )?fit",
        text,
    ):
        return None
    window, each = _whole(_find(_WINDOW, text)), _whole(_find(_EACH_EXAMPLE, text))
    if window is None or each is None:
        return None
    used, working = _prompt_parts(text, skip=_EACH_EXAMPLE.replace("{n}", r"\d[\d,]*"))
    if used >= window:
        return None
    fit = (window - used) // each
    working.append(f"{window:,} - {used:,} = {window - used:,} tokens for the examples")
    working.append(f"{window - used:,} // {each} = {fit} examples of {each} tokens")
    return Worked("few-shot-learning", f"{fit} examples fit", working)


def _truncated(text: str) -> Worked | None:
    """ "300 tokens, max_length 256: how many are truncated?"; "a 1,300-token document in
    512-token chunks: how many chunks?"."""
    limit = _whole(
        _find(r"max(?:imum)?[ _]?(?:length|len|sequence(?: length)?)\s*(?:of|=|:|is)?\s*{n}", text)
        or _find(r"{n}[- ]token (?:chunks?|windows?|pieces|limit|segments?)", text)
        or _find(r"(?:chunks?|windows?|segments?) of {n}", text)
    )
    if limit is None:
        return None
    lengths = [
        n
        for n in (_whole(number(m)) for m in re.findall(r"(\d[\d,]*)[- ]?tokens?\b", text))
        if n and n != limit
    ]
    if len(lengths) != 1:
        return None
    (length,) = lengths
    if re.search(
        r"how many (?:\w+ )?chunks|number of chunks|how many (?:windows|segments|pieces)", text
    ):
        chunks = -(-length // limit)
        working = [f"ceil({length:,} / {limit:,}) = {chunks} chunks (the last one partial)"]
        return Worked("tokenization", f"{chunks} chunks", working, ("attention-masks-and-padding",))
    if re.search(r"truncat|cut off|cut|dropped|lost|thrown away", text) and length > limit:
        working = [f"{length:,} - {limit:,} = {length - limit:,} tokens cut off the end"]
        return Worked(
            "attention-masks-and-padding",
            f"{length - limit:,} tokens truncated",
            working,
            ("tokenization",),
        )
    return None


def _excluded_by_top_k(text: str) -> Worked | None:
    """ "top-k = 5 over a 50,257-token vocabulary: how many tokens are excluded?"."""
    k = _whole(_find(r"top[- _]?k\s*(?:=|of|is|:)?\s*{n}", text))
    vocab = _whole(
        _find(r"vocab\w*(?: size)?\s*(?:of|=|is|:)?\s*{n}", text)
        or _find(r"{n}[- ]?(?:token|word)s?[- ]?vocab", text)
    )
    if (
        k is None
        or vocab is None
        or k >= vocab
        or not re.search(r"exclud|left out|ignored|cut|removed|zero|never", text)
    ):
        return None
    working = [
        f"top-k keeps the {k} most likely tokens: {vocab:,} - {k} = {vocab - k:,} get probability 0"
    ]
    return Worked("generation-strategies", f"{vocab - k:,} tokens excluded", working)


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
