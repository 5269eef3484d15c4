"""Spaced review of the quiz questions a student missed: `review` (start, answer, stop,
status, remind, add, export)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bot.app.reviews import ReviewQuestion
from bot.render import text as render
from bot.terminal.commands.base import CLI, CONSOLE, Command, Output, Session
from bot.terminal.spec import CommandParser

REVIEW_HINT = "(Answer with a plain line or /review answer TEXT; /review stop to stop.)"


def _review_args(p: CommandParser, surface: str) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    p.default_action = "start"

    def action(name: str, help: str) -> CommandParser:
        return actions.add_parser(name, help=help, description=help)

    if surface == CONSOLE:
        action("start", "serve your next question due today (a plain line answers it)")
        a = action("answer", "answer the review question you were served")
        a.free_text = True
        a.add_argument("text", nargs="+", help="your answer")
        action("stop", "stop reviewing (plain lines ask questions again)")
    else:
        action("start", "review your questions due today, one at a time (answers from stdin)")
    action("status", "what is due today and the rest of this week")
    a = action("remind", "a private reminder on days with reviews due, at most once a day")
    a.add_argument("state", choices=["on", "off"])
    a = action("add", "schedule questions you never missed (by id, or a whole team's)")
    a.add_argument("ids", nargs="*", metavar="QUESTION_ID", help="ids from `quiz list`")
    a.add_argument("--team", help="every question of this team")
    a = action("export", "your missed questions as an Anki deck (.apkg)")
    a.add_argument("--out", type=Path, required=True, metavar="FILE.apkg", help="where to write")


def cmd_review(s: Session, args: argparse.Namespace) -> Output:
    reviews = s.tutor.reviews
    if args.action == "start":
        if s.surface == CLI:
            return _review_all(s)
        served = reviews.next(s.actor)
        if served is None:
            return _review_done(s, 0)
        return Output(f"{render.render_review_question(served)}\n{REVIEW_HINT}", served.to_json())
    if args.action == "answer":
        outcome = reviews.answer(s.actor, " ".join(args.text))
        text = render.render_review_outcome(outcome)
        after = _review_next_text(s, outcome.next)
        return Output(f"{text}\n\n{after}", outcome.to_json())
    if args.action == "stop":
        stopped = reviews.stop(s.actor)
        return Output("Review stopped." if stopped else "No review was open.", {"stopped": stopped})
    if args.action == "status":
        status = reviews.status(s.actor)
        return Output(render.render_review_status(status), status.to_json())
    if args.action == "remind":
        on = reviews.set_reminders(s.actor, args.state == "on")
        text = (
            f"Reminders on: at most one a day, on days with reviews due (from "
            f"{s.tutor.settings.review_remind_hour}:00, {s.tutor.settings.class_timezone})."
            if on
            else "Reminders off."
        )
        return Output(text, {"reminders": on})
    if args.action == "add":
        added = reviews.add(s.actor, args.ids, args.team)
        text = (
            f"Added {len(added)} questions to your reviews, due now."
            if added
            else ("Those questions are already in your reviews.")
        )
        return Output(text, [q.summary() for q in added])
    result = reviews.export(s.actor, args.out.expanduser())
    return Output(f"Wrote {result.notes} questions to {result.path}.", result.to_json())


def _review_next_text(s: Session, served: ReviewQuestion | None) -> str:
    if served is None:
        return _review_done(s, None).text
    return f"{render.render_review_question(served)}\n{REVIEW_HINT}"


def _review_done(s: Session, answered: int | None) -> Output:
    status = s.tutor.reviews.status(s.actor)
    data = {
        "type": "done",
        "answered": answered,
        "due_today": len(status.due_today),
        "next_due": status.next_due,
    }
    return Output(render.render_review_done(answered, status), data)


def _review_all(s: Session) -> Output:
    """`tutor review`: every question due today, one at a time; answers are read from stdin.
    With --json each question and each result is one JSON line as it happens."""
    reviews, answered = s.tutor.reviews, 0

    def emit(kind: str, data: dict[str, Any], text: str) -> None:
        s.show(json.dumps({"type": kind, **data}, ensure_ascii=False) if s.json else text)

    served = reviews.next(s.actor)
    while served is not None:
        emit("question", served.to_json(), render.render_review_question(served))
        line = s.stdin.readline()
        while line and not line.strip():  # blank lines are not answers
            line = s.stdin.readline()
        if not line:  # end of input: stop here, the rest stays due
            reviews.stop(s.actor)
            break
        outcome = reviews.answer(s.actor, line.strip())
        answered += 1
        emit("result", outcome.to_json(), render.render_review_outcome(outcome) + "\n")
        served = outcome.next
    return _review_done(s, answered)


COMMANDS: list[Command] = [
    Command("review", "spaced review of the quiz questions you missed: start, answer, stop, status, remind, add, export", cmd_review, _review_args),
]  # fmt: skip
