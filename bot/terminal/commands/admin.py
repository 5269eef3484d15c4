"""The instructor's and the operator's tools: `ingest` (documents into the knowledge base),
`unanswered` (the queue, and resolving it), `models` (what loads offline; downloading the
rest) and `backup` (make, list, restore)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.app import backups
from bot.config import Settings
from bot.render import text as render
from bot.terminal.commands.base import CLI, Command, Output, Session, positive
from bot.terminal.spec import CommandParser


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
        "--limit", type=positive(int, 1, 1000), default=100, help="group the newest this many"
    )
    resolve = actions.add_parser(
        "resolve",
        help="point a queued question (and its near-duplicates) at a card, or answer it; "
        "it then answers that way for everyone (instructor)",
    )
    resolve.add_argument("id", type=positive(int, 1, 2**62), help="the #id from the list")
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


COMMANDS: list[Command] = [
    Command("ingest", "add instructor documents (txt, md, pdf) to the knowledge base", cmd_ingest, _ingest_args),
    Command("unanswered", "the instructor's queue (grouped) and resolving it: list, resolve ID --card CARD | --answer TEXT", cmd_unanswered, _unanswered_args),
    Command("models", "models available offline, what each demo uses; download fetches the rest", cmd_models, _models_args, frozenset({CLI})),
    Command("backup", "a consistent copy of the database, safe while the bot runs", cmd_backup, _backup_args, frozenset({CLI})),
]  # fmt: skip
