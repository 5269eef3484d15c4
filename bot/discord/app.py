"""The Discord bot: one TutorBot, cogs discovered from bot/discord/cogs, one error handler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pkgutil
import signal
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.app.tutor import Tutor
from bot.discord import cogs
from bot.discord.interact import send_ephemeral
from bot.errors import TutorError, bug_message, report_bug

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
            # No prefix commands exist: a mention is a question, handled by the Ask cog.
            command_prefix=commands.when_mentioned_or(),
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),  # nothing the bot says pings anyone
            help_command=None,
        )
        self.tutor = tutor
        self.settings = tutor.settings
        self.titles = tutor.titles
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
        # Load the models before reporting ready, so the first /ask is answered at full speed.
        await asyncio.to_thread(self.tutor.warm_up)

    async def on_command_error(self, context: commands.Context, error: Exception) -> None:
        """Mentions reach the Ask cog; the prefix machinery has nothing to say about them."""
        if not isinstance(error, commands.CommandNotFound):
            log.error("prefix command failed", exc_info=error)

    def channel(self, channel_id: str) -> discord.abc.Messageable | None:
        """The channel an application event names, if this bot can post there."""
        found = self.get_channel(int(channel_id)) if channel_id.isdigit() else None
        return found if isinstance(found, discord.abc.Messageable) else None

    def from_thread(
        self, coroutine: Callable[[Any], Coroutine[Any, Any, None]]
    ) -> Callable[[Any], None]:
        """Wrap an async event handler so the timer thread can call it; its errors are logged."""

        def done(future: Any) -> None:
            error = future.exception()
            if error is not None:
                report_bug(error, f"posting {coroutine.__name__}")

        def call(event: Any) -> None:
            try:
                loop = self.loop
            except AttributeError:  # not logged in yet (e.g. building commands offline)
                return
            if loop.is_running():
                asyncio.run_coroutine_threadsafe(coroutine(event), loop).add_done_callback(done)

        return call

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await send_ephemeral(interaction, error_message(error, interaction))

    async def close(self) -> None:
        await super().close()
        self.tutor.close()


def error_message(error: BaseException, interaction: discord.Interaction) -> str:
    """What the user sees for an error: their mistake's message, or an apology with a ref."""
    original = getattr(error, "original", error)
    if isinstance(original, TutorError):
        return str(original)
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You cannot use this command here."
    command = getattr(interaction.command, "qualified_name", "a component")
    return bug_message(report_bug(original, f"/{command}"))


def payloads(tutor: Tutor) -> list[dict[str, Any]]:
    """The slash-command payloads the bot syncs, built offline (no token, no network)."""

    async def build() -> list[dict[str, Any]]:
        bot = TutorBot(tutor)
        await bot.load_cogs()
        return [command.to_dict(bot.tree) for command in bot.tree.get_commands()]

    return asyncio.run(build())


def run(tutor: Tutor) -> int:
    """Run until SIGTERM or Ctrl-C; returns the exit code."""
    token = tutor.settings.discord_token
    assert token is not None
    try:
        TutorBot(tutor).run(token.get_secret_value(), log_handler=None)
    except discord.LoginFailure:
        log.error("Discord refused the token: check TUTOR_DISCORD_TOKEN.")
        return 2
    except (aiohttp.ClientConnectionError, OSError) as exc:
        log.error("Cannot reach Discord (%s). Check the network; tutor chat works offline.", exc)
        return 1
    return 0
