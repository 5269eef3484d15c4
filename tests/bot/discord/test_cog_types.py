"""Cogs are typed: they take the TutorBot and reach its application without type: ignore."""

import inspect
from pathlib import Path

from bot.discord.app import TutorBot, discover_cogs

COGS = Path(__file__).resolve().parents[3] / "bot" / "discord" / "cogs"


def test_every_cog_takes_a_tutor_bot_and_needs_no_ignores(tutor):
    import asyncio

    bot = TutorBot(tutor)
    asyncio.run(bot.load_cogs())
    assert len(bot.cogs) == len(discover_cogs()) >= 6
    for cog in bot.cogs.values():
        annotation = inspect.signature(type(cog).__init__).parameters["bot"].annotation
        assert annotation in ("TutorBot", TutorBot), type(cog).__name__
    for source in COGS.glob("*.py"):
        assert "type: ignore[attr-defined]" not in source.read_text(), source.name
