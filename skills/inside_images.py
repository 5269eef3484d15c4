"""Pictures of what happens inside the model: an attention heatmap and a similarity grid.

Drawn with matplotlib's Agg backend (no display needed) in cividis, a palette that reads the
same with the common colour-vision deficiencies and in greyscale. Every picture comes with
alt text, which is also stored in the PNG itself (its Description text chunk).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skills.inside import AttentionMap, ContextualEmbeddings

PALETTE = "cividis"
ALT_TEXT_LIMIT = 1000  # Discord takes up to 1,024 characters of alt text per attachment
ANNOTATE_UP_TO = 14  # tokens; beyond this the cells are too small for numbers
LABEL_CHARS = 42


@dataclass(frozen=True)
class Picture:
    path: Path
    alt_text: str


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # no display on servers
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path, title: str, alt_text: str) -> Picture:
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {"Title": title, "Description": alt_text, "Software": "tutorbot"}
    fig.savefig(path, dpi=110, metadata=metadata)
    _pyplot().close(fig)
    return Picture(path, alt_text)


def _cell_text_colour(value: float, low: float, high: float) -> str:
    """Dark text on cividis' light (yellow) end, light text on its dark (blue) end."""
    share = 0.0 if high <= low else (value - low) / (high - low)
    return "black" if share > 0.55 else "white"


def _clip(text: str, limit: int = ALT_TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _caption(fig: Any, text: str, height: float, width: float) -> None:
    """A wrapped caption under the axes, with room made for it."""
    lines = textwrap.wrap(text, max(60, int(width * 12.5)))
    fig.text(0.015, 0.015, "\n".join(lines), fontsize=8.5, va="bottom")
    room = (0.15 + 0.15 * len(lines)) / height
    fig.get_layout_engine().set(rect=(0, room, 1, 1 - room))


# --- attention -------------------------------------------------------------------------------


def attention_alt_text(amap: AttentionMap) -> str:
    tokens = " ".join(amap.tokens)
    return _clip(
        f"Heatmap of {amap.model}'s attention, {amap.view}, over {len(amap.tokens)} tokens: "
        f"{tokens}. Rows are the token that attends, columns the token it attends to; "
        f"brighter means more attention. {amap.reading}"
    )


def attention_png(amap: AttentionMap, path: Path) -> Picture:
    figure = attention_figure(amap)
    title = figure.axes[0].get_title()
    return _save(figure, path, title, attention_alt_text(amap))


def attention_figure(amap: AttentionMap) -> Any:
    """The heatmap as a matplotlib Figure: one row and one column per token."""
    import numpy as np

    plt = _pyplot()
    n = len(amap.tokens)
    matrix = np.array(amap.matrix, dtype=float)
    side = max(4.5, 0.21 * n + 2.8)
    fig, ax = plt.subplots(figsize=(side + 1.2, side + 1.0), layout="constrained")
    high = float(matrix.max()) or 1.0
    image = ax.imshow(matrix, cmap=PALETTE, vmin=0.0, vmax=high)
    fontsize = 10 if n <= 16 else 8 if n <= 28 else 7
    ax.set_xticks(range(n), amap.tokens, rotation=60, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(n), amap.tokens)
    ax.tick_params(labelsize=fontsize)
    ax.set_xlabel("attended to (key)")
    ax.set_ylabel("attending token (query)")
    if n <= ANNOTATE_UP_TO:
        for i in range(n):
            for j in range(n):
                if matrix[i, j] < 0.005:
                    continue  # a page of ".00" hides the numbers that matter
                ax.text(
                    j,
                    i,
                    f"{matrix[i, j]:.2f}".lstrip("0"),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=_cell_text_colour(matrix[i, j], 0.0, high),
                )
    title = f"{amap.model} attention: {amap.view}"
    ax.set_title(title, fontsize=11)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of the row's attention")
    caption = amap.reading + "".join(f" Note: {note}" for note in amap.notes)
    _caption(fig, caption, side + 1.0, width=side + 1.2)
    return fig


# --- contextual embeddings -------------------------------------------------------------------


def similarity_alt_text(result: ContextualEmbeddings) -> str:
    listed = "; ".join(f"{n}: {s.sentence}" for n, s in enumerate(result.sentences, 1))
    pairs = ", ".join(f"{p.first}-{p.second} {p.cosine:.2f}" for p in result.pairs)
    return _clip(
        f"Two grids of cosine similarities for “{result.word}” in {len(result.sentences)} "
        f"sentences ({listed}). Left, its input embeddings, before any layer; right, its "
        f"contextual vectors after the last layer, pairs most similar first: {pairs}. "
        f"{result.reading}"
    )


def similarity_png(result: ContextualEmbeddings, path: Path) -> Picture:
    figure = similarity_figure(result)
    return _save(figure, path, figure.get_suptitle(), similarity_alt_text(result))


def similarity_figure(result: ContextualEmbeddings) -> Any:
    """Two grids on one colour scale: the word's input embeddings (before any layer) and its
    contextual vectors (after the last layer), compared sentence by sentence."""
    import numpy as np

    plt = _pyplot()
    n = len(result.sentences)
    after = np.array(result.similarity, dtype=float)
    before = np.array(result.input_similarity, dtype=float)
    values = [m[i, j] for m in (after, before) for i in range(n) for j in range(n) if i != j]
    low = max(0.0, np.floor(min(values, default=0.0) * 20) / 20 - 0.05)
    height = 2.0 + 0.45 * n
    fig, axes = plt.subplots(1, 2, figsize=(9.6, height), layout="constrained")
    labels = [f"{k}: {_clip(s.sentence, LABEL_CHARS)}" for k, s in enumerate(result.sentences, 1)]
    panels = (
        (axes[0], before, "before the layers: input embedding"),
        (axes[1], after, "after all layers: contextual vector"),
    )
    for ax, matrix, name in panels:
        image = ax.imshow(matrix, cmap=PALETTE, vmin=low, vmax=1.0)
        ax.set_xticks(range(n), [str(k) for k in range(1, n + 1)], fontsize=9)
        ax.set_xlabel("sentence", fontsize=9)
        ax.set_title(name, fontsize=10)
        for i in range(n):
            for j in range(n):
                ax.text(
                    j,
                    i,
                    f"{matrix[i, j]:.2f}",
                    ha="center",
                    va="center",
                    fontsize=10 if n <= 4 else 8,
                    color=_cell_text_colour(matrix[i, j], low, 1.0),
                )
    axes[0].set_yticks(range(n), labels, fontsize=9)
    axes[1].set_yticks(range(n), [str(k) for k in range(1, n + 1)], fontsize=9)
    fig.colorbar(image, ax=axes, fraction=0.03, pad=0.03, label="cosine similarity")
    title = f"“{result.word}” in {n} sentences: cosine similarity of its {result.model} vectors"
    fig.suptitle(title, fontsize=11)
    caption = result.reading + "".join(f" Note: {note}" for note in result.notes)
    _caption(fig, caption, height, width=9.6)
    return fig
