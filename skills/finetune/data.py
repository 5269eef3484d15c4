"""Two-column text/label files (SST-2's TSV, or any CSV/TSV), and length-grouped batches."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

from skills.errors import TutorError

TEXT_NAMES = ("sentence", "text", "review", "content", "document")
LABEL_NAMES = ("label", "labels", "target", "class", "sentiment")

# The training data that ships with the project (see sst2/README.md): 8,000 SST-2 training
# sentences of at least 10 words and the whole 872-sentence dev set. The default of every
# fine-tune, so that the class competition runs from a fresh clone with no download.
PACKAGED_SST2 = Path(__file__).resolve().parent / "sst2"


class DataError(TutorError):
    """Training data that cannot be read; the message says what is wrong."""


@dataclass(frozen=True)
class Example:
    text: str
    label: int


def read_examples(path: Path) -> tuple[list[Example], list[str]]:
    """Examples and the label names (sorted, so ids are stable). Header row required."""
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(
                csv.reader(
                    handle,
                    delimiter=delimiter,
                    quoting=csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL,
                )
            )
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"cannot read {path}: {exc}") from exc
    if len(rows) < 2:
        raise DataError(f"{path} has no data rows")
    header = [h.strip().lower() for h in rows[0]]
    text_col = next((header.index(n) for n in TEXT_NAMES if n in header), 0)
    label_col = next((header.index(n) for n in LABEL_NAMES if n in header), len(header) - 1)
    if text_col == label_col:
        raise DataError(f"{path}: need two columns, a text and a label")
    raw = [
        (r[text_col], r[label_col].strip()) for r in rows[1:] if len(r) > max(text_col, label_col)
    ]
    labels = sorted({label for _, label in raw})
    if len(labels) < 2:
        raise DataError(f"{path}: need at least two different labels")
    index = {label: i for i, label in enumerate(labels)}
    return [Example(text, index[label]) for text, label in raw if text.strip()], labels


# Hub datasets by name: (dataset, config, pinned revision, text column, label column, splits).
HUB_DATASETS = {
    "sst2": (
        "nyu-mll/glue",
        "sst2",
        "bcdcba79d07bc864c1c254ccfcedcce55bcc9a8c",
        "sentence",
        "label",
        ("train", "validation"),
    ),
}


def fetch_hub_dataset(name: str, cache: Path) -> Path:
    """`hub:sst2` -> a local folder with train.tsv and dev.tsv, downloaded once with the
    `datasets` library where a hub is reachable; a clear DataError where it is not."""
    if name not in HUB_DATASETS:
        raise DataError(f"unknown hub dataset {name!r}; known: {', '.join(HUB_DATASETS)}")
    folder = cache / name
    if (folder / "train.tsv").exists() and (folder / "dev.tsv").exists():
        return folder
    from skills.models import hub_reachable

    try:
        import datasets
    except ImportError as exc:
        raise DataError(
            "hub datasets need the `datasets` package (pip install datasets); or pass a local TSV/CSV"
        ) from exc
    if not hub_reachable():
        raise DataError(
            "the dataset hub cannot be reached from here; pass a local TSV/CSV (e.g. ../shared/data/sst2)"
        )
    repo, config, revision, text, label, (train_split, dev_split) = HUB_DATASETS[name]
    loaded = datasets.load_dataset(repo, config, revision=revision)
    folder.mkdir(parents=True, exist_ok=True)
    for split, filename in ((train_split, "train.tsv"), (dev_split, "dev.tsv")):
        rows = ["sentence\tlabel"] + [
            f"{r[text].replace(chr(9), ' ').strip()}\t{r[label]}" for r in loaded[split]
        ]
        (folder / filename).write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def find_dev_file(train: Path) -> Path | None:
    for name in ("dev", "validation", "valid", "test"):
        for candidate in train.parent.glob(f"{name}.*"):
            if candidate != train and candidate.suffix == train.suffix:
                return candidate
    return None


def load_splits(
    data: Path,
    dev: Path | None,
    *,
    seed: int,
    max_train: int | None,
    max_eval: int | None,
    min_words: int = 0,
) -> tuple[list[Example], list[Example], list[str]]:
    """Train and dev examples. With `max_train`, a random subset that takes examples of at
    least `min_words` words first (the rest only if there are too few of those)."""
    train_path = data / f"train{_suffix(data)}" if data.is_dir() else data
    train, labels = read_examples(train_path)
    dev_path = dev or find_dev_file(train_path)
    rng = random.Random(seed)
    if dev_path is not None:
        dev_examples, dev_labels = read_examples(dev_path)
        if dev_labels != labels:
            raise DataError(f"labels differ between {train_path.name} and {dev_path.name}")
    else:
        rng.shuffle(train)
        cut = max(1, len(train) // 10)
        dev_examples, train = train[:cut], train[cut:]
    rng.shuffle(train)
    if min_words:
        train.sort(key=lambda e: len(e.text.split()) < min_words)  # stable: stays shuffled
    return (
        train[:max_train] if max_train else train,
        dev_examples[:max_eval] if max_eval else dev_examples,
        labels,
    )


def _suffix(folder: Path) -> str:
    for suffix in (".tsv", ".csv"):
        if (folder / f"train{suffix}").exists():
            return suffix
    raise DataError(f"{folder} has no train.tsv or train.csv")


def length_grouped_batches(
    lengths: list[int], batch_size: int, rng: random.Random
) -> list[list[int]]:
    """Batches of similar length (less padding, fewer distinct shapes), in random order."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = batch_size * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: lengths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches
