"""/ask, and the plain-chat routes: a mention or a DM asks; "tokenize this:" / "mask this:"
run the demos. Plain chat and slash commands reach the same application calls.

Every answer carries a "Not what I asked" button: it puts the question in the instructor's
queue. The button's id names the question, so it works after a restart too (a dynamic item)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.context import Actor
from bot.app.results import AskReply
from bot.app.triggers import parse_trigger
from bot.discord import format
from bot.discord.checks import actor_of, actor_of_message, bot_of, model_cooldown
from bot.discord.hints import HINTS
from bot.discord.interact import (
    fit,
    message_parts,
    off_loop,
    privately,
    respond,
    send_ephemeral,
)
from bot.errors import TutorError, bug_message, report_bug
from bot.render import text as render_text

if TYPE_CHECKING:
    from bot.discord.app import TutorBot


class NotWhatIAsked(discord.ui.DynamicItem[discord.ui.Button], template=r"ask:flag:(?P<id>[0-9]+)"):
    """The button under an answer: "not what I asked" queues the question for the instructor."""

    def __init__(self, question_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Not what I asked",
                style=discord.ButtonStyle.secondary,
                custom_id=f"ask:flag:{question_id}",
            )
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> NotWhatIAsked:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        ask = bot_of(interaction).tutor.ask
        flagged = await privately(interaction, ask.flag, actor_of(interaction), self.question_id)
        if flagged is not None:
            await send_ephemeral(interaction, format.safe(render_text.render_flagged(flagged)))


class MoreOfTheCard(
    discord.ui.DynamicItem[discord.ui.Button], template=r"ask:more:(?P<concept>[a-z0-9-]{1,80})"
):
    """The button under an answer that shows the whole card it came from, to the one who
    clicks (an answer stays short). Its id names the card, so it works after a restart."""

    def __init__(self, concept: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="The whole card",
                style=discord.ButtonStyle.primary,
                custom_id=f"ask:more:{concept}",
            )
        )
        self.concept = concept

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> MoreOfTheCard:
        return cls(match["concept"])

    async def callback(self, interaction: discord.Interaction) -> None:
        # a card removed since the answer is a user-facing "no concept called ..."
        page = await privately(interaction, bot_of(interaction).tutor.ask.more, self.concept)
        if page is not None:
            text = format.safe(render_text.render_card_page(page))
            await respond(interaction, text, ephemeral=True)


def answer_view(reply: AskReply) -> discord.ui.View:
    """The answer's buttons: the whole card, and "not what I asked"; none for small talk or a
    "not sure" (already queued)."""
    view = discord.ui.View(timeout=None)
    if reply.answer.more and reply.answer.concept:
        view.add_item(MoreOfTheCard(reply.answer.concept))
    if reply.question_id is not None and reply.answer.answered:
        view.add_item(NotWhatIAsked(reply.question_id))
    return view


def readable(message: discord.Message, me: discord.abc.User | None) -> str:
    """The message as people read it: mentions as names (@Bea, @Role, #team1), never raw
    ids (the text may be kept for the instructor), and without the bot's own mention."""
    text = message.content
    for user in message.mentions:
        name = "" if me is not None and user.id == me.id else f"@{user.display_name}"
        text = text.replace(f"<@{user.id}>", name).replace(f"<@!{user.id}>", name)
    for role in message.role_mentions:
        text = text.replace(f"<@&{role.id}>", f"@{role.name}")
    for channel in message.channel_mentions:
        text = text.replace(f"<#{channel.id}>", f"#{getattr(channel, 'name', 'channel')}")
    return text.strip()


class Ask(commands.Cog):
    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot
        self.tutor = bot.tutor
        # Plain chat has no command tree, so its cooldown lives here (same rule as /ask).
        self.cooldown = commands.CooldownMapping.from_cooldown(
            1, bot.settings.model_cooldown_seconds, commands.BucketType.user
        )

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(NotWhatIAsked, MoreOfTheCard)

    @app_commands.command(
        name="ask", description="Ask about a course concept (answers cite their sources)"
    )
    @app_commands.describe(question="Your question, e.g. what does the attention mask do?")
    @app_commands.checks.dynamic_cooldown(model_cooldown)
    async def ask(
        self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 1000]
    ) -> None:
        self.tutor.ask.question(question)  # a blank one is refused privately, before "thinking…"
        await interaction.response.defer(thinking=True)
        reply = await off_loop(self.tutor.ask.ask, actor_of(interaction), question)
        await respond(interaction, embed=format.answer_embed(reply), view=answer_view(reply))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not message.content:
            return
        me = self.bot.user
        mentioned = me is not None and me in message.mentions
        is_dm = isinstance(message.channel, discord.DMChannel)
        text = readable(message, me)
        trigger = parse_trigger(text)
        if trigger is None and not (mentioned or is_dm):
            return
        if self.bot.settings.model_cooldown_seconds > 0:
            retry = self.cooldown.update_rate_limit(message)
            if retry:
                await message.reply(
                    f"Slow down a little: try again in {retry:.0f} s.", mention_author=False
                )
                return
        view = None
        async with message.channel.typing():
            try:
                content, embed, view = await off_loop(
                    self._plain_reply, trigger, text, actor_of_message(message)
                )
            except TutorError as exc:
                content, embed = format.safe(exc.explained(HINTS)), None
            except Exception as exc:  # a bug: logged, the user gets a reference
                content, embed = bug_message(report_bug(exc, "plain chat")), None
        chunks, fitted, files = fit(content, embed, paths=self.bot.server_paths)
        await message.reply(**message_parts(chunks, fitted, files, view), mention_author=False)
        for chunk in chunks[1:]:
            await message.reply(chunk, mention_author=False)

    def _plain_reply(
        self, trigger: tuple[str, str] | None, text: str, actor: Actor
    ) -> tuple[str | None, discord.Embed | None, discord.ui.View | None]:
        if trigger and trigger[0] == "tokenize":
            return format.tokenize_text(self.tutor.demos.tokenize(trigger[1])), None, None
        if trigger:
            return format.mask_text(self.tutor.demos.mask(trigger[1])), None, None
        reply = self.tutor.ask.ask(actor, text)
        return None, format.answer_embed(reply), answer_view(reply)


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(Ask(bot))
