"""Can any layer of the packaged all-MiniLM-L6-v2 fill a blank? (issue 22, item 2)

Masks 15% of the tokens of the project's own text (skills.mlm_head.training_text), caches the
hidden state at each masked position for every layer, trains BERT's MLM head (dense, GELU,
LayerNorm, decoder tied to the frozen word embeddings, a bias) on each layer's states, and
scores it on bench/cloze_set.tsv (never trained on). Prints one line per layer: the training
loss and [top-1, top-5, n] per kind of cloze sentence. Results: bench/results/mlm_head_probe.txt

    python bench/mlm_head_probe.py [SENTENCES=6000] [STEPS=200] [LAYERS=2,3,4,5,6]
"""

from __future__ import annotations

import copy
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
from transformers import AutoTokenizer

from skills.mlm_head import ROOT, build_model, read_cloze, training_text
from skills.models import packaged_minilm_path

LAYERS = 7  # the embeddings and six transformer layers


def cache_states(model, tok, text, rng) -> tuple[dict[int, torch.Tensor], torch.Tensor]:
    special = set(tok.all_special_ids)
    states: dict[int, list[torch.Tensor]] = {n: [] for n in range(LAYERS)}
    targets = []
    with torch.no_grad():
        for start in range(0, len(text), 64):
            enc = tok(text[start : start + 64], truncation=True, max_length=64, padding=True,
                      return_tensors="pt")  # fmt: skip
            ids = enc["input_ids"].clone()
            labels = torch.full_like(ids, -100)
            for row in range(ids.shape[0]):
                mask = enc["attention_mask"][row]
                words = [i for i, t in enumerate(ids[row].tolist()) if t not in special and mask[i]]
                for i in rng.sample(words, max(1, round(0.15 * len(words)))):
                    labels[row, i] = ids[row, i]
                    ids[row, i] = tok.mask_token_id
            out = model.bert(input_ids=ids, attention_mask=enc["attention_mask"],
                             output_hidden_states=True)  # fmt: skip
            picked = labels != -100
            for n in range(LAYERS):
                states[n].append(out.hidden_states[n][picked])
            targets.append(labels[picked])
    return {n: torch.cat(v) for n, v in states.items()}, torch.cat(targets)


def main() -> None:
    sentences = int(sys.argv[1]) if len(sys.argv) > 1 else 6000
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    layers = [int(x) for x in (sys.argv[3] if len(sys.argv) > 3 else "2,3,4,5,6").split(",")]
    torch.manual_seed(0)
    rng = random.Random(0)
    tok = AutoTokenizer.from_pretrained(str(packaged_minilm_path()))
    model = build_model()
    text = training_text()
    rng.shuffle(text)
    started = time.time()
    states, targets = cache_states(model, tok, text[:sentences], rng)
    print(f"cached {len(targets)} positions in {time.time() - started:.0f}s", flush=True)
    cloze = read_cloze(ROOT / "bench" / "cloze_set.tsv")
    words = model.bert.embeddings.word_embeddings.weight.detach()
    for layer in layers:
        head = copy.deepcopy(model.cls.predictions.transform)
        bias = torch.zeros(words.shape[0], requires_grad=True)
        optimizer = torch.optim.AdamW([*head.parameters(), bias], lr=3e-3)
        started = time.time()
        for _ in range(steps):
            batch = torch.randint(0, len(targets), (512,))
            logits = head(states[layer][batch]) @ words.T + bias
            loss = torch.nn.functional.cross_entropy(logits, targets[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        scores: dict[str, list[int]] = {}
        with torch.no_grad():
            for sentence, answers, kind in cloze:
                enc = tok(sentence, return_tensors="pt")
                at = enc["input_ids"][0].tolist().index(tok.mask_token_id)
                state = model.bert(**enc, output_hidden_states=True).hidden_states[layer][0, at]
                top = tok.convert_ids_to_tokens((head(state) @ words.T + bias).topk(5).indices)
                total = scores.setdefault(kind, [0, 0, 0])
                total[0] += top[0] in answers
                total[1] += bool(answers & set(top))
                total[2] += 1
        seconds = time.time() - started
        print(
            f"layer {layer}: loss {float(loss.detach()):.2f} ({seconds:.0f}s) {json.dumps(scores)}"
        )


if __name__ == "__main__":
    main()
