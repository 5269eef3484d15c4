"""Fine-tunes: `finetune` (run one, or try a finished job's model on a sentence) and `jobs`
(list, cancel, leaderboard)."""

from __future__ import annotations

import argparse
import re

from bot.app.choices import DEFAULT_PRESET, FINETUNE_MODELS, METHODS, PRESETS
from bot.app.results import JobStatus
from bot.errors import UsageError
from bot.render import text as render
from bot.terminal.commands.base import CONSOLE, Command, Output, Session, positive
from bot.terminal.spec import CommandParser


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
        # argparse formats help with %: a summary's "85%" must be written "85%%"
        help="; ".join(
            f"{preset.name}: {preset.summary}".replace("%", "%%") for preset in PRESETS.values()
        )
        + f" (default {DEFAULT_PRESET}; the options below override it)",
    )
    p.add_argument("--method", choices=METHODS, help="default: lora")
    p.add_argument("--epochs", type=positive(float, 0.01, 20))
    p.add_argument(
        "--max-train",
        type=positive(int, 10, 10_000_000),
        help="train on a random subset of this many examples (CPU default: 8000 of at "
        "least 10 words)",
    )
    p.add_argument(
        "--min-words",
        type=positive(int, 1, 100),
        help="with --max-train: take examples of at least this many words first",
    )
    p.add_argument("--batch-size", type=positive(int, 1, 4096))
    p.add_argument("--learning-rate", type=positive(float, 1e-8, 0.999))
    p.add_argument("--lora-r", type=positive(int, 1, 256), help="LoRA rank (default 16)")
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
    if words[0] != "try" or len(words) < 3 or not re.fullmatch(r"[0-9]{1,12}", words[1]):
        raise UsageError('Usage: finetune try JOB "a sentence to classify" (JOB: its number)')
    reply = s.tutor.finetunes.try_model(s.actor, int(words[1]), " ".join(words[2:]))
    return Output(render.render_try(reply), reply.to_json())


def _jobs_args(p: CommandParser, surface: str) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    p.default_action = "list"
    actions.add_parser("list", help="recent jobs and their status")
    cancel = actions.add_parser("cancel", help="cancel a queued or running job")
    cancel.add_argument("job", type=positive(int, 1, 2**62), help="the job's number")
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


COMMANDS: list[Command] = [
    Command("finetune", "run a short fine-tune (LoRA, full or freeze) and report dev accuracy", cmd_finetune, _finetune_args),
    Command("jobs", "fine-tune jobs: list, cancel ID, leaderboard", cmd_jobs, _jobs_args),
]  # fmt: skip
