"""/admin: instructor tools - teams and team channels, students' extra time, the unanswered
queue and resolving it, ingesting documents, the class digest."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.ask import MAX_ANSWER_CHARS
from bot.app.choices import MAX_DOCUMENT_BYTES, SUPPORTED_SUFFIXES, TEAMS
from bot.app.classes import ACCOMMODATION_RANGE, Person
from bot.app.insights import DEFAULT_SINCE
from bot.discord import format
from bot.discord.checks import actor_of, instructor_only
from bot.discord.interact import off_loop, reply_text, respond
from bot.errors import TutorError
from bot.render import insights as render_insights
from bot.render import text as render_text

if TYPE_CHECKING:
    from bot.discord.app import TutorBot

TEAM_CHOICES = [app_commands.Choice(name=f"team{t}", value=f"team{t}") for t in TEAMS]
TEAM_ACTIONS = [
    app_commands.Choice(name="list: who is in which team", value="list"),
    app_commands.Choice(name="assign: put the members named in a team", value="assign"),
    app_commands.Choice(name="balance: everyone without a team to the smallest", value="balance"),
]
MENTION = re.compile(r"<@!?(\d{15,21})>")
LOW, HIGH = ACCOMMODATION_RANGE


@app_commands.default_permissions(manage_guild=True)  # hides it in the client; checked in code too
class Admin(commands.GroupCog, group_name="admin", group_description="Instructor tools"):
    def __init__(self, bot: TutorBot) -> None:
        self.tutor = bot.tutor

    @app_commands.command(name="team-channel", description="Say which channel belongs to a team")
    @app_commands.choices(team=TEAM_CHOICES)
    @instructor_only()
    async def team_channel(
        self, interaction: discord.Interaction, team: str, channel: discord.TextChannel
    ) -> None:
        actor = actor_of(interaction)
        number = await off_loop(self.tutor.classes.set_team_channel, actor, team, str(channel.id))
        await respond(interaction, f"team{number} works in {channel.mention}.", ephemeral=True)

    @app_commands.command(
        name="teams", description="Who is in which team; assign members, or balance those without"
    )
    @app_commands.describe(
        action="list (the default), assign, or balance",
        team="assign: the team",
        members="assign: @mentions, or names separated by commas",
        share="Post the teams in this channel for the class (default: only you see them)",
    )
    @app_commands.choices(action=TEAM_ACTIONS, team=TEAM_CHOICES)
    @instructor_only()
    async def teams(
        self,
        interaction: discord.Interaction,
        action: str = "list",
        team: str | None = None,
        members: app_commands.Range[str, 1, 1500] | None = None,
        share: bool = False,
    ) -> None:
        await interaction.response.defer(ephemeral=not share, thinking=True)
        actor = actor_of(interaction)
        classes = self.tutor.classes
        if action == "assign":
            if team is None or not members:
                raise TutorError("Say which team and whom: team:team3 members:@Ana @Bo")
            people = await self._people(interaction, members)
            teams = await off_loop(classes.assign, actor, dict.fromkeys(people, team))
        elif action == "balance":
            teams = await off_loop(classes.balance, actor)
        else:
            teams = await off_loop(classes.teams, actor.server)
        text = format.code_block(render_text.render_teams(teams))
        await respond(interaction, f"Teams:\n{text}", ephemeral=not share)

    async def _people(self, interaction: discord.Interaction, text: str) -> list[str | Person]:
        """The members mentioned (by their display names in this server), and the names typed
        between commas (people the bot knows)."""
        guild = interaction.guild
        if guild is None:
            raise TutorError("Teams belong to a class: do this in the class's server.")
        people: list[str | Person] = []
        for user_id in dict.fromkeys(int(m) for m in MENTION.findall(text)):
            member = guild.get_member(user_id)
            if member is None:
                try:
                    member = await guild.fetch_member(user_id)
                except discord.NotFound:
                    raise TutorError(
                        "Someone you mentioned is not a member of this server."
                    ) from None
            people.append(Person(str(member.id), member.display_name))
        typed = MENTION.sub(",", text)
        people += [name.strip().lstrip("@") for name in typed.split(",") if name.strip()]
        if not people:
            raise TutorError("Name the members: @mentions, or names separated by commas.")
        return people

    @app_commands.command(
        name="accommodate",
        description="A student's extra time on quiz questions (1.5 = half as much again; 1 clears it)",
    )
    @app_commands.describe(
        member="The student (leave out to list everyone's extra time)",
        multiplier=f"Their time x this, {LOW:g} to {HIGH:g} (1 clears it)",
    )
    @instructor_only()
    async def accommodate(
        self,
        interaction: discord.Interaction,
        member: discord.Member | None = None,
        multiplier: app_commands.Range[float, LOW, HIGH] | None = None,
    ) -> None:
        # Private: an accommodation is personal data; nobody else ever sees who has one.
        await interaction.response.defer(ephemeral=True, thinking=True)
        actor = actor_of(interaction)
        if member is None:
            rows = await off_loop(self.tutor.classes.accommodations, actor)
            text = render_text.render_accommodations(rows)
        elif multiplier is None:
            raise TutorError(f"Give the multiplier too: {LOW:g} to {HIGH:g} (1 clears it).")
        else:
            person = Person(str(member.id), member.display_name)
            done = await off_loop(self.tutor.classes.accommodate, actor, person, multiplier)
            text = render_text.render_accommodation(done)
        await respond(interaction, format.safe(text), ephemeral=True)

    @app_commands.command(
        name="unanswered",
        description="The queue: questions the bot was not sure about or answered wrongly, grouped",
    )
    @instructor_only()
    async def unanswered(
        self, interaction: discord.Interaction, limit: app_commands.Range[int, 1, 200] = 25
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        server = actor_of(interaction).server
        rows = await off_loop(self.tutor.ask.unanswered, server, limit)
        hint = "Resolve one with /admin resolve: its #id, and a card or an answer."
        text = format.safe(render_text.render_unanswered(rows, hint))
        await reply_text(interaction, text, ephemeral=True)

    @app_commands.command(
        name="resolve", description="Answer a queued question: point it at a card or write it"
    )
    @app_commands.describe(
        question="The #id from /admin unanswered (its near-duplicates are resolved with it)",
        card="The card that answers it",
        answer="Or your own answer, cited as the instructor's",
    )
    @instructor_only()
    async def resolve(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[int, 1],
        card: str | None = None,
        answer: app_commands.Range[str, 1, MAX_ANSWER_CHARS] | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        done = await off_loop(
            self.tutor.ask.resolve, actor_of(interaction), question, card=card, answer=answer
        )
        await reply_text(
            interaction, format.safe(render_text.render_resolution(done)), ephemeral=True
        )

    @resolve.autocomplete("card")
    async def card_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.lower()
        return [
            app_commands.Choice(name=f"{title} ({card})"[:100], value=card)
            for card, title in sorted(self.tutor.titles.items())
            if typed in card or typed in title.lower()
        ][:25]

    @app_commands.command(
        name="ingest", description="Add a document (txt, md, pdf) to the knowledge base"
    )
    @instructor_only()
    async def ingest(self, interaction: discord.Interaction, document: discord.Attachment) -> None:
        name = Path(document.filename).name
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            raise TutorError(f"Send a {', '.join(SUPPORTED_SUFFIXES)} file.")
        if document.size > MAX_DOCUMENT_BYTES:
            raise TutorError(f"That file is larger than {MAX_DOCUMENT_BYTES // 2**20} MiB.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            await document.save(path)
            # An upload's identity is its name (the temporary folder changes every time), so
            # uploading a changed notes.md replaces the old one.
            reports = await off_loop(self.tutor.ask.ingest, [path], [f"uploads/{name}"])
        # The report names the upload, never the server's temporary path.
        text = render_text.render_ingest(reports).replace(str(path), name)
        await reply_text(interaction, format.safe(text), ephemeral=True)

    @app_commands.command(
        name="digest", description="What the class misunderstands, per concept (no names)"
    )
    @app_commands.describe(since="How far back: 7d, 24h, 2w, a date (2025-03-01) or all")
    @instructor_only()
    async def digest(
        self,
        interaction: discord.Interaction,
        since: app_commands.Range[str, 1, 20] = DEFAULT_SINCE,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        digest = await off_loop(self.tutor.insights.digest, actor_of(interaction), since)
        where = interaction.guild.name if interaction.guild else "this class"
        text = render_insights.render_digest(digest, where=where)
        block = format.code_block(text)
        chart = (
            [format.picture(digest.chart, digest.alt_text, "digest.png")] if digest.chart else []
        )
        if len(block) <= 2000:
            await interaction.followup.send(block, files=chart, ephemeral=True)
            return
        # The whole digest as a file; the first lines (the per-concept table) as the message.
        head = format.code_block("\n".join(text.splitlines()[:14])[:1800])
        await interaction.followup.send(
            head, files=[format.as_file(text, "digest.txt"), *chart], ephemeral=True
        )


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(Admin(bot))
