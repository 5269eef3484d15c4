"""Answering interactions: defer first, run the Tutor off the event loop, then follow up."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

import discord

from bot.discord import render

T = TypeVar("T")


async def off_loop(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Model calls, embeddings, retrieval and SQLite never block the event loop."""
    return await asyncio.to_thread(work, *args, **kwargs)


async def reply_text(
    interaction: discord.Interaction,
    text: str,
    *,
    ephemeral: bool = False,
    filename: str = "output.txt",
) -> None:
    """Send text after a defer: split under 2,000 characters, or as a file when very long."""
    if len(text) > render.FILE_THRESHOLD:
        await interaction.followup.send(
            "The output is long, so here it is as a file.",
            file=render.as_file(text, filename),
            ephemeral=ephemeral,
        )
        return
    for chunk in render.split_message(text):
        await interaction.followup.send(chunk, ephemeral=ephemeral)


async def send_ephemeral(interaction: discord.Interaction, content: str) -> None:
    """A private message, whatever state the interaction is in.

    After a public defer, Discord gives the first followup the defer's visibility; so the
    public "thinking…" is removed first and the message goes out privately."""
    content = content[:1900]
    if not interaction.response.is_done():
        await interaction.response.send_message(content, ephemeral=True)
        return
    with contextlib.suppress(discord.HTTPException):
        await interaction.delete_original_response()
    await interaction.followup.send(content, ephemeral=True)
