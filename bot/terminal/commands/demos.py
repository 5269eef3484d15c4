"""The demos: tokenizers, padding, fill-mask, BERT's masking rule, attention, contextual
embeddings and the handout's calculators."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.app.calculations import USAGE as CALC_USAGE
from bot.app.choices import MASK_TOP_K, MAX_SENTENCES, MINILM_HEADS, MINILM_LAYERS
from bot.errors import UsageError
from bot.render import text as render
from bot.terminal.commands.base import CLI, Command, Output, Session, positive
from bot.terminal.hints import HINTS
from bot.terminal.spec import CommandParser


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
        type=positive(int, 1, 50),
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
    p.add_argument("--seed", type=positive(int, 0, 2**31), default=0, help="same seed, same masks")


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
        type=positive(int, 1, MINILM_LAYERS),
        metavar="L",
        help=f"layer 1-{MINILM_LAYERS} (default: the last)",
    )
    p.add_argument(
        "--head",
        type=positive(int, 1, MINILM_HEADS),
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


COMMANDS: list[Command] = [
    Command("tokenize", "see how real tokenizers split text (several texts: a padded batch)", cmd_tokenize, _tokenize_args, free_text=True),
    Command("pad", "pad sentences (separated by ;) into one batch: [PAD] and the attention mask", cmd_pad, _pad_args, free_text=True),
    Command("mask", "fill the blank with a masked-LM: [MASK], <mask> or ___", cmd_mask, _mask_args, free_text=True),
    Command("mlm", "apply BERT's 15% / 80-10-10 masking rule to a sentence", cmd_mlm, _mlm_args, free_text=True),
    Command("attention", "heatmap of the model's attention between the tokens of a text (MiniLM)", cmd_attention, _attention_args, free_text=True),
    Command("embed", "a word's contextual vectors in 2-6 sentences, and how similar they are", cmd_embed, _embed_args),
    Command("calc", "handout calculators: softmax, steps, lora, bert", cmd_calc, _calc_args, free_text=True),
]  # fmt: skip
