"""What a run records: package versions, the git revision, and the loss curve image."""

from __future__ import annotations

import subprocess
from importlib import metadata
from pathlib import Path

PACKAGES = ("torch", "transformers", "peft", "tokenizers", "safetensors")


def versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_revision() -> str:
    """The project's git revision, or "unknown" outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else "unknown"


def diagnosis(
    accuracy: float, majority: float, *, steps: int, method: str, learning_rate: float
) -> str | None:
    """A result at or near chance, with its likely cause and what to try (None if fine)."""
    if accuracy > majority + 0.05:
        return None
    if steps < 60:
        cause = f"only {steps} training steps"
        fix = "train on more examples (--max-train) or for more epochs"
    elif method == "full" and learning_rate > 5e-5:
        cause = f"a learning rate of {learning_rate:g} is too high for full fine-tuning"
        fix = "try --learning-rate 2e-5, or --method lora"
    elif method == "lora" and learning_rate < 2e-4:
        cause = f"a learning rate of {learning_rate:g} is too low for LoRA"
        fix = "try --learning-rate 1e-3"
    else:
        cause = "the model has not learned the task yet"
        fix = "train longer, or try --method lora with --learning-rate 1e-3"
    return (
        f"Dev accuracy {accuracy:.1%} is at chance (always guessing the commonest label scores "
        f"{majority:.1%}). Likely cause: {cause}. Try: {fix}."
    )


def loss_curve_alt_text(points: list[tuple[int, float]], accuracy: float, title: str) -> str:
    """What the loss-curve picture shows, in words: for a screen reader, and for anyone
    whose client does not show the image."""
    if not points:
        return f"Loss curve of {title}: no training steps were logged; dev accuracy {accuracy:.1%}."
    (first_step, first), (last_step, last) = points[0], points[-1]
    lowest_step, lowest = min(points, key=lambda p: p[1])
    return (
        f"Line chart of the training loss per step of {title}: {first:.3f} at step "
        f"{first_step}, {last:.3f} at step {last_step} (lowest {lowest:.3f}, step "
        f"{lowest_step}); dev accuracy at the end {accuracy:.1%}."
    )


def loss_curve_png(
    points: list[tuple[int, float]],
    accuracy: float,
    title: str,
    path: Path,
    evaluations: list[tuple[int, float]] | None = None,
) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    steps, losses = zip(*points, strict=True) if points else ((), ())
    ax.plot(steps, losses, marker="." if len(points) < 30 else None)
    ax.set_xlabel("step")
    ax.set_ylabel("training loss")
    ax.set_title(f"{title}: dev accuracy {accuracy:.1%}")
    ax.grid(alpha=0.3)
    if evaluations:  # dev accuracy during training, on a second axis
        dev = ax.twinx()
        at, scores = zip(*evaluations, strict=True)
        dev.plot(at, scores, color="#e69f00", marker="o", label="dev accuracy")
        dev.set_ylabel("dev accuracy", color="#b07800")
        dev.set_ylim(0, 1)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
