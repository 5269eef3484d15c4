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
        + (
            f" {grid.unplaced} answers from students in no team are not shown."
            if grid.unplaced
            else ""
        )
    )


def digest_png(
    rows: list[tuple[str, float | None, int, int, int]], path: Path, title: str, alt_text: str
) -> Path:
    """The digest's one chart: per concept (label, quiz accuracy or None, answers, questions
    asked, declined), quiz accuracy on the left and questions on the right.

    Colours come from cividis, which reads the same with the common colour-vision
    deficiencies and in greyscale; declined questions are also hatched, and every bar carries
    its number, so nothing depends on colour alone. The alt text is stored in the PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    cividis = matplotlib.colormaps["cividis"]
    labels = [label if len(label) <= 34 else label[:33] + "…" for label, *_ in rows]
    y = list(range(len(rows)))
    height = 1.4 + 0.42 * max(len(rows), 1)
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(11, height), sharey=True, gridspec_kw={"width_ratios": [3, 2]}
    )
    for i, (_, accuracy, answers, _, _) in enumerate(rows):
        if accuracy is None:
            left.text(0.01, i, "no quiz answers", va="center", fontsize=8, color="#555555")
            continue
        left.barh(i, accuracy, color=cividis(0.15 + 0.75 * accuracy), edgecolor="black")
        inside = accuracy > 0.3
        left.text(
            accuracy - 0.01 if inside else accuracy + 0.01,
            i,
            f"{accuracy:.0%} (n={answers})",
            va="center",
            ha="right" if inside else "left",
            fontsize=8,
            color="white" if inside and accuracy < 0.55 else "black",
        )
    left.set_xlim(0, 1)
    left.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    left.set_xlabel("quiz accuracy (mean credit), n = answers")
    left.set_yticks(y, labels)
    left.invert_yaxis()
    asked = [r[3] for r in rows]
    declined = [r[4] for r in rows]
    right.barh(y, asked, color=cividis(0.2), edgecolor="black", label="asked")
    right.barh(
        y, declined, color=cividis(0.92), edgecolor="black", hatch="//", label="declined by the bot"
    )
    for i, (n, d) in enumerate(zip(asked, declined, strict=True)):
        if n:
            right.text(n, i, f" {n} ({d} declined)" if d else f" {n}", va="center", fontsize=8)
    right.set_xlabel("questions asked")
    right.set_xlim(0, max([*asked, 1]) * 1.45)
    right.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    right.legend(loc="lower right", fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {"Title": title, "Description": alt_text, "Software": "tutorbot"}
    fig.savefig(path, dpi=110, metadata=metadata)
    plt.close(fig)
    return path
