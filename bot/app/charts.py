"""Images for the frontends: the jigsaw mastery grid (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

from skills.jigsaw import MasteryGrid


def mastery_png(grid: MasteryGrid, titles: dict[str, str], path: Path) -> str:
    """Draw the grid to `path`; returns its alt text (also stored in the PNG's metadata).

    cividis reads the same for colour-blind viewers and in greyscale; cells with no answers are
    hatched and say "no data"; taught concepts carry a check mark."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers
    import matplotlib.pyplot as plt
    import numpy as np

    teams, concepts = list(grid.teams), grid.concepts
    values = np.array(
        [
            [np.nan if grid.cells[c][t][0] is None else grid.cells[c][t][0] for t in teams]
            for c in concepts
        ],
        dtype=float,
    )
    fig, ax = plt.subplots(figsize=(5.5 + 1.0 * len(teams), 1.4 + 0.42 * len(concepts)))
    ax.set_facecolor("#dddddd")
    image = ax.imshow(np.ma.masked_invalid(values), cmap="cividis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(teams)), [f"team{t}" for t in teams])
    labels = [("✓ " if c in grid.taught else "") + titles.get(c, c) for c in concepts]
    ax.set_yticks(range(len(concepts)), labels, fontsize=8)
    for i, concept in enumerate(concepts):
        for j, team in enumerate(teams):
            share, answers = grid.cells[concept][team]
            if share is None:
                ax.text(j, i, "no data", ha="center", va="center", fontsize=7, color="#333333")
                continue
            colour = "white" if share < 0.55 else "black"
            text = f"{share:.0%} (n={answers})" if answers else f"{share:.0%}"
            ax.text(j, i, text, ha="center", va="center", fontsize=7, color=colour)
    ax.set_title("Closing quiz: share of credit per team and concept (✓ = taught)")
    fig.colorbar(image, ax=ax, fraction=0.03, label="share of credit")
    fig.tight_layout()
    alt = mastery_alt_text(grid, titles)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata={"Description": alt})
    plt.close(fig)
    return alt


def mastery_alt_text(grid: MasteryGrid, titles: dict[str, str]) -> str:
    with_data = [c for c in grid.concepts if grid.overall(c)[1]]
    weakest = ", ".join(f"{titles.get(c, c)} ({grid.overall(c)[0]:.0%})" for c in grid.weakest())
    return (
        f"Heat map of quiz credit for {len(grid.concepts)} concepts (rows) and "
        f"{len(grid.teams)} teams (columns); {len(with_data)} concepts have answers. "
        + (f"Weakest: {weakest}." if weakest else "No weak concepts.")
    )
