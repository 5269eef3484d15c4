"""`tutor` command line: one-shot commands with `--json`, and `tutor chat`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bot import console, render_text
from bot.config import Settings
from bot.services import Tutor, UserInputError

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
    try:
        if len(args.text) > 1:
            batch = tutor.tokenize_batch(
                args.text, tokenizer=(args.tokenizer or ["bert-base-uncased"])[0]
            )
            _print_json(batch.to_json()) if args.json else print(render_text.render_batch(batch))
            return 0
        reply = tutor.tokenize(args.text[0], tokenizers=args.tokenizer, pair=args.pair)
    except UserInputError as exc:
        return _user_error(args, exc)
    _print_json(reply.to_json()) if args.json else print(render_text.render_tokenize(reply))
    return 0


def cmd_mask(tutor: Tutor, args: argparse.Namespace) -> int:
    targets = [t for t in (args.targets or "").split(",") if t.strip()]
    try:
        reply = tutor.mask(args.text, model=args.model, top_k=args.top_k, targets=targets)
    except UserInputError as exc:
        return _user_error(args, exc)
    _print_json(reply.to_json()) if args.json else print(render_text.render_mask(reply))
    return 0 if reply.result else 1


def cmd_mlm(tutor: Tutor, args: argparse.Namespace) -> int:
    try:
        demo = tutor.masking_demo(args.text, seed=args.seed)
    except UserInputError as exc:
        return _user_error(args, exc)
    _print_json(demo.to_json()) if args.json else print(render_text.render_masking_demo(demo))
    return 0


def cmd_calc(tutor: Tutor, args: argparse.Namespace) -> int:
    try:
        calc = tutor.calculate(" ".join(args.expression))
    except UserInputError as exc:
        return _user_error(args, exc)
    _print_json(calc.to_json()) if args.json else print(render_text.render_calculation(calc))
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
    except KeyboardInterrupt:
        return 130
    finally:
        tutor.close()
