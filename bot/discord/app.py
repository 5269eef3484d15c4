"""The Discord bot: one TutorBot, cogs discovered from bot/discord/cogs, one error handler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pkgutil
import signal
from collections.abc import Callable, Coroutine
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import cogs
from bot.services import Tutor, UserInputError

log = logging.getLogger(__name__)
# The bot has no voice features; discord.py's "PyNaCl is not installed" warnings are noise.
logging.getLogger("discord.client").setLevel(logging.ERROR)


def discover_cogs() -> list[str]:
    return sorted(f"{cogs.__name__}.{m.name}" for m in pkgutil.iter_modules(cogs.__path__))


class TutorBot(commands.Bot):
    def __init__(self, tutor: Tutor) -> None:
        intents = discord.Intents.default()
        intents.message_content = True  # plain-chat triggers ("tokenize this: ...") need it
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),  # nothing the bot says pings anyone
            help_command=None,
        )
        self.tutor = tutor
        self.settings = tutor.settings
        self.titles = {c.id: c.title for c in tutor.cards}
        self.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    async def load_cogs(self) -> None:
        for name in discover_cogs():
            await self.load_extension(name)

    async def setup_hook(self) -> None:
        await self.load_cogs()
        for kind, lost in self.tutor.recover_interrupted().items():
            if lost:
                log.warning("interrupted by the last shutdown: %d %s: %s", len(lost), kind, lost)
        self.tutor.start_timers()
        # Clean shutdown on SIGTERM (not available off the main thread or on Windows).
        with contextlib.suppress(NotImplementedError, RuntimeError):
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGTERM, lambda: asyncio.ensure_future(self.close())
            )
        if self.settings.discord_guild_id:
            guild = discord.Object(id=self.settings.discord_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        log.info("synced %d slash commands", len(synced))

    def from_thread(
        self, coroutine: Callable[[Any], Coroutine[Any, Any, None]]
    ) -> Callable[[Any], None]:
        """Wrap an async event handler so the timer thread can call it safely."""

        def call(event: Any) -> None:
            try:
                loop = self.loop
            except AttributeError:  # not logged in yet (e.g. building commands offline)
                return
            if loop.is_running():
                asyncio.run_coroutine_threadsafe(coroutine(event), loop)

        return call

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        original = getattr(error, "original", error)
        if isinstance(original, UserInputError):
            message = str(original)
        elif isinstance(error, app_commands.CommandOnCooldown):
            message = f"Slow down a little: try again in {error.retry_after:.0f} s."
        elif isinstance(error, app_commands.CheckFailure):
            message = str(error) or "You cannot use this command here."
        else:
            log.error(
                "command %s failed", getattr(interaction.command, "name", "?"), exc_info=error
            )
            message = "Something went wrong on my side; the instructor can find it in the log."
        await send_ephemeral(interaction, message[:1900])

    async def close(self) -> None:
        await super().close()
        self.tutor.close()


async def send_ephemeral(interaction: discord.Interaction, content: str) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True)
    else:
        await interaction.response.send_message(content, ephemeral=True)


def payloads(tutor: Tutor) -> list[dict[str, Any]]:
    """The slash-command payloads the bot syncs, built offline (no token, no network)."""

    async def build() -> list[dict[str, Any]]:
        bot = TutorBot(tutor)
        await bot.load_cogs()
        return [command.to_dict(bot.tree) for command in bot.tree.get_commands()]

    return asyncio.run(build())


def run(tutor: Tutor) -> None:
    token = tutor.settings.discord_token
    assert token is not None
    TutorBot(tutor).run(token.get_secret_value(), log_handler=None)
