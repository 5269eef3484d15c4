"""Small talk: "thanks!", "hi", "lol". It gets a friendly reply, and it is not a question
for the instructor's queue.

A message is small talk only when every word in it is a small-talk word ("ok thanks!!",
"hi there :)"), so "hi, what is lora?" stays a question.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_KINDS: dict[str, frozenset[str]] = {
    "thanks": _words(
        "thanks thank thx ty tysm thnx thanx cheers appreciated appreciate merci danke gracias"
    ),
    "greeting": _words("hi hello hey heya hiya yo howdy sup morning afternoon evening greetings"),
    "bye": _words("bye goodbye cya later night ttyl farewell ya"),
    "laugh": _words("lol lmao rofl haha hahaha hehe xd lolol heh"),
    "ack": _words(
        "ok okay k kk cool nice great awesome perfect sure alright right yes yeah yep got gotcha "
        "understood makes sense sounds good wow neat"
    ),
}
# Words that may come with small talk without making it a question.
_FILLER = _words(
    "a so much very lot you it that there good see i bot tutor all again for the help man "
    "guys everyone this is now then oh ah and well"
)
_ALL = frozenset().union(*_KINDS.values())
_REPLIES = {
    "thanks": "You're welcome! Ask me anything else about the course whenever you like.",
    "greeting": "Hi! Ask me about a course concept, e.g. \u201cwhat does the attention mask do?\u201d",
    "bye": "Bye! Good luck with the course.",
    "laugh": "\U0001f604 Ask me a course question whenever you're ready.",
    "ack": "Glad that helped. Ask me anything else about the course whenever you like.",
}
MAX_WORDS = 8


def small_talk_reply(text: str) -> str | None:
    """A friendly reply when `text` is small talk, else None."""
    lowered = text.lower()
    words = re.findall(r"[a-z]+", lowered)
    if not words:
        # emoji, ":)", "!!!": small talk if there is no digit or other sign of a question
        return _REPLIES["laugh"] if lowered.strip() and not re.search(r"[\d?]", lowered) else None
    if len(words) > MAX_WORDS or ("?" in lowered and not set(words) <= _KINDS["greeting"]):
        return None
    if any(w not in _ALL and w not in _FILLER for w in words):
        return None
    if "see" in words and ({"you", "ya"} & set(words)):
        return _REPLIES["bye"]
    for kind in ("thanks", "bye", "greeting", "laugh", "ack"):
        if any(w in _KINDS[kind] for w in words):
            return _REPLIES[kind]
    return None
