"""The Discord bot: one TutorBot, cogs discovered from bot/discord/cogs, one error handler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pkgutil
import signal
import sys
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.app.tutor import Recovered, Tutor
from bot.config import Settings
from bot.discord import cogs, format
from bot.discord.interact import answer_error, fit, message_parts
from bot.errors import report_bug

log = logging.getLogger(__name__)
# The bot has no voice features; discord.py's "PyNaCl is not installed" warnings are noise.
logging.getLogger("discord.client").setLevel(logging.ERROR)


def discover_cogs() -> list[str]:
    return sorted(f"{cogs.__name__}.{m.name}" for m in pkgutil.iter_modules(cogs.__path__))


class TutorBot(commands.Bot):
    def __init__(self, tutor: Tutor, **client_options: Any) -> None:
        intents = discord.Intents.default()
        intents.message_content = True  # plain-chat triggers ("tokenize this: ...") need it
        super().__init__(
            # No prefix commands exist: a mention is a question, handled by the Ask cog.
            command_prefix=commands.when_mentioned_or(),
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),  # nothing the bot says pings anyone
            help_command=None,
            **client_options,
        )
        self.tutor = tutor
        self.settings = tutor.settings
        self.titles = tutor.titles
        self.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]
        self.server_paths = server_paths(tutor.settings)
        # What the last shutdown cut short: the cogs tell each channel once ready.
        self.interrupted = Recovered([], [], [])

    async def load_cogs(self) -> None:
        for name in discover_cogs():
            await self.load_extension(name)

    async def setup_hook(self) -> None:
        await self.load_cogs()
        self.interrupted = self.tutor.recover_interrupted()
        if self.interrupted:
            log.warning("interrupted by the last shutdown: %s", self.interrupted)
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
            if future.cancelled():  # the bot is shutting down
                return
            error = future.exception()
            if error is not None:
                report_bug(error, f"posting {coroutine.__name__}")

        def call(event: Any) -> None:
            try:
                loop = self.loop
            except AttributeError:  # not logged in yet (e.g. building commands offline)
                return
            # Before login discord.py's `loop` is a sentinel, not a loop: an event then (a job
            # recovered at start-up) has no channel to reach yet.
            if isinstance(loop, asyncio.AbstractEventLoop) and loop.is_running():
                asyncio.run_coroutine_threadsafe(coroutine(event), loop).add_done_callback(done)

        return call

    async def post(
        self,
        channel_id: str,
        content: str | None = None,
        *,
        embed: discord.Embed | None = None,
        view: discord.ui.View | None = None,
        file: discord.File | None = None,
        what: str = "a message",
    ) -> discord.Message | None:
        """Post in a channel (the timer thread's announcements, questions and results), fitted
        to Discord's limits. If Discord refuses it anyway, the refusal is logged and the text
        goes out plainly, as a file when long, so the class still sees it. Returns the message
        people see (the one carrying `view`), or None if nothing could be posted."""
        channel = self.channel(channel_id)
        if channel is None:
            log.warning("cannot post %s: channel %s is not one this bot can see", what, channel_id)
            return None
        whole = "\n\n".join(
            part for part in (content, format.embed_as_text(embed) if embed else "") if part
        )
        chunks, fitted, files = fit(content, embed, paths=self.server_paths)
        if file is not None:
            files.insert(0, file)
        try:
            message = await channel.send(**message_parts(chunks, fitted, files, view))
            for chunk in chunks[1:]:
                await channel.send(chunk)
            return message
        except discord.HTTPException as refused:
            log.warning(
                "Discord refused %s in channel %s (HTTP %s, code %s): %s",
                what,
                channel_id,
                refused.status,
                refused.code,
                refused.text,
            )
        return await self._post_plainly(channel, channel_id, whole, view, what)

    async def _post_plainly(
        self,
        channel: discord.abc.Messageable,
        channel_id: str,
        text: str,
        view: discord.ui.View | None,
        what: str,
    ) -> discord.Message | None:
        """The fallback for a refused post: the same text, plainly, so it is still seen."""
        text = format.hide_paths(text, self.server_paths)
        notice = (
            f"({what[0].upper()}{what[1:]} could not be shown as usual; here it is as plain text.)"
        )
        body = f"{notice}\n{text}"
        long = len(body) > format.MESSAGE_LIMIT
        files = [format.as_file(text, "message.txt")] if long else []
        try:
            return await channel.send(
                **message_parts([format.clip(body, format.MESSAGE_LIMIT)], None, files, view)
            )
        except discord.HTTPException as refused:
            log.error(
                "Discord refused %s in channel %s even as plain text (HTTP %s): %s; nobody saw it",
                what,
                channel_id,
                refused.status,
                refused.text,
            )
            return None

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await answer_error(interaction, error)

    async def close(self) -> None:
        await super().close()
        self.tutor.close()


def server_paths(settings: Settings) -> list[str]:
    """Folders whose paths must never reach a message: where the bot keeps its data, models
    and temporary files, its installation and the home folder."""
    folders = [
        settings.data_dir,
        settings.index_path,
        settings.models_path,
        settings.finetune_data,
        tempfile.gettempdir(),
        Path.home(),
        sys.prefix,
        Path(__file__).resolve().parents[2],
    ]
    paths = [Path(f).expanduser() for f in folders if f]
    return sorted({str(p) for p in paths} | {str(p.resolve()) for p in paths})


class ShardedTutorBot(TutorBot, commands.AutoShardedBot):
    """The same bot over several gateway connections (discord.py's AutoShardedBot), for one
    process serving many servers: Discord requires shards from 2,500 servers. Nothing the bot
    stores depends on the shard a message came through."""


def bot_for(tutor: Tutor) -> TutorBot:
    """One connection, or shards when `discord_shards` is set (0: as many as Discord says)."""
    shards = tutor.settings.discord_shards
    if shards is None:
        return TutorBot(tutor)
    return ShardedTutorBot(tutor, shard_count=shards or None)


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
        bot_for(tutor).run(token.get_secret_value(), log_handler=None)
    except discord.LoginFailure:
        log.error("Discord refused the token: check TUTOR_DISCORD_TOKEN.")
        return 2
    except (aiohttp.ClientConnectionError, OSError) as exc:
        log.error("Cannot reach Discord (%s). Check the network; tutor chat works offline.", exc)
        return 1
    return 0
