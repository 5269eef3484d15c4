"""What the class misunderstands, for the instructor (the digest, the grades, the dashboard's
queries), and a student's own progress.

Privacy: the digest is class-wide and names nobody (its queries never select who answered);
a student's progress is theirs alone (it takes the acting person, never another id); grades
and the dashboard are the instructor's."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.app.bank import QuestionBank
from bot.app.charts import digest_png
from bot.app.context import DIRECT_MESSAGES, Actor
from bot.app.resources import Resources
from bot.errors import NotAllowed, TutorError, UsageError
from bot.store import classes as class_rows
from bot.store import dashboard as dashboard_queries
from bot.store import insights as rows
from skills.errors import Hint
from skills.grouping import group_by_meaning
from skills.quiz.bank import Question
from skills.quiz.grading import chosen_index, parse_number

DEFAULT_SINCE = "7d"
REVISIT = 3  # concepts to revisit first
WRONG_PER_CONCEPT = 3  # most common wrong answers shown per concept
CHART_CONCEPTS = 12
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(text: str, now: float) -> float:
    """'7d', '24h', '2w', '90m', a date (2025-03-01) or 'all' -> epoch seconds."""
    text = text.strip().lower()
    if text == "all":
        return 0.0
    match = re.fullmatch(r"(\d{1,5})\s*([mhdw])", text)
    if match:
        return now - int(match[1]) * _UNITS[match[2]]
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"“{text}” is not a start of a period.", hint=Hint.SINCE) from None
    return dt.datetime.combine(day, dt.time(), dt.UTC).timestamp()


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="seconds")


# --- the digest -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrongAnswer:
    """Answers to one question that said the same wrong thing (or were only partly right)."""

    question_id: str
    prompt: str
    expected: str
    example: str
    count: int

    def to_json(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "prompt": self.prompt,
            "expected": self.expected,
            "example": self.example,
            "count": self.count,
        }


@dataclass(frozen=True)
class ConceptDigest:
    concept: str
    title: str
    asked: int
    declined: int
    answers: int  # graded quiz answers on questions that test it
    accuracy: float | None  # their mean credit
    wrong_answers: list[WrongAnswer] = field(default_factory=list)
    not_what_i_asked: int | None = None  # None: not recorded in this version

    @property
    def lost(self) -> float:
        """How much went wrong: quiz credit lost, questions declined, answers rejected."""
        missed = self.answers * (1 - self.accuracy) if self.accuracy is not None else 0.0
        return missed + self.declined + (self.not_what_i_asked or 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "concept": self.concept,
            "title": self.title,
            "asked": self.asked,
            "declined": self.declined,
            "quiz_answers": self.answers,
            "quiz_accuracy": None if self.accuracy is None else round(self.accuracy, 3),
            "wrong_answers": [w.to_json() for w in self.wrong_answers],
            "not_what_i_asked": self.not_what_i_asked,
        }


@dataclass(frozen=True)
class Revisit:
    concept: str
    title: str
    reason: str
    explanation: str
    key_points: tuple[str, ...]
    common_mistakes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "concept": self.concept,
            "title": self.title,
            "reason": self.reason,
            "card": {
                "explanation": self.explanation,
                "key_points": list(self.key_points),
                "common_mistakes": list(self.common_mistakes),
            },
        }


@dataclass(frozen=True)
class Digest:
    server: str
    since: str  # ISO, UTC
    until: str
    questions: int
    declined: int
    declined_unmatched: int  # declined with no concept even as a guess
    off_topic: int  # declined as outside the course (not in the queue, not in `questions`)
    answers: int
    concepts: list[ConceptDigest]
    revisit: list[Revisit]
    feedback_recorded: bool  # whether "not what I asked" marks exist in this version
    chart: Path | None
    alt_text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "since": self.since,
            "until": self.until,
            "questions": self.questions,
            "declined": self.declined,
            "declined_unmatched": self.declined_unmatched,
            "off_topic": self.off_topic,
            "quiz_answers": self.answers,
            "concepts": [c.to_json() for c in self.concepts],
            "revisit": [r.to_json() for r in self.revisit],
            "not_what_i_asked_recorded": self.feedback_recorded,
            "chart": str(self.chart) if self.chart else None,
            "alt_text": self.alt_text,
        }


# --- a student's own progress -----------------------------------------------------------------


@dataclass(frozen=True)
class ConceptProgress:
    concept: str
    title: str
    answers: int
    mastery: float  # mean quiz credit
    reviews_due: int  # review cards on it due now

    def to_json(self) -> dict[str, Any]:
        return {
            "concept": self.concept,
            "title": self.title,
            "answers": self.answers,
            "mastery": round(self.mastery, 3),
            "reviews_due": self.reviews_due,
        }


@dataclass(frozen=True)
class Progress:
    name: str
    concepts: list[ConceptProgress]
    review_cards: int

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "concepts": [c.to_json() for c in self.concepts],
            "review_cards": self.review_cards,
        }


# --- grades ------------------------------------------------------------------------------------

ROSTER_PERSON = ("discord_id", "user_id", "person_id", "user", "discord", "id")
ROSTER_STUDENT = ("student_id", "student", "student_number")


@dataclass(frozen=True)
class GradesExport:
    path: Path
    columns: list[str]
    rows: list[dict[str, Any]]
    unmatched: list[str]  # roster entries with no activity in the class

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "students": len(self.rows),
            "columns": self.columns,
            "roster_without_activity": self.unmatched,
        }


def _instructor(actor: Actor, what: str) -> None:
    if not actor.instructor:
        raise NotAllowed(f"Only the instructor can see {what}.")


class InsightsService:
    def __init__(self, res: Resources, bank: QuestionBank) -> None:
        self.res = res
        self.bank = bank

    def _embed(self, texts: list[str]) -> Any:
        return self.res.encoder.encode(texts, normalize_embeddings=True, convert_to_numpy=True)

    # -- digest --

    def digest(
        self, actor: Actor, since: str = DEFAULT_SINCE, *, chart: Path | None = None
    ) -> Digest:
        """The class's week (or `since`) per concept, with no names: questions asked and
        declined, quiz accuracy and its n, the common wrong answers grouped by meaning, and
        the three concepts to revisit first with their cards; plus one chart."""
        _instructor(actor, "the class digest")
        now = self.res.clock()
        start = parse_since(since, now)
        server = actor.server
        asked = self.res.store.run(rows.question_counts, server, _iso(start))
        graded = self.res.store.run(rows.graded_answers, server, start)
        feedback = self.res.store.run(rows.not_what_i_asked, server, _iso(start))
        concepts = self._per_concept(asked, graded, feedback)
        revisit = self._revisit(concepts)
        shown = [c for c in concepts if c.asked or c.answers][:CHART_CONCEPTS]
        title = f"What the class found hard ({_iso(start)[:10]} to {_iso(now)[:10]})"
        alt_text = self._alt_text(shown, title)
        path = None
        if shown:
            path = chart or self._chart_path(server, now)
            if path.suffix.lower() != ".png":
                raise UsageError(f"The chart is a PNG: give a name ending in .png, not “{path}”.")
            data = [(c.title, c.accuracy, c.answers, c.asked, c.declined) for c in shown]
            digest_png(data, path, title, alt_text)
        return Digest(
            server=server,
            since=_iso(start),
            until=_iso(now),
            questions=sum(r["asked"] for r in asked),
            declined=sum(r["declined"] for r in asked),
            declined_unmatched=sum(r["declined"] for r in asked if r["concept"] is None),
            off_topic=self.res.store.run(rows.off_topic_count, server, _iso(start)),
            answers=len(graded),
            concepts=concepts,
            revisit=revisit,
            feedback_recorded=feedback is not None,
            chart=path,
            alt_text=alt_text,
        )

    def _chart_path(self, server: str, now: float) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", server)
        day = _iso(now)[:10]
        return self.res.settings.data_dir / "digests" / f"digest-{safe}-{day}.png"

    def _per_concept(
        self,
        asked: list[dict[str, Any]],
        graded: list[dict[str, Any]],
        feedback: list[dict[str, Any]] | None,
    ) -> list[ConceptDigest]:
        titles = self.res.titles
        counts = {r["concept"]: r for r in asked if r["concept"]}
        credit: dict[str, list[float]] = {}
        for answer in graded:
            for concept in answer["concepts"]:
                credit.setdefault(concept, []).append(answer["credit"])
        wrong = self._wrong_answers(graded)
        marked = Counter(r["concept"] for r in feedback or [] for _ in range(r.get("count", 1)))
        out = []
        for concept in sorted(set(counts) | set(credit)):
            row, credits = counts.get(concept, {}), credit.get(concept, [])
            out.append(
                ConceptDigest(
                    concept=concept,
                    title=titles.get(concept, concept),
                    asked=row.get("asked", 0),
                    declined=row.get("declined", 0),
                    answers=len(credits),
                    accuracy=sum(credits) / len(credits) if credits else None,
                    wrong_answers=wrong.get(concept, [])[:WRONG_PER_CONCEPT],
                    not_what_i_asked=marked.get(concept, 0) if feedback is not None else None,
                )
            )
        return sorted(out, key=lambda c: (-c.lost, -(c.asked + c.answers), c.concept))

    def _wrong_answers(self, graded: list[dict[str, Any]]) -> dict[str, list[WrongAnswer]]:
        """Per concept, the wrong (or partly right) answers of each question, grouped: a
        choice by the option picked, a number by its value, free text by meaning."""
        questions = {q.id: q for q in self.bank.questions()}
        texts: dict[str, list[str]] = {}
        for answer in graded:
            if answer["credit"] < 1 and (answer["answer"] or "").strip():
                texts.setdefault(answer["question_id"], []).append(answer["answer"].strip())
        by_concept: dict[str, list[WrongAnswer]] = {}
        for question_id, answers in texts.items():
            question = questions.get(question_id)
            if question is None:  # an imported question removed since
                continue
            for example, count in self._groups(question, answers):
                found = WrongAnswer(
                    question.id, question.prompt, _expected(question), example, count
                )
                for concept in question.concepts:
                    by_concept.setdefault(concept, []).append(found)
        for groups in by_concept.values():
            groups.sort(key=lambda w: -w.count)
        return by_concept

    def _groups(self, question: Question, answers: list[str]) -> list[tuple[str, int]]:
        if question.kind == "free":
            groups = group_by_meaning(answers, self._embed)
            return [(g.example, g.count) for g in groups]
        label: Callable[[Question, str], str] = (
            _choice_label if question.kind == "choice" else _number_label
        )
        return Counter(label(question, text) for text in answers).most_common()

    def _revisit(self, concepts: list[ConceptDigest]) -> list[Revisit]:
        out = []
        for c in [c for c in concepts if c.lost > 0][:REVISIT]:
            card = self.res.card(c.concept)
            reasons = []
            if c.accuracy is not None:
                reasons.append(f"quiz accuracy {c.accuracy:.0%} over {c.answers} answers")
            if c.declined:
                reasons.append(f"{c.declined} of {c.asked} questions declined")
            if c.not_what_i_asked:
                reasons.append(f"{c.not_what_i_asked} answers marked “not what I asked”")
            if c.wrong_answers:
                w = c.wrong_answers[0]
                reasons.append(f"{w.count} x “{_short(w.example)}”")
            out.append(
                Revisit(
                    c.concept,
                    c.title,
                    "; ".join(reasons),
                    card.explanation if card else "",
                    card.key_points if card else (),
                    card.common_mistakes if card else (),
                )
            )
        return out

    @staticmethod
    def _alt_text(shown: list[ConceptDigest], title: str) -> str:
        if not shown:
            return f"{title}: no questions or quiz answers in this period."
        parts = [
            f"{title}. Two horizontal bar charts over {len(shown)} concepts, hardest first: "
            "quiz accuracy with the number of answers, and questions asked with how many the "
            "bot declined."
        ]
        for c in shown[:5]:
            accuracy = (
                f"accuracy {c.accuracy:.0%} (n={c.answers})"
                if c.accuracy is not None
                else "no quiz answers"
            )
            parts.append(f"{c.title}: {accuracy}; {c.asked} asked, {c.declined} declined.")
        text = " ".join(parts)
        return text if len(text) <= 1000 else text[:999] + "…"

    # -- a student's own progress --

    def progress(self, actor: Actor) -> Progress:
        """The acting student's own mastery per concept (mean quiz credit) and their review
        cards due now. It takes no other person: nobody sees another's progress this way.
        From a direct message (nobody's class), it is the progress in the student's class."""
        if actor.server == DIRECT_MESSAGES:
            classes = self.res.store.run(class_rows.classes_of, actor.user)
            if len(classes) != 1:
                raise UsageError(
                    "A direct message belongs to no class: ask in your class's server."
                    if not classes
                    else "You are in several classes: ask in the class's server."
                )
            actor = replace(actor, server=classes[0])
        answers = self.res.store.run(rows.own_answers, actor.server, actor.user)
        cards = self.res.store.run(rows.own_review_cards, actor.server, actor.user)
        credit: dict[str, list[float]] = {}
        for answer in answers:
            for concept in answer["concepts"]:
                credit.setdefault(concept, []).append(answer["credit"])
        questions = {q.id: q for q in self.bank.questions()}
        now = self.res.clock()
        due: Counter[str] = Counter()
        for card in cards:
            question = questions.get(card["question_id"])
            if question is not None and card["due_at"] <= now:
                due.update(question.concepts)
        titles = self.res.titles
        concepts = [
            ConceptProgress(c, titles.get(c, c), len(v), sum(v) / len(v), due.get(c, 0))
            for c, v in credit.items()
        ]
        concepts.sort(key=lambda c: (c.mastery, c.title))
        return Progress(actor.name, concepts, len(cards))

    # -- grades --

    def grades(self, actor: Actor) -> list[dict[str, Any]]:
        """One row per student of the actor's class (see bot/store/insights.py GRADES_SQL)."""
        _instructor(actor, "grades")
        return self.res.store.run(rows.grades, actor.server)

    def export_grades(self, actor: Actor, out: Path, roster: Path | None = None) -> GradesExport:
        """The gradebook as CSV: one row per student keyed by the stable person id, with the
        roster's student id when a roster maps them (Discord user id or display name ->
        student id). Roster students with no activity get a row of zeros."""
        found = self.grades(actor)
        mapping = _read_roster(roster) if roster else {}
        unmatched: list[str] = []
        by_id = {r["person_id"]: r for r in found}
        by_name = {str(r["display_name"]).casefold(): r for r in found}
        for row in found:
            row["student_id"] = ""
        for key, (student, name) in mapping.items():
            matched = by_id.get(key) or by_name.get(key.casefold())
            if matched is None:
                unmatched.append(key)
                matched = _empty_grade(key, name or key)
                found.append(matched)
            matched["student_id"] = student
        columns = ["person_id", "student_id", "display_name"] + [
            c for c in (found[0] if found else _empty_grade("", "")) if c not in _KEYS
        ]
        out = out.expanduser()
        if out.is_dir():
            raise UsageError(f"{out} is a folder: give a file name, e.g. grades.csv.")
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        with partial.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(found)
        partial.replace(out)
        return GradesExport(out, columns, found, unmatched)


_KEYS = ("person_id", "student_id", "display_name")
DASHBOARD_DATABASE = "tutor"  # the database's name in the dashboard's URLs


def dashboard_metadata(title: str = "tutorbot: the class's data") -> dict[str, Any]:
    """Datasette metadata for the dashboard: canned queries with titles and descriptions,
    internal tables hidden. Nothing from the settings goes in here."""
    queries = {
        name: {k: v.strip() if k == "sql" else v for k, v in query.items()}
        for name, query in dashboard_queries.CANNED_QUERIES.items()
    }
    return {
        "title": title,
        "description": "Read-only view of the class's activity. Canned queries first; each "
        "takes the class (server) to show, empty for every class.",
        "databases": {
            DASHBOARD_DATABASE: {
                "queries": queries,
                "tables": {t: {"hidden": True} for t in dashboard_queries.HIDDEN_TABLES},
            }
        },
    }


def _empty_grade(person: str, name: str) -> dict[str, Any]:
    return {
        "person_id": person,
        "display_name": name,
        "team": None,
        "quiz_points": 0,
        "quiz_answers": 0,
        "quiz_correct": 0,
        "quiz_mean_credit": None,
        "quizzes_taken": 0,
        "review_cards": 0,
        "review_answers": 0,
        "review_correct": 0,
        "review_days": 0,
        "finetune_runs": 0,
        "finetune_succeeded": 0,
        "finetune_best_dev_accuracy": None,
        "questions_asked": 0,
    }


def _read_roster(path: Path) -> dict[str, tuple[str, str]]:
    """person (Discord id or display name) -> (student id, name) from a CSV with a header."""
    try:
        with path.expanduser().open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            person = next((h for h in ROSTER_PERSON if h in header), None)
            student = next((h for h in ROSTER_STUDENT if h in header), None)
            if person is None or student is None:
                raise TutorError(
                    f"{path.name}: the roster needs a header with a person column "
                    f"({', '.join(ROSTER_PERSON)}) and a student column "
                    f"({', '.join(ROSTER_STUDENT)}); found {', '.join(header) or 'none'}."
                )
            mapping = {}
            for number, raw in enumerate(reader, start=2):
                line = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
                if not any(line.values()):
                    continue
                if not line.get(person) or not line.get(student):
                    raise TutorError(
                        f"{path.name}, line {number}: a person or student id is empty."
                    )
                mapping[line[person]] = (line[student], line.get("name", ""))
            return mapping
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise TutorError(f"Cannot read the roster {path}: {exc}") from exc


def _expected(question: Question) -> str:
    if question.kind == "choice":
        i = int(question.answer)
        return f"{'ABCDE'[i]}) {question.choices[i]}"
    if question.kind == "numeric":
        unit = f" {question.unit}" if question.unit else ""
        return f"{question.answer:g}{unit}"
    if question.kind == "live":
        return "computed by the tokenizer at quiz time"
    return question.reference


def _choice_label(question: Question, text: str) -> str:
    index = chosen_index(question, text)
    if index is None:
        return "(not one of the choices)"
    return f"{'ABCDE'[index]}) {question.choices[index]}"


def _number_label(question: Question, text: str) -> str:
    value = parse_number(text)
    if value is None:
        return "(no number)"
    unit = f" {question.unit}" if question.unit else ""
    return f"{value:g}{unit}"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
