"""The demos' texts: tokenizers, a padded batch, attention, contextual embeddings, fill-mask,
BERT's masking rule and the calculators."""

from __future__ import annotations

from collections.abc import Mapping

from bot.app.calculations import Calculation
from bot.app.results import AttentionReply, BatchReply, EmbedReply, MaskReply, TokenizeReply
from bot.errors import Hint
from bot.render.base import bar, table_lines
from skills.fill_mask import MaskingDemo
from skills.tokenization import TokenizeResult


def render_tokenizer_result(result: TokenizeResult) -> str:
    header = (
        f"{result.tokenizer} ({result.algorithm}, vocabulary {result.vocab_size:,}): "
        f"{result.num_tokens} tokens from {result.num_chars} characters"
    )
    pair = any(result.token_type_ids)
    rows = []
    for i, token in enumerate(result.tokens):
        note = "special" if not result.spans[i] and token in result.special_tokens else ""
        if result.continuation[i]:
            note = "continues word"
        row = [str(i), repr(token)[1:-1], str(result.ids[i]), str(result.attention_mask[i])]
        rows.append([*row, str(result.token_type_ids[i]), note] if pair else [*row, note])
    headers = ["#", "token", "id", "mask", "type", ""] if pair else ["#", "token", "id", "mask", ""]
    specials = ", ".join(result.special_tokens) or "none"
    return "\n".join([header, *table_lines(headers, rows), f"special tokens added: {specials}"])


def render_tokenize(reply: TokenizeReply) -> str:
    parts = [f"note: {n}" for n in reply.notes]
    parts += [render_tokenizer_result(r) for r in reply.results]
    return "\n\n".join(parts)


def render_batch(reply: BatchReply) -> str:
    batch = reply.batch
    lines = [f"note: {n}" for n in reply.notes]
    lines.append(
        f"{len(reply.texts)} sentences padded with {batch.pad_token} to the longest "
        f"({len(batch.ids[0])} tokens) by {batch.tokenizer}:"
    )
    for i, (tokens, mask) in enumerate(zip(batch.tokens, batch.attention_mask, strict=True)):
        lines.append(f"[{i}] tokens:         {' '.join(tokens)}")
        lines.append(f"    attention_mask: {' '.join(map(str, mask))}")
    lines.append("1 = a real token the model attends to, 0 = padding it ignores.")
    return "\n".join(lines)


def render_attention(reply: AttentionReply, *, image: bool = True, per_token: bool = True) -> str:
    """The reading, each word token's strongest link, and where the heatmap is. Discord sends
    the image itself, so it asks for neither the path nor the table (the image shows it)."""
    amap = reply.map
    lines = [f"note: {n}" for n in reply.notes]
    lines.append(f"{amap.model} attention, {amap.view}, over {len(amap.tokens)} tokens:")
    lines.append("  " + " ".join(amap.tokens))
    lines.append(amap.reading)
    if per_token:
        rows = [
            [
                f.token,
                f"{f.target_token} {f.weight:.2f}" if f.target_token else "-",
                f"{f.self_share:.2f}",
                f"{f.special_share:.2f}",
            ]
            for f in amap.focus()
        ]
        if rows:
            lines.append("")
            lines += table_lines(["token", "attends most to", "itself", "[CLS]+[SEP]"], rows)
    if image:
        lines += ["", f"Heatmap: {reply.image}"]
    return "\n".join(lines)


def render_embed(
    reply: EmbedReply, *, image: bool = True, dims: int = 4, sentence_chars: int = 0
) -> str:
    """The sentences, the word's pieces, the similarity grid, a few dimensions of each vector
    (none with `dims=0`); `sentence_chars` clips long sentences (0: never)."""
    result = reply.result
    n = len(result.sentences)
    lines = [f"note: {note}" for note in reply.notes]
    lines.append(
        f"“{result.word}” in {n} sentences ({result.model}: {result.dimensions}-dimensional "
        "vectors from the last layer):"
    )

    def short(text: str) -> str:
        if not sentence_chars or len(text) <= sentence_chars:
            return text
        return text[: sentence_chars - 1] + "…"

    listed = [
        [str(k), short(f.sentence), " ".join(f.pieces)] for k, f in enumerate(result.sentences, 1)
    ]
    lines += ["  " + line for line in table_lines(["", "sentence", "the word's tokens"], listed)]
    numbers = [str(k) for k in range(1, n + 1)]
    grid = [[str(k), *(f"{v:.2f}" for v in row)] for k, row in enumerate(result.similarity, 1)]
    lines += ["", "Cosine similarity of the contextual vectors:"]
    lines += ["  " + line for line in table_lines(["", *numbers], grid)]
    pairs = ", ".join(f"{p.first}-{p.second} {p.cosine:.2f}" for p in result.pairs)
    lines.append(f"Pairs, most similar first: {pairs}")
    if dims:
        lines += ["", f"First {dims} of {result.dimensions} dimensions:"]

        def head(vector: list[float]) -> str:
            return " ".join(f"{v:+.3f}" for v in vector[:dims]) + " …"

        rows = [
            [str(k), head(f.contextual), head(f.input_embedding)]
            for k, f in enumerate(result.sentences, 1)
        ]
        lines += [
            "  " + line for line in table_lines(["", "contextual vector", "input embedding"], rows)
        ]
    lines += ["", result.reading]
    if image:
        lines.append(f"Picture: {reply.image}")
    return "\n".join(lines)


def render_mask(reply: MaskReply, hints: Mapping[Hint, str]) -> str:
    lines = [f"note: {n}" for n in reply.notes]
    if reply.result is None:
        why = reply.problem.explained(hints) if reply.problem else reply.error
        lines.append(f"Fill-mask is not available: {why}")
        if reply.tokenizer_view:
            lines.append("What the model would see (BERT uncased WordPiece):")
            lines.append("  " + " ".join(reply.tokenizer_view.tokens))
        return "\n".join(lines)
    lines += [f"note: {n}" for n in reply.result.notes]
    for number, blank in enumerate(reply.result.blanks, start=1):
        lines.append(f"{reply.model}: blank {number} (token {blank.position})")
        width = max(len(p.token) for p in blank.predictions + blank.targets)
        for p in blank.predictions:
            lines.append(f"  {p.token.ljust(width)}  {bar(p.score)} {p.score:.3f}")
        for t in blank.targets:
            lines.append(f"  your guess {t.token!r}: {t.score:.4f}")
    return "\n".join(lines)


def render_masking_demo(demo: MaskingDemo) -> str:
    lines = [
        f"BERT masking rule on {len(demo.tokens)} tokens (seed {demo.seed}): pick 15%, then "
        "80% -> [MASK], 10% -> random token, 10% -> unchanged.",
        f"tokens:      {' '.join(demo.tokens)}",
        f"model sees:  {' '.join(demo.model_input)}",
    ]
    for p in demo.picked:
        lines.append(
            f"  position {p.position}: {p.original!r} -> {p.shown!r} ({p.action}); "
            f"must predict {p.original!r}"
        )
    return "\n".join(lines)


def render_calculation(calc: Calculation) -> str:
    return "\n".join([calc.summary, *(f"  {line}" for line in calc.lines)])
