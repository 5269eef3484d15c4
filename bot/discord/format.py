"""Turning Tutor results into Discord messages: escaping, splitting, embeds, code blocks, and
fitting everything into Discord's limits.

Everything a user typed is escaped before it is echoed (mentions and markdown), code blocks
cannot be broken out of, long text is split under Discord's limits or sent as a file, and every
embed goes through `fit_embed` (each part clipped with "…", the whole under 6,000 characters).
Server paths never reach a message (`hide_paths`).
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import discord

from bot.app.jigsaw import InterruptedActivity, JigsawStatus, MasteryReady, TeamMaterial
from bot.app.quizzes import InterruptedQuiz, QuestionClosed, QuestionOpened, QuizEnded
from bot.app.results import (
    AskReply,
    AttentionReply,
    BatchReply,
    CardTable,
    EmbedReply,
    MaskReply,
    TokenizeReply,
)
from bot.app.reviews import ReviewQuestion
from bot.discord.hints import HINTS
from bot.render import text as render_text

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
MESSAGE_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELDS_LIMIT = 25
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_LIMIT = 1024
EMBED_FOOTER_LIMIT = 2048
EMBED_AUTHOR_LIMIT = 256
EMBED_TOTAL_LIMIT = 6000
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


def hide_paths(text: str, roots: Iterable[str]) -> str:
    """Every path under one of the server's folders (`roots`) shown as its last part only:
    people see `loss.png`, never where the server keeps it."""
    for root in sorted(
        {r.rstrip("/") for r in roots if len(r.rstrip("/")) > 1}, key=len, reverse=True
    ):
        pattern = re.escape(root) + r"(/[^\s'\"`),;]*)?(?![^\s'\"`),;])"
        text = re.sub(pattern, _last_part, text)
    return text


def _last_part(match: re.Match[str]) -> str:
    rest = (match.group(1) or "").rstrip("/")
    return rest.rsplit("/", 1)[-1] if rest else "…"


def fit_embed(embed: discord.Embed) -> tuple[discord.Embed, bool]:
    """The embed within every Discord limit, each part clipped with "…" (the longest first
    when the whole is over 6,000 characters); True when anything was cut."""
    data: dict[str, Any] = copy.deepcopy(embed.to_dict())  # type: ignore[arg-type]
    cut = False

    def fitted(text: str, limit: int) -> str:
        nonlocal cut
        cut = cut or len(text) > limit
        return clip(text, limit)

    for key, limit in (("title", EMBED_TITLE_LIMIT), ("description", EMBED_DESCRIPTION_LIMIT)):
        if data.get(key):
            data[key] = fitted(data[key], limit)
    fields = data.get("fields") or []
    if len(fields) > EMBED_FIELDS_LIMIT:
        cut = True
        more = {"name": "…", "value": f"and {len(fields) - EMBED_FIELDS_LIMIT + 1} more"}
        fields = [*fields[: EMBED_FIELDS_LIMIT - 1], more]
    for f in fields:  # Discord refuses an empty name or value
        f["name"] = fitted(f.get("name") or ZERO_WIDTH_SPACE, EMBED_FIELD_NAME_LIMIT)
        f["value"] = fitted(f.get("value") or ZERO_WIDTH_SPACE, EMBED_FIELD_LIMIT)
    data["fields"] = fields
    for key, sub, limit in (
        ("footer", "text", EMBED_FOOTER_LIMIT),
        ("author", "name", EMBED_AUTHOR_LIMIT),
    ):
        if (data.get(key) or {}).get(sub):
            data[key][sub] = fitted(data[key][sub], limit)
    parts = [(data, "title"), (data, "description"), *((f, "value") for f in fields)]
    parts += [(f, "name") for f in fields]
    parts += [(data[k], s) for k, s in (("footer", "text"), ("author", "name")) if data.get(k)]
    over = sum(len(owner.get(key) or "") for owner, key in parts) - EMBED_TOTAL_LIMIT
    while over > 0:  # shorten the longest part, no further than the next longest
        cut = True
        parts.sort(key=lambda part: len(part[0].get(part[1]) or ""), reverse=True)
        (owner, key), runner_up = parts[0], len(parts[1][0].get(parts[1][1]) or "")
        text = owner[key]
        keep = max(1, len(text) - over, min(runner_up, len(text) - 1))
        owner[key] = clip(text, keep)
        over -= len(text) - len(owner[key])
    return discord.Embed.from_dict(data), cut


def embed_as_text(embed: discord.Embed) -> str:
    """An embed as plain text: for a file when it had to be cut, or a plain-text fallback."""
    lines = [embed.title or "", embed.description or ""]
    for f in embed.fields:
        lines += [f"{f.name}:", f.value or ""]
    if embed.footer and embed.footer.text:
        lines.append(embed.footer.text)
    return "\n".join(line for line in lines if line)


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split at line breaks into chunks under `limit`, keeping code blocks balanced."""
    chunks: list[str] = []
    current = ""
    in_code = False
    for line in text.split("\n"):
        while len(line) > limit - 10:  # a single monster line: cut between words if it can
            space = line.rfind(" ", (limit - 10) // 2, limit - 10)
            cut = space + 1 if space > 0 else limit - 10
            head, line = line[:cut], line[cut:]
            chunks, current = _push(chunks, current, head, limit, in_code)
        chunks, current = _push(chunks, current, line, limit, in_code)
        if line.strip().startswith("```"):
            in_code = not in_code
    if current:
        chunks.append(current)
    return chunks


def split_blocks(blocks: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Blocks (a paragraph, a list, a code block) packed in order into as few messages under
    `limit` as they fit in, each block whole; only a block too long for a message of its own
    is split, at line breaks, by `split_message`."""
    room = limit - 4  # what split_message keeps free, so that fit() sends each one unchanged
    messages: list[str] = []
    for block in blocks:
        if messages and len(messages[-1]) + 2 + len(block) <= room:
            messages[-1] += "\n\n" + block
        elif len(block) <= room:
            messages.append(block)
        else:
            messages += split_message(block, limit)
    return messages


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
    if a.sources and not a.off_topic:  # an off-topic question used no source
        sources = "\n".join(f"{s.title} ({s.kind}, {s.score:.2f})" for s in a.sources)
        embed.add_field(name="Sources", value=clip(safe(sources), EMBED_FIELD_LIMIT), inline=False)
    if a.answered and a.related:
        embed.add_field(name="Related", value=", ".join(t for _, t in a.related), inline=False)
    footer = f"confidence {a.confidence:.2f}"
    if a.read_as:
        footer += f" · read as “{a.read_as}”"
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
    return code_block(render_text.render_mask(reply, HINTS))


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
        add_choices(embed, q.choices)
    now = discord.utils.utcnow()
    deadline = discord.utils.format_dt(now + timedelta(seconds=event.seconds), "R")
    time = f"closes {deadline}"
    if event.extended:  # some students have extra time; nobody is named
        results = discord.utils.format_dt(now + timedelta(seconds=event.open_for), "R")
        time += f"\nwith extra time: results {results}"
    embed.add_field(name="Time", value=time, inline=True)
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
        add_choices(embed, q.choices)
    embed.set_footer(text=HOW_TO_ANSWER[q.kind])
    return embed


def add_choices(embed: discord.Embed, choices: tuple[str, ...]) -> None:
    """The choices in one field; one field each when together they are too long for one."""
    lines = [f"**{'ABCDE'[i]}**: {choice}" for i, choice in enumerate(choices)]
    if len("\n".join(lines)) <= EMBED_FIELD_LIMIT:
        embed.add_field(name="Choices", value="\n".join(lines), inline=False)
        return
    for i, choice in enumerate(choices):
        embed.add_field(
            name=f"Choice {'ABCDE'[i]}", value=clip(choice, EMBED_FIELD_LIMIT), inline=False
        )


def closed_text(event: QuestionClosed) -> str:
    return safe(render_text.render_question_closed(event))


def ended_text(event: QuizEnded, titles: dict[str, str]) -> str:
    return code_block(render_text.render_quiz_ended(event, titles))


def interrupted_quiz_text(lost: InterruptedQuiz) -> str:
    """What a channel is told after a restart cut its quiz short, with what the instructor
    can do about it."""
    number, total = max(1, lost.question), lost.questions
    kept = render_text.counted(lost.answers_kept, "answer")
    return (
        f"Quiz #{lost.number} was interrupted by a restart at question {number} of {total}; "
        f"answers so far are kept ({kept}). An instructor can `/quiz resume` to go on from "
        f"question {number} (with a fresh timer), or `/quiz stop` to end it with the results "
        "so far."
    )


def interrupted_activity_text(lost: InterruptedActivity) -> str:
    """What a class channel is told after a restart cut its jigsaw activity short."""
    return (
        f"The jigsaw activity #{lost.number} was interrupted by a restart during {lost.phase} "
        f"({lost.covered} of {lost.total} concepts taught so far). An instructor can "
        "`/jigsaw resume` to go on with the time that phase had left, or `/jigsaw stop` to "
        "end it."
    )


def material_messages(event: TeamMaterial) -> list[str]:
    """A team's material as messages: each card starts one of its own (a long card takes more),
    every table in a code block so that its columns line up, no block cut in two."""

    def table(t: CardTable) -> str:
        return code_block(render_text.render_table(t))

    return [
        message
        for part in render_text.team_material_parts(event, table=table)
        for message in split_blocks(discord.utils.escape_mentions(block) for block in part)
    ]


def mastery_text(event: MasteryReady, titles: dict[str, str]) -> str:
    """The grid as text; the picture is attached, never named by its path."""
    return code_block(render_text.render_mastery(event, titles, paths=False))


def jigsaw_status_text(status: JigsawStatus) -> str:
    return render_text.render_jigsaw_status(status)


# --- help ------------------------------------------------------------------------------------

HELP_WHAT = (
    "I am the class's tutor for pre-trained language models. I answer questions about the "
    "course's concepts from the course's own material, and cite my sources; when I am not "
    "sure, I say so and keep your question for the instructor. I also run live model demos, "
    "team quizzes, the jigsaw activity and a fine-tuning competition.\n"
    "Ask with `/ask`, by mentioning me in a message, or in a direct message. In a channel, "
    "`tokenize this: …` and `mask this: …` run the demos. Fill-mask needs a masked-LM on the "
    "bot's host: the instructor fetches one once with `tutor models download` (`tutor models` "
    "lists what is there)."
)
HELP_QUIZ = (
    "The instructor starts a quiz in a channel. Each question is a message with a countdown: "
    "click a letter, or click **Answer** and type. Your first answer counts, and only you see "
    "whether it was right. When time is up, the answer and the class's result appear, the "
    "buttons are disabled, and the next question follows a few seconds later. At the end the "
    "class sees who did well (the points of those with right answers, never anyone's misses), "
    "team averages (join your team with `/quiz join`) and the concepts to review; **My "
    "result** shows you your own, privately. "
    "The questions you missed come back, spaced out over the days, in `/review start`."
)
HELP_JIGSAW = (
    "Each team gets four concepts in its own channel, with a teach-back checklist. The phases "
    "run on timers: learn (10 min), prepare (5), each team teaches the class (2 min each), "
    "then a class quiz. Mark what your team taught with `/jigsaw taught`; `/jigsaw status` "
    "shows the phase and the class's progress. At the end: a grid of how well each team did "
    "on each concept."
)
HELP_CHECKLIST = (
    "**Before class**: map each team to its channel once (`/admin team-channel`); give "
    "students with a time accommodation their extra time (`/admin accommodate`); check that "
    "I answer (`/ask`) and that `/finetune jobs` shows no stuck job.\n"
    "**At the start**: students join their teams (`/quiz join`), or you place them "
    "(`/admin teams`: assign, or balance the late and the unplaced).\n"
    "**The activity**: `/jigsaw start` in the class channel (then `pause`, `extend`, `next` as "
    "you go), or `/quiz start` in a team's channel (`skip`, `stop`).\n"
    "**Afterwards**: `/admin unanswered` for the questions I could not answer, "
    "`/quiz leaderboard`, `/finetune leaderboard`; `/admin ingest` a handout so I can cite it."
)


def help_embed(commands: list[tuple[str, str, bool]], *, instructor: bool) -> discord.Embed:
    """/help: what the bot does, the commands by role, how a quiz and the jigsaw run, and for
    the instructor a class-day checklist. `commands` is (name, description, instructors only)."""
    embed = discord.Embed(title="Tutor: help", description=HELP_WHAT, colour=COLOURS["ok"])
    everyone = [f"`/{name}` {text}" for name, text, only in commands if not only]
    _add_lines(embed, "Commands for everyone", everyone)
    if instructor:
        theirs = [f"`/{name}` {text}" for name, text, only in commands if only]
        _add_lines(embed, "Instructor commands", theirs)
    embed.add_field(name="How a quiz runs", value=HELP_QUIZ, inline=False)
    embed.add_field(name="How the jigsaw runs", value=HELP_JIGSAW, inline=False)
    if instructor:
        embed.add_field(name="Class-day checklist", value=HELP_CHECKLIST, inline=False)
    embed.set_footer(
        text="Only you see this."
        + ("" if instructor else " The instructor has more commands for running the class.")
    )
    return embed


def _add_lines(embed: discord.Embed, name: str, lines: list[str]) -> None:
    """Lines in as many fields as they need, each under a field's limit."""
    fields: list[list[str]] = [[]]
    for line in lines:
        if len("\n".join([*fields[-1], line])) > EMBED_FIELD_LIMIT:
            fields.append([])
        fields[-1].append(clip(line, EMBED_FIELD_LIMIT))
    for n, chunk in enumerate(fields, 1):
        label = name if len(fields) == 1 else f"{name} ({n}/{len(fields)})"
        embed.add_field(name=label, value="\n".join(chunk) or "none", inline=False)
