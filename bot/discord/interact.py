"""Answering interactions: defer first, run the Tutor off the event loop, then follow up.

Every reply goes through `respond` (or `reply_text`), which fits it into Discord's limits (an
embed clipped, long text split or attached as a file) and hides server paths. Every error,
from a slash command, a button or a form, reaches the person through `answer_error`: their
mistake's message, or an apology with a bug reference, privately; never "thinking…" forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.discord import format
from bot.discord.hints import HINTS
from bot.errors import TutorError, bug_message, report_bug

log = logging.getLogger(__name__)
T = TypeVar("T")
LONG_OUTPUT = "The output is long, so here it is as a file."


async def off_loop(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Model calls, embeddings, retrieval and SQLite never block the event loop."""
    return await asyncio.to_thread(work, *args, **kwargs)


def fit(
    content: str | None,
    embed: discord.Embed | None,
    *,
    paths: list[str],
    filename: str = "output.txt",
) -> tuple[list[str], discord.Embed | None, list[discord.File]]:
    """Content and embed within Discord's limits: the messages' texts (the first goes with the
    embed), the fitted embed, and files for what did not fit (the whole text, attached)."""
    files: list[discord.File] = []
    chunks: list[str] = []
    if content:
        content = format.hide_paths(content, paths)
        if len(content) > format.FILE_THRESHOLD:
            chunks, files = [LONG_OUTPUT], [format.as_file(content, filename)]
        else:
            chunks = format.split_message(content)
    if embed is not None:
        whole = format.embed_as_text(embed)
        embed, cut = format.fit_embed(embed)
        if cut:  # the full text, for whoever wants to read what the embed had to cut
            files.append(format.as_file(whole, "full-text.txt"))
    return chunks, embed, files


def message_parts(
    chunks: list[str],
    embed: discord.Embed | None = None,
    files: list[discord.File] | None = None,
    view: discord.ui.View | None = None,
) -> dict[str, Any]:
    """The keyword arguments of a first message: only what it has."""
    parts: dict[str, Any] = {}
    if chunks:
        parts["content"] = chunks[0]
    if embed is not None:
        parts["embed"] = embed
    if files:
        parts["files"] = files
    if view is not None:
        parts["view"] = view
    return parts


async def respond(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    file: discord.File | None = None,
    view: discord.ui.View | None = None,
    ephemeral: bool = False,
    filename: str = "output.txt",
) -> None:
    """Reply to an interaction (its response, or a followup after a defer), fitted."""
    chunks, embed, files = fit(content, embed, paths=server_paths(interaction), filename=filename)
    if file is not None:
        files.insert(0, file)
    first = message_parts(chunks, embed, files, view)
    if interaction.response.is_done():
        await interaction.followup.send(**first, ephemeral=ephemeral)
    else:
        await interaction.response.send_message(**first, ephemeral=ephemeral)
    for chunk in chunks[1:]:
        await interaction.followup.send(chunk, ephemeral=ephemeral)


async def reply_text(
    interaction: discord.Interaction,
    text: str,
    *,
    ephemeral: bool = False,
    filename: str = "output.txt",
) -> None:
    """Send text: split under 2,000 characters, or as a file when very long."""
    await respond(interaction, text, ephemeral=ephemeral, filename=filename)


def server_paths(interaction: discord.Interaction) -> list[str]:
    return list(getattr(interaction.client, "server_paths", []))


async def send_ephemeral(interaction: discord.Interaction, content: str) -> None:
    """A private message, whatever state the interaction is in.

    After a public defer, Discord gives the first followup the defer's visibility; so the
    public "thinking…" is removed first and the message goes out privately."""
    content = format.clip(format.hide_paths(content, server_paths(interaction)), 1900)
    if not interaction.response.is_done():
        await interaction.response.send_message(content, ephemeral=True)
        return
    with contextlib.suppress(discord.HTTPException):
        await interaction.delete_original_response()
    await interaction.followup.send(content, ephemeral=True)


async def privately(interaction: discord.Interaction, call: Any, *args: Any) -> Any:
    """A button's application call, answered to the clicker only: deferred privately, run off
    the event loop; a user mistake is shown to them and None returned."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    try:
        return await off_loop(call, *args)
    except TutorError as exc:
        await send_ephemeral(interaction, format.safe(exc.explained(HINTS)))
        return None


def option_refusal(error: app_commands.TransformerError) -> str:
    """A user mistake, in the person's terms: most often a member who has left the server."""
    kind = error.type
    if kind in (discord.AppCommandOptionType.user, discord.AppCommandOptionType.mentionable):
        return (
            "That person could not be found in this server (they may have left): "
            "choose someone who is a member now."
        )
    if kind == discord.AppCommandOptionType.channel:
        return "That channel could not be used here: choose a channel of this server."
    if kind == discord.AppCommandOptionType.role:
        return "That role could not be found in this server: choose one of its roles."
    what = kind.name.replace("_", " ")
    return f"“{str(error.value)[:100]}” is not a {what} this command can use: check that option."


def error_message(error: BaseException, interaction: discord.Interaction) -> str:
    """What the user sees for an error: their mistake's message, or an apology with a ref."""
    original = getattr(error, "original", error)
    if isinstance(original, TutorError):
        return original.explained(HINTS)
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You cannot use this command here."
    if isinstance(error, app_commands.TransformerError):  # an option Discord could not convert
        return option_refusal(error)
    command = getattr(interaction.command, "qualified_name", None)
    where = f"/{command}" if command else "a button or form"
    return bug_message(report_bug(original, where))


async def answer_error(interaction: discord.Interaction, error: BaseException) -> None:
    """The one error path: the person hears of it privately (and a bug is logged)."""
    message = error_message(error, interaction)
    try:
        await send_ephemeral(interaction, message)
    except discord.HTTPException as exc:  # the interaction expired, or Discord is down
        log.warning("could not tell the user about an error (%s): %s", exc.status, message)


async def guarded(interaction: discord.Interaction, work: Awaitable[None]) -> None:
    """Run a button's or a form's handler so that any error reaches the person."""
    try:
        await work
    except Exception as exc:
        await answer_error(interaction, exc)


class TutorView(discord.ui.View):
    """A view whose callbacks' errors reach the person instead of leaving them at
    "thinking…" (discord.py's default only logs them)."""

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await answer_error(interaction, error)


class TutorModal(discord.ui.Modal):
    """A form whose submit errors reach the person (see TutorView)."""

    async def on_error(  # type: ignore[override]  # (a modal's has no item)
        self, interaction: discord.Interaction, error: Exception
    ) -> None:
        await answer_error(interaction, error)


def submitted_text(data: dict[str, Any], input_id: str) -> str:
    """The text typed in a submitted form's input `input_id` (the input sits in an action row,
    or in a label)."""
    for row in data.get("components") or []:
        inputs = row.get("components") or [row.get("component") or {}]
        for text_input in inputs:
            if text_input.get("custom_id") == input_id:
                return str(text_input.get("value") or "")
    return ""


FORM = "form"  # the choice of the button that opens an answer form (questions without choices)
ANSWER_INPUT = "answer"  # an answer form's one text input


def answer_button(custom_id: str, choice: str, *, disabled: bool = False) -> discord.ui.Button:
    """A choice button (A-E) of a question, or with `choice` FORM its Answer button, which
    opens a form: for quiz and review questions alike."""
    return discord.ui.Button(
        label="Answer" if choice == FORM else choice,
        style=discord.ButtonStyle.primary if choice == FORM else discord.ButtonStyle.secondary,
        custom_id=custom_id,
        disabled=disabled,
    )


def answer_form(custom_id: str) -> discord.ui.Modal:
    """A question's answer form. Its submission is handled from its custom id by the cog's
    `on_interaction` listener, not by this object: so a form submitted late, or after a
    restart, is still answered. Stopping it first keeps discord.py from holding on to it."""
    form = TutorModal(title="Your answer", custom_id=custom_id, timeout=None)
    form.add_item(
        discord.ui.TextInput(
            label="Answer",
            custom_id=ANSWER_INPUT,
            style=discord.TextStyle.paragraph,
            max_length=1000,
        )
    )
    form.stop()
    return form
