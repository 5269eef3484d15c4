"""Turning Tutor results into Discord messages: escaping, splitting, embeds, code blocks.

Everything a user typed is escaped before it is echoed (mentions and markdown), code blocks
cannot be broken out of, and long output is split under Discord's limits or sent as a file.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import discord

from bot.app.jigsaw import JigsawStatus, MasteryReady, TeamMaterial
from bot.app.quizzes import QuestionClosed, QuestionOpened, QuizEnded
from bot.app.results import (
    AskReply,
    AttentionReply,
    BatchReply,
    EmbedReply,
    MaskReply,
    TokenizeReply,
)
from bot.app.reviews import ReviewQuestion
from bot.render import text as render_text

MESSAGE_LIMIT = 2000
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELD_LIMIT = 1024
FILE_THRESHOLD = 6000  # longer than this: send as an attachment instead of many messages
ZERO_WIDTH_SPACE = "\u200b"
ALT_TEXT_LIMIT = 1024  # an attachment's description
COLOURS = {"ok": 0x2E8B57, "unsure": 0xDAA520, "quiz": 0x4169E1, "review": 0x8A2BE2}
HOW_TO_ANSWER = {
    "choice": "Click a button.",
    "numeric": "Click Answer and type a number.",
    "live": "Click Answer and type a number.",
    "free": "Click Answer and write a sentence.",
}


def safe(text: str) -> str:
    """User text made inert: no pings, no markdown tricks."""
    return discord.utils.escape_markdown(discord.utils.escape_mentions(text))


def code_block(text: str, language: str = "") -> str:
    """A code block whose content cannot close it early."""
    return f"```{language}\n{text.replace('```', '`' + ZERO_WIDTH_SPACE + '``')}\n```"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split at line breaks into chunks under `limit`, keeping code blocks balanced."""
    chunks: list[str] = []
    current = ""
    in_code = False
    for line in text.split("\n"):
        while len(line) > limit - 10:  # a single monster line
            head, line = line[: limit - 10], line[limit - 10 :]
            chunks, current = _push(chunks, current, head, limit, in_code)
        chunks, current = _push(chunks, current, line, limit, in_code)
        if line.strip().startswith("```"):
            in_code = not in_code
    if current:
        chunks.append(current)
    return chunks


def _push(
    chunks: list[str], current: str, line: str, limit: int, in_code: bool
) -> tuple[list[str], str]:
    candidate = f"{current}\n{line}" if current else line
    if len(candidate) <= limit - 4:
        return chunks, candidate
    chunks.append(current + ("\n```" if in_code else ""))
    return chunks, ("```\n" if in_code else "") + line


def as_file(text: str, name: str = "output.txt") -> discord.File:
    return discord.File(io.BytesIO(text.encode()), filename=name)


# --- ask -----------------------------------------------------------------------------------


def answer_embed(reply: AskReply) -> discord.Embed:
    a = reply.answer
    if reply.small_talk:
        return discord.Embed(
            description=clip(a.answer, EMBED_DESCRIPTION_LIMIT), colour=COLOURS["ok"]
        )
    colour = COLOURS["ok"] if a.answered else COLOURS["unsure"]
    title = a.title if a.answered and a.title else "Not sure"
    embed = discord.Embed(
        title=clip(title, 256), description=clip(a.answer, EMBED_DESCRIPTION_LIMIT), colour=colour
    )
    if a.sources:
        sources = "\n".join(f"{s.title} ({s.kind}, {s.score:.2f})" for s in a.sources)
        embed.add_field(name="Sources", value=clip(safe(sources), EMBED_FIELD_LIMIT), inline=False)
    if a.answered and a.related:
        embed.add_field(name="Related", value=", ".join(t for _, t in a.related), inline=False)
    footer = f"confidence {a.confidence:.2f}"
    if reply.note:
        footer += f" · {reply.note}"
    embed.set_footer(text=clip(footer, 2048))
    return embed


# --- demos ---------------------------------------------------------------------------------


def tokenize_text(reply: TokenizeReply) -> str:
    return code_block(render_text.render_tokenize(reply))


def batch_text(reply: BatchReply) -> str:
    return code_block(render_text.render_batch(reply))


def mask_text(reply: MaskReply) -> str:
    return code_block(render_text.render_mask(reply))


def attention_text(reply: AttentionReply) -> str:
    """The reading beside the heatmap (the image itself carries the rest, and no server path)."""
    text = render_text.render_attention(reply, image=False, per_token=False)
    return code_block(clip(text, MESSAGE_LIMIT - 10))


def embed_text(reply: EmbedReply) -> str:
    text = render_text.render_embed(reply, image=False, dims=0, sentence_chars=60)
    return code_block(clip(text, MESSAGE_LIMIT - 10))


def picture(path: Path, alt_text: str, filename: str) -> discord.File:
    """An image attachment under a plain name, its alt text as the attachment's description."""
    return discord.File(path, filename=filename, description=clip(alt_text, ALT_TEXT_LIMIT))


# --- quizzes and jigsaw --------------------------------------------------------------------


def question_embed(event: QuestionOpened) -> discord.Embed:
    q = event.question
    embed = discord.Embed(
        title=f"Question {event.number}/{event.total}",
        description=clip(q.prompt, EMBED_DESCRIPTION_LIMIT),
        colour=COLOURS["quiz"],
    )
    if q.kind == "choice":
        embed.add_field(
            name="Choices",
            value="\n".join(f"**{'ABCDE'[i]}**: {c}" for i, c in enumerate(q.choices)),
            inline=False,
        )
    deadline = discord.utils.utcnow() + timedelta(seconds=event.seconds)
    embed.add_field(
        name="Time", value=f"closes {discord.utils.format_dt(deadline, 'R')}", inline=True
    )
    embed.set_footer(text=HOW_TO_ANSWER[q.kind])
    return embed


def review_embed(served: ReviewQuestion) -> discord.Embed:
    """A review question, sent in the student's DM."""
    q = served.question
    missed = f" · missed {served.misses}x" if served.misses else ""
    embed = discord.Embed(
        title=f"Review · {served.due_today} due today{missed}",
        description=clip(q.prompt, EMBED_DESCRIPTION_LIMIT),
        colour=COLOURS["review"],
    )
    if q.kind == "choice":
        embed.add_field(
            name="Choices",
            value=clip(
                "\n".join(f"**{'ABCDE'[i]}**: {c}" for i, c in enumerate(q.choices)),
                EMBED_FIELD_LIMIT,
            ),
            inline=False,
        )
    embed.set_footer(text=HOW_TO_ANSWER[q.kind])
    return embed


def closed_text(event: QuestionClosed) -> str:
    return safe(render_text.render_question_closed(event))


def ended_text(event: QuizEnded, titles: dict[str, str]) -> str:
    return code_block(render_text.render_quiz_ended(event, titles))


def material_text(event: TeamMaterial) -> str:
    return render_text.render_team_material(event)


def mastery_text(event: MasteryReady, titles: dict[str, str]) -> str:
    return code_block(render_text.render_mastery(event, titles))


def jigsaw_status_text(status: JigsawStatus) -> str:
    return render_text.render_jigsaw_status(status)
