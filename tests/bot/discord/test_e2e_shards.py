"""A bot for many servers runs sharded (TUTOR_DISCORD_SHARDS), end to end: discord.py's
AutoShardedBot opens one gateway connection per shard, each carries only its own servers'
events, and every server is served as by the one-connection bot, storing the same rows."""

from __future__ import annotations

import sqlite3
import time

import pytest

from tests.bot.discord.conftest import CLASS_CHANNELS
from tests.bot.discord.standin.server import shard_of
from tests.bot.discord.test_e2e_class_day import assert_clean

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_servers_on_each_shard_are_served_and_stored_alike(tmp_path, shared_index_dir):
    from tests.bot.discord.standin.harness import Discord

    discord = Discord(tmp_path / "discord")
    server = discord.server
    server.recommended_shards = 2  # TUTOR_DISCORD_SHARDS=0: the bot asks Discord how many
    guilds = []
    while {shard_of(g.id, 2) for g in guilds} != {0, 1}:
        guilds.append(server.add_guild(f"Class {len(guilds) + 1}", CLASS_CHANNELS))
        time.sleep(0.003)  # a guild id's shard comes from its creation time
    for n, guild in enumerate(guilds):
        server.add_person(f"student{n}", f"Student {n}")
        server.join(guild, f"student{n}")
    data = tmp_path / "data"
    try:
        discord.start_bot(
            {
                "TUTOR_DISCORD_TOKEN": "stand-in-token",
                "TUTOR_DISCORD_SHARDS": "0",
                "TUTOR_DATA_DIR": str(data),
                "TUTOR_INDEX_DIR": str(shared_index_dir),
                "TUTOR_HUB_OFFLINE": "true",
                "HF_HUB_OFFLINE": "1",
                "TOKENIZERS_PARALLELISM": "false",
            }
        )
        assert sorted(server.identified) == [[0, 2], [1, 2]]
        for n, guild in enumerate(guilds):
            reply = discord.slash(
                f"student{n}", guild, "class", "ask", {"question": "What is LoRA?"}
            )
            assert_clean(reply)
            assert "LoRA" in reply.text()
            joined = discord.slash(f"student{n}", guild, "team2", "quiz join", {"team": "team2"})
            assert_clean(joined)
            assert "team2" in joined.text().lower() or "team 2" in joined.text().lower()
        assert discord.log_problems() == []
    finally:
        discord.close()
    # What each server did is stored under its own id, whichever shard carried it.
    with sqlite3.connect(data / "tutor.db") as db:
        asked = {row[0] for row in db.execute("SELECT server FROM questions")}
    assert asked == {g.id for g in guilds}
