"""Named recipes sized for a lesson: what a student picks instead of hyperparameters.

Each preset is a set of TrainConfig fields plus what it costs and gives on known hardware,
measured by `python bench/finetune_presets.py` (bench/results/finetune_presets.txt) and shown
before a job starts. A figure nobody measured is None and is never shown as if it were known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from skills.finetune.config import ConfigError


@dataclass(frozen=True)
class Expected:
    """One job of a preset on one kind of hardware, measured end to end (process start to
    exit: imports, model load, training, the whole-dev-set measurement, saving)."""

    seconds: float
    dev_accuracy: float  # SST-2 dev, the packaged data
    hardware: str  # what it was measured on, in words


@dataclass(frozen=True)
class Preset:
    name: str
    summary: str
    options: dict[str, Any] = field(default_factory=dict)  # TrainConfig fields
    cpu: Expected | None = None
    gpu: Expected | None = None

    def expected(self, on_gpu: bool) -> Expected | None:
        return self.gpu if on_gpu else self.cpu


CPU_MACHINE = "2 CPU cores"

PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            "quick",
            "600 examples, one pass: a class of 30 runs one after another within a 10-minute "
            "phase on a 2-core CPU",
            {"max_train": 600, "min_words": 10, "evaluations": 1},
            cpu=Expected(19.0, 0.790, CPU_MACHINE),
        ),
        Preset(
            "standard",
            "8,000 examples on a CPU (all of them on a GPU), one pass: about 85%",
            {},
            cpu=Expected(104.0, 0.846, CPU_MACHINE),
        ),
        Preset(
            "best",
            "three passes at up to 128 tokens: what a GPU affords (minutes on a CPU)",
            {"epochs": 3.0, "max_length": 128},
            cpu=Expected(280.0, 0.855, CPU_MACHINE),
        ),
    )
}
DEFAULT_PRESET = "standard"


def preset_named(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(f"No preset {name!r}: use one of {', '.join(PRESETS)}.") from None
