"""Fill-mask accuracy on the hand-written cloze set, through the demo's own fill-mask path.

    python bench/cloze.py [--model distilbert-base-uncased] [--cloze bench/cloze_set.tsv]

`--model` is a name `tutor mask --model` accepts (an allow-listed id, found under the models
folder after `tutor models download NAME`) or a folder. Prints top-1 and top-5 accuracy per
kind of sentence (everyday facts, the course) as one JSON object. A prediction counts when it
is one of the sentence's accepted answers (lower-cased, WordPiece "##" and RoBERTa "Ġ" marks
stripped). bench/results/mlm_head_probe.txt has what this machine could measure.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import Settings
from skills.fill_mask import MaskedLMRegistry
from skills.mlm_head import read_cloze

HERE = Path(__file__).resolve().parent


def word(token: str) -> str:
    return token.replace("Ġ", "").replace("▁", "").removeprefix("##").strip().lower()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="default: TUTOR_MASK_MODEL")
    parser.add_argument("--cloze", type=Path, default=HERE / "cloze_set.tsv")
    args = parser.parse_args()
    settings = Settings()
    name = args.model or settings.mask_model
    lm = MaskedLMRegistry(model_dir=settings.models_path, offline=True).get(name)
    scores: dict[str, list[int]] = {}
    for sentence, answers, kind in read_cloze(args.cloze):
        top = [word(p.token) for p in lm.predict(sentence, top_k=5).blanks[0].predictions]
        total = scores.setdefault(kind, [0, 0, 0])
        total[0] += top[0] in answers
        total[1] += bool(answers & set(top))
        total[2] += 1
    print(json.dumps({
        "model": name,
        **{k: {"top1": t1 / n, "top5": t5 / n, "n": n} for k, (t1, t5, n) in scores.items()},
    }))  # fmt: skip


if __name__ == "__main__":
    main()
