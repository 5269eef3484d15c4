"""Calculations about probabilities and scores: softmax (with temperature, named logits),
precision, recall, F1 and accuracy, cross-entropy and perplexity, a sequence's probability."""

from __future__ import annotations

import math
import re

from skills.calculators import softmax
from skills.worked.reading import Worked, _find, _whole, number


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
    if "softmax" not in text and not ("logit" in text and re.search(r"prob|\bp\(", text)):
        return None
    pairs = _named_logits(text)
    asked = re.search(
        r"p\(\s*['\"]?([\w#]+)['\"]?\s*\)|probab\w* (?:of|for|does|that) ['\"]?([\w#]+)['\"]?",
        text,
    )
    names = [n for n, _ in pairs]
    if len(pairs) < 2 or asked is None or len(set(names)) != len(names):
        return None
    name = asked[1] or asked[2]
    if name not in names:
        return None
    given = _find(r"(?:temperature|temp)\s*(?:of|is|:|=)?\s*(?:t\s*=\s*)?{n}", text)
    temperature = 1.0 if given is None else given
    if temperature <= 0:
        return None
    logits = [float(z) / temperature for _, z in pairs]
    probs = softmax(logits)
    i = names.index(name)
    total = sum(math.exp(z) for z in logits)
    working = ["P = exp(logit) / sum of exp(all logits)"]
    if temperature != 1:
        shown = ", ".join(f"{z:.4g}" for z in logits)
        working = [f"divide each logit by T = {temperature:g}: [{shown}]", "P = exp(z / T) / sum"]
    working += [
        " + ".join(f"exp({z:.4g})" for z in logits) + f" = {total:.3f}",
        f"P('{name}') = exp({logits[i]:.4g}) / {total:.3f} = {probs[i]:.4f}",
    ]
    return Worked("softmax-and-temperature", f"P('{name}') = {probs[i]:.4f}", working)


_NOT_NAMES = {"t", "temperature", "temp", "p", "lr", "k", "logit", "logits"}  # text is lowercased


def _named_logits(text: str) -> list[tuple[str, str]]:
    """ "'dog' 1.8, 'cat' 2.2", "sat=2.5, ran=1.0", "[2.5, 1.0] (sat, ran)": (name, logit)."""
    quoted = re.findall(r"['\"]([\w#]+)['\"]\s*(?:=|:|->)?\s*(?:logit )?(-?\d+(?:\.\d+)?)", text)
    if len(quoted) >= 2:
        return quoted
    named = [
        (n, z)
        for n, z in re.findall(r"\b([a-z#]+)\s*=\s*(-?\d+(?:\.\d+)?)", text)
        if n not in _NOT_NAMES
    ]
    if len(named) >= 2:
        return named
    listed = re.search(
        r"\[\s*(-?\d[-\d.,\s]*)\]\s*(?:for|of)?\s*[(\[]\s*([a-z#'\",\s]+)[)\]]", text
    )
    if listed:
        values = [v for v in re.split(r"\s*,\s*", listed[1].strip()) if v]
        names = [n.strip(" '\"") for n in listed[2].split(",")]
        if len(values) == len(names) and all(names):
            return list(zip(names, values, strict=True))
    return []


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
    # a count may be zero ("TP=30, FP=0, FN=30"), which _whole would refuse
    for found in (
        _find(r"{n}\s*" + name, text),
        _find(r"\b" + short + r"\s*(?:=|:|of|is)?\s*{n}", text),
    ):
        if found is not None and found >= 0 and found == int(found):
            return int(found)
    return None


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
    asks_f1 = "f1" in text or "f-1" in text or "f score" in text
    if asks_f1 and p is not None and r is None:
        return _from_f1(text, p, "recall")
    if asks_f1 and r is not None and p is None:
        return _from_f1(text, r, "precision")
    if p is None or r is None or not asks_f1:
        return None
    p, r = (v / 100 if v > 1 else v for v in (p, r))
    if not (0 < p <= 1 and 0 < r <= 1):
        return None
    f1 = 2 * p * r / (p + r)
    working = [f"F1 = 2 x {p:g} x {r:g} / ({p:g} + {r:g}) = {2 * p * r:g} / {p + r:g}"]
    return Worked("evaluation-metrics", f"F1 = {f1:.3f}", working)


def _from_f1(text: str, given: float, asked: str) -> Worked | None:
    """ "precision 0.75 and F1 0.6: what must recall be?": F1 = 2PR/(P+R) solved for the other."""
    f1 = _find(r"(?:f1|f-1|f score)(?: score)?\s*(?:of|=|is|:|was)?\s*{n}", text)
    if f1 is None or asked not in text:
        return None
    given, f1 = (v / 100 if v > 1 else v for v in (given, f1))
    if not (0 < f1 <= 1 and 0 < given <= 1) or 2 * given <= f1:
        return None  # no recall in [0, 1] gives that F1
    other = f1 * given / (2 * given - f1)
    if other > 1:
        return None
    known = "precision" if asked == "recall" else "recall"
    working = [
        f"F1 = 2 x {known} x {asked} / ({known} + {asked}), so",
        f"{asked} = F1 x {known} / (2 x {known} - F1) = {f1:g} x {given:g} / (2 x {given:g} - {f1:g}) = {other:.3f}",
    ]
    return Worked("evaluation-metrics", f"{asked} = {other:.3f}", working)


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
    # "flagged 60 reviews as negative; 45 of those really were" (before "out of 1,000 emails,
    # 50 are spam", which counts what was there, not what was flagged)
    match = re.search(
        r"(?:flag(?:s|ged)?|predict(?:s|ed)?|mark(?:s|ed)?|labell?(?:s|ed)?|caught|catches|retriev(?:es|ed)|found|finds|return(?:s|ed)) "
        r"(\d[\d,]*)[^.?!;]*?(?:[,;]|\band\b)\s*(?:only |just )?(\d[\d,]*) (?:of (?:those|them|these)|were|are)",
        text,
    ) or re.search(r"out of (\d[\d,]*)[^.?!;]*?[,;]\s*(?:only |just )?(\d[\d,]*)\b", text)
    # "there are 60 positive examples and my model catches 45 of them"
    # "there were 64 toxic comments and the model caught 48 of them"
    match = match or re.search(
        r"(\d[\d,]*) [a-z]+(?: [a-z]+)? (?:in the \w+ )?(?:and|,|;) (?:the model |it |my model |our model )?"
        r"(?:catches|caught|finds|found|detects|detected|flags|flagged|gets|got) (?:only |just )?(\d[\d,]*) of them\b",
        text,
    )
    match = match or re.search(
        r"(\d[\d,]*) (?:actual |real |true )?(?:positive|relevant|spam|fraud)\w*[^.?!;]*?\b"
        r"(?:catch\w*|caught|finds?|found|gets?|detects?|detected|identifie\w*|flags?|flagged|"
        r"retriev\w*) (?:only |just )?(\d[\d,]*)\b",
        text,
    )
    if match:
        whole, part = (int(g.replace(",", "")) for g in match.groups())
        return (part, whole) if 0 < part <= whole else None
    # "it caught 45 spam emails and missed 5": 45 of the 50 that were there
    match = re.search(
        r"(?:catch\w*|caught|finds?|found|gets?|got|detects?|detected|identifie\w*|flags?|flagged)"
        r" (\d[\d,]*)\b[^.?!;]*?\b(?:miss\w*|overlook\w*|didn't (?:catch|find|flag)) (\d[\d,]*)\b",
        text,
    )
    if match:
        part, missed = (int(g.replace(",", "")) for g in match.groups())
        return (part, part + missed) if part > 0 else None
    return None


_MODEL_DID = re.compile(
    r"flag|predict|caught|catch|found|find|detect|identif|mark|label|classif|retriev|spam|"
    r"positive|relevant|correct|really|actually|truly|fraud|hit"
)


_POSITIVE_CLASS = r"(?:spam|positives?|fraud\w*|toxic|relevant|defective|sick|malignant)"
_FLAGGED = re.compile(
    r"\b(?:flags|flagged|predicts|predicted|marks|marked|catches|caught|labels|labell?ed)\s+"
    r"(?:only |just )?(?P<a>\d[\d,]*)|(?P<b>\d[\d,]*)\s+(?:are |were |get |got )?(?:flagged|marked)"
)
_FLAGGED_RIGHT = re.compile(
    # "of which 30", "of those 40, 30 are": the flagged count said again is skipped
    r"(?:of which|of those|of these|of them)\s*(?:\d[\d,]*\s*,\s*)?(?:only |just )?(\d[\d,]*)"
    r"(?![\d,])(?!\s*(?:are |were |is )?(?:false|not|wrong|incorrect|mistak))|"
    r"(\d[\d,]*) (?:of (?:them|those|these|the flagged(?: ones)?) )?(?:are |were |is )?(?:actual(?:ly)?|"
    r"real(?:ly)?|truly|true|really|correct(?:ly)?|indeed)\b"
)


_POPULATION = (
    r"(?:emails?|messages?|reviews?|examples?|samples?|sentences?|documents?|tweets?|comments?|"
    r"posts?|patients?|images?|items?|cases?|transactions?|texts?)"
)


def _confusion_in_words(text: str) -> Worked | None:
    """ "1,000 emails, 50 of them spam. The filter flags 40, of which 30 are actual spam.
    Recall?": what was there, what was flagged and how much of it was right, told in words,
    make the whole confusion matrix; the metric asked is read from it."""
    asking = re.sub(r"(?:mixed|half|full|single|double)[ -]precision", " ", text)
    asked = next(
        (m for m, p in (("f1", r"\bf1\b|f-1|f score"), ("recall", r"recall"),
                        ("precision", r"precision"), ("accuracy", r"acc?ura")) if re.search(p, asking)),
        None,
    )  # fmt: skip
    flagged_at = _FLAGGED.search(text)
    if asked is None or flagged_at is None:
        return None
    flagged = int((flagged_at["a"] or flagged_at["b"]).replace(",", ""))
    before, after = text[: flagged_at.start()], text[flagged_at.end() :]
    there = list(
        re.finditer(
            rf"(\d[\d,]*)\s*(?:of (?:them|those|these) )?(?:are |were |is )?(?:actual(?:ly)? |"
            rf"real(?:ly)? )?{_POSITIVE_CLASS}\b",
            before,
        )
    )
    right_at = _FLAGGED_RIGHT.search(after)
    if not there or right_at is None:
        return None
    positives = int(there[-1][1].replace(",", ""))
    right = int((right_at[1] or right_at[2]).replace(",", ""))
    # the population: "1,000 emails", "1,000 test emails" (never "in 2023" or "trained on 5,000")
    counted = [
        m
        for m in re.finditer(rf"(\d[\d,]*)\s+(?:test |held-out |new )?{_POPULATION}\b", before)
        if not re.search(r"(?:train\w*|fine-tun\w*) (?:on|with)\s*$", before[: m.start()])
    ]
    total = int(counted[-1][1].replace(",", "")) if counted else None
    if total is not None and total == positives:
        total = None
    if not 0 < right <= min(flagged, positives) or (total is not None and total < positives):
        return None
    fp, fn = flagged - right, positives - right
    working = [f"TP = {right} (flagged and right), FP = {flagged} - {right} = {fp}, "
               f"FN = {positives} - {right} = {fn}"]  # fmt: skip
    precision, recall = right / flagged, right / positives
    if asked == "accuracy":
        if total is None:
            return None
        tn = total - right - fp - fn
        working.append(f"TN = {total:,} - {right} - {fp} - {fn} = {tn:,}")
        value = (right + tn) / total
        working.append(f"accuracy = (TP + TN) / all = ({right} + {tn:,}) / {total:,} = {value:.3f}")
    elif asked == "f1":
        value = 2 * precision * recall / (precision + recall)
        working.append(f"precision = {right} / {flagged} = {precision:.3f}, "
                       f"recall = {right} / {positives} = {recall:.3f}")  # fmt: skip
        working.append(f"F1 = 2PR / (P + R) = {value:.3f}")
    else:
        value = precision if asked == "precision" else recall
        whole = flagged if asked == "precision" else positives
        working.append(f"{asked} = TP / (TP + {'FP' if asked == 'precision' else 'FN'}) = "
                       f"{right} / {whole} = {value:.3f}")  # fmt: skip
    name = "F1" if asked == "f1" else asked
    return Worked("evaluation-metrics", f"{name} = {value:.3f} ({value:.1%})", working)


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


def _accuracy_in_words(text: str) -> Worked | None:
    """ "It gets 880 of 1,000 test sentences right: accuracy?": the share it got right."""
    if "accuracy" not in text or re.search(r"precision|recall|\bf1\b|\btp\b|true positive", text):
        return None
    if not re.search(r"\b(?:right|correct(?:ly)?|accurate(?:ly)?)\b", text):
        return None
    found = _ratio_in_words(text)
    if found is None:
        return None
    part, whole = found
    working = [f"accuracy = {part:,} right / {whole:,} in all = {part / whole:.3f}"]
    return Worked(
        "evaluation-metrics", f"accuracy = {part / whole:.3f} ({part / whole:.1%})", working
    )


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


def _probability_left(text: str) -> Worked | None:
    """ "P(cat)=0.73, P(dog)=0.15, P(person)=0.04: how much is left for every other word?"."""
    if not re.search(r"\b(?:left|remain\w*|rest|everything else|all other|every other)\b", text):
        return None
    listed = [p for p in _probabilities(text) if 0 < p < 1]
    if not listed or sum(listed) >= 1 or not re.search(r"probabilit|\bp\(", text):
        return None
    left = 1 - sum(listed)
    working = [
        "1 - (" + " + ".join(f"{p:g}" for p in listed) + f") = 1 - {sum(listed):g} = {left:.4g}"
    ]
    working.append("a softmax's probabilities always add up to 1")
    return Worked("softmax-and-temperature", f"{left:.4g} is left for all the other tokens", working,
                  ("masked-language-modeling",))  # fmt: skip


def _errors_from_accuracy(text: str) -> Worked | None:
    """ "94% accurate on a 1,000-sentence test set: how many did it get wrong?"."""
    if not re.search(r"accura", text) or not re.search(r"how many", text):
        return None
    share = _find(
        r"{n}\s*%\s*(?:accura|accuracy|correct|right)|accuracy (?:of|is|was)?\s*{n}\s*%", text
    )
    total = _whole(_find(r"{n}[- ](?:sentence|example|review|item|question|sample)s?\b", text))
    if share is None or total is None or not 0 < share <= 100:
        return None
    right = total * share / 100
    if re.search(r"wrong|incorrect|miss|errors?|mistakes?", text):
        working = [f"{total:,} x (1 - {share:g}%) = {total - right:g} wrong"]
        return Worked("evaluation-metrics", f"{total - right:g} wrong", working)
    working = [f"{total:,} x {share:g}% = {right:g} right"]
    return Worked("evaluation-metrics", f"{right:g} right", working)


def _equal_logits(text: str) -> Worked | None:
    """ "three tokens all with logit 5": equal logits share the probability evenly."""
    if "logit" not in text and "score" not in text:
        return None
    match = re.search(
        r"(\d+)\s*(?:[a-z]+\s+)?(?:tokens?|classes|words|options|candidates|logits)\b[^.?!]*?"
        r"(?:all|each|every one|the same|identical|equal)[^.?!]*?(?:logit|score)s?\b",
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
    listed = _probabilities(text) if loss is None else []
    if len(listed) >= 2 and all(0 < p <= 1 for p in listed):
        # "correct-token probabilities 0.65, 0.42, 0.71, 0.88: perplexity?"
        mean = sum(-math.log(p) for p in listed) / len(listed)
        working = [
            "mean loss = ("
            + " + ".join(f"-ln {p:g}" for p in listed)
            + f") / {len(listed)} = {mean:.4f}",
            f"perplexity = exp({mean:.4f}) = {math.exp(mean):.3f}",
        ]
        return Worked("loss-and-gradients", f"perplexity = {math.exp(mean):.3f}", working,
                      ("autoregressive-modeling", "evaluation-metrics"))  # fmt: skip
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


_LOSS_ASKED = re.compile(
    r"cross[- ]?entropy|\bloss(?:es)?\b|\bnats?\b|negative (?:natural )?logs?|-\s*ln\b|-\s*log\b"
)


def _probabilities(text: str) -> list[float]:
    """The probabilities a question gives: "P(cat)=0.73", "0.5 and 0.25", "50/50" (0.5)."""
    if re.search(r"\b50/50\b|fifty[- ]fifty|coin ?flip", text):
        return [0.5]
    if not _PROBABILITY_CUE.search(text):
        return []
    return [
        float(m[2])
        for m in re.finditer(
            r"((?:[a-z_-]+\s*(?:of|=|is|:|was|at)?\s*)?)(?<![\d.])(0?\.\d+|1\.0+)(?!\d|\.\d|%)",
            text,
        )
        if not _OTHER_QUANTITY.search(m[1])
    ]


_PROBABILITY_CUE = re.compile(
    r"probabilit|\bprob\b|\bp\(|\bassign|\bputs?\b|\bgives?\b|\bpredicts?\b|\boutputs?\b|"
    r"confiden|softmax"
)


# a decimal after one of these names is that quantity, not a probability ("lr 0.001")
_OTHER_QUANTITY = re.compile(
    r"\b(?:lr|rate|dropout|temperature|temp|t|top[_-]?p|ratio|loss|entropy|precision|recall|f1|"
    r"accuracy|decay|momentum|epsilon|alpha|beta|lambda|perplexity)\b"
)


def _cross_entropy(text: str) -> Worked | None:
    """Cross-entropy of one prediction: -ln(p of the right class); a uniform guess over k
    classes: ln k; several predictions: their sum or mean. Perplexity given, the loss asked:
    ln(perplexity)."""
    if not _LOSS_ASKED.search(text):
        return None
    if "perplexity" in text:
        ppl = _find(r"perplexity\s*(?:of|=|is|:|was)?\s*{n}", text)
        if ppl is None or ppl < 1 or re.search(r"(?:what|which|find)[^.?!]*perplexity", text):
            return None  # the perplexity is asked (_perplexity), not given
        working = [f"loss = ln(perplexity) = ln({ppl:g}) = {math.log(ppl):.3f} nats per token"]
        return Worked(
            "loss-and-gradients",
            f"loss = {math.log(ppl):.3f} nats",
            working,
            ("autoregressive-modeling",),
        )
    uniform = re.search(
        r"(\d[\d,]*)[- ](?:class|way|token|word|label|category)\w*\b[^.?!]*?"
        r"(?:50/50|uniform|evenly|equal|random|guess)",
        text,
    ) or re.search(
        r"(?:uniform(?:ly)?|evenly|equally|random(?:ly)?|guess\w*) (?:over|across|among|between) "
        r"(?:all |the |its |an? )?(?:[a-z\'-]+ ){0,2}?(\d[\d,]*)",
        text,
    )
    if uniform and re.search(r"50/50|uniform|evenly|equal(?:ly)?|random|guess", text):
        k = _whole(number(uniform[1]))
        if k is None or k < 2:
            return None
        working = [f"each class gets 1/{k:,}: loss = -ln(1/{k:,}) = ln {k:,} = {math.log(k):.3f}"]
        return Worked("loss-and-gradients", f"loss = ln {k:,} = {math.log(k):.3f} nats", working)
    p = _find(
        r"(?:probability|prob|p)\s*(?:of|=|is|:)?\s*{n}\s*(?:on|to|for) (?:the )?(?:correct|right|true|target)",
        text,
    ) or _find(
        r"(?:correct|right|true|target) (?:[a-z]+ )?(?:class|token|label|word)\w*[^.?!\d]{0,30}?(?:probability|prob|p)\s*(?:of|=|is|:)?\s*{n}",
        text,
    )
    listed = _probabilities(text)
    probabilities = listed if p is None or len(listed) > 1 else [p]
    probabilities = [q for q in probabilities if 0 < q <= 1]
    if len(probabilities) == 1:
        (p,) = probabilities
        working = [f"loss = -ln(p of the right class) = -ln({p:g}) = {-math.log(p):.3f}"]
        return Worked("loss-and-gradients", f"loss = {-math.log(p):.3f} nats", working)
    # "two masked positions with 0.5 and 0.25: the sum of the losses"
    mean = re.search(r"\b(?:average|mean|per[- ](?:token|position|example))\b", text)
    summed = re.search(
        r"\b(?:sum|total|add\w*|combined|both|altogether)\b|log p\([^)]*\)\s*\+", text
    )
    if len(probabilities) < 2 or not (mean or summed):
        return None
    losses = [-math.log(q) for q in probabilities]
    terms = " + ".join(f"-ln({q:g})" for q in probabilities)
    working = [f"{terms} = " + " + ".join(f"{v:.3f}" for v in losses) + f" = {sum(losses):.3f}"]
    if mean:
        working.append(f"mean over {len(losses)} = {sum(losses) / len(losses):.3f}")
        return Worked(
            "loss-and-gradients", f"mean loss = {sum(losses) / len(losses):.3f} nats", working
        )
    return Worked("loss-and-gradients", f"total loss = {sum(losses):.3f} nats", working)


def _sequence_probability(text: str) -> Worked | None:
    """The chain rule of an autoregressive model: P(w1..wn) = P(w1) x P(w2|w1) x ..."""
    factors = re.findall(r"p\([^)]*\)\s*=\s*(\d*\.\d+|\d+(?:\.\d+)?)", text)
    if len(factors) < 2 or "|" not in text or not re.search(r"probab|p\(", text):
        # "the probability of the sequence if its tokens get 0.5, 0.4 and 0.2"
        if not re.search(
            r"probability of (?:the |this |that |a |my )?(?:whole |generated |full )?(?:[\w-]+ )?"
            r"(?:sequence|sentence|text|string|continuation|output|generation)",
            text,
        ):
            return None
        factors = [str(p) for p in _probabilities(text)]
        if len(factors) < 2:
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
