"""Training hyperparameters as one validated dataclass, recorded with every result."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from skills.errors import TutorError
from skills.models import HUB_MODELS, MINILM_IDS, local_folder_for

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
CLASSIFIER_MODELS = ("distilbert-base-uncased", "bert-base-uncased", "roberta-base")
# What students may pick (every frontend offers these): offline MiniLM first, then hub ids.
FINETUNE_MODELS = (DEFAULT_MODEL, *CLASSIFIER_MODELS)
METHODS = ("lora", "full", "freeze")
POOLINGS = ("auto", "mean", "cls")


class ConfigError(TutorError):
    """A training config that must not start; the message says what to fix."""


@dataclass
class TrainConfig:
    data: str  # a TSV/CSV with text and label columns, a folder with train/dev files, or hub:sst2
    model: str = DEFAULT_MODEL
    method: str = "lora"  # lora (peft), full fine-tuning, or freeze (train the top layers only)
    dev_data: str | None = None  # default: dev.* next to a train file, else 10% held out
    epochs: float = 1.0
    batch_size: int = 32
    learning_rate: float | None = None  # default per method: see lr
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    max_length: int = 64
    max_train: int | None = None  # train on a random subset of this many examples
    # With max_train, take examples of at least this many words first: SST-2's training set
    # is mostly short phrases cut from sentences, its dev set whole sentences.
    min_words: int = 0
    # The CPU preset, used when max_train is unset and no GPU is found: a subset of longer
    # examples that trains in under a minute on 2 cores (bench/finetune_compare.py).
    cpu_max_train: int = 8000
    cpu_min_words: int = 10
    max_eval: int | None = None
    # auto: mean pooling for sentence-transformers models (MiniLM), the model's own head else
    pooling: str = "auto"
    # The new classification head (random at the start) may learn faster than the body;
    # default: 3e-3 with mean pooling, else the body's rate (the models' own recipes).
    head_learning_rate: float | None = None
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.0
    lora_targets: list[str] = field(default_factory=lambda: ["query", "key", "value", "dense"])
    freeze_layers: int = 4  # method "freeze": how many bottom encoder layers stay frozen
    seed: int = 0
    device: str = "auto"  # auto, cpu, cuda, mps
    progress_every: int = 20  # steps between progress events (and at least every progress_seconds)
    progress_seconds: float = 3.0
    evaluations: int = 4  # dev measurements during training, drawn on the loss curve
    evaluation_sample: int = 256  # dev examples each of those uses (0: all; the last uses all)
    output_dir: str = "finetune-output"
    preset: str = ""  # the named recipe these settings came from (skills/finetune/presets.py)
    # Set by the job runner when jobs share one GPU: this job's share of its memory, so one
    # job's growth ends that job (out of memory), not its neighbours.
    gpu_memory_fraction: float | None = None
    model_dir: str | None = None  # where local copies of hub models live

    @property
    def lr(self) -> float:
        """Default per method; LoRA under a mean-pooled head takes 2e-3 (measured best of
        1e-3 to 3e-3 for the CPU preset on SST-2; bench/results/finetune_cpu_preset.txt)."""
        if self.learning_rate:
            return self.learning_rate
        if self.method == "lora":
            return 2e-3 if self.mean_pooling else 1e-3
        return 1e-4

    def subset(self, device: str) -> tuple[int | None, int]:
        """(examples to train on, None for all; words that make an example preferred)."""
        if self.max_train:
            return self.max_train, self.min_words
        if device == "cpu":
            return self.cpu_max_train, self.min_words or self.cpu_min_words
        return None, 0

    @property
    def head_lr(self) -> float:
        return self.head_learning_rate or (3e-3 if self.mean_pooling else self.lr)

    @property
    def mean_pooling(self) -> bool:
        return uses_mean_pooling(self.model, self.pooling)

    def with_absolute_paths(self, base: Path | None = None) -> TrainConfig:
        """Local data paths made absolute against `base` (default: the current directory).

        Done where the user typed the path: the trainer runs inside its job folder, where a
        relative path would point somewhere else."""
        root = (base or Path.cwd()).resolve()

        def absolute(path: str) -> str:
            return (
                path if path.startswith("hub:") else str((root / Path(path).expanduser()).resolve())
            )

        self.data = absolute(self.data)
        if self.dev_data:
            self.dev_data = absolute(self.dev_data)
        return self

    def validate(self) -> TrainConfig:
        problems = []
        if self.method not in METHODS:
            problems.append(f"method must be one of {', '.join(METHODS)}, not {self.method!r}")
        if self.pooling not in POOLINGS:
            problems.append(f"pooling must be one of {', '.join(POOLINGS)}, not {self.pooling!r}")
        if self.head_learning_rate is not None and not 0 < self.head_learning_rate < 1:
            problems.append("head learning rate must be between 0 and 1")
        if self.method == "lora" and not 1 <= self.lora_r <= 256:
            problems.append(f"LoRA rank must be between 1 and 256, not {self.lora_r}")
        if self.method == "lora" and not self.lora_targets:
            problems.append("LoRA needs at least one target module")
        if not 0 < self.epochs <= 20:
            problems.append("epochs must be more than 0 and at most 20")
        if not 1 <= self.batch_size <= 4096:
            problems.append("batch size must be between 1 and 4096")
        if self.learning_rate is not None and not 0 < self.learning_rate < 1:
            problems.append("learning rate must be between 0 and 1")
        if not 8 <= self.max_length <= 512:
            problems.append("max length must be between 8 and 512 tokens")
        if not 0 <= self.min_words <= 100 or not 0 <= self.cpu_min_words <= 100:
            problems.append("min words must be between 0 and 100")
        if self.max_train is not None and self.max_train < 10:
            problems.append("max_train must be at least 10 examples")
        if not 1 <= self.evaluations <= 100:
            problems.append("evaluations must be between 1 and 100")
        if self.evaluation_sample < 0:
            problems.append("evaluation sample must be 0 (the whole dev set) or more")
        if self.gpu_memory_fraction is not None and not 0 < self.gpu_memory_fraction <= 1:
            problems.append("GPU memory fraction must be more than 0 and at most 1")
        if self.device not in ("auto", "cpu", "cuda", "mps"):
            problems.append("device must be auto, cpu, cuda or mps")
        if not self.data.startswith("hub:") and not Path(self.data).exists():
            problems.append(f"data file not found: {self.data}")
        if self.dev_data and not Path(self.dev_data).exists():
            problems.append(f"dev data file not found: {self.dev_data}")
        known = self.model in MINILM_IDS or self.model in CLASSIFIER_MODELS
        model_dir = Path(self.model_dir) if self.model_dir else None
        if not known and local_folder_for(self.model, model_dir) is None:
            allowed = ", ".join(sorted(MINILM_IDS | set(CLASSIFIER_MODELS)))
            problems.append(
                f"unknown model {self.model!r}: use one of {allowed}, or a local folder"
            )
        elif self.model in HUB_MODELS and HUB_MODELS[self.model].kind == "tokenizer":
            problems.append(f"{self.model} is a tokenizer, not a model to fine-tune")
        if problems:
            raise ConfigError("; ".join(problems))
        return self

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "learning_rate": self.lr, "head_learning_rate": self.head_lr}

    def save(self, path: Path) -> Path:
        path.write_text(json.dumps(self.to_json(), indent=2))
        return path

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ConfigError(f"unknown settings: {', '.join(sorted(unknown))}")
        return cls(**data)

    @classmethod
    def load(cls, path: Path) -> TrainConfig:
        try:
            return cls.from_dict(json.loads(path.read_text()))
        except (OSError, json.JSONDecodeError, TypeError) as exc:
            raise ConfigError(f"cannot read config {path}: {exc}") from exc


def uses_mean_pooling(model: str, pooling: str = "auto") -> bool:
    """Whether a classifier on `model` reads the mean of its token vectors (see pooling.py)."""
    return pooling == "mean" or (pooling == "auto" and model in MINILM_IDS)
