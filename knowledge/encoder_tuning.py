"""A small contrastive fine-tune of the packaged MiniLM on the course's own cards (LoRA).

Training pairs come from the cards only, never from a question set: a piece of a card (its
title or an alias, a sentence of its explanation or analogy, a key point, a common mistake) and
one of that card's index passages the piece is not part of should embed close together, and
apart from every other card's. Each step takes one pair from every card, so a card meets all
the others, its confusable `related` neighbours included, as in-batch negatives: sentence-
transformers' MultipleNegativesRankingLoss, written out, in both directions.

The artefact is a LoRA adapter (rank 8 on query/key/value, about 0.4 MB) in
knowledge/encoder-adapter/: `adapter.safetensors` (the A and B matrices by module) and
`adapter.json` (how it was trained, a fingerprint of the card text it saw). Loading merges it
into the weights (W += alpha/r x B @ A), so encoding costs exactly what the plain model costs;
a missing or damaged adapter logs a warning and leaves the plain MiniLM. The ranking and
confidence weights fitted for it by `bench/fit_fusion.py --adapter ... --save` sit beside it
(`fusion.json`), since weights fitted for one encoder do not fit another.

    python -m knowledge.encoder_tuning                  # rebuild knowledge/encoder-adapter/
    python bench/fit_fusion.py --adapter knowledge/encoder-adapter --save   # its weights

Seeded: the same cards, seed and torch build give the same adapter. About 2 minutes on 2
quiet CPU cores (6-10 minutes when they are shared).

Measured on the tuning sets (bench/results/encoder_tuning.txt): dense retrieval alone gets
better; the hybrid ranking got no better on the first tuning set, and a little better on the
larger one with the cards' "Students ask" lines (bench/results/ask_quality_students_ask.txt).
The bot does not use it unless asked (`TUTOR_EMBEDDING_ADAPTER=course`): the same encoder grades
free-text quiz answers and groups questions, and those were calibrated on the plain model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import re
import time
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from knowledge.cards import Card

log = logging.getLogger(__name__)

ADAPTER_DIR = Path(__file__).parent / "encoder-adapter"
ADAPTER_NAME = "course"  # the setting's name for ADAPTER_DIR
BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
WEIGHTS_FILE, META_FILE, FUSION_FILE = "adapter.safetensors", "adapter.json", "fusion.json"
ADAPTER_FORMAT = 1


@dataclass(frozen=True)
class TuningConfig:
    seed: int = 13
    rank: int = 8
    alpha: int = 16
    targets: tuple[str, ...] = ("query", "key", "value")
    learning_rate: float = 2e-4
    steps: int = 60
    scale: float = 20.0  # cosine -> logit, as sentence-transformers' MNRL
    max_tokens: int = 128
    positive: str = "passage"  # or "piece": another piece of the card instead of a passage


class AdapterError(ValueError):
    """An adapter folder that cannot be used: missing, damaged, or made for another model."""


@dataclass(frozen=True)
class TunedEncoder:
    """An embedding model, the name its vectors are stored under, and the fusion weights
    fitted for it (None: the defaults in knowledge.index)."""

    encoder: Any
    key: str
    fusion: dict[str, dict[str, float]] | None = field(default=None, compare=False)


# --- training pairs ----------------------------------------------------------------------


def card_pieces(card: Card) -> list[tuple[str, str]]:
    """The short texts a card is made of (its "Students ask" lines among them: a student's
    words paired with the card's content), each with the section of the card's index passage
    (knowledge.index.card_passages) it belongs to."""
    pieces = [("title", card.title)] + [("title", a) for a in card.aliases]
    pieces += [("explanation", s) for s in _sentences(card.explanation)]
    pieces += [("key points", k) for k in card.key_points]
    pieces += [("analogy", s) for s in _sentences(card.analogy or "")]
    pieces += [("common mistakes", m) for m in card.common_mistakes]
    pieces += [("students ask", q) for q in card.students_ask]
    unique: dict[str, str] = {}
    for section, text in pieces:
        unique.setdefault(text.strip(), section)
    return [(section, text) for text, section in unique.items() if text]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if len(s.split()) >= 3]


def training_steps(cards: list[Card], config: TuningConfig) -> list[list[tuple[str, str]]]:
    """For each step, one (anchor, positive) pair per card: a piece of it, and one of its
    index passages the piece is not in ("passage") or another piece ("piece")."""
    from knowledge.index import card_passages

    rng = random.Random(config.seed)
    pieces = {c.id: card_pieces(c) for c in cards}
    passages = {c.id: card_passages([c]) for c in cards}
    steps = []
    for _ in range(config.steps):
        batch = []
        for card in cards:
            if config.positive == "piece":
                (_, anchor), (_, positive) = rng.sample(pieces[card.id], 2)
            else:
                section, anchor = rng.choice(pieces[card.id])
                positive = rng.choice([p.text for p in passages[card.id] if p.section != section])
            batch.append((anchor, positive))
        rng.shuffle(batch)
        steps.append(batch)
    return steps


def training_fingerprint(cards: list[Card]) -> str:
    """What the adapter learned from: the cards' pieces and passages."""
    from knowledge.index import card_passages

    digest = hashlib.sha256()
    for card in cards:
        texts = [t for _, t in card_pieces(card)] + [p.text for p in card_passages([card])]
        digest.update(json.dumps([card.id, texts]).encode())
    return digest.hexdigest()[:20]


# --- training ------------------------------------------------------------------------------


def train_adapter(cards: list[Card], config: TuningConfig, base_path: Path) -> dict[str, Any]:
    """Train LoRA matrices on `config.steps` contrastive steps; returns them by module name
    ("<module>.lora_A" (r x in), "<module>.lora_B" (out x r)) as CPU tensors."""
    import torch
    from peft import LoraConfig, get_peft_model
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(config.seed)
    model = SentenceTransformer(str(base_path), device="cpu")
    transformer: Any = model[0]
    lora = LoraConfig(
        r=config.rank,
        lora_alpha=config.alpha,
        lora_dropout=0.0,
        target_modules=list(config.targets),
    )
    from skills.finetune.peft_quiet import peft_wrapping

    with peft_wrapping():
        tuned: Any = get_peft_model(transformer.auto_model, lora)  # injects LoRA layers in place
    optimiser = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=config.learning_rate
    )
    tokenizer = transformer.tokenizer
    model.train()

    def embed(texts: list[str]) -> Any:
        features = tokenizer(
            texts, padding=True, truncation=True, max_length=config.max_tokens, return_tensors="pt"
        )
        out = model(dict(features))["sentence_embedding"]
        return torch.nn.functional.normalize(out, dim=-1)

    started = time.perf_counter()
    for step, batch in enumerate(training_steps(cards, config)):
        logits = config.scale * embed([a for a, _ in batch]) @ embed([p for _, p in batch]).T
        target = torch.arange(len(batch))
        loss = (
            torch.nn.functional.cross_entropy(logits, target)
            + torch.nn.functional.cross_entropy(logits.T, target)
        ) / 2
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        seconds = time.perf_counter() - started
        log.info("step %d/%d loss %.3f (%.0f s)", step + 1, config.steps, loss.item(), seconds)
    matrices = {}
    for name, module in tuned.base_model.model.named_modules():
        if hasattr(module, "lora_A") and "default" in module.lora_A:
            matrices[f"{name}.lora_A"] = module.lora_A["default"].weight.detach().clone()
            matrices[f"{name}.lora_B"] = module.lora_B["default"].weight.detach().clone()
    return matrices


def save_adapter(
    folder: Path, matrices: dict[str, Any], config: TuningConfig, cards: list[Card]
) -> None:
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in sorted(matrices.items())}, folder / WEIGHTS_FILE)
    meta = {
        "format": ADAPTER_FORMAT,
        "base_model": BASE_MODEL,
        "config": asdict(config),
        "scaling": config.alpha / config.rank,
        "cards": training_fingerprint(cards),
        "versions": _versions(),
    }
    (folder / META_FILE).write_text(json.dumps(meta, indent=2) + "\n")
    (folder / FUSION_FILE).unlink(missing_ok=True)  # weights fitted for the old adapter


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("torch", "transformers", "sentence-transformers", "peft"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            continue
    return found


# --- loading ---------------------------------------------------------------------------------


def adapter_folder(setting: str) -> Path | None:
    """The adapter a setting names: "" or "none" for none, "course" for the committed one,
    or a folder."""
    setting = setting.strip()
    if setting.lower() in ("", "none"):
        return None
    return ADAPTER_DIR if setting == ADAPTER_NAME else Path(setting).expanduser()


def merge_adapter(model: Any, folder: Path) -> str:
    """Merge the adapter in `folder` into a SentenceTransformer's weights, in place; returns
    the adapter's identity (a hash of its weights). Checks everything before changing any
    weight, so a damaged adapter leaves the model as it was."""
    import torch
    from safetensors.torch import load_file

    try:
        meta = json.loads((folder / META_FILE).read_text())
        raw = (folder / WEIGHTS_FILE).read_bytes()
        matrices = load_file(folder / WEIGHTS_FILE)
        scaling = float(meta["scaling"])
    except Exception as exc:  # unreadable, truncated, not JSON, not safetensors: all unusable
        raise AdapterError(f"{folder}: unreadable ({type(exc).__name__}: {exc})") from exc
    if meta.get("format") != ADAPTER_FORMAT or meta.get("base_model") != BASE_MODEL:
        raise AdapterError(f"{folder}: not a format-{ADAPTER_FORMAT} adapter for {BASE_MODEL}")
    bert = model[0].auto_model
    updates = []
    for key in sorted(k for k in matrices if k.endswith(".lora_A")):
        name = key.removesuffix(".lora_A")
        a, b = matrices[key], matrices.get(f"{name}.lora_B")
        try:
            weight = bert.get_submodule(name).weight
        except AttributeError as exc:
            raise AdapterError(f"{folder}: no module {name} in the model") from exc
        if (
            b is None
            or a.ndim != 2
            or b.ndim != 2
            or (b.shape[0], a.shape[1]) != tuple(weight.shape)
            or b.shape[1] != a.shape[0]
        ):
            raise AdapterError(f"{folder}: matrices for {name} do not fit the model")
        if not (torch.isfinite(a).all() and torch.isfinite(b).all()):
            raise AdapterError(f"{folder}: matrices for {name} are not finite")
        updates.append((weight, a, b))
    if not updates:
        raise AdapterError(f"{folder}: holds no LoRA matrices")
    with torch.no_grad():
        for weight, a, b in updates:
            weight.addmm_(b.to(weight.dtype), a.to(weight.dtype), alpha=scaling)  # W += s B A
    return hashlib.sha256(raw).hexdigest()[:12]


def read_fusion(folder: Path) -> dict[str, dict[str, float]] | None:
    """The ranking and confidence weights fitted for this adapter, when they were."""
    try:
        fusion = json.loads((folder / FUSION_FILE).read_text())
        return {
            "ranking": {k: float(v) for k, v in fusion["ranking"].items()},
            "confidence": {k: float(v) for k, v in fusion["confidence"].items()},
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def load_encoder(
    name: str, adapter: str = "", *, model_dir: Path | None = None, offline: bool = False
) -> TunedEncoder:
    """The embedding model `name`, with the adapter the setting `adapter` names merged in.
    An adapter that cannot be used is logged and left out: the plain model still answers."""
    from skills.models import MINILM_IDS, load_sentence_encoder

    folder = adapter_folder(adapter)
    if folder is not None and name not in MINILM_IDS:
        log.warning("embedding adapter %s left out: made for %s, not %s", folder, BASE_MODEL, name)
    elif folder is not None:
        try:
            return _tuned(folder.resolve())
        except AdapterError as exc:
            log.warning("embedding adapter left out, using the plain %s: %s", name, exc)
    return TunedEncoder(load_sentence_encoder(name, model_dir=model_dir, offline=offline), name)


@cache
def _tuned(folder: Path) -> TunedEncoder:
    """A second copy of the packaged MiniLM with the adapter merged in (loaded once per
    process; the plain one stays shared and unchanged)."""
    from sentence_transformers import SentenceTransformer

    from skills.models import packaged_minilm_path

    model = SentenceTransformer(str(packaged_minilm_path()), device="cpu", trust_remote_code=False)
    identity = merge_adapter(model, folder)
    model.eval()
    _note_if_stale(folder)
    return TunedEncoder(model, f"{BASE_MODEL}+lora-{identity}", read_fusion(folder))


def _note_if_stale(folder: Path) -> None:
    """Cards edited since the adapter was trained: it still works, but says so."""
    from knowledge.cards import CardError, load_cards

    try:
        trained_on = json.loads((folder / META_FILE).read_text()).get("cards")
        current = training_fingerprint(load_cards())
    except (OSError, ValueError, CardError):  # (the bot itself reports broken cards)
        return
    if trained_on != current:
        rebuild = "python -m knowledge.encoder_tuning"
        log.info(
            "embedding adapter %s was trained on other card text; %s rebuilds it", folder, rebuild
        )


# --- the rebuild command -------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    from knowledge.cards import load_cards
    from skills.models import packaged_minilm_path

    parser = argparse.ArgumentParser(
        prog="python -m knowledge.encoder_tuning", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--out", type=Path, default=ADAPTER_DIR)
    parser.add_argument("--steps", type=int, default=TuningConfig.steps)
    parser.add_argument("--seed", type=int, default=TuningConfig.seed)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = TuningConfig(steps=args.steps, seed=args.seed)
    cards = load_cards()
    matrices = train_adapter(cards, config, packaged_minilm_path())
    save_adapter(args.out, matrices, config, cards)
    size = sum(p.stat().st_size for p in args.out.iterdir())
    print(f"saved {args.out} ({size / 1e6:.2f} MB); refit its fusion weights with")
    print(f"  python bench/fit_fusion.py --adapter {args.out} --save")


if __name__ == "__main__":
    main()
