"""Input hygiene shared by every feature that takes text from users or files."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Zero-width and direction-control characters: invisible in chat, but they split words for
# tokenizers and BM25 ("lo\u200bra" would not match "lora").
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Control characters other than newline and tab.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


@dataclass(frozen=True)
class CleanText:
    text: str
    truncated: bool = False
    original_length: int = 0

    @property
    def empty(self) -> bool:
        return not self.text

    def note(self, limit: int) -> str | None:
        if not self.truncated:
            return None
        return (
            f"Your text was {self.original_length:,} characters; "
            f"only the first {limit:,} were used."
        )


def normalise(text: str, *, keep_newlines: bool = False) -> str:
    """NFKC-normalise, drop invisible and control characters, collapse runs of spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    if keep_newlines:
        lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def clean_user_text(text: str | None, limit: int) -> CleanText:
    """Normalise user input and cut it to `limit` characters (at a word boundary if one is near)."""
    text = normalise(text or "")
    if len(text) <= limit:
        return CleanText(text, original_length=len(text))
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return CleanText(cut.rstrip(), truncated=True, original_length=len(text))
