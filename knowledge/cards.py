"""Concept cards: Markdown files with TOML front matter, one concept each.

A card looks like this:

    +++
    id = "tokenization"
    title = "Tokenization"
    team = 3                      # 1-5, or leave it out for concepts outside the jigsaw
    aliases = ["tokenizer", "token ids"]
    related = ["subwords-and-vocabulary", "special-tokens"]
    +++
    ## Explanation
    ...
    ## Key points
    - ...
    ## Analogy            (optional)
    ...
    ## Table              (optional: one Markdown pipe table, the handout's facts)
    | Model | Params |
    |---|---|
    | DistilBERT | 66M |
    ## Common mistakes
    - ...
    ## Students ask       (optional: how a student who does not know the concept's name asks)
    - how do i train a big model on a small gpu
    ## Symptoms           (optional: what a student sees, then what it means)
    - the loss turns into nan after a few hundred steps: the updates grew too large ...
    ## Misconceptions     (optional: a false claim, with its *key words*, then the correction)
    - *GPT* is trained with *masked|MLM* language modeling: No. GPT predicts the next token ...

The table is for people (team material, printed cards); retrieval does not index it. "Students
ask" is for retrieval only: questions and symptoms in a student's words, each line indexed as
a passage of the card and never shown, so a question that does not name the concept still finds
it (bench/results/ask_quality_students_ask.txt).

"Symptoms" and "Misconceptions" are indexed the same way, and they also answer: a question that
describes a symptom gets its diagnosis first, and a yes/no question that states a misconception
gets "No" and the correction first. A misconception's claim marks its key words with *...*
(alternatives with |): the claim is only recognised in a question that contains every one of
them, so "BERT is trained with masked language modeling, right?" is not told "No" because
the claim about GPT reads almost the same.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from skills.course import JIGSAW_CONCEPTS, TEAMS

CARDS_DIR = Path(__file__).parent / "cards"
REQUIRED_SECTIONS = ("Explanation", "Key points", "Common mistakes")
OPTIONAL_SECTIONS = ("Analogy", "Table", "Students ask", "Symptoms", "Misconceptions")
_KEY_WORDS = re.compile(r"\*([^*]+)\*")
_ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_FRONT_MATTER = re.compile(r"\A\+\+\+\n(.*?)\n\+\+\+\n(.*)\Z", re.DOTALL)


@dataclass(frozen=True)
class CardTable:
    """A card's table: a header row and body rows, every row as wide as the header."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Symptom:
    seen: str  # what the student sees, in their words
    meaning: str  # what it means, and what to do


@dataclass(frozen=True)
class Misconception:
    claim: str  # the false claim, as a student would put it (key words unmarked)
    keys: tuple[tuple[str, ...], ...]  # every group must appear in a question (any of each)
    correction: str  # starts with the answer: "No. ..."


@dataclass(frozen=True)
class Card:
    id: str
    title: str
    team: int | None
    explanation: str
    key_points: tuple[str, ...]
    common_mistakes: tuple[str, ...]
    analogy: str | None = None
    table: CardTable | None = None
    students_ask: tuple[str, ...] = ()
    symptoms: tuple[Symptom, ...] = ()
    misconceptions: tuple[Misconception, ...] = ()
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    source: str = field(default="", compare=False)


class CardError(ValueError):
    """One or more card files are broken; `problems` lists every one of them."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("broken concept cards:\n" + "\n".join(f"- {p}" for p in problems))
        self.problems = problems


def _sections(body: str) -> dict[str, str]:
    parts = re.split(r"^## +(.+?)\s*$", body, flags=re.MULTILINE)
    return {
        title.strip(): text.strip() for title, text in zip(parts[1::2], parts[2::2], strict=True)
    }


def _bullets(text: str) -> tuple[str, ...]:
    items: list[str] = []
    for line in text.splitlines():
        if line.startswith(("- ", "* ")):
            items.append(line[2:].strip())
        elif line.strip() and items:  # a wrapped bullet continues the previous item
            items[-1] += " " + line.strip()
    return tuple(items)


_SEPARATOR_CELL = re.compile(r"^:?-{3,}:?$")


def _cells(line: str) -> list[str] | None:
    """A pipe-table row's cells, or None if the line is not a row (| a | b |)."""
    line = line.strip()
    if len(line) < 2 or not (line.startswith("|") and line.endswith("|")):
        return None
    return [cell.strip() for cell in line[1:-1].split("|")]


def parse_table(text: str) -> tuple[CardTable | None, str | None]:
    """A Markdown pipe table (header, |---| separator, at least one row, nothing else), or
    None and what is wrong with it."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    rows = [_cells(line) for line in lines]
    if len(rows) < 3:
        return None, "needs a header row, a |---| separator row and at least one row"
    for number, cells in enumerate(rows, 1):
        if cells is None:
            return None, f"line {number} is not a table row (| cell | cell |)"
    header, separator, *body = (cells for cells in rows if cells is not None)
    if not all(_SEPARATOR_CELL.match(cell) for cell in separator):
        return None, "its second row must be the separator (|---|---|)"
    for number, cells in enumerate([separator, *body], 2):
        if len(cells) != len(header):
            return None, f"row {number} has {len(cells)} cells, the header {len(header)}"
    if not all(header) or not all(all(cells) for cells in body):
        return None, "has an empty cell"
    return CardTable(tuple(header), tuple(tuple(cells) for cells in body)), None


def _split(bullet: str) -> tuple[str, str] | None:
    head, colon, tail = bullet.partition(": ")
    return (head.strip(), tail.strip()) if colon and head.strip() and tail.strip() else None


def parse_symptoms(bullets: tuple[str, ...]) -> tuple[list[Symptom], list[str]]:
    symptoms, problems = [], []
    for bullet in bullets:
        parts = _split(bullet)
        if parts is None:
            problems.append(f"symptom {bullet[:40]!r} needs 'what is seen: what it means'")
        else:
            symptoms.append(Symptom(*parts))
    return symptoms, problems


def _spelled_out(match: re.Match[str]) -> str:
    """A key-word group as the claim's text reads it (and retrieval indexes it)."""
    first, *others = [k.strip() for k in match.group(1).split("|") if k.strip()]
    return f"{first} ({', '.join(others)})" if others else first


def mentions(question: str, keys: tuple[tuple[str, ...], ...]) -> bool:
    """Whether `question` contains every key-word group (any alternative of each, as a word
    or the start of one: "generaliz" matches "generalizes")."""
    text = question.lower()
    return all(first_mention(text, group) is not None for group in keys)


def first_mention(text: str, group: tuple[str, ...]) -> int | None:
    """Where lower-case `text` first names any alternative of a key-word group, or None."""
    starts = [
        m.start()
        for k in group
        if (m := re.search(r"(?<![a-z0-9])" + re.escape(k), text)) is not None
    ]
    return min(starts, default=None)


def parse_misconceptions(bullets: tuple[str, ...]) -> tuple[list[Misconception], list[str]]:
    found, problems = [], []
    for bullet in bullets:
        parts = _split(bullet)
        keys = tuple(
            tuple(k.strip().lower() for k in group.split("|") if k.strip())
            for group in _KEY_WORDS.findall(parts[0] if parts else "")
        )
        if parts is None or not keys or not all(keys):
            problems.append(
                f"misconception {bullet[:40]!r} needs 'a claim with *key words*: the correction'"
            )
            continue
        claim = _KEY_WORDS.sub(_spelled_out, parts[0])
        if not re.match(r"(no|not quite|yes)\b", parts[1], re.IGNORECASE):
            problems.append(f"misconception {claim[:40]!r}: the correction starts with No or Yes")
            continue
        found.append(Misconception(claim, keys, parts[1]))
    return found, problems


def parse_card(path: Path) -> tuple[Card | None, list[str]]:
    """Parse one card file; returns the card (or None) and every problem found in it."""
    name = path.name
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if not match:
        return None, [f"{name}: must start with +++ TOML front matter +++"]
    try:
        meta = tomllib.loads(match.group(1))
    except tomllib.TOMLDecodeError as exc:
        return None, [f"{name}: front matter is not valid TOML ({exc})"]
    problems: list[str] = []
    card_id = meta.get("id")
    if not isinstance(card_id, str) or not _ID_PATTERN.match(card_id):
        problems.append(f"{name}: id must be lowercase-with-dashes, got {card_id!r}")
    elif path.stem != card_id:
        problems.append(f"{name}: file name must be {card_id}.md")
    if not isinstance(meta.get("title"), str) or not meta["title"].strip():
        problems.append(f"{name}: title is missing")
    team = meta.get("team")
    if team is not None and team not in TEAMS:
        problems.append(f"{name}: team must be 1-5 or absent, got {team!r}")
    for key in ("aliases", "related"):
        value = meta.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{name}: {key} must be a list of strings")
    unknown = set(meta) - {"id", "title", "team", "aliases", "related"}
    if unknown:
        problems.append(f"{name}: unknown front-matter keys {sorted(unknown)}")
    sections = _sections(match.group(2))
    for section in REQUIRED_SECTIONS:
        if not sections.get(section):
            problems.append(f"{name}: section '## {section}' is missing or empty")
    extra = set(sections) - set(REQUIRED_SECTIONS) - set(OPTIONAL_SECTIONS)
    if extra:
        problems.append(f"{name}: unknown sections {sorted(extra)}")
    for section in ("Key points", "Common mistakes", "Students ask", "Symptoms", "Misconceptions"):
        if sections.get(section) and not _bullets(sections[section]):
            problems.append(f"{name}: '## {section}' needs '- ' bullet points")
    symptoms, bad = parse_symptoms(_bullets(sections.get("Symptoms", "")))
    misconceptions, worse = parse_misconceptions(_bullets(sections.get("Misconceptions", "")))
    problems += [f"{name}: {p}" for p in bad + worse]
    table, table_problem = parse_table(sections["Table"]) if "Table" in sections else (None, None)
    if table_problem:
        problems.append(f"{name}: '## Table' {table_problem}")
    if problems:
        return None, problems
    card = Card(
        id=str(card_id),
        title=meta["title"].strip(),
        team=team,
        explanation=sections["Explanation"],
        key_points=_bullets(sections["Key points"]),
        common_mistakes=_bullets(sections["Common mistakes"]),
        analogy=sections.get("Analogy") or None,
        table=table,
        students_ask=_bullets(sections.get("Students ask", "")),
        symptoms=tuple(symptoms),
        misconceptions=tuple(misconceptions),
        aliases=tuple(meta.get("aliases", [])),
        related=tuple(meta.get("related", [])),
        source=name,
    )
    return card, []


def check_cards(directory: Path = CARDS_DIR) -> tuple[list[Card], list[str]]:
    """Parse every card in `directory`; returns the good cards and every problem found."""
    cards: list[Card] = []
    problems: list[str] = []
    for path in sorted(directory.glob("*.md")):
        card, card_problems = parse_card(path)
        problems += card_problems
        if card:
            cards.append(card)
    # Ids are unique because each file must be named after its id.
    seen = {card.id for card in cards}
    for card in cards:
        for rel in card.related:
            if rel not in seen:
                problems.append(f"{card.source}: related id {rel!r} has no card")
            elif rel == card.id:
                problems.append(f"{card.source}: a card cannot be related to itself")
    if not cards and not problems:
        problems.append(f"{directory}: no cards found")
    if directory == CARDS_DIR:
        by_id = {c.id: c for c in cards}
        for team, ids in JIGSAW_CONCEPTS.items():
            for concept in ids:
                if concept not in by_id:
                    problems.append(f"{concept}.md: team {team}'s card is missing")
                elif by_id[concept].team != team:
                    problems.append(f"{concept}.md: must have team = {team}")
        extra = [c.id for c in cards if c.team and c.id not in JIGSAW_CONCEPTS[c.team]]
        problems += [f"{c}.md: not one of its team's four jigsaw concepts" for c in extra]
    return cards, problems


def load_cards(directory: Path = CARDS_DIR) -> list[Card]:
    """All cards, or CardError listing every broken file."""
    cards, problems = check_cards(directory)
    if problems:
        raise CardError(problems)
    return cards


def cards_by_team(cards: list[Card], team: int) -> list[Card]:
    """A team's cards in the course's order."""
    by_id = {c.id: c for c in cards}
    return [by_id[c] for c in JIGSAW_CONCEPTS.get(team, ()) if c in by_id]


def _plain(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def find_card(cards: list[Card], name: str) -> Card | None:
    """The card a person means: its id, its title or one of its aliases, any case or spacing
    ("Special tokens ([CLS], [SEP], [PAD], [MASK])", "special tokens", "special-tokens")."""
    wanted = _plain(name)
    if not wanted:
        return None
    for card in cards:
        if wanted in (_plain(card.id), _plain(card.title), *(_plain(a) for a in card.aliases)):
            return card
    # A title's short form: "Special tokens" for "Special tokens ([CLS], [SEP], ...)".
    short = [c for c in cards if _plain(c.title.split("(")[0]) == wanted]
    return short[0] if len(short) == 1 else None
