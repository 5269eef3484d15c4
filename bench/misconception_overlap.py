"""Which cards' misconceptions fire on tuning questions they do not answer.

A misconception's claim is recognised by its key words alone (knowledge/cards.py), and a yes/no
question that contains every group is told "No." and the correction: a loose key ("right",
which every "..., right?" contains) makes a card answer other cards' questions. This lists,
over the tuning sets (never the held-out ones), every yes/no question a claim matches whose
labels do not include the claim's card, or whose style is not a misconception:

    python bench/misconception_overlap.py

Run it after adding misconceptions to a card; the lines marked OTHER are the ones to read.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ask_quality import SETS, read_styled
from knowledge.answers import asks_yes_or_no, states
from knowledge.cards import load_cards


def main() -> None:
    cards = load_cards()
    count = 0
    for name, path in SETS.items():
        if not name.startswith("tuning"):
            continue
        for question, expected, style in read_styled(path):
            if not asks_yes_or_no(question):
                continue
            for card in cards:
                for wrong in card.misconceptions:
                    if not states(question, wrong):
                        continue
                    other = expected is None or card.id not in expected
                    if other or style != "misconception":
                        count += 1
                        mark = "OTHER" if other else "same "
                        print(
                            f"{style:13} {mark} {card.id:28} {question[:100]} || {wrong.claim[:60]}"
                        )
    print(f"{count} matches outside a misconception question of the claim's own card")


if __name__ == "__main__":
    main()
