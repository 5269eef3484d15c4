"""Every terminal command, specified once: its arguments (argparse, for `tutor ...` and the
console's `/...` alike), its help, and its handler. Handlers call the application layer and
return an `Output`: text for people, data for `--json`."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from bot.app import backups
from bot.app.calculations import USAGE as CALC_USAGE
from bot.app.choices import (
    DEFAULT_PRESET,
    FINETUNE_MODELS,
    MASK_TOP_K,
    MAX_SENTENCES,
    METHODS,
    MINILM_HEADS,
    MINILM_LAYERS,
    PRESETS,
    QUIZ_QUESTIONS,
    QUIZ_SECONDS,
    TEAMS,
    Timings,
    parse_team,
)
from bot.app.classes import ACCOMMODATION_RANGE
from bot.app.context import CONSOLE_SERVER, Actor
from bot.app.insights import DEFAULT_SINCE
from bot.app.quizzes import Arrival, QuestionClosed, QuizEnded, QuizEvent
from bot.app.results import JobStatus
from bot.app.reviews import ReviewQuestion
from bot.app.tutor import Tutor
from bot.config import Settings
from bot.errors import TutorError, UsageError
from bot.render import insights as render_insights
from bot.render import text as render
from bot.terminal.hints import HINTS
from bot.terminal.spec import CommandParser, JoinWords, subcommands

CLI, CONSOLE = "cli", "console"
BOTH = frozenset({CLI, CONSOLE})


@dataclass
class Output:
    text: str = ""
    data: Any = None  # for --json: a dict (one object) or a list (JSON Lines)
    code: int = 0


@dataclass
class Session:
    """Who is typing, where, and where progress goes (the console changes who and where)."""

    tutor: Tutor
    actor: Actor
    surface: str
    out: TextIO = field(default_factory=lambda: sys.stdout)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    json: bool = False
    # A quiz answer's arrival, taken when its line was read (QuizManager.arrive).
    arrival: Arrival | None = None
    # The concept of the last answer, for "more" (the console remembers it between lines).
    last_concept: str | None = None

    def show(self, text: str) -> None:
        print(text, file=self.out, flush=True)


Handler = Callable[[Session, argparse.Namespace], Output]


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    handler: Handler
    arguments: Callable[[CommandParser, str], None] = lambda parser, surface: None
    surfaces: frozenset[str] = BOTH
    free_text: bool = False


def _positive(kind: type, low: float, high: float) -> Callable[[str], Any]:
    """An argparse type: a number of `kind` within [low, high], with a clear message."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except (ValueError, OverflowError) as exc:
            what = "whole number" if kind is int else "number"
            raise argparse.ArgumentTypeError(f"{text!r} is not a {what}") from exc
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is not between {low:g} and {high:g}")
        return value

    parse.__name__ = kind.__name__
    return parse


# --- ask, ingest, unanswered -----------------------------------------------------------------


def _ask_args(p: CommandParser, surface: str) -> None:
    p.add_argument("question", nargs="*", help="the question")
    if surface == CLI:
        p.add_argument(
            "--file", type=Path, help="answer one question per line (JSON Lines with --json)"
        )


def _lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        yield from (line.rstrip("\n") for line in handle if line.strip())


def cmd_ask(s: Session, args: argparse.Namespace) -> Output:
    path = getattr(args, "file", None)
    if path is None:
        reply = s.tutor.ask.ask(s.actor, " ".join(args.question))
        console = s.surface == CONSOLE
        s.last_concept = reply.answer.concept if reply.answer.more else None
        more = "/more" if console else f"tutor more {reply.answer.concept}"
        flag = "/flag" if console else "tutor flag"
        return Output(render.render_answer(reply, flag, more), reply.to_json())
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    texts, data, code = [], [], 0
    for question in _lines(path):
        try:
            reply = s.tutor.ask.ask(s.actor, question)
        except TutorError as exc:  # one bad line must not stop the file
            code = 2
            data.append({"error": exc.explained(HINTS), "question": question})
            texts.append(f"error: {exc.explained(HINTS)}")
            continue
        data.append(reply.to_json())
        texts.append(render.render_answer(reply) + "\n")
    return Output("\n".join(texts), data, code)


def _more_args(p: CommandParser, surface: str) -> None:
    p.add_argument(
        "concept",
        nargs="*" if surface == CONSOLE else "+",
        help="a concept's id or title"
        + (" (default: the last answer's)" if surface == CONSOLE else ""),
    )


def cmd_more(s: Session, args: argparse.Namespace) -> Output:
    concept = " ".join(args.concept) or s.last_concept
    if not concept:
        raise UsageError("Ask a question first; then more shows the whole card it came from.")
    page = s.tutor.ask.more(concept)
    return Output(render.render_card_page(page), page.to_json())


def _ingest_args(p: CommandParser, surface: str) -> None:
    p.add_argument("paths", nargs="+", type=Path, help="txt, md or pdf files")


def cmd_ingest(s: Session, args: argparse.Namespace) -> Output:
    reports = s.tutor.ask.ingest(args.paths)
    code = 1 if any(r.status == "error" for r in reports) else 0
    return Output(render.render_ingest(reports), [r.to_json() for r in reports], code)


def _unanswered_args(p: CommandParser, surface: str) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    p.default_action = "list"
    listing = actions.add_parser("list", help="the queue, near-duplicates grouped with a count")
    listing.add_argument(
        "--limit", type=_positive(int, 1, 1000), default=100, help="group the newest this many"
    )
    resolve = actions.add_parser(
        "resolve",
        help="point a queued question (and its near-duplicates) at a card, or answer it; "
        "it then answers that way for everyone (instructor)",
    )
    resolve.add_argument("id", type=_positive(int, 1, 2**62), help="the #id from the list")
    how = resolve.add_mutually_exclusive_group(required=True)
    how.add_argument("--card", metavar="CARD_ID", help="the card that answers it")
    how.add_argument("--answer", metavar="TEXT", help="your answer, cited as the instructor's")


def cmd_unanswered(s: Session, args: argparse.Namespace) -> Output:
    if args.action == "resolve":
        done = s.tutor.ask.resolve(s.actor, args.id, card=args.card, answer=args.answer)
        return Output(render.render_resolution(done), done.to_json())
    groups = s.tutor.ask.unanswered(s.actor.server, args.limit)
    hint = "Resolve one: unanswered resolve ID --card CARD_ID | --answer TEXT"
    return Output(render.render_unanswered(groups, hint), [g.to_json() for g in groups])


def _flag_args(p: CommandParser, surface: str) -> None:
    p.add_argument(
        "id",
        nargs="?",
        type=_positive(int, 1, 2**62),
        help="the question's id (shown under each answer; default: your last question)",
    )


def cmd_flag(s: Session, args: argparse.Namespace) -> Output:
    flagged = s.tutor.ask.flag(s.actor, args.id)
    return Output(render.render_flagged(flagged), flagged.to_json())


# --- demos -----------------------------------------------------------------------------------


def _tokenize_args(p: CommandParser, surface: str) -> None:
    p.add_argument("text", nargs="*", help="text to tokenize (several texts: a padded batch)")
    p.add_argument(
        "--tokenizer",
        action="append",
        metavar="NAME",
        help="tokenizer to use (repeatable; default: bert-base-uncased and gpt2)",
    )
    p.add_argument("--pair", metavar="TEXT", help="a second segment, as in sentence-pair tasks")


def cmd_tokenize(s: Session, args: argparse.Namespace) -> Output:
    if len(args.text) > 1:
        return _batch(s, args.text, args.tokenizer)
    text = args.text[0] if args.text else ""
    reply = s.tutor.demos.tokenize(text, tokenizers=args.tokenizer, pair=args.pair)
    return Output(render.render_tokenize(reply), reply.to_json())


def _pad_args(p: CommandParser, surface: str) -> None:
    p.add_argument("sentences", nargs="+", help="2-16 sentences separated by ;")
    p.add_argument("--tokenizer", metavar="NAME", help="default: bert-base-uncased")


def cmd_pad(s: Session, args: argparse.Namespace) -> Output:
    parts = [p.strip() for p in " ; ".join(args.sentences).split(";") if p.strip()]
    return _batch(s, parts, [args.tokenizer] if args.tokenizer else None)


def _batch(s: Session, texts: list[str], tokenizers: list[str] | None) -> Output:
    tokenizer = (tokenizers or ["bert-base-uncased"])[0]
    reply = s.tutor.demos.tokenize_batch(texts, tokenizer=tokenizer)
    return Output(render.render_batch(reply), reply.to_json())


def _mask_args(p: CommandParser, surface: str) -> None:
    p.add_argument("text", nargs="*", help="a sentence with [MASK], <mask> or ___")
    p.add_argument(
        "--model",
        metavar="NAME",
        help="an allow-listed model id, or one in TUTOR_MODEL_DIR (default: TUTOR_MASK_MODEL)",
    )
    p.add_argument(
        "--top-k",
        type=_positive(int, 1, 50),
        default=MASK_TOP_K,
        metavar="K",
        help="predictions per blank (1-50)",
    )
    p.add_argument("--targets", metavar="W1,W2", help="your own guesses, scored by the model")


def cmd_mask(s: Session, args: argparse.Namespace) -> Output:
    targets = [t for t in (args.targets or "").split(",") if t.strip()]
    reply = s.tutor.demos.mask(
        " ".join(args.text), model=args.model, top_k=args.top_k, targets=targets
    )
    data = reply.to_json()
    if reply.problem is not None:  # with the console's own words for how to get the model
        data["error"] = reply.problem.explained(HINTS)
    return Output(render.render_mask(reply, HINTS), data, 0 if reply.result else 1)


def _mlm_args(p: CommandParser, surface: str) -> None:
    p.add_argument("text", nargs="*", help="a sentence")
    p.add_argument("--seed", type=_positive(int, 0, 2**31), default=0, help="same seed, same masks")


def cmd_mlm(s: Session, args: argparse.Namespace) -> Output:
    demo = s.tutor.demos.masking_demo(" ".join(args.text), seed=args.seed)
    return Output(render.render_masking_demo(demo), demo.to_json())


def _image_out(p: CommandParser, surface: str, what: str) -> None:
    if surface == CLI:  # the console keeps its pictures under the data directory
        p.add_argument(
            "--out",
            type=Path,
            metavar="FILE.png",
            help=f"where to write the {what} (default: under the data directory)",
        )


def _attention_args(p: CommandParser, surface: str) -> None:
    p.add_argument("text", nargs="*", help="the text to look inside")
    p.add_argument(
        "--layer",
        type=_positive(int, 1, MINILM_LAYERS),
        metavar="L",
        help=f"layer 1-{MINILM_LAYERS} (default: the last)",
    )
    p.add_argument(
        "--head",
        type=_positive(int, 1, MINILM_HEADS),
        metavar="H",
        help=f"one head, 1-{MINILM_HEADS} (default: the mean of the layer's heads)",
    )
    _image_out(p, surface, "heatmap")


def cmd_attention(s: Session, args: argparse.Namespace) -> Output:
    reply = s.tutor.demos.attention(
        " ".join(args.text), layer=args.layer, head=args.head, out=getattr(args, "out", None)
    )
    return Output(render.render_attention(reply), reply.to_json())


def _embed_args(p: CommandParser, surface: str) -> None:
    p.add_argument("word", help="the word to follow, e.g. bank")
    p.add_argument(
        "sentences",
        nargs="+",
        metavar="SENTENCE",
        help=f"2-{MAX_SENTENCES} sentences that contain the word: quote each one, or separate "
        "them with ;",
    )
    _image_out(p, surface, "similarity picture")


def _sentences(parts: list[str]) -> list[str]:
    """Quoted sentences as they are; unquoted words joined and split at ;."""
    if any(";" in part for part in parts):
        return [s.strip() for s in " ".join(parts).split(";") if s.strip()]
    if len(parts) > 1 and all(len(part.split()) == 1 for part in parts):
        raise UsageError(
            'Quote each sentence or separate them with ;, e.g. embed bank "I sat on the river '
            'bank" "I paid cash into the bank".'
        )
    return parts


def cmd_embed(s: Session, args: argparse.Namespace) -> Output:
    reply = s.tutor.demos.embed(
        args.word, _sentences(args.sentences), out=getattr(args, "out", None)
    )
    return Output(render.render_embed(reply), reply.to_json())


def _calc_args(p: CommandParser, surface: str) -> None:
    p.add_argument(
        "expression",
        nargs="*",
        help="softmax 2.5 1 0.5 1.5 T=2 | steps 1000 10 | lora 768 768 16 | bert base",
    )


def cmd_calc(s: Session, args: argparse.Namespace) -> Output:
    if not args.expression:
        return Output(CALC_USAGE, {"usage": CALC_USAGE})
    calc = s.tutor.demos.calculate(" ".join(args.expression))
    return Output(render.render_calculation(calc), calc.to_json())


# --- quizzes and teams -----------------------------------------------------------------------


def _team_arg(p: argparse.ArgumentParser, help: str) -> None:
    teams = ", ".join(f"team{t}" for t in TEAMS)
    p.add_argument("team", nargs="*", action=JoinWords, help=f"{help} ({teams})")


def _quiz_args(p: CommandParser, surface: str) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    p.default_action = "start" if surface == CONSOLE else None

    def action(name: str, help: str) -> CommandParser:
        return actions.add_parser(name, help=help, description=help)

    def timing(a: argparse.ArgumentParser) -> None:
        a.add_argument(
            "--questions",
            type=_positive(int, 1, 20),
            default=QUIZ_QUESTIONS,
            help=f"questions in the quiz (1-20, default {QUIZ_QUESTIONS})",
        )
        a.add_argument(
            "--seconds",
            type=_positive(int, 5, 600),
            default=QUIZ_SECONDS,
            help=f"seconds per question (5-600, default {QUIZ_SECONDS})",
        )

    if surface == CONSOLE:
        a = action("start", "start a quiz on a team's concepts in this channel")
        _team_arg(a, "whose concepts")
        timing(a)
        a.add_argument(
            "--players", metavar="A,B", help="close a question once all of these have answered"
        )
        action("stop", "stop the quiz in this channel")
        action("skip", "skip the current question")
        action("resume", "continue the quiz a restart interrupted, from its question")
    else:
        a = action("play", "play a whole quiz in the terminal, timers included")
        _team_arg(a, "whose concepts")
        timing(a)
        a.add_argument("--team", dest="my_team", metavar="TEAM", help="your team (joins it)")
    a = action("list", "the question bank, all or one team's")
    a.add_argument("team", nargs="*", action=JoinWords, help="only this team's questions")
    action("leaderboard", "class and team standings over every quiz")
    a = action("import", "import questions from a GIFT or TOML file (all or nothing)")
    a.add_argument("file", type=Path)
    a.add_argument("--team", help="the team the questions belong to")
    a.add_argument("--concepts", help="concept ids the GIFT questions test, comma-separated")
    a = action("join", "join a team (team scores average their members)")
    _team_arg(a, "the team")


def cmd_quiz(s: Session, args: argparse.Namespace) -> Output:
    quizzes = s.tutor.quizzes
    if args.action == "start":
        players = frozenset(p for p in (args.players or "").split(",") if p)
        opened = quizzes.start(
            s.actor,
            team=parse_team(args.team),
            count=args.questions,
            seconds=args.seconds,
            players=players,
        )
        text = f"Quiz #{opened.quiz_number} started: {opened.total} questions, {opened.seconds:.0f} s each"
        if opened.extended:
            text += f" (up to {opened.open_for:.0f} s for students with extra time)"
        text += "."
        return Output(text, {"quiz": opened.quiz_number})
    if args.action == "stop":
        quizzes.stop(s.actor)
        return Output("Quiz stopped.")
    if args.action == "skip":
        quizzes.skip(s.actor)
        return Output("Skipped.")
    if args.action == "resume":
        opened = quizzes.resume(s.actor)
        text = f"Quiz #{opened.quiz_number} resumed at question {opened.number}/{opened.total}."
        return Output(text, {"quiz": opened.quiz_number, "question": opened.number})
    if args.action == "play":
        return _play(s, args)
    if args.action == "list":
        rows = s.tutor.bank.questions(parse_team(args.team) if args.team else None)
        text = "\n".join(f"{q.id} (team{q.team}, {q.kind}): {q.prompt}" for q in rows)
        return Output(text, [q.summary() for q in rows])
    if args.action == "leaderboard":
        board = quizzes.leaderboard(s.actor.server)
        return Output(render.render_leaderboard(board), board.to_json())
    if args.action == "import":
        concepts = [c for c in (args.concepts or "").split(",") if c]
        added = s.tutor.bank.import_questions(
            s.actor,
            args.file,
            team=parse_team(args.team) if args.team else None,
            concepts=concepts,
        )
        return Output(f"Imported {len(added)} questions.", [q.summary() for q in added])
    return cmd_join(s, args)


def cmd_join(s: Session, args: argparse.Namespace) -> Output:
    team = s.tutor.classes.join_team(s.actor, args.team)
    return Output(f"{s.actor.name} is now in team{team}.", {"user": s.actor.name, "team": team})


def _join_args(p: CommandParser, surface: str) -> None:
    _team_arg(p, "the team")


def _play(s: Session, args: argparse.Namespace) -> Output:
    """A whole quiz in the terminal for one player, timers included."""
    tutor, actor = s.tutor, s.actor.in_channel(f"terminal-{s.actor.user}")
    if args.my_team:
        tutor.classes.join_team(actor, args.my_team)
    done, moved_on, printing = threading.Event(), threading.Event(), threading.Lock()

    def show(event: QuizEvent) -> None:
        if event.channel != actor.channel:
            return
        with printing:
            s.show(render.render_quiz_event(event, tutor.titles) + "\n")
            if isinstance(event, QuizEnded):
                mine = tutor.quizzes.own_result(actor, event.session_id)
                s.show(render.render_own_result(mine, tutor.titles) + "\n")
        if isinstance(event, QuizEnded):
            done.set()
        if not isinstance(event, QuestionClosed):
            moved_on.set()  # the next question opened, or the quiz ended

    tutor.quizzes.subscribe(show)
    tutor.start_timers()
    tutor.quizzes.start(
        actor,
        team=parse_team(args.team),
        count=args.questions,
        seconds=args.seconds,
        players=frozenset({actor.user}),
    )
    while not done.is_set():
        line = s.stdin.readline()
        if not line:
            if tutor.quizzes.is_running(actor.server, actor.channel):
                tutor.quizzes.stop(actor)
            break
        moved_on.clear()
        arrival = tutor.quizzes.arrive(actor)
        result = tutor.quizzes.answer(actor, line.strip(), arrival=arrival)
        with printing:
            s.show(render.render_submit(result))
        if result.accepted:  # piped answers must not run ahead of the questions
            moved_on.wait(timeout=args.seconds + 1)
    done.wait(timeout=2)
    return Output()


def cmd_answer(s: Session, args: argparse.Namespace) -> Output:
    result = s.tutor.quizzes.answer(s.actor, " ".join(args.text), arrival=s.arrival)
    return Output(render.render_submit(result))


def _answer_args(p: CommandParser, surface: str) -> None:
    p.add_argument("text", nargs="*", help="your answer")


# --- reviews ---------------------------------------------------------------------------------

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
        team = parse_team(args.team) if args.team else None
        added = reviews.add(s.actor, args.ids, team)
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


def _teams_args(p: CommandParser, surface: str) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    p.default_action = "list"
    actions.add_parser("list", help="who is in which team")
    assign = actions.add_parser("assign", help="put people in teams: ana=team3 bo=4 ...")
    assign.add_argument("pairs", nargs="+", metavar="NAME=TEAM")
    actions.add_parser("balance", help="everyone without a team to the smallest teams")
    low, high = ACCOMMODATION_RANGE
    accommodate = actions.add_parser(
        "accommodate",
        help=f"a student's extra time on quiz questions: NAME 1.5 ({low:g}-{high:g}; 1 clears "
        "it); without NAME, list them",
    )
    accommodate.add_argument("person", nargs="?", metavar="NAME", help="their name or id")
    accommodate.add_argument(
        "multiplier",
        nargs="?",
        type=_multiplier,
        metavar="MULTIPLIER",
        help="their time x this (1.5: half again)",
    )


def _multiplier(text: str) -> float:
    """A time multiplier as typed: 1.5, 1.5x or 150%; the range is the application's."""
    cleaned = text.strip().lower().removesuffix("x")
    try:
        if cleaned.endswith("%"):
            return float(cleaned[:-1]) / 100
        return float(cleaned)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a multiplier like 1.5") from exc


def cmd_teams(s: Session, args: argparse.Namespace) -> Output:
    classes = s.tutor.classes
    if args.action == "accommodate":
        return _accommodate(s, args)
    if args.action == "assign":
        pairs = dict(p.partition("=")[::2] for p in args.pairs)
        if any(not team for team in pairs.values()):
            raise UsageError("Give each person a team: ana=team3 bo=4")
        teams = classes.assign(s.actor, pairs)
    elif args.action == "balance":
        teams = classes.balance(s.actor)
    else:
        teams = classes.teams(s.actor.server)
    return Output(render.render_teams(teams), {f"team{t}": names for t, names in teams.items()})


def _accommodate(s: Session, args: argparse.Namespace) -> Output:
    classes = s.tutor.classes
    if args.person is None:
        rows = classes.accommodations(s.actor)
        data = [{"person": a.person, "multiplier": a.multiplier} for a in rows]
        return Output(render.render_accommodations(rows), data)
    if args.multiplier is None:
        raise UsageError("Give the multiplier too: teams accommodate ana 1.5 (1 clears it)")
    done = classes.accommodate(s.actor, args.person, args.multiplier)
    return Output(
        render.render_accommodation(done), {"person": done.person, "multiplier": done.multiplier}
    )


# --- the jigsaw ------------------------------------------------------------------------------


def _jigsaw_args(p: CommandParser, surface: str) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    p.default_action = "status"
    start = actions.add_parser("start", help="team material, phases on timers, then the quiz")
    start.add_argument(
        "--channels", metavar="team1=a,...", help="each team's channel (default: team1..team5)"
    )
    defaults = Timings()
    for option, name, help in (
        ("--learn", "learn", "minutes to learn"),
        ("--prepare", "prepare", "minutes to prepare"),
        ("--teach", "teach_per_team", "minutes per team to teach"),
        ("--quiz", "quiz", "minutes for the quiz"),
    ):
        start.add_argument(
            option,
            dest=name,
            type=_positive(float, 0.1, 120),
            default=getattr(defaults, name),
            help=f"{help} (default {getattr(defaults, name):g})",
        )
    for name, help in (
        ("status", "phase, time left and class progress"),
        ("next", "skip to the next phase"),
        ("pause", "pause the clock"),
        ("resume", "resume the clock"),
        ("stop", "end the activity"),
    ):
        actions.add_parser(name, help=help, description=help)
    extend = actions.add_parser("extend", help="give the current phase more time")
    extend.add_argument("minutes", type=_positive(float, 0.1, 60))
    grid = actions.add_parser(
        "grid", help="the mastery grid of a past activity (default: the latest)"
    )
    grid.add_argument("activity", nargs="?", type=_positive(int, 1, 2**62), help="its number")
    taught = actions.add_parser("taught", help="mark one of your team's concepts as taught")
    taught.free_text = True
    taught.add_argument("concept", nargs="+", help="the concept's title or id")
    taught.add_argument("--team", help="default: the team whose channel this is")


def cmd_jigsaw(s: Session, args: argparse.Namespace) -> Output:
    jigsaw = s.tutor.jigsaw
    if args.action == "start":
        timings = Timings(args.learn, args.prepare, args.teach_per_team, args.quiz)
        status = jigsaw.start(s.actor, team_channels=_team_channels(args.channels), timings=timings)
    elif args.action == "taught":
        team = parse_team(args.team) if args.team else None
        status = jigsaw.mark_taught(s.actor, " ".join(args.concept), team)
    elif args.action == "extend":
        status = jigsaw.extend(s.actor, args.minutes)
    elif args.action == "grid":
        ready = jigsaw.grid(s.actor, args.activity)
        text = render.render_mastery(ready, s.tutor.titles)
        return Output(text, {"activity": ready.number, **ready.grid.to_dict()})
    else:
        actions = {
            "status": jigsaw.status,
            "next": jigsaw.next_phase,
            "pause": jigsaw.pause,
            "resume": jigsaw.resume,
            "stop": jigsaw.stop,
        }
        status = actions[args.action](s.actor)
    return Output(render.render_jigsaw_status(status), asdict(status))


def _team_channels(text: str | None) -> dict[int, str] | None:
    """team1=a,team2=b,... -> {1: "a", 2: "b", ...}."""
    if text is None:
        return None
    mapping = {}
    for pair in text.split(","):
        team, _, channel = pair.partition("=")
        if not channel:
            raise UsageError("--channels takes team1=channel,team2=channel,...")
        mapping[parse_team(team)] = channel.lstrip("#")
    return mapping


# --- fine-tunes ------------------------------------------------------------------------------


def _finetune_args(p: CommandParser, surface: str) -> None:
    p.add_argument(
        "try_words",
        nargs="*",
        metavar="try JOB TEXT",
        help="try a finished job's model on a sentence, beside the base model",
    )
    p.add_argument(
        "--data",
        help="TSV/CSV with text and label columns, or a folder with train/dev files "
        "(default: TUTOR_FINETUNE_DATA, else the SST-2 subset that ships with tutorbot)",
    )
    p.add_argument(
        "--model",
        help=f"{', '.join(FINETUNE_MODELS)} (default: the first), or a local folder",
    )
    p.add_argument(
        "--preset",
        choices=list(PRESETS),
        help="; ".join(f"{preset.name}: {preset.summary}" for preset in PRESETS.values())
        + f" (default {DEFAULT_PRESET}; the options below override it)",
    )
    p.add_argument("--method", choices=METHODS, help="default: lora")
    p.add_argument("--epochs", type=_positive(float, 0.01, 20))
    p.add_argument(
        "--max-train",
        type=_positive(int, 10, 10_000_000),
        help="train on a random subset of this many examples (CPU default: 8000 of at "
        "least 10 words)",
    )
    p.add_argument(
        "--min-words",
        type=_positive(int, 1, 100),
        help="with --max-train: take examples of at least this many words first",
    )
    p.add_argument("--batch-size", type=_positive(int, 1, 4096))
    p.add_argument("--learning-rate", type=_positive(float, 1e-8, 0.999))
    p.add_argument("--lora-r", type=_positive(int, 1, 256), help="LoRA rank (default 16)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"])
    p.add_argument("--team", help="the team this run counts for on the leaderboard")


def cmd_finetune(s: Session, args: argparse.Namespace) -> Output:
    if args.try_words:
        return _try(s, args.try_words)
    options = {
        name: getattr(args, name)
        for name in (
            "data",
            "model",
            "method",
            "epochs",
            "max_train",
            "min_words",
            "batch_size",
            "learning_rate",
            "lora_r",
            "device",
        )
    }
    options["preset"] = args.preset
    jobs = s.tutor.finetunes
    if s.surface == CONSOLE:  # the console's runner reports progress as it goes
        number = jobs.number_of(jobs.start(s.actor, team=args.team, **options))
        return Output(f"Fine-tune job #{number} queued.", {"job": number})
    if not s.json:
        jobs.subscribe(lambda e: s.show(render.render_job_event(e)))
    job_id = jobs.start(s.actor, team=args.team, **options)
    number = jobs.number_of(job_id)
    try:
        job = jobs.wait(job_id, timeout=s.tutor.settings.finetune_max_seconds + 60)
    except KeyboardInterrupt:
        jobs.cancel(s.actor, number)
        jobs.wait(job_id, timeout=30)
        raise
    assert job is not None
    result = dict(job.result or {})
    result.pop("losses", None)
    summary = {"job": number, **result, "status": job.status}
    if job.reason:
        summary["reason"] = job.reason
    code = 0 if job.status == JobStatus.SUCCEEDED else 1
    return Output("", summary, code)


def _try(s: Session, words: list[str]) -> Output:
    if words[0] != "try" or len(words) < 3 or not words[1].isdigit():
        raise UsageError('Usage: finetune try JOB "a sentence to classify"')
    reply = s.tutor.finetunes.try_model(s.actor, int(words[1]), " ".join(words[2:]))
    return Output(render.render_try(reply), reply.to_json())


def _jobs_args(p: CommandParser, surface: str) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    p.default_action = "list"
    actions.add_parser("list", help="recent jobs and their status")
    cancel = actions.add_parser("cancel", help="cancel a queued or running job")
    cancel.add_argument("job", type=_positive(int, 1, 2**62), help="the job's number")
    actions.add_parser("leaderboard", help="best dev accuracy per team")


def cmd_jobs(s: Session, args: argparse.Namespace) -> Output:
    jobs = s.tutor.finetunes
    if args.action == "cancel":
        message = jobs.cancel(s.actor, args.job)
        return Output(message, {"job": args.job, "message": message})
    if args.action == "leaderboard":
        board = jobs.leaderboard(s.actor.server)
        return Output(render.render_finetune_leaderboard(board), board.to_json())
    views = jobs.jobs(s.actor.server)
    return Output(render.render_jobs(views), [v.to_json() for v in views])


# --- what the class misunderstands, progress, grades, privacy -------------------------------


def _digest_args(p: CommandParser, surface: str) -> None:
    p.add_argument(
        "--since",
        default=DEFAULT_SINCE,
        help=f"how far back: 7d, 24h, 2w, a date (2025-03-01) or all (default {DEFAULT_SINCE})",
    )
    if surface == CLI:
        p.add_argument(
            "--chart",
            type=Path,
            metavar="FILE.png",
            help="where to write the chart (default: under the data directory)",
        )


def cmd_digest(s: Session, args: argparse.Namespace) -> Output:
    digest = s.tutor.insights.digest(s.actor, args.since, chart=getattr(args, "chart", None))
    where = (
        "the console's class" if s.actor.server == CONSOLE_SERVER else f"server {s.actor.server}"
    )
    return Output(render_insights.render_digest(digest, where=where), digest.to_json())


def cmd_progress(s: Session, args: argparse.Namespace) -> Output:
    progress = s.tutor.insights.progress(s.actor)
    return Output(render_insights.render_progress(progress), progress.to_json())


def _grades_args(p: CommandParser, surface: str) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("export", help="one CSV row per student, for the gradebook")
    a.add_argument("--out", type=Path, required=True, metavar="FILE.csv", help="where to write")
    a.add_argument(
        "--roster",
        type=Path,
        metavar="ROSTER.csv",
        help="CSV mapping people (discord_id, or a display name) to student_id",
    )


def cmd_grades(s: Session, args: argparse.Namespace) -> Output:
    export = s.tutor.insights.export_grades(s.actor, args.out, args.roster)
    return Output(render_insights.render_grades_export(export), export.to_json())


def _forget_args(p: CommandParser, surface: str) -> None:
    p.add_argument("person", help="the person's id (Discord user id) or display name")
    p.add_argument("--yes", action="store_true", help="really remove them (default: only show)")


def cmd_forget(s: Session, args: argparse.Namespace) -> Output:
    report = s.tutor.privacy.forget(s.actor, args.person, confirm=args.yes)
    return Output(render_insights.render_forget(report), report.to_json())


def _term_args(p: CommandParser, surface: str) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser(
        "close", help="archive this class's activity, clear it and start a clean term"
    )
    a.add_argument("--yes", action="store_true", help="really close it (default: only show)")


def cmd_term(s: Session, args: argparse.Namespace) -> Output:
    report = s.tutor.privacy.close_term(s.actor, confirm=args.yes)
    return Output(render_insights.render_term(report), report.to_json())


# --- maintenance -----------------------------------------------------------------------------


def _backup_args(p: CommandParser, surface: str) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    p.default_action = "make"
    make = actions.add_parser("make", help="write a consistent copy (the default action)")
    make.add_argument(
        "path", nargs="?", type=Path, help="where to write the copy (default: <data dir>/backups)"
    )
    actions.add_parser("list", help="the backups kept under <data dir>/backups").set_defaults(
        without_tutor=cmd_backup_files
    )
    restore = actions.add_parser(
        "restore",
        help="put a backup in place of the database (checked first; the old file is kept aside)",
    )
    restore.add_argument(
        "path", nargs="?", type=Path, help="the backup to restore (default: the newest)"
    )
    restore.set_defaults(without_tutor=cmd_backup_files)


def cmd_backup(s: Session, args: argparse.Namespace) -> Output:
    path = s.tutor.backups.make(args.path)
    return Output(f"Backup written: {path}", {"backup": str(path)})


def cmd_backup_files(settings: Settings, args: argparse.Namespace) -> Output:
    """`backup list` and `backup restore` run without opening the database: they are what
    one runs when it is too damaged to open."""
    if args.action == "restore":
        restored = backups.restore(settings, args.path)
        return Output(render.render_restored(restored), restored.to_json())
    found = backups.listing(settings)
    return Output(render.render_backups(found, settings.backups_dir), [b.to_json() for b in found])


def _models_args(p: CommandParser, surface: str) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    p.default_action = "list"
    actions.add_parser("list", help="what loads offline here, and what each demo uses")
    fetch = actions.add_parser(
        "download", help="fetch allow-listed hub models (pinned, safetensors) before class"
    )
    fetch.add_argument(
        "names", nargs="*", metavar="NAME", help="models to fetch (default: what a demo lacks)"
    )


def cmd_models(s: Session, args: argparse.Namespace) -> Output:
    models = s.tutor.models
    if args.action == "download":
        names = args.names or models.missing_for_demos()
        if not names:
            report = models.report()
            return Output(
                render.render_models(report, "Every demo's model is here already."),
                report.to_json(),
            )
        fetched = models.download(names, progress=not s.json)
        return Output(render.render_downloads(fetched), [d.to_json() for d in fetched])
    report = models.report()
    return Output(render.render_models(report), report.to_json())


# --- the registry ----------------------------------------------------------------------------

COMMANDS: list[Command] = [
    Command("ask", "answer a concept question from the knowledge base", cmd_ask, _ask_args, free_text=True),
    Command("more", "the whole card an answer came from (the last answer's, or a concept you name)", cmd_more, _more_args, free_text=True),
    Command("flag", "mark an answer as not what you asked: it goes to the instructor's queue", cmd_flag, _flag_args),
    Command("tokenize", "see how real tokenizers split text (several texts: a padded batch)", cmd_tokenize, _tokenize_args, free_text=True),
    Command("pad", "pad sentences (separated by ;) into one batch: [PAD] and the attention mask", cmd_pad, _pad_args, free_text=True),
    Command("mask", "fill the blank with a masked-LM: [MASK], <mask> or ___", cmd_mask, _mask_args, free_text=True),
    Command("mlm", "apply BERT's 15% / 80-10-10 masking rule to a sentence", cmd_mlm, _mlm_args, free_text=True),
    Command("attention", "heatmap of the model's attention between the tokens of a text (MiniLM)", cmd_attention, _attention_args, free_text=True),
    Command("embed", "a word's contextual vectors in 2-6 sentences, and how similar they are", cmd_embed, _embed_args),
    Command("calc", "handout calculators: softmax, steps, lora, bert", cmd_calc, _calc_args, free_text=True),
    Command("quiz", "team quizzes: start, stop, skip, resume, play, list, leaderboard, import, join", cmd_quiz, _quiz_args),
    Command("answer", "answer the open quiz question (a plain line does too)", cmd_answer, _answer_args, frozenset({CONSOLE}), free_text=True),
    Command("review", "spaced review of the quiz questions you missed: start, answer, stop, status, remind, add, export", cmd_review, _review_args),
    Command("join", "join a team (team scores average their members)", cmd_join, _join_args),
    Command("teams", "teams: list; the instructor's assign, balance and accommodate (extra time)", cmd_teams, _teams_args),
    Command("jigsaw", "the jigsaw activity: start, status, next, pause, resume, extend, taught, stop, grid", cmd_jigsaw, _jigsaw_args, frozenset({CONSOLE})),
    Command("finetune", "run a short fine-tune (LoRA, full or freeze) and report dev accuracy", cmd_finetune, _finetune_args),
    Command("jobs", "fine-tune jobs: list, cancel ID, leaderboard", cmd_jobs, _jobs_args),
    Command("ingest", "add instructor documents (txt, md, pdf) to the knowledge base", cmd_ingest, _ingest_args),
    Command("unanswered", "the instructor's queue (grouped) and resolving it: list, resolve ID --card CARD | --answer TEXT", cmd_unanswered, _unanswered_args),
    Command("models", "models available offline, what each demo uses; download fetches the rest", cmd_models, _models_args, frozenset({CLI})),
    Command("backup", "a consistent copy of the database, safe while the bot runs", cmd_backup, _backup_args, frozenset({CLI})),
    Command("digest", "what the class misunderstands, per concept, with no names (instructor)", cmd_digest, _digest_args),
    Command("progress", "your own mastery per concept (only you see it)", cmd_progress),
    Command("grades", "export the gradebook: one CSV row per student (instructor)", cmd_grades, _grades_args, frozenset({CLI})),
    Command("forget", "remove a person from every table and backup (instructor)", cmd_forget, _forget_args, frozenset({CLI})),
    Command("term", "close the term: archive and clear the class's activity (instructor)", cmd_term, _term_args, frozenset({CLI})),
]  # fmt: skip
ALIASES = {"tokenise": "tokenize", "a": "answer"}


def add_commands(
    subparsers: argparse._SubParsersAction,
    surface: str,
    extra: Callable[[CommandParser], None] = lambda p: None,
) -> None:
    """Add every command available on `surface`; `extra` adds the surface's own options."""
    for command in COMMANDS:
        if surface not in command.surfaces:
            continue
        parser = subparsers.add_parser(
            command.name,
            prog=("/" if surface == CONSOLE else "tutor ") + command.name,
            help=command.help.replace("%", "%%"),  # argparse %-formats help ("15%")
            description=command.help,
        )
        parser.free_text = command.free_text
        parser.set_defaults(handler=command.handler)
        command.arguments(parser, surface)
        for leaf in subcommands(parser).values() or [parser]:
            extra(leaf)
