"""`tutor` command line: one-shot commands with `--json`, and `tutor chat`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot import console, render_text
from bot.config import Settings
from bot.finetune import JobError
from bot.quizzes import QuestionClosed, QuizEnded, QuizError, QuizEvent
from bot.services import Tutor, UserInputError
from bot.teams import parse_team

EXIT_USAGE = 2


def _quiet_libraries() -> None:
    # Progress bars and load reports from transformers/sentence-transformers would drown the
    # answers in a terminal and corrupt --json output.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False))


def _questions_from(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.strip():
                yield line.rstrip("\n")


def cmd_ask(tutor: Tutor, args: argparse.Namespace) -> int:
    if args.file is not None:
        if not args.file.is_file():
            print(f"error: no such file: {args.file}", file=sys.stderr)
            return EXIT_USAGE
        questions: Iterator[str] | list[str] = _questions_from(args.file)
    else:
        questions = [" ".join(args.question)]
    status = 0
    for question in questions:
        try:
            reply = tutor.ask(question, channel=args.channel, user=args.user)
        except UserInputError as exc:
            status = EXIT_USAGE
            if args.json:
                _print_json({"error": str(exc), "question": question})
            else:
                print(f"error: {exc}", file=sys.stderr)
            continue
        if args.json:
            _print_json(reply.to_json())
        else:
            print(console.render_answer(reply) + ("\n" if args.file else ""))
    return status


def cmd_ingest(tutor: Tutor, args: argparse.Namespace) -> int:
    reports = tutor.ingest(args.paths)
    if args.json:
        for report in reports:
            _print_json(report.to_json())
    else:
        print(console.render_ingest(reports))
    return 1 if any(r.status == "error" for r in reports) else 0


def cmd_unanswered(tutor: Tutor, args: argparse.Namespace) -> int:
    rows = tutor.unanswered(args.limit)
    if args.json:
        for row in rows:
            _print_json(row)
    else:
        print(console.render_unanswered(rows))
    return 0


def _user_error(args: argparse.Namespace, exc: UserInputError) -> int:
    if getattr(args, "json", False):
        _print_json({"error": str(exc)})
    else:
        print(f"error: {exc}", file=sys.stderr)
    return EXIT_USAGE


def cmd_tokenize(tutor: Tutor, args: argparse.Namespace) -> int:
    if len(args.text) > 1:
        tokenizer = (args.tokenizer or ["bert-base-uncased"])[0]
        batch = tutor.tokenize_batch(args.text, tokenizer=tokenizer)
        _print_json(batch.to_json()) if args.json else print(render_text.render_batch(batch))
        return 0
    reply = tutor.tokenize(args.text[0], tokenizers=args.tokenizer, pair=args.pair)
    _print_json(reply.to_json()) if args.json else print(render_text.render_tokenize(reply))
    return 0


def cmd_mask(tutor: Tutor, args: argparse.Namespace) -> int:
    targets = [t for t in (args.targets or "").split(",") if t.strip()]
    reply = tutor.mask(args.text, model=args.model, top_k=args.top_k, targets=targets)
    _print_json(reply.to_json()) if args.json else print(render_text.render_mask(reply))
    return 0 if reply.result else 1


def cmd_mlm(tutor: Tutor, args: argparse.Namespace) -> int:
    demo = tutor.masking_demo(args.text, seed=args.seed)
    _print_json(demo.to_json()) if args.json else print(render_text.render_masking_demo(demo))
    return 0


def cmd_calc(tutor: Tutor, args: argparse.Namespace) -> int:
    calc = tutor.calculate(" ".join(args.expression))
    _print_json(calc.to_json()) if args.json else print(render_text.render_calculation(calc))
    return 0


def cmd_quiz(tutor: Tutor, args: argparse.Namespace) -> int:
    try:
        return QUIZ_ACTIONS[args.action](tutor, args)
    except (QuizError, ValueError) as exc:
        raise UserInputError(str(exc)) from exc


def _quiz_list(tutor: Tutor, args: argparse.Namespace) -> int:
    team = parse_team(args.target) if args.target else None
    rows = [q for q in tutor.questions() if team is None or q.team == team]
    if args.json:
        for q in rows:
            _print_json(q.summary())
    else:
        for q in rows:
            print(f"{q.id:24} team{q.team} {q.kind:8} {', '.join(q.concepts)}\n    {q.prompt}")
    return 0


def _quiz_play(tutor: Tutor, args: argparse.Namespace) -> int:
    """A whole quiz in the terminal for one player, timers included."""
    if not args.target:
        raise UserInputError("Which team's quiz? e.g. tutor quiz play team3")
    if args.team:
        tutor.join_team(args.user, args.team)
    titles = {c.id: c.title for c in tutor.cards}
    done = threading.Event()
    moved_on = threading.Event()  # the next question opened, or the quiz ended
    printing = threading.Lock()

    def show(event: QuizEvent) -> None:
        with printing:
            print(render_text.render_quiz_event(event, titles) + "\n", flush=True)
        if isinstance(event, QuizEnded):
            done.set()
        if not isinstance(event, QuestionClosed):
            moved_on.set()

    tutor.quizzes.subscribe(show)
    tutor.start_timers()
    channel = f"terminal-{args.user}"
    tutor.quizzes.start(
        channel,
        team=parse_team(args.target),
        count=args.questions,
        seconds=args.seconds,
        started_by=args.user,
        expected_users=frozenset({args.user}),
    )
    while not done.is_set():
        line = sys.stdin.readline()
        if not line:
            if tutor.quizzes.is_running(channel):
                tutor.quizzes.stop(channel)
            break
        moved_on.clear()
        result = tutor.quizzes.answer(channel, args.user, line.strip())
        with printing:
            print(render_text.render_submit(result), flush=True)
        if result.accepted:  # piped answers must not run ahead of the questions
            moved_on.wait(timeout=args.seconds + 1)
    done.wait(timeout=2)
    return 0


def _quiz_leaderboard(tutor: Tutor, args: argparse.Namespace) -> int:
    users, teams = tutor.quizzes.leaderboard()
    if args.json:
        _print_json({"users": [asdict(u) for u in users], "teams": [asdict(t) for t in teams]})
    else:
        print("\n".join(render_text.render_standings("Class leaderboard", users)))
        print("\n".join(render_text.render_standings("Teams", teams)))
    return 0


def _quiz_import(tutor: Tutor, args: argparse.Namespace) -> int:
    if not args.target:
        raise UserInputError(
            "Which file? e.g. tutor quiz import week6.gift --team 3 --concepts lora-and-peft"
        )
    team = parse_team(args.team) if args.team else None
    concepts = [c for c in (args.concepts or "").split(",") if c]
    added = tutor.import_questions(Path(args.target), team=team, concepts=concepts, user=args.user)
    if args.json:
        for q in added:
            _print_json(q.summary())
    else:
        print(f"Imported {len(added)} questions from {args.target}.")
    return 0


def _quiz_join(tutor: Tutor, args: argparse.Namespace) -> int:
    team = tutor.join_team(args.user, args.target or "")
    print(f"{args.user} is now in team{team}.")
    return 0


QUIZ_ACTIONS: dict[str, Callable[[Tutor, argparse.Namespace], int]] = {
    "list": _quiz_list,
    "play": _quiz_play,
    "leaderboard": _quiz_leaderboard,
    "import": _quiz_import,
    "join": _quiz_join,
}


NO_TOKEN = """No Discord token is set, so the Discord bot cannot start.

To run it on Discord:
  1. Create an application and a bot at https://discord.com/developers/applications
     (Bot tab: reset the token, copy it, and switch on the Message Content intent).
  2. export TUTOR_DISCORD_TOKEN=...   (and TUTOR_DISCORD_GUILD_ID=<your server id> so the
     slash commands appear at once)
  3. tutor run

Without Discord, everything works in the local console: tutor chat"""


def cmd_run(tutor: Tutor, args: argparse.Namespace) -> int:
    if (
        tutor.settings.discord_token is None
        or not tutor.settings.discord_token.get_secret_value().strip()
    ):
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_USAGE
    from bot.discord.app import run

    logging.getLogger().setLevel(logging.INFO)
    run(tutor)
    return 0


def cmd_commands(tutor: Tutor, args: argparse.Namespace) -> int:
    from bot.discord.app import payloads

    data = payloads(tutor)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for command in data:
            subs = [o for o in command.get("options", []) if o.get("type") == 1]
            for sub in subs or [command]:
                name = f"/{command['name']}" + (f" {sub['name']}" if subs else "")
                print(f"{name:24} {sub['description']}")
    return 0


def cmd_finetune(tutor: Tutor, args: argparse.Namespace) -> int:
    """Run one fine-tune through the job runner and wait for it (Ctrl-C cancels it)."""
    options = {
        "data": args.data,
        "model": args.model,
        "method": args.method,
        "epochs": args.epochs,
        "max_train": args.max_train,
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
        "lora_r": args.lora_r,
        "device": args.device,
    }
    if not args.json:
        tutor.finetunes.subscribe(lambda e: print(render_text.render_job_event(e), flush=True))
    job_id = tutor.start_finetune(owner=args.user, team=args.team, **options)
    try:
        job = tutor.finetunes.wait(job_id, timeout=tutor.settings.finetune_max_seconds + 60)
    except KeyboardInterrupt:
        tutor.finetunes.cancel(job_id, by=args.user)
        tutor.finetunes.wait(job_id, timeout=30)
        return 130
    assert job is not None
    result = json.loads(job["result"]) if job["result"] else {}
    result.pop("losses", None)
    summary = {"job": job_id, **result, "status": job["status"]}
    if job["reason"]:
        summary["reason"] = job["reason"]
    if args.json:
        _print_json(summary)
    return 0 if job["status"] == "succeeded" else 1


def cmd_jobs(tutor: Tutor, args: argparse.Namespace) -> int:
    try:
        if args.action == "cancel":
            print(tutor.finetunes.cancel(int(args.job or 0), by=args.user, is_instructor=True))
            return 0
        if args.action == "leaderboard":
            rows = tutor.finetunes.leaderboard()
            _print_json(rows) if args.json else print(render_text.render_finetune_leaderboard(rows))
            return 0
    except (JobError, ValueError) as exc:
        raise UserInputError(str(exc)) from exc
    rows = tutor.finetunes.jobs()
    if args.json:
        for row in rows:
            _print_json(row)
    else:
        print(render_text.render_jobs(rows))
    return 0


def cmd_chat(tutor: Tutor, args: argparse.Namespace) -> int:
    return console.run_chat(tutor, channel=args.channel, user=args.user)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tutor",
        description="Tutor bot for a class on pre-trained language models.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Callable[[Tutor, argparse.Namespace], int], help: str):
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(handler=handler)
        return p

    def who(p: argparse.ArgumentParser) -> None:
        p.add_argument("--channel", default="console", help="channel to act in (default: console)")
        p.add_argument("--user", default="local", help="user name to act as (default: local)")

    add("run", cmd_run, "start the Discord bot (needs TUTOR_DISCORD_TOKEN)")
    p = add(
        "commands", cmd_commands, "print the slash commands the Discord bot syncs, built offline"
    )
    p.add_argument("--json", action="store_true", help="the raw payloads, as sent to Discord")

    p = add("chat", cmd_chat, "interactive console that behaves like a Discord channel")
    who(p)

    p = add("ask", cmd_ask, "answer a concept question from the knowledge base")
    p.add_argument("question", nargs="*", help="the question (quote it)")
    p.add_argument(
        "--file",
        type=Path,
        help="answer one question per line of this file (JSON Lines with --json)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    who(p)

    p = add("ingest", cmd_ingest, "add instructor documents (txt, md, pdf) to the knowledge base")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--json", action="store_true", help="print one JSON object per file")

    p = add(
        "tokenize",
        cmd_tokenize,
        "show how real tokenizers split text (several texts: a padded batch)",
    )
    p.add_argument("text", nargs="+", help="text to tokenize; give several to see padding")
    p.add_argument(
        "--tokenizer",
        action="append",
        metavar="NAME",
        help="tokenizer to use (repeatable; default: bert-base-uncased and gpt2)",
    )
    p.add_argument("--pair", metavar="TEXT", help="a second segment, as in sentence-pair tasks")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("mask", cmd_mask, "fill the blank with a masked-LM: [MASK], <mask> or ___")
    p.add_argument("text")
    p.add_argument(
        "--model",
        metavar="NAME_OR_PATH",
        help="allow-listed hub id or local folder (default: TUTOR_MASK_MODEL)",
    )
    p.add_argument("--top-k", type=int, default=5, metavar="K", help="predictions per blank (1-50)")
    p.add_argument("--targets", metavar="W1,W2", help="your own guesses, scored by the model")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("mlm", cmd_mlm, "apply BERT's 15%% / 80-10-10 masking rule to a sentence")
    p.add_argument("text")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same masks)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("calc", cmd_calc, "handout calculators: softmax, steps, lora, bert")
    p.add_argument(
        "expression",
        nargs="+",
        help="e.g. softmax 2.5 1 0.5 1.5 T=2 | steps 1000 10 | lora 768 768 16 | bert base",
    )
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add(
        "quiz",
        cmd_quiz,
        "team quizzes: list the bank, play in the terminal, leaderboard, import, join",
    )
    p.add_argument("action", choices=sorted(QUIZ_ACTIONS))
    p.add_argument("target", nargs="?", help="a team (list, play, join) or a file (import)")
    p.add_argument("--questions", type=int, default=5, help="questions per quiz (play)")
    p.add_argument("--seconds", type=int, default=60, help="seconds per question (play)")
    p.add_argument("--user", default="local", help="who is playing or importing")
    p.add_argument("--team", help="your team (play), or the imported questions' team (import)")
    p.add_argument(
        "--concepts", help="concept ids the imported GIFT questions test, comma-separated"
    )
    p.add_argument("--json", action="store_true", help="print JSON (list, leaderboard, import)")

    p = add(
        "finetune", cmd_finetune, "run a short fine-tune (LoRA or full) and report dev accuracy"
    )
    p.add_argument(
        "--data",
        help="TSV/CSV with text and label columns, or a folder with train/dev files (default: TUTOR_FINETUNE_DATA)",
    )
    p.add_argument(
        "--model",
        help="all-MiniLM-L6-v2 (default, offline), distilbert-base-uncased, bert-base-uncased, roberta-base, or a local folder",
    )
    p.add_argument("--method", choices=["lora", "full", "freeze"], help="default: lora")
    p.add_argument("--epochs", type=float)
    p.add_argument(
        "--max-train",
        type=int,
        help="train on a random subset of this many examples (CPU default: 4000)",
    )
    p.add_argument("--batch-size", type=int)
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--lora-r", type=int, help="LoRA rank (default 16)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"])
    p.add_argument("--user", default="local")
    p.add_argument("--team", help="the team this run counts for on the leaderboard")
    p.add_argument("--json", action="store_true", help="print the final result as JSON")

    p = add("jobs", cmd_jobs, "fine-tune jobs: list, cancel, leaderboard")
    p.add_argument("action", nargs="?", default="list", choices=["list", "cancel", "leaderboard"])
    p.add_argument("job", nargs="?", help="job id (cancel)")
    p.add_argument("--user", default="local")
    p.add_argument("--json", action="store_true")

    p = add("unanswered", cmd_unanswered, "list questions the bot could not answer")
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--json", action="store_true", help="print JSON Lines")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "ask" and not args.question and args.file is None:
        parser.error("ask needs a QUESTION or --file FILE")
    _quiet_libraries()
    tutor = Tutor(Settings())
    try:
        return args.handler(tutor, args)
    except UserInputError as exc:  # the one error path for input the user must change
        return _user_error(args, exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `tutor ... | head` closed the pipe: not an error
        sys.stderr.close()
        return 0
    finally:
        tutor.close()
