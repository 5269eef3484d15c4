"""Images for the frontends: the jigsaw mastery grid (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path


def mastery_png(
    grid: dict[str, dict[int, float | None]], titles: dict[str, str], path: Path
) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # no display on servers
    import matplotlib.pyplot as plt
    import numpy as np

    concepts = list(grid)
    teams = sorted({t for row in grid.values() for t in row})
    values = np.array(
        [[np.nan if grid[c][t] is None else grid[c][t] for t in teams] for c in concepts],
        dtype=float,
    )
    fig, ax = plt.subplots(figsize=(2.2 + 1.1 * len(teams), 1.2 + 0.38 * len(concepts)))
    image = ax.imshow(np.ma.masked_invalid(values), cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(teams)), [f"team{t}" for t in teams])
    labels = [titles.get(c, c) for c in concepts]
    ax.set_yticks(range(len(concepts)), [t if len(t) <= 40 else t[:39] + "…" for t in labels])
    for i in range(len(concepts)):
        for j in range(len(teams)):
            text = "–" if np.isnan(values[i, j]) else f"{values[i, j]:.0%}"
            ax.text(j, i, text, ha="center", va="center", fontsize=8)
    ax.set_title("Quiz mastery: team x concept")
    fig.colorbar(image, ax=ax, fraction=0.04, label="share of credit")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
