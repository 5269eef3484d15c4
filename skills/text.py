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


# --- readable text from Markdown and LaTeX (ingested documents, quoted in answers) -----------

_LATEX_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η",
    "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "sigma": "σ", "tau": "τ", "phi": "φ",
    "omega": "ω", "Sigma": "Σ", "Delta": "Δ", "sum": "Σ", "prod": "Π", "cdot": "·",
    "times": "×", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠",
    "approx": "≈", "rightarrow": "→", "to": "→", "leftarrow": "←", "infty": "∞", "in": "∈",
    "partial": "∂", "nabla": "∇", "pm": "±", "ldots": "...", "cdots": "...", "dots": "...",
    "quad": " ", "qquad": " ", ",": " ", ";": " ", "!": "", "%": "%", "_": "_", "{": "(",
    "}": ")", "log": "log", "exp": "exp", "max": "max", "min": "min", "softmax": "softmax",
}  # fmt: skip
_LATEX_WRAPPERS = re.compile(
    r"\\(?:text|mathrm|mathbf|mathit|mathcal|operatorname|boldsymbol|textbf|emph)\s*\{([^{}]*)\}"
)
_LATEX_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_LATEX_SQRT = re.compile(r"\\sqrt\s*\{([^{}]*)\}")
_LATEX_COMMAND = re.compile(r"\\([A-Za-z]+|[,;!%_{}])")
# $$display$$, $inline$ (pandoc's rule, so "$5 and $10" stays money), \(inline\), \[display\]
_MATH = re.compile(
    r"\$\$(.+?)\$\$|\$(?=\S)([^$\n]+?)(?<=\S)\$(?!\d)|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL
)


def _script(match: re.Match[str]) -> str:
    """x^{2} -> x^2, x_{i+1} -> x_(i+1)."""
    inner = match[2]
    return match[1] + (inner if len(inner) == 1 else f"({inner})")


def _latex(math: str) -> str:
    """A formula as plain text: \\frac{a}{b} -> (a)/(b), \\alpha -> α, x^{2} -> x^2."""
    for _ in range(3):  # nested wrappers and fractions, from the inside out
        math = _LATEX_WRAPPERS.sub(r"\1", math)
        math = re.sub(r"([_^])\{([^{}]*)\}", _script, math)
        math = _LATEX_FRAC.sub(lambda m: f"({m[1]})/({m[2]})", math)
        math = _LATEX_SQRT.sub(r"√(\1)", math)
    math = re.sub(r"\\(?:left|right|big|Big)\s*([()\[\]|.])", r"\1", math)
    math = _LATEX_COMMAND.sub(lambda m: _LATEX_SYMBOLS.get(m[1], m[1]), math)
    return re.sub(r"\s+", " ", math.replace("{", "").replace("}", "")).strip()


def readable(text: str) -> str:
    """Markdown and LaTeX turned into text a student can read in a chat message: headings,
    emphasis, code marks, links, images, HTML tags and table rules go; formulas become plain
    text; list items become bullets. Line breaks are kept."""
    text = _MATH.sub(lambda m: _latex(next(g for g in m.groups() if g is not None)), text)
    lines = []
    for raw in text.split("\n"):
        line = raw.strip()
        if re.fullmatch(r"(`{3,}|~{3,}).*|[|:\- ]*-{3,}[|:\- ]*|(\*\s*){3,}|(_\s*){3,}", line):
            continue  # code fences, table rules, horizontal rules
        line = re.sub(r"^#{1,6}\s+", "", line)
        line = re.sub(r"^>\s?", "", line)
        line = re.sub(r"^(?:[-*+]|\d+[.)])\s+(?=\S)", "• ", line)
        if line.startswith("|") and line.endswith("|") and len(line) > 1:  # a table row
            line = " | ".join(cell.strip() for cell in line[1:-1].split("|"))
        lines.append(line)
    text = "\n".join(lines)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)  # images: their alt text
    text = re.sub(r"\[([^\]]+)\]\(([^)\s]+)[^)]*\)", r"\1", text)  # links: their text
    text = re.sub(r"<(?:br|hr)\s*/?>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"</?[A-Za-z][^<>]{0,80}>", "", text)
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])", r"\1", text)
    text = re.sub(r"`+([^`\n]+?)`+", r"\1", text)
    text = "\n".join(re.sub(r"[ \t]{2,}", " ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# Numbers written as words, as students type them ("four thousand", "twenty-four"): the one
# vocabulary the quiz's answer grading and the worked calculations both read.
NUMBER_UNITS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
NUMBER_TENS = {
    w: 10 * i
    for i, w in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], 2
    )
}
NUMBER_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
