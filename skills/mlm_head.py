"""A masked-LM head for the packaged all-MiniLM-L6-v2, so that fill-mask works offline.

all-MiniLM-L6-v2 ships without an MLM head (it was trained for sentence embeddings), but its
vocabulary is bert-base-uncased's. This trains BERT's own head (a dense layer, GELU,
LayerNorm, and a decoder tied to the frozen word embeddings, plus a bias) on text the
project ships: the concept cards, the quiz banks and the SST-2 subset. The encoder stays
frozen, so the head is small (about 0.7 MB) and the packaged model is never changed.

    python -m skills.mlm_head train [--minutes 12] [--out skills/mlm-head]
    python -m skills.mlm_head eval [--cloze bench/cloze_set.tsv]

Whether it is good enough to ship is measured by `bench/cloze.py` on sentences written for
that purpose and never trained on.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HEAD_DIR = Path(__file__).resolve().parent / "mlm-head"
HEAD_FILE = "head.safetensors"


def training_text() -> list[str]:
    """Sentences from what the project ships (never the cloze set)."""
    lines: list[str] = []
    for card in sorted((ROOT / "knowledge" / "cards").glob("*.md")):
        body = card.read_text().split("+++")[-1]
        for line in body.splitlines():
            line = line.strip("-# ").strip()
            if len(line.split()) >= 5:
                lines += [s for s in re.split(r"(?<=[.!?])\s+", line) if len(s.split()) >= 4]
    for bank in sorted((ROOT / "knowledge" / "quizzes").glob("*.toml")):
        for value in re.findall(r'"([^"\n]{20,})"', bank.read_text()):
            lines.append(value)
    sst2 = Path(__file__).resolve().parent / "finetune" / "sst2" / "train.tsv"
    for row in sst2.read_text().splitlines()[1:]:
        lines.append(row.split("\t")[0])
    return lines


def build_model(head: Path | None = None) -> Any:
    """BertForMaskedLM: the packaged MiniLM's encoder and, when given, a trained head."""
    import torch
    from safetensors.torch import load_file
    from transformers import BertConfig, BertForMaskedLM

    from skills.models import packaged_minilm_path

    base = packaged_minilm_path()
    config = BertConfig.from_pretrained(str(base))
    config.tie_word_embeddings = True
    model = BertForMaskedLM(config)
    encoder = load_file(str(base / "model.safetensors"))
    encoder = {k.removeprefix("bert."): v for k, v in encoder.items()}
    missing, _ = model.bert.load_state_dict(encoder, strict=False)
    assert not [m for m in missing if "pooler" not in m], missing
    model.tie_weights()
    if head is not None:
        model.cls.load_state_dict(_head_state(load_file(str(head))), strict=False)
    model.eval()
    torch.set_grad_enabled(True)
    return model


def _head_state(saved: dict[str, Any]) -> dict[str, Any]:
    # The decoder's weight is the word embeddings (tied) and its bias is predictions.bias.
    return {k: v for k, v in saved.items() if ".decoder." not in k}


def train(minutes: float, out: Path, seed: int = 0, batch: int = 64) -> dict[str, Any]:
    import torch
    from safetensors.torch import save_file
    from transformers import AutoTokenizer

    from skills.models import packaged_minilm_path

    torch.manual_seed(seed)
    rng = random.Random(seed)
    tokenizer = AutoTokenizer.from_pretrained(str(packaged_minilm_path()))
    model = build_model()
    for p in model.bert.parameters():
        p.requires_grad_(False)
    head = [p for n, p in model.cls.named_parameters() if "decoder.weight" not in n]
    optimizer = torch.optim.AdamW(head, lr=4e-3, weight_decay=0.0)
    text = training_text()
    special = set(tokenizer.all_special_ids)
    started, steps, losses = time.monotonic(), 0, []
    while time.monotonic() - started < minutes * 60:
        chunk = rng.sample(text, batch)
        enc = tokenizer(chunk, truncation=True, max_length=64, padding=True, return_tensors="pt")
        ids = enc["input_ids"].clone()
        labels = torch.full_like(ids, -100)
        for row in range(ids.shape[0]):
            candidates = [
                i
                for i, t in enumerate(ids[row].tolist())
                if t not in special and enc["attention_mask"][row, i]
            ]
            for i in rng.sample(candidates, max(1, round(0.15 * len(candidates)))):
                labels[row, i] = ids[row, i]
                ids[row, i] = tokenizer.mask_token_id  # always [MASK]: that is what the demo asks
        with torch.no_grad():
            hidden = model.bert(input_ids=ids, attention_mask=enc["attention_mask"])[0]
        picked = labels != -100
        logits = model.cls(hidden[picked])
        loss = torch.nn.functional.cross_entropy(logits, labels[picked])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        steps += 1
        losses.append(float(loss))
        if steps % 50 == 0:
            print(f"step {steps} loss {sum(losses[-50:]) / 50:.3f}", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous() for k, v in model.cls.state_dict().items()}
    save_file(_head_state(state), str(out / HEAD_FILE))
    record = {
        "steps": steps,
        "batch": batch,
        "minutes": minutes,
        "sentences": len(text),
        "final_loss": sum(losses[-50:]) / max(1, len(losses[-50:])),
    }
    (out / "training.json").write_text(json.dumps(record, indent=2) + "\n")
    return record


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m skills.mlm_head")
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("--minutes", type=float, default=12)
    t.add_argument("--out", type=Path, default=HEAD_DIR)
    t.add_argument("--seed", type=int, default=0)
    e = sub.add_parser("eval")
    e.add_argument("--head", type=Path, default=HEAD_DIR / HEAD_FILE)
    e.add_argument("--cloze", type=Path, default=ROOT / "bench" / "cloze_set.tsv")
    args = parser.parse_args()
    if args.command == "train":
        print(json.dumps(train(args.minutes, args.out, args.seed)))
    else:
        print(json.dumps(evaluate(args.head, args.cloze), indent=2))


def read_cloze(path: Path) -> list[tuple[str, set[str], str]]:
    rows = []
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            sentence, answers, kind = line.split("\t")
            rows.append((sentence, set(answers.split(",")), kind))
    return rows


def evaluate(head: Path | None, cloze: Path, model: Any = None) -> dict[str, Any]:
    """Top-1 and top-5 accuracy per kind of cloze sentence."""
    import torch
    from transformers import AutoTokenizer

    from skills.models import packaged_minilm_path

    tokenizer = AutoTokenizer.from_pretrained(str(packaged_minilm_path()))
    model = model if model is not None else build_model(head)
    scores: dict[str, list[int]] = {}
    for sentence, answers, kind in read_cloze(cloze):
        enc = tokenizer(sentence, return_tensors="pt")
        position = enc["input_ids"][0].tolist().index(tokenizer.mask_token_id)
        with torch.inference_mode():
            logits = model(**enc).logits[0, position]
        top = tokenizer.convert_ids_to_tokens(logits.topk(5).indices.tolist())
        total = scores.setdefault(kind, [0, 0, 0])
        total[0] += top[0] in answers
        total[1] += bool(answers & set(top))
        total[2] += 1
    return {kind: {"top1": t1 / n, "top5": t5 / n, "n": n} for kind, (t1, t5, n) in scores.items()}


if __name__ == "__main__":
    main()
