"""/admin teams (list, assign by @mention or name, balance) and /admin accommodate: the
instructor's alone, names never raw ids, extra time private."""

from unittest.mock import AsyncMock, MagicMock

import discord
import pytest

from bot.app.context import Actor
from bot.discord.checks import for_instructors
from bot.errors import TutorError, UsageError
from tests.bot.discord.conftest import make_interaction, run, sent

DANA, EMIL, NOBODY = 812345678901234567, 812345678901234568, 812345678901234569


def member(user_id: int, name: str) -> MagicMock:
    person = MagicMock(spec_set=discord.Member)
    person.id, person.display_name = user_id, name
    return person


def in_guild(interaction, cached=(), fetchable=()):
    """The interaction's guild: `cached` members are in its cache, `fetchable` ones come from
    Discord's API (the bot has no members intent), anyone else is unknown."""
    guild = MagicMock(spec_set=discord.Guild)
    by_id = {m.id: m for m in cached}
    guild.get_member = MagicMock(side_effect=by_id.get)
    fetched = {m.id: m for m in fetchable}

    async def fetch_member(user_id):
        if user_id in fetched:
            return fetched[user_id]
        raise discord.NotFound(MagicMock(status=404, reason="Not Found"), "Unknown Member")

    guild.fetch_member = AsyncMock(side_effect=fetch_member)
    interaction.guild = guild
    return interaction


def teacher(bot):
    return make_interaction(bot, manage_guild=True)


def text_of(interaction) -> str:
    return "".join(m["content"] or "" for m in sent(interaction))


def teams(bot, **options):
    interaction = in_guild(
        make_interaction(bot, manage_guild=True),
        cached=[member(DANA, "Dana Scully")],
        fetchable=[member(EMIL, "Emil Ferro")],
    )
    admin = bot.get_cog("Admin")
    run(admin.teams.callback(admin, interaction, **options))
    return interaction


def test_assign_by_mention_and_name_then_list_and_balance(bot):
    tutor = bot.tutor
    # Everyone who has used the bot here, the instructor (user 1) included.
    for user, name in (("1", "Prof"), ("2", "Student 2"), ("3", "Late Larry"), ("4", "Absent")):
        tutor.ask.ask(Actor(user, name, "10", "100"), "what is lora?")

    assigned = teams(bot, action="assign", team="team3", members=f"<@{DANA}> <@!{EMIL}>, Student 2")
    interaction = assigned
    interaction.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    text = text_of(interaction)
    assert "team3: Dana Scully, Emil Ferro, Student 2" in text
    assert str(DANA) not in text and str(EMIL) not in text  # names, never ids
    assert all(m["ephemeral"] for m in sent(interaction))

    balanced = text_of(teams(bot, action="balance"))
    # Late joiners and absentees fill the smallest teams; the instructor is not placed.
    assert "team1: Late Larry" in balanced and "team2: Absent" in balanced
    assert "team4: nobody yet" in balanced and "Prof" not in balanced  # a team of none works

    shared = teams(bot, share=True)  # list, posted for the class
    shared.response.defer.assert_awaited_once_with(ephemeral=False, thinking=True)
    assert "team3: Dana Scully, Emil Ferro, Student 2" in text_of(shared)
    assert all(m["ephemeral"] is False for m in sent(shared))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"action": "assign", "members": f"<@{DANA}>"}, "Say which team"),
        ({"action": "assign", "team": "team1"}, "Say which team"),
        ({"action": "assign", "team": "team1", "members": f"<@{NOBODY}>"}, "not a member"),
        ({"action": "assign", "team": "team1", "members": "Zed"}, "Nobody called 'Zed'"),
        ({"action": "assign", "team": "team1", "members": " , "}, "Name the members"),
    ],
)
def test_assign_says_what_is_missing(bot, options, message):
    with pytest.raises(TutorError, match=message):
        teams(bot, **options)
    assert bot.tutor.classes.teams("10")[1] == []  # nothing changed


def test_accommodate_is_private_and_per_class(bot):
    admin = bot.get_cog("Admin")
    interaction = make_interaction(bot, manage_guild=True)
    run(admin.accommodate.callback(admin, interaction, member(DANA, "Dana"), 1.5))
    interaction.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    (reply,) = sent(interaction)
    assert reply["ephemeral"] and "Dana now has 1.5x the time" in reply["content"]
    assert bot.tutor.store.run(lambda db: list(db["accommodations"].rows))[0]["server"] == "10"

    listing = make_interaction(bot, manage_guild=True)
    run(admin.accommodate.callback(admin, listing))
    (reply,) = sent(listing)
    assert reply["ephemeral"] and "Dana: 1.5x" in reply["content"]

    with pytest.raises(UsageError, match="between 1 and 3"):
        run(admin.accommodate.callback(admin, teacher(bot), member(DANA, "Dana"), 5.0))
    with pytest.raises(TutorError, match="multiplier too"):
        run(admin.accommodate.callback(admin, teacher(bot), member(DANA, "Dana")))
    cleared = make_interaction(bot, manage_guild=True)
    run(admin.accommodate.callback(admin, cleared, member(DANA, "Dana"), 1.0))
    assert "Dana has no extra time now" in text_of(cleared)


def test_teams_and_accommodations_are_instructor_only(bot):
    admin = bot.get_cog("Admin")
    assert for_instructors(admin.teams) and for_instructors(admin.accommodate)
    from bot.discord.checks import NotInstructor

    student = make_interaction(bot, manage_guild=False)
    for command in (admin.teams, admin.accommodate):
        with pytest.raises(NotInstructor):
            command.checks[0](student)
