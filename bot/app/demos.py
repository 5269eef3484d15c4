"""Live model demos: tokenizers, padding, fill-mask, BERT's masking rule, the calculators."""

from __future__ import annotations

from bot.app.calculations import Calculation, calculate
from bot.app.resources import Resources
from bot.app.results import BatchReply, MaskReply, TokenizeReply
from bot.errors import TutorError
from skills.fill_mask import BLANK, MaskingDemo, count_blanks, masking_demo
from skills.models import ModelUnavailable
from skills.text import CleanText, clean_user_text
from skills.tokenization import BERT_UNCASED, DEFAULT_TOKENIZERS, tokenize, tokenize_batch

MAX_BATCH = 16


class DemoService:
    def __init__(self, res: Resources) -> None:
        self.res = res

    def _text(self, text: str | None, what: str) -> CleanText:
        cleaned = clean_user_text(text, self.res.settings.max_demo_chars)
        if cleaned.empty:
            raise TutorError(f"Give me some text to {what}, e.g. “{what} this: Hello world”.")
        return cleaned

    def _notes(self, *cleaned: CleanText) -> list[str]:
        limit = self.res.settings.max_demo_chars
        return [note for c in cleaned if (note := c.note(limit))]

    def tokenize(
        self, text: str, *, tokenizers: list[str] | None = None, pair: str | None = None
    ) -> TokenizeReply:
        first = self._text(text, "tokenize")
        second = self._text(pair, "tokenize") if pair is not None else None
        names = list(dict.fromkeys(tokenizers or DEFAULT_TOKENIZERS))
        results = [
            tokenize(self.res.tokenizers, name, first.text, second.text if second else None)
            for name in names
        ]
        notes = self._notes(first, *([second] if second else []))
        return TokenizeReply(first.text, results, second.text if second else None, notes)

    def tokenize_batch(self, texts: list[str], *, tokenizer: str = BERT_UNCASED) -> BatchReply:
        if not 2 <= len(texts) <= MAX_BATCH:
            raise TutorError(f"The padding demo takes 2 to {MAX_BATCH} sentences.")
        cleaned = [self._text(t, "tokenize") for t in texts]
        batch = tokenize_batch(self.res.tokenizers, tokenizer, [c.text for c in cleaned])
        return BatchReply([c.text for c in cleaned], batch, self._notes(*cleaned))

    def mask(
        self,
        text: str,
        *,
        model: str | None = None,
        top_k: int = 5,
        targets: list[str] | None = None,
    ) -> MaskReply:
        cleaned = self._text(text, "mask")
        if count_blanks(cleaned.text) == 0:
            raise TutorError(
                "Put a blank in the sentence: [MASK], <mask> or ___ "
                "(e.g. “mask this: The [MASK] sat on the mat.”)."
            )
        name = (model or self.res.settings.mask_model).strip()
        notes = self._notes(cleaned)
        try:
            lm = self.res.masked_lms.get(name)
            result = lm.predict(cleaned.text, top_k=top_k, targets=targets)
        except ModelUnavailable as exc:
            # Still useful: what the model would have seen.
            view = tokenize(self.res.tokenizers, BERT_UNCASED, BLANK.sub("[MASK]", cleaned.text))
            return MaskReply(cleaned.text, name, None, str(exc), view, notes)
        return MaskReply(cleaned.text, name, result, notes=notes)

    def masking_demo(self, text: str, *, seed: int = 0) -> MaskingDemo:
        cleaned = self._text(text, "mask")
        tokenizer, _ = self.res.tokenizers.get(BERT_UNCASED)
        return masking_demo(tokenizer, cleaned.text, seed=seed)

    def calculate(self, expression: str) -> Calculation:
        return calculate(clean_user_text(expression, 10_000).text)
