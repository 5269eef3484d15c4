"""Fine-tunes: a job's news as it runs, trying a finished job's model, the list of jobs and
the leaderboard."""

from __future__ import annotations

from bot.app.finetune import JobEvent
from bot.app.results import FinetuneBoard, JobView, TryReply
from bot.render.base import bar


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def _expectation(d: dict) -> str:
    """What the job's preset takes and gives, as measured on this kind of hardware."""
    if d.get("expected_seconds") is None:
        return f"Preset {d['preset']}: not yet measured on this hardware."
    return (
        f"Preset {d['preset']}: about {_duration(d['expected_seconds'])} from start to result "
        f"and about {d['expected_accuracy']:.0%} dev accuracy (measured on {d['measured_on']})."
    )


def render_job_event(event: JobEvent, *, paths: bool = True) -> str:
    """One job's news; without `paths` (chat), the loss curve is not named by its path (the
    chat frontend attaches the picture instead)."""
    d = event.data
    head = f"[job #{event.number}, {event.owner}]"
    if event.kind == "queued":
        wait = d.get("wait_seconds")
        about = f"; about {_duration(wait)} to wait" if wait else ""
        text = f"{head} queued (position {d.get('position', '?')}{about})."
        return f"{text} {_expectation(d)}" if d.get("preset") else text
    if event.kind == "evaluation":
        return (
            f"{head} dev accuracy so far: {d['dev_accuracy']:.1%} (step {d['step']}, on a sample)"
        )
    if event.kind == "started":
        share = d["trainable_params"] / max(d["total_params"], 1)
        return (
            f"{head} training {d['model']} ({d['method']}) on {d['device']}: {d['train_examples']:,} examples, "
            f"{d['total_steps']} steps; {d['trainable_params']:,} of {d['total_params']:,} parameters trainable ({share:.2%})."
        )
    if event.kind == "progress":
        return (
            f"{head} step {d['step']}/{d['total_steps']} {bar(d['step'] / max(d['total_steps'], 1), 10)} "
            f"loss {d['loss']:.3f}, {d['examples_per_second']:.0f} examples/s"
        )
    if event.kind == "succeeded":
        text = (
            f"{head} done: dev accuracy {d['dev_accuracy']:.1%} after {d['train_seconds']:.0f} s of training; "
            f"{d['trainable_params']:,} trainable of {d['total_params']:,} ({d['trainable_share']:.2%})."
        )
        if paths and d.get("loss_curve"):
            text += f" Loss curve: {d['loss_curve']}"
        if d.get("diagnosis"):
            text += f"\n{head} Note: {d['diagnosis']}"
        return text
    return f"{head} {event.kind}: {d.get('reason') or d.get('by') or ''}".rstrip(": ")


def render_try(reply: TryReply) -> str:
    model = reply.model.split("/")[-1]
    lines = [
        f"Job #{reply.job} ({model}, {reply.method}) on: {reply.text}",
        f"  fine-tuned:             {reply.fine_tuned.label}",
    ]
    lines += [
        f"      {label:<14} {bar(p, 10)} {p:.1%}"
        for label, p in reply.fine_tuned.probabilities.items()
    ]
    lines.append(f"  before (untrained head): {reply.untrained.label}")
    lines += [
        f"      {label:<14} {bar(p, 10)} {p:.1%}"
        for label, p in reply.untrained.probabilities.items()
    ]
    lines.append(
        "The base model knows language but not the task: its new head guesses. The fine-tuned "
        "model learned the task from its training examples; it can still be wrong on yours."
    )
    return "\n".join(lines)


def render_jobs(jobs: list[JobView], *, reason_chars: int | None = None) -> str:
    """One line per job; `reason_chars` cuts long failure reasons (a list in a chat)."""
    if not jobs:
        return "No fine-tune jobs yet."
    lines = []
    for j in jobs:
        accuracy = f" dev {j.dev_accuracy:.1%}" if j.dev_accuracy is not None else ""
        progress = f" {j.progress:.0%}" if j.status == "running" else ""
        why = j.reason or ""
        if reason_chars is not None and len(why) > reason_chars:
            why = why[: reason_chars - 1] + "…"
        reason = f" ({why})" if why else ""
        team = f" team{j.team}" if j.team else ""
        lines.append(f"#{j.number} {j.status}{progress}{accuracy} - {j.owner}{team}{reason}")
    return "\n".join(lines)


def render_finetune_leaderboard(board: FinetuneBoard) -> str:
    if not board.teams and not board.students:
        lines = ["No finished fine-tunes yet."]
    else:
        lines = []
        for title, entries in (("Teams", board.teams), ("Students", board.students)):
            if not entries:
                continue
            lines.append(f"{title} (best SST-2 dev accuracy):")
            for i, e in enumerate(entries[:10], 1):
                share = f", {e.trainable_share:.2%} trainable" if e.trainable_share else ""
                seconds = f", {e.train_seconds:.0f} s" if e.train_seconds is not None else ""
                model = e.model.split("/")[-1]
                lines.append(
                    f"  {i}. {e.name}: {e.dev_accuracy:.1%} ({model} {e.method}{share}{seconds}; "
                    f"{e.runs} run{'s' if e.runs != 1 else ''})"
                )
    reference = ", ".join(f"{m} {a:.0%}" for m, _, a in board.reference)
    lines.append(f"For reference, the handout's full fine-tunes on SST-2: {reference}.")
    return "\n".join(lines)
