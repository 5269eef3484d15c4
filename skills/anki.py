"""Anki decks (.apkg) written with `genanki`, for students who already review in Anki.

Ids are stable: the same student's deck, and the same question's note, keep their ids from one
export to the next, so importing a newer export updates the notes instead of duplicating them.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import genanki

# Anki model and deck ids are 31-bit positive integers chosen once; never change this one.
MODEL_ID = 1_607_392_319
FIELDS = ("Question", "Answer", "Concept", "Why", "Source")
_CSS = ".card { font-family: sans-serif; font-size: 18px; text-align: left; }"


@dataclass(frozen=True)
class AnkiNote:
    key: str  # stable identity (the question id)
    question: str  # plain text; newlines become line breaks
    answer: str
    concept: str = ""  # the concept card to read: title, then its key points
    why: str = ""  # the question's explanation
    source: str = ""  # where it came from ("quiz question tok-3, missed twice")
    tags: tuple[str, ...] = ()


def stable_id(text: str) -> int:
    """A positive 31-bit id derived from `text` (Anki's ids for decks and models)."""
    digest = hashlib.sha256(text.encode()).digest()
    return (int.from_bytes(digest[:4], "big") & 0x3FFFFFFF) | 0x40000000


def _html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _model() -> genanki.Model:
    back = (
        "{{FrontSide}}<hr id=answer>{{Answer}}"
        "{{#Why}}<p><i>{{Why}}</i></p>{{/Why}}"
        "{{#Concept}}<p>{{Concept}}</p>{{/Concept}}"
        "{{#Source}}<p><small>{{Source}}</small></p>{{/Source}}"
    )
    return genanki.Model(
        MODEL_ID,
        "Tutorbot quiz question",
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Review", "qfmt": "{{Question}}", "afmt": back}],
        css=_CSS,
    )


def write_deck(deck_key: str, name: str, notes: list[AnkiNote], path: Path, now: float) -> int:
    """Write `notes` as one deck to `path` (.apkg); returns how many notes were written.
    `now` stamps the notes, so the file does not depend on the machine's clock."""
    model = _model()
    deck = genanki.Deck(stable_id(f"deck/{deck_key}"), name)
    for note in notes:
        fields = [
            _html(note.question),
            _html(note.answer),
            _html(note.concept),
            _html(note.why),
            _html(note.source),
        ]
        tags = [t.replace(" ", "_") for t in note.tags]
        deck.add_note(
            genanki.Note(model=model, fields=fields, tags=tags, guid=genanki.guid_for(note.key))
        )
    _write_package(genanki.Package(deck), path, now)
    return len(notes)


def _write_package(package: genanki.Package, path: Path, now: float) -> None:
    """`Package.write_to_file`, except that its temporary collection is removed afterwards
    (genanki 0.13 leaves one in the temp folder per export) and `path` appears whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tutor-anki-") as folder:
        collection = Path(folder) / "collection.anki2"
        conn = sqlite3.connect(collection)
        try:
            package.write_to_db(conn.cursor(), now, itertools.count(int(now * 1000)))
            conn.commit()
        finally:
            conn.close()
        partial = Path(folder) / "deck.apkg"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(collection, "collection.anki2")
            archive.writestr("media", "{}")
        shutil.move(partial, path)
