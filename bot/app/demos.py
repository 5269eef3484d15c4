"""Live model demos: tokenizers, padding, fill-mask, BERT's masking rule, the calculators."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bot.app.calculations import Calculation, calculate
from bot.app.resources import Resources
from bot.app.results import AttentionReply, BatchReply, EmbedReply, MaskReply, TokenizeReply
from bot.errors import TutorError
from skills.fill_mask import BLANK, MaskingDemo, count_blanks, masking_demo
from skills.inside import MAX_SENTENCES, attention, contextual_embeddings
from skills.inside_images import Picture, attention_png, similarity_png
from skills.models import ModelUnavailable
from skills.text import CleanText, clean_user_text
from skills.tokenization import BERT_UNCASED, DEFAULT_TOKENIZERS, tokenize, tokenize_batch

MAX_BATCH = 16
Drawn = TypeVar("Drawn")


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
        self,
        text: str,
        *,
        tokenizers: list[str] | None = None,
        pair: str | None = None,
        allow_paths: bool = True,
    ) -> TokenizeReply:
        """Tokens of `text` (and `pair`) by each tokenizer. Without `allow_paths` (chat
        users), a tokenizer is named from the allow-list or the model folder, never a path."""
        first = self._text(text, "tokenize")
        second = self._text(pair, "tokenize") if pair is not None else None
        names = list(dict.fromkeys(tokenizers or DEFAULT_TOKENIZERS))
        if not allow_paths:
            names = [self.res.tokenizers.named(name) for name in names]
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
        allow_paths: bool = True,
    ) -> MaskReply:
        """The masked-LM's guesses for each blank. Without `allow_paths` (chat users), `model`
        is named from the allow-list or the model folder, never a path."""
        if model is not None and not allow_paths:
            model = self.res.masked_lms.named(model)
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
            return MaskReply(cleaned.text, name, None, str(exc), view, notes, problem=exc)
        return MaskReply(cleaned.text, name, result, notes=notes)

    def masking_demo(self, text: str, *, seed: int = 0) -> MaskingDemo:
        cleaned = self._text(text, "mask")
        tokenizer, _ = self.res.tokenizers.get(BERT_UNCASED)
        return masking_demo(tokenizer, cleaned.text, seed=seed)

    def attention(
        self,
        text: str,
        *,
        layer: int | None = None,
        head: int | None = None,
        out: Path | None = None,
    ) -> AttentionReply:
        """A heatmap of MiniLM's attention between the tokens of `text`: one head (from 1), or
        the mean of a layer's heads (default: the last layer's). The PNG goes to `out`, or
        under `<data dir>/images/`."""
        cleaned = clean_user_text(text, self.res.settings.max_demo_chars)
        if cleaned.empty:
            raise TutorError(
                "Give me some text to look inside, e.g. “attention The bank of the river”."
            )
        target = self._image_path(out, "attention", cleaned.text, layer, head)
        amap = attention(self.res.inside, cleaned.text, layer=layer, head=head)
        picture = self._draw(attention_png, amap, target)
        return AttentionReply(
            amap, picture.path, picture.alt_text, self._notes(cleaned) + amap.notes
        )

    def embed(self, word: str, sentences: list[str], *, out: Path | None = None) -> EmbedReply:
        """`word`'s contextual vector in each sentence, its input embedding, and the cosine
        of every pair; the picture goes to `out`, or under `<data dir>/images/`."""
        if not 2 <= len(sentences) <= MAX_SENTENCES:
            raise TutorError(
                f"Give 2 to {MAX_SENTENCES} sentences that contain the word "
                f"(you gave {len(sentences)}), e.g. embed bank “I sat on the river bank” "
                "“I paid cash into the bank”."
            )
        cleaned = [clean_user_text(s, self.res.settings.max_demo_chars) for s in sentences]
        empty = [n for n, c in enumerate(cleaned, 1) if c.empty]
        if empty:
            raise TutorError(f"Sentence {', '.join(map(str, empty))} is empty.")
        texts = [c.text for c in cleaned]
        word = clean_user_text(word, 1000).text
        target = self._image_path(out, "embed", word, texts)
        result = contextual_embeddings(self.res.inside, word, texts)
        picture = self._draw(similarity_png, result, target)
        notes = self._notes(*cleaned) + result.notes
        return EmbedReply(result, picture.path, picture.alt_text, notes)

    def _image_path(self, out: Path | None, kind: str, *key: object) -> Path:
        """The user's `--out` file (checked), or a file named by its content under the data
        directory, so that asking twice rewrites one file instead of piling up copies."""
        if out is None:
            digest = hashlib.sha256(json.dumps([kind, *key]).encode()).hexdigest()[:16]
            return self.res.settings.data_dir / "images" / f"{kind}-{digest}.png"
        path = Path(out).expanduser()
        if path.suffix.lower() != ".png":
            raise TutorError(
                f"The image is a PNG: give --out a name ending in .png, not “{path.name}”."
            )
        if not path.parent.is_dir():
            raise TutorError(f"Cannot write {path}: the folder {path.parent} does not exist.")
        return path

    @staticmethod
    def _draw(draw: Callable[[Drawn, Path], Picture], what: Drawn, path: Path) -> Picture:
        try:
            return draw(what, path)
        except OSError as exc:  # a read-only folder, a full disk: the user can pick another
            raise TutorError(f"Cannot write {path}: {exc.strerror or exc}.") from exc

    def calculate(self, expression: str) -> Calculation:
        return calculate(clean_user_text(expression, 10_000).text)
