"""A casual question read plainly, for retrieval: "yo whats lora lol" is "what is lora".

Fillers ("ngl", "lol", "smh", "fr") carry no course meaning, yet they pull a short question's
embedding away from the card it asks about, so its confidence falls under the bar ("yo whats
lora lol": 0.37 with the right card first). They are dropped, and a few spoken forms are
written out ("whats" -> "what is", "kinda" -> "kind of", "u" -> "you"). Nothing else changes:
a word that could be a course word ("like", "r" of LoRA's rank) is kept.
"""

from __future__ import annotations

import re

FILLERS = (
    "yo|ngl|tbh|tbf|fr|frfr|lol|lmao|lmfao|rofl|smh|bruh|bro|fam|lowkey|highkey|deadass|istg|"
    "pls|plz|imo|imho|idk|idc|ikr|omg|ok so|okay so|so like|like literally|literally|"
    "no cap|on god|help a student out|asking for a friend|or what|or smth|or something|"
    "ya know|hey|hi|hello|guys|y'?all|real quick|quick q|quick question"
)
_FILLERS = re.compile(rf"(?<![\w-])(?:{FILLERS})(?![\w-])[\s,!.]*", re.IGNORECASE)
SPOKEN = {
    r"what'?s": "what is",
    r"wats": "what is",
    r"wat": "what",
    r"how'?s": "how is",
    r"why'?s": "why is",
    r"kinda": "kind of",
    r"sorta": "sort of",
    r"gonna": "going to",
    r"wanna": "want to",
    r"gotta": "have to",
    r"dunno": "do not know",
    r"u": "you",
    r"ur": "your",
    r"bc|b/c|cuz": "because",
    r"w/": "with",
    r"w/o": "without",
    r"smth|sth": "something",
    r"abt": "about",
    r"diff": "difference",
    r"thx|ty": "",
    r"tho": "though",
    r"spin-?offs?|knock-?offs?": "variants",  # "all these bert spinoffs"
}
_SPOKEN = [
    (re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.IGNORECASE), plain)
    for pattern, plain in SPOKEN.items()
]
# Casual ways of asking that hide what is asked: "i dont get what a token even is" is asked
# as "what a token even is" (0.27 -> 0.81 with the tokenization card first), "whats the deal
# with lora" as "what is lora", "can u break down distilbert" as "explain distilbert".
PHRASES = {
    r"\bi (?:do not|don'?t|dont|still don'?t) (?:really |even |fully )?(?:get|understand|know)"
    r"\s+(?=(?:what|how|why|when|where|which)\b)": "",
    r"\bwhat(?:'?s| is) the (?:deal|tea|story) (?:with|w/)\s*": "what is ",
    r"\b(?:can|could) (?:you|u) (?:pls |please )?break down\b": "explain",
    r"^break down\b": "explain",
    r"\bwdym\b": "what do you mean",
    r"\bppl\b": "people",
    r"\brn\b": "right now",
    r"\blemme\b": "let me",
    r"\bgimme\b": "give me",
}
_PHRASES = [(re.compile(pattern, re.IGNORECASE), plain) for pattern, plain in PHRASES.items()]
# A special token named bare ("what does [PAD] do") is "the [PAD] token": the brackets alone
# leave the question's embedding far from the cards (0.07; "[PAD] token": 0.95). Not [MASK]:
# "the word behind [MASK]" asks about masked language modeling, not the token itself.
_BARE_SPECIAL_TOKEN = re.compile(
    r"(\[(?:pad|cls|sep|unk|bos|eos)\])(?!\s*tokens?\b)", re.IGNORECASE
)
# "the tokenizer be chopping my words": the habitual "be" of casual speech, as "is"...
_HABITUAL_BE = re.compile(r"\bbe (\w+ing)\b", re.IGNORECASE)
# ...but "can the model be overfitting" keeps its "be": a modal or "to" comes before it
_MODAL_BEFORE = re.compile(
    r"\b(?:can|could|will|would|should|might|may|must|to|not|cannot|gonna|won'?t|can'?t)\b",
    re.IGNORECASE,
)


def plain_reading(question: str) -> str | None:
    """The question without casual fillers, spoken forms written out; None if nothing changed
    (or if nothing would be left)."""
    text = _FILLERS.sub(" ", question)
    for pattern, plain in _PHRASES:
        text = pattern.sub(plain, text.strip())
    text = _BARE_SPECIAL_TOKEN.sub(r"\1 token", text)
    for pattern, plain in _SPOKEN:
        text = pattern.sub(plain, text)
    text = _HABITUAL_BE.sub(
        lambda m: m[0] if _MODAL_BEFORE.search(m.string[: m.start()]) else f"is {m[1]}", text
    )
    text = re.sub(r"\s+", " ", text).strip(" ,")
    if not re.search(r"[a-z]{2}", text, re.IGNORECASE) or text == question.strip():
        return None
    return text
