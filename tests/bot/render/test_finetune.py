"""What a class reads about fine-tune jobs, from bot/render/finetune.py: news as they run,
the list, a try, and the leaderboard."""

from bot.app.finetune import JobEvent
from bot.app.results import Entry, FinetuneBoard, JobView, TryReply
from bot.render.finetune import (
    render_finetune_leaderboard,
    render_job_event,
    render_jobs,
    render_try,
)
from bot.store.enums import JobStatus
from skills.finetune.predict import Prediction


def event(kind: str, **data) -> JobEvent:
    return JobEvent(41, 3, "Ana Lima", "morning", "jobs", kind, data)


def test_a_queued_job_says_its_place_its_wait_and_what_its_preset_gives():
    measured = event(
        "queued",
        position=2,
        wait_seconds=300.0,
        preset="quick",
        expected_seconds=75.0,
        expected_accuracy=0.853,
        measured_on="an NVIDIA H200",
    )
    assert render_job_event(measured) == (
        "[job #3, Ana Lima] queued (position 2; about 5 min to wait). Preset quick: about 75 s "
        "from start to result and about 85% dev accuracy (measured on an NVIDIA H200)."
    )
    unmeasured = event("queued", position=1, wait_seconds=0, preset="full")
    assert render_job_event(unmeasured) == (
        "[job #3, Ana Lima] queued (position 1). Preset full: not yet measured on this hardware."
    )
    assert render_job_event(event("queued")) == "[job #3, Ana Lima] queued (position ?)."


def test_a_started_job_says_what_it_trains_and_how_much_of_it():
    started = event(
        "started",
        model="distilbert-base-uncased",
        method="lora",
        device="cuda",
        train_examples=67349,
        total_steps=2105,
        trainable_params=739586,
        total_params=67694596,
    )
    assert render_job_event(started) == (
        "[job #3, Ana Lima] training distilbert-base-uncased (lora) on cuda: 67,349 examples, "
        "2105 steps; 739,586 of 67,694,596 parameters trainable (1.09%)."
    )


def test_progress_and_evaluations_as_a_job_runs():
    progress = event("progress", step=50, total_steps=200, loss=0.6931, examples_per_second=812.4)
    assert render_job_event(progress) == (
        "[job #3, Ana Lima] step 50/200 ██········ loss 0.693, 812 examples/s"  # 2.5 cells: 2
    )
    evaluation = event("evaluation", dev_accuracy=0.8125, step=100)
    assert render_job_event(evaluation) == (
        "[job #3, Ana Lima] dev accuracy so far: 81.2% (step 100, on a sample)"
    )


def test_a_finished_job_with_its_loss_curve_and_a_diagnosis():
    done = event(
        "succeeded",
        dev_accuracy=0.8807,
        train_seconds=94.6,
        trainable_params=739586,
        total_params=67694596,
        trainable_share=0.010925,
        loss_curve="/data/finetune/41/loss.png",
        diagnosis="the loss was still falling: more epochs may help.",
    )
    assert render_job_event(done).splitlines() == [
        "[job #3, Ana Lima] done: dev accuracy 88.1% after 95 s of training; 739,586 trainable "
        "of 67,694,596 (1.09%). Loss curve: /data/finetune/41/loss.png",
        "[job #3, Ana Lima] Note: the loss was still falling: more epochs may help.",
    ]
    in_chat = render_job_event(done, paths=False)
    assert "Loss curve" not in in_chat and "/data/finetune" not in in_chat


def test_a_failed_or_cancelled_job_says_why_or_by_whom():
    assert render_job_event(event("failed", reason="CUDA out of memory")) == (
        "[job #3, Ana Lima] failed: CUDA out of memory"
    )
    assert render_job_event(event("cancelled", by="Professor Ada")) == (
        "[job #3, Ana Lima] cancelled: Professor Ada"
    )
    assert render_job_event(event("interrupted")) == "[job #3, Ana Lima] interrupted"


def view(number, status, **changes) -> JobView:
    fields = {
        "id": 100 + number,
        "number": number,
        "owner": "Ana Lima",
        "team": 2,
        "status": status,
        "progress": 0.0,
        "dev_accuracy": None,
        "reason": None,
    }
    return JobView(**(fields | changes))


def test_the_job_list_is_one_line_per_job_by_its_class_number():
    jobs = [
        view(4, JobStatus.RUNNING, progress=0.456),
        view(3, JobStatus.SUCCEEDED, dev_accuracy=0.8807, progress=1.0),
        view(2, JobStatus.FAILED, team=None, owner="Bo Chen", reason="CUDA out of memory on GPU 0"),
        view(1, JobStatus.QUEUED),
    ]
    assert render_jobs(jobs).splitlines() == [
        "#4 running 46% - Ana Lima team2",
        "#3 succeeded dev 88.1% - Ana Lima team2",
        "#2 failed - Bo Chen (CUDA out of memory on GPU 0)",
        "#1 queued - Ana Lima team2",
    ]
    assert (
        render_jobs(jobs, reason_chars=12).splitlines()[2] == "#2 failed - Bo Chen (CUDA out of…)"
    )
    assert render_jobs([]) == "No fine-tune jobs yet."


def test_a_try_shows_the_fine_tuned_model_beside_the_untrained_head():
    reply = TryReply(
        3,
        "a gorgeous, witty film",
        "distilbert/distilbert-base-uncased",
        "lora",
        Prediction("1 (positive)", {"0 (negative)": 0.04, "1 (positive)": 0.96}),
        Prediction("0 (negative)", {"0 (negative)": 0.52, "1 (positive)": 0.48}),
    )
    assert render_try(reply).splitlines() == [
        "Job #3 (distilbert-base-uncased, lora) on: a gorgeous, witty film",
        "  fine-tuned:             1 (positive)",
        "      0 (negative)   ·········· 4.0%",
        "      1 (positive)   ██████████ 96.0%",
        "  before (untrained head): 0 (negative)",
        "      0 (negative)   █████····· 52.0%",
        "      1 (positive)   █████····· 48.0%",
        "The base model knows language but not the task: its new head guesses. The fine-tuned "
        "model learned the task from its training examples; it can still be wrong on yours.",
    ]


def entry(name, accuracy, runs, share=0.0109, seconds=94.6) -> Entry:
    return Entry(
        name, accuracy, runs, 7, "distilbert/distilbert-base-uncased", "lora", share, seconds
    )


def test_the_finetune_leaderboard_shows_teams_then_students_and_the_handouts_figures():
    board = FinetuneBoard(
        [entry("team2", 0.9106, 3), entry("team4", 0.88, 1, share=None, seconds=None)],
        [entry("Ana Lima", 0.9106, 2)],
    )
    assert render_finetune_leaderboard(board).splitlines() == [
        "Teams (best SST-2 dev accuracy):",
        "  1. team2: 91.1% (distilbert-base-uncased lora, 1.09% trainable, 95 s; 3 runs)",
        "  2. team4: 88.0% (distilbert-base-uncased lora; 1 run)",
        "Students (best SST-2 dev accuracy):",
        "  1. Ana Lima: 91.1% (distilbert-base-uncased lora, 1.09% trainable, 95 s; 2 runs)",
        "For reference, the handout's full fine-tunes on SST-2: DistilBERT 89%, BERT-base 92%, "
        "RoBERTa 94%, DeBERTa 95%.",
    ]


def test_a_leaderboard_without_finished_runs_and_one_cut_at_ten():
    empty = render_finetune_leaderboard(FinetuneBoard([], []))
    assert empty.splitlines()[0] == "No finished fine-tunes yet."
    assert empty.splitlines()[1].startswith("For reference, the handout's")
    many = FinetuneBoard([], [entry(f"S{n}", 0.9 - n / 100, 1) for n in range(12)])
    lines = render_finetune_leaderboard(many).splitlines()
    assert lines[0] == "Students (best SST-2 dev accuracy):" and len(lines) == 12
    assert lines[10].startswith("  10. S9: 81.0%")


def test_a_wait_under_ninety_seconds_is_in_seconds_and_longer_in_minutes():
    def waiting(seconds: float) -> str:
        return render_job_event(event("queued", position=3, wait_seconds=seconds))

    assert waiting(89.0) == "[job #3, Ana Lima] queued (position 3; about 89 s to wait)."
    assert waiting(90.0) == "[job #3, Ana Lima] queued (position 3; about 2 min to wait)."
    assert waiting(1800.0) == "[job #3, Ana Lima] queued (position 3; about 30 min to wait)."


def test_a_finished_job_without_a_curve_or_a_diagnosis_is_one_line():
    done = event(
        "succeeded",
        dev_accuracy=0.5,
        train_seconds=12.0,
        trainable_params=1_000,
        total_params=2_000_000,
        trainable_share=0.0005,
    )
    assert render_job_event(done) == (
        "[job #3, Ana Lima] done: dev accuracy 50.0% after 12 s of training; 1,000 trainable "
        "of 2,000,000 (0.05%)."
    )


def test_a_cancelled_job_and_a_reason_short_enough_to_keep_whole():
    jobs = [
        view(7, JobStatus.CANCELLED, reason="cancelled by Professor Ada"),
        view(6, JobStatus.INTERRUPTED, team=None, reason="the bot restarted"),
    ]
    assert render_jobs(jobs, reason_chars=26).splitlines() == [
        "#7 cancelled - Ana Lima team2 (cancelled by Professor Ada)",  # exactly 26: kept
        "#6 interrupted - Ana Lima (the bot restarted)",
    ]
    assert render_jobs(jobs, reason_chars=25).splitlines()[0] == (
        "#7 cancelled - Ana Lima team2 (cancelled by Professor A…)"
    )


def test_a_leaderboard_of_teams_only_has_no_students_heading():
    board = FinetuneBoard([entry("team1", 0.8, 1)], [], reference=(("Tiny", "1M", 0.5),))
    assert render_finetune_leaderboard(board).splitlines() == [
        "Teams (best SST-2 dev accuracy):",
        "  1. team1: 80.0% (distilbert-base-uncased lora, 1.09% trainable, 95 s; 1 run)",
        "For reference, the handout's full fine-tunes on SST-2: Tiny 50%.",
    ]
