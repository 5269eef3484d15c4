"""The training program, run as its own process by the job runner:

    python -m skills.finetune.train CONFIG.json [--events EVENTS.jsonl]

It writes one JSON object per line (to stdout, or --events): `started`, `progress` (step, loss,
throughput), `evaluation`, `finished` or `failed` (with a `kind`: config, data, model, oom,
error). Fast by design: bf16 autocast on GPU, length-grouped batches with dynamic padding, and
no host sync per step beyond the progress events.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from skills.finetune.config import ConfigError, TrainConfig
from skills.finetune.data import (
    DataError,
    Example,
    fetch_hub_dataset,
    length_grouped_batches,
    load_splits,
)
from skills.finetune.pooling import MeanPoolClassifier, load_encoder
from skills.finetune.remote import send_outputs
from skills.finetune.report import (
    diagnosis,
    git_revision,
    loss_curve_alt_text,
    loss_curve_png,
    versions,
)
from skills.models import ModelNotAllowed, ModelUnavailable, resolve_model

EXIT_FAILED, EXIT_BAD_INPUT, EXIT_OOM = 1, 2, 3


class Events:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.perf_counter()

    def emit(self, event: str, **fields: Any) -> None:
        record = {"event": event, "elapsed": round(time.perf_counter() - self.started, 3), **fields}
        self.stream.write(json.dumps(record) + "\n")
        self.stream.flush()


def pick_device(requested: str) -> str:
    import torch

    if requested != "auto":
        return requested
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def build_model(config: TrainConfig, num_labels: int):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model_dir = Path(config.model_dir) if config.model_dir else None
    source = resolve_model(config.model, model_dir=model_dir)
    kwargs = source.load_kwargs()
    tokenizer = AutoTokenizer.from_pretrained(**kwargs, trust_remote_code=False)
    if config.mean_pooling:
        body = load_encoder(**kwargs)
    else:
        body = AutoModelForSequenceClassification.from_pretrained(
            **kwargs, num_labels=num_labels, use_safetensors=True, trust_remote_code=False
        )
    if config.method == "lora":
        from peft import LoraConfig, TaskType, get_peft_model

        lora = LoraConfig(
            # With mean pooling the head lives outside the encoder and is trained as it is.
            task_type=None if config.mean_pooling else TaskType.SEQ_CLS,
            r=config.lora_r,
            lora_alpha=config.lora_alpha,
            lora_dropout=config.lora_dropout,
            target_modules=config.lora_targets,
        )
        from skills.finetune.peft_quiet import peft_wrapping

        with peft_wrapping():
            body = get_peft_model(body, lora)
    elif config.method == "freeze":
        freeze_bottom(body, config.freeze_layers)
    model = MeanPoolClassifier(body, num_labels) if config.mean_pooling else body
    return tokenizer, model


def parameter_groups(model, config: TrainConfig) -> list[dict[str, Any]]:
    """The body at the configured learning rate; a new classification head faster (it starts
    from random weights, the body from pre-trained ones)."""
    head_names = ("head.", "classifier.", "score.")
    head: list[Any] = []
    body: list[Any] = []
    for name, p in model.named_parameters():
        if p.requires_grad:
            (head if any(part in name for part in head_names) else body).append(p)
    return [{"params": body, "lr": config.lr}, {"params": head, "lr": config.head_lr}]


def freeze_bottom(model, layers: int) -> None:
    """Freeze the embeddings and the bottom `layers` encoder layers (the course's recipe)."""
    base = getattr(model, model.base_model_prefix, model)  # a bare encoder is its own base
    for p in base.embeddings.parameters():
        p.requires_grad = False
    blocks = getattr(getattr(base, "encoder", base), "layer", None) or getattr(
        getattr(base, "transformer", base), "layer", []
    )
    for block in list(blocks)[:layers]:
        for p in block.parameters():
            p.requires_grad = False


def encode(tokenizer, examples: list[Example], max_length: int) -> list[list[int]]:
    return tokenizer([e.text for e in examples], truncation=True, max_length=max_length)[
        "input_ids"
    ]


def collate(ids: list[list[int]], pad_id: int, device: str):
    import torch

    width = max(len(x) for x in ids)
    input_ids = torch.full((len(ids), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for row, x in enumerate(ids):
        input_ids[row, : len(x)] = torch.tensor(x)
        mask[row, : len(x)] = 1
    return input_ids.to(device, non_blocking=True), mask.to(device, non_blocking=True)


MIN_STEPS_PER_CHECK = 5
EVAL_BATCH = 64


def evaluate(
    model, ids: list[list[int]], labels: list[int], pad_id: int, device: str, use_bf16: bool
) -> float:
    import torch

    model.eval()
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    correct = torch.zeros((), dtype=torch.long, device=device)
    with (
        torch.inference_mode(),
        torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=use_bf16),
    ):
        # Batches of 64 (sorted by length): on a CPU a few times faster per sentence than 256.
        for start in range(0, len(order), EVAL_BATCH):
            batch = order[start : start + EVAL_BATCH]
            input_ids, mask = collate([ids[i] for i in batch], pad_id, device)
            predictions = model(input_ids=input_ids, attention_mask=mask).logits.argmax(-1)
            gold = torch.tensor([labels[i] for i in batch], device=device)
            correct += (predictions == gold).sum()
    model.train()
    return correct.item() / max(1, len(ids))


def train(config: TrainConfig, events: Events) -> dict[str, Any]:
    import torch

    random.seed(config.seed)
    torch.manual_seed(config.seed)
    device = pick_device(config.device)
    use_bf16 = device == "cuda" and torch.cuda.is_bf16_supported()
    if device == "cuda" and config.gpu_memory_fraction:
        torch.cuda.set_per_process_memory_fraction(config.gpu_memory_fraction)
    # On a CPU an unlimited run would take hours: without an explicit max_train, the CPU
    # preset's subset (under a minute on 2 cores; about 85% SST-2 dev with MiniLM).
    max_train, min_words = config.subset(device)
    data = Path(config.data)
    if config.data.startswith("hub:"):
        data = fetch_hub_dataset(
            config.data.removeprefix("hub:"), Path(config.output_dir).parent / "datasets"
        )
    train_set, dev_set, label_names = load_splits(
        data,
        Path(config.dev_data) if config.dev_data else None,
        seed=config.seed,
        max_train=max_train,
        max_eval=config.max_eval,
        min_words=min_words,
    )
    tokenizer, model = build_model(config, len(label_names))
    model.to(device)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    train_ids, dev_ids = (
        encode(tokenizer, train_set, config.max_length),
        encode(tokenizer, dev_set, config.max_length),
    )
    train_labels = [e.label for e in train_set]
    pad_id = tokenizer.pad_token_id or 0
    steps_per_epoch = math.ceil(len(train_ids) / config.batch_size)
    total_steps = max(1, math.ceil(steps_per_epoch * config.epochs))
    events.emit(
        "started",
        model=config.model,
        method=config.method,
        device=device,
        bf16=use_bf16,
        trainable_params=trainable,
        total_params=total,
        train_examples=len(train_ids),
        dev_examples=len(dev_ids),
        labels=label_names,
        total_steps=total_steps,
        config=config.to_json(),
        versions=versions(),
        git_revision=git_revision(),
    )
    optimizer = torch.optim.AdamW(
        parameter_groups(model, config),
        weight_decay=config.weight_decay,
        fused=device == "cuda",
    )
    warmup = max(1, int(config.warmup_ratio * total_steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: min((s + 1) / warmup, max(0.0, (total_steps - s) / max(1, total_steps - warmup))),
    )
    rng = random.Random(config.seed)
    lengths = [len(x) for x in train_ids]
    model.train()
    running = torch.zeros((), device=device)
    curve: list[tuple[int, float]] = []
    # Dev accuracy a few times during training, on a sample of the dev set (cheap on a CPU;
    # evaluation_sample 0 = the whole dev set), its time kept out of the training time;
    # the last measurement is the whole dev set. A run too short to have a curve (fewer than
    # MIN_STEPS_PER_CHECK steps between checks) skips them: on a CPU each one costs far more
    # than such a run's training (a 4-step run: 3 s training, 18 s of checks).
    every = total_steps / config.evaluations
    check_at = (
        {max(1, round(every * k)) for k in range(1, config.evaluations)}
        if every >= MIN_STEPS_PER_CHECK
        else set()
    )
    size = config.evaluation_sample or len(dev_ids)
    sample = dev_ids[:size], [e.label for e in dev_set][:size]
    evaluations: list[tuple[int, float]] = []
    step, seen, since, started = 0, 0, 0, time.perf_counter()
    last_report, evaluating = started, 0.0
    while step < total_steps:
        for batch in length_grouped_batches(lengths, config.batch_size, rng):
            if step >= total_steps:
                break
            input_ids, mask = collate([train_ids[i] for i in batch], pad_id, device)
            gold = torch.tensor([train_labels[i] for i in batch], device=device)
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=use_bf16):
                loss = model(input_ids=input_ids, attention_mask=mask, labels=gold).loss
            loss.backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            running += loss.detach()  # stays on the device: no sync per step
            step, seen, since = step + 1, seen + len(batch), since + 1
            # Progress by steps and by time (and at the first step), so a short job or a slow
            # machine still shows it is moving.
            now = time.perf_counter()
            if (
                step == 1
                or step % config.progress_every == 0
                or step == total_steps
                or now - last_report >= config.progress_seconds
            ):
                last_report = now
                mean = running.item() / since  # the only host sync, every progress_every steps
                if not math.isfinite(mean):
                    raise FloatingPointError(
                        "the loss became NaN or infinite: lower the learning rate"
                    )
                curve.append((step, mean))
                elapsed = time.perf_counter() - started - evaluating
                events.emit(
                    "progress",
                    step=step,
                    total_steps=total_steps,
                    epoch=round(step / steps_per_epoch, 3),
                    loss=round(mean, 5),
                    examples_per_second=round(seen / elapsed, 1),
                    train_seconds=round(elapsed, 2),
                )
                running.zero_()
                since = 0
            if step in check_at and sample[0]:
                paused = time.perf_counter()
                trained = paused - started - evaluating
                score = evaluate(model, sample[0], sample[1], pad_id, device, use_bf16)
                evaluating += time.perf_counter() - paused
                evaluations.append((step, score))
                events.emit(
                    "evaluation",
                    step=step,
                    dev_accuracy=round(score, 5),
                    sample=size < len(dev_ids),
                    during_training=True,
                    train_seconds=round(trained, 2),
                )
    if device == "cuda":
        torch.cuda.synchronize()
    train_seconds = time.perf_counter() - started - evaluating
    # The last measurement with LoRA's update merged into the weights: the same function,
    # a third less time on a CPU (no separate low-rank products). Unmerged to save the adapter.
    lora = getattr(model, "encoder", model) if config.method == "lora" else None
    if lora is not None:
        lora.merge_adapter()
    accuracy = evaluate(model, dev_ids, [e.label for e in dev_set], pad_id, device, use_bf16)
    if lora is not None:
        lora.unmerge_adapter()
    events.emit(
        "evaluation",
        step=step,
        dev_accuracy=round(accuracy, 5),
        dev_examples=len(dev_ids),
        train_seconds=round(train_seconds, 2),
    )
    evaluations.append((step, accuracy))
    counts = [e.label for e in dev_set]
    majority = max((counts.count(label) for label in set(counts)), default=0) / max(1, len(counts))
    warning = diagnosis(
        accuracy, majority, steps=step, method=config.method, learning_rate=config.lr
    )
    output = Path(config.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    saved = output / ("adapter" if config.method == "lora" else "model")
    model.save_pretrained(saved, safe_serialization=True)
    tokenizer.save_pretrained(saved)
    title = f"{Path(config.model).name} {config.method}"
    curve_path = loss_curve_png(curve, accuracy, title, output / "loss_curve.png", evaluations)
    return {
        "status": "succeeded",
        "dev_accuracy": round(accuracy, 5),
        "train_seconds": round(train_seconds, 2),
        "trainable_params": trainable,
        "total_params": total,
        "trainable_share": round(trainable / total, 6),
        "train_examples": len(train_ids),
        "steps": step,
        "labels": label_names,
        "device": device,
        "saved": str(saved),
        "loss_curve": str(curve_path),
        "loss_curve_alt_text": loss_curve_alt_text(curve, accuracy, title),
        "losses": curve,
        "evaluations": evaluations,
        "diagnosis": warning,
        "config": config.to_json(),
        "versions": versions(),
        "git_revision": git_revision(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run one fine-tune and write JSON-lines events.")
    parser.add_argument("config", type=Path)
    parser.add_argument("--events", type=Path, help="write events here instead of stdout")
    parser.add_argument(
        "--send-outputs",
        action="store_true",
        help="send the saved model and loss curve back as events (a run on another machine)",
    )
    args = parser.parse_args(argv)
    stream = args.events.open("a") if args.events else sys.stdout
    events = Events(stream)
    try:
        config = TrainConfig.load(args.config).validate()
        result = train(config, events)
    except (ConfigError, DataError, ModelNotAllowed) as exc:
        events.emit("failed", kind="config", reason=str(exc))
        return EXIT_BAD_INPUT
    except ModelUnavailable as exc:
        events.emit("failed", kind="model", reason=str(exc))
        return EXIT_BAD_INPUT
    except Exception as exc:  # OOM and anything else: reported, never a silent death
        import torch

        if isinstance(exc, torch.cuda.OutOfMemoryError):
            events.emit(
                "failed",
                kind="oom",
                reason="GPU out of memory: try a smaller batch size, LoRA, or a smaller model",
            )
            return EXIT_OOM
        events.emit("failed", kind="error", reason=f"{type(exc).__name__}: {exc}")
        return EXIT_FAILED
    if args.send_outputs:
        send_outputs(events.emit, Path.cwd(), result)
    events.emit("finished", **result)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # Everything is written and flushed: skip the interpreter's teardown of torch and its
    # threads (a second or more per job on a CPU, which a class's queue waits for).
    os._exit(code)
