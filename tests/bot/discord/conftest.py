"""Discord test helpers: the real TutorBot with its cogs loaded offline, and spec_set mocks of
Interaction whose response/followup record what the bot sent."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest

from bot.app.tutor import Tutor
from bot.discord.app import TutorBot


@pytest.fixture
def bot(settings, encoder, clock):
    tutor = Tutor(
        settings.model_copy(update={"model_cooldown_seconds": 0}), encoder=encoder, clock=clock
    )
    bot = TutorBot(tutor)
    asyncio.run(bot.load_cogs())
    yield bot
    tutor.close()


def make_interaction(
    bot, *, user_id=1, channel_id=100, guild_id=10, manage_guild=False, role_ids=()
):
    interaction = MagicMock(spec_set=discord.Interaction)
    response = MagicMock(spec_set=discord.InteractionResponse)
    state = {"done": False}

    async def finish(*args, **kwargs):
        state["done"] = True

    response.defer = AsyncMock(side_effect=finish)
    response.send_message = AsyncMock(side_effect=finish)
    response.send_modal = AsyncMock(side_effect=finish)
    response.is_done = MagicMock(side_effect=lambda: state["done"])
    interaction.response = response
    followup = MagicMock(spec_set=discord.Webhook)
    followup.send = AsyncMock()
    interaction.followup = followup
    user = MagicMock(spec_set=discord.Member)
    user.id = user_id
    user.name = f"user{user_id}"
    user.display_name = f"Student {user_id}"
    user.roles = [MagicMock(spec_set=discord.Role, id=r) for r in role_ids]
    user.guild_permissions = discord.Permissions(manage_guild=manage_guild)
    interaction.user = user
    interaction.channel_id = channel_id
    interaction.guild_id = guild_id
    interaction.delete_original_response = AsyncMock()
    interaction.client = bot
    interaction.guild = None
    interaction.command = None
    return interaction


def sent(interaction) -> list[dict]:
    """Everything sent as (kwargs + content) through response and followup, in order."""
    calls = []
    for method in (interaction.response.send_message, interaction.followup.send):
        for call in method.call_args_list:
            calls.append(
                {
                    "content": call.args[0] if call.args else call.kwargs.get("content"),
                    **call.kwargs,
                }
            )
    return calls


def run(coro):
    return asyncio.run(coro)


# --- end to end: the real bot process through discord.py, against a stand-in for Discord -----

LONG_CHOICE = (
    "a low-rank update, which is {} and which the class discussed at length while comparing "
    "adapters, prefix tuning and full fine-tuning on the same sentiment data, with the numbers "
    "from the handout and a long digression about learning rates, warm-up, batch sizes and "
    "what happens to the frozen weights when you merge the adapter back into the model at the end"
)
LONG_QUESTION = {
    "id": "imported-long-choices",
    "kind": "choice",
    "concepts": ["lora-and-peft"],
    "prompt": "Which statement about LoRA that an instructor imported is right? "
    + "(read all four) " * 10,
    "choices": [LONG_CHOICE.format(word) for word in ("right", "wrong", "doubtful", "made up")],
    "answer": 0,
    "explanation": "It is the first one.",
}
LONG_FAILURE = "RuntimeError: the data loader ran out of patience while " + "reading rows " * 40
BURST_STUDENTS = [f"burst{n:02d}" for n in range(60)]
CLASS_CHANNELS = ["class", "team1", "team2", "team3", "team4", "team5", "lab"]


def seed_class_history(data_dir: Path, second_class: str, tmp: Path) -> None:
    from bot.app.context import Actor
    from bot.config import Settings
    from bot.store import jobs as job_rows
    from bot.store.enums import JobStatus

    tutor = Tutor(Settings(data_dir=data_dir, _env_file=None))
    try:
        bank = tmp / "imported.toml"
        bank.write_text(_toml_bank(5, [LONG_QUESTION]))
        tutor.bank.import_questions(Actor("seed", "Seed"), bank, team=5, concepts=[])
        for n in range(18):
            job = tutor.store.write(
                lambda db, n=n: job_rows.insert_job(
                    db,
                    server=second_class,
                    owner=f"past-{n}",
                    team=1 + n % 5,
                    channel="0",
                    config={},
                )
            )
            tutor.store.write(
                job_rows.finish_job, job, JobStatus.FAILED, f"{LONG_FAILURE} #{n}", None
            )
    finally:
        tutor.close()


def _toml_bank(team: int, questions: list[dict]) -> str:
    import json

    lines = [f"team = {team}"]
    for q in questions:
        lines.append("\n[[questions]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in q.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def discord_class(tmp_path_factory, shared_index_dir, tiny_mlm_dir, sentiment_data):
    """Two Discord servers on a stand-in, and the real bot (`tutor run`) connected to both:
    started once per test session, stopped with SIGTERM by the last end-to-end test."""
    from tests.bot.discord.standin.harness import Discord

    work = tmp_path_factory.mktemp("discord")
    discord = Discord(work)
    server = discord.server
    first = server.add_guild("PLM class", CLASS_CHANNELS)
    second = server.add_guild("Evening class", CLASS_CHANNELS)
    for username, name in [
        ("ana", "Ana Lima"),
        ("bea", "Bea"),
        ("cai", "Cai"),
        ("dan", "Dan"),
        ("eve", "Eve"),
        ("fay", "Fay"),
    ]:
        server.add_person(username, name)
    server.join(first, "ana", "instructor")
    for student in ("bea", "cai", "dan"):
        server.join(first, student)
    server.join(second, "eve", "instructor")
    server.join(second, "fay")
    server.join(second, "bea")  # Bea takes both classes
    # A class of its own for the burst at a deadline, so its 60 students crowd no other test.
    crowd = server.add_guild("Burst class", CLASS_CHANNELS)
    server.join(crowd, "ana", "instructor")
    for student in BURST_STUDENTS:
        server.add_person(student, student.title())
        server.join(crowd, student)
    models = work / "models"
    models.mkdir()
    (models / "tiny-mlm").symlink_to(tiny_mlm_dir, target_is_directory=True)
    data = work / "data"
    seed_class_history(data, second.id, work)
    env = {
        "TUTOR_DISCORD_TOKEN": "stand-in-token",
        "TUTOR_DATA_DIR": str(data),
        "TUTOR_INDEX_DIR": str(shared_index_dir),
        "TUTOR_MODEL_DIR": str(models),
        "TUTOR_HUB_OFFLINE": "true",
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "TUTOR_QUIZ_GAP_SECONDS": "1",
        "TUTOR_MODEL_COOLDOWN_SECONDS": "2",
        "TUTOR_FINETUNE_DATA": str(sentiment_data),
        "TUTOR_FINETUNE_MAX_SECONDS": "240",
    }
    discord.start_bot(env)
    yield discord
    discord.close()
    E2E_SUMMARY.update(discord.summary())
    report = os.environ.get("TUTOR_E2E_REPORT")
    if report:  # the latencies and refusals, for a closing note or a comparison
        Path(report).write_text(json.dumps(E2E_SUMMARY, indent=2))


E2E_SUMMARY: dict = {}


def pytest_collection_modifyitems(items):
    """The tests that restart the shared bot process run after every other one (a restart
    forgets what the bot held in memory), and the test that stops it runs last."""

    def order(item) -> int:
        if item.get_closest_marker("stops_the_bot") is not None:
            return 2
        return 1 if item.get_closest_marker("restarts_the_bot") is not None else 0

    items.sort(key=order)


def pytest_terminal_summary(terminalreporter):
    if not E2E_SUMMARY:
        return
    s = E2E_SUMMARY
    write = terminalreporter.write_line
    write(
        f"Discord stand-in: ready after {s['ready_after_s']} s; {s['events']} events, first "
        f"response p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms; {len(s['refused'])} refused"
    )
    for kind, k in s["by_kind"].items():
        answer = (
            f"; answer p50 {k['answer_p50_ms']} ms, p95 {k['answer_p95_ms']} ms"
            if k["answer_p50_ms"] is not None
            else ""
        )
        write(
            f"  {kind:21} n={k['n']:3}  first response p50 {k['p50_ms']} ms, p95 {k['p95_ms']} ms{answer}"
        )
    for refusal in s["refused"]:
        write(f"  refused: {refusal['status']} {refusal['route']}: {refusal['problems']}")


@pytest.fixture
def first(discord_class):
    """The first class's server: Ana teaches Bea, Cai and Dan."""
    return discord_class.server.guilds["PLM class"]


@pytest.fixture
def second(discord_class):
    """The evening class: Eve teaches Fay and Bea."""
    return discord_class.server.guilds["Evening class"]
