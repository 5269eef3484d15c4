from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app.jigsaw import CHECKLIST, TeamMaterial
from bot.discord import format
from bot.render.text import render_team_material
from knowledge.cards import cards_by_team, load_cards


def test_safe_escapes_mentions_and_markdown():
    text = format.safe("@everyone @here <@&42> **bold** `code`")
    assert "@everyone" not in text and "@here" not in text
    assert "\\*\\*bold\\*\\*" in text


def test_code_blocks_cannot_be_broken_out_of():
    block = format.code_block("innocent ``` @everyone **escape**")
    assert block.startswith("```\n") and block.endswith("\n```")
    assert block.count("```") == 2


@given(st.text(min_size=0, max_size=9000))
def test_split_message_stays_under_the_limit(text):
    chunks = format.split_message(text)
    assert all(len(c) <= format.MESSAGE_LIMIT for c in chunks)


def test_split_keeps_code_blocks_balanced():
    text = format.code_block("\n".join(f"line {i} " + "x" * 50 for i in range(200)))
    chunks = format.split_message(text)
    assert len(chunks) > 1
    assert all(c.count("```") % 2 == 0 for c in chunks)


def embed_size(embed) -> int:
    data = embed.to_dict()
    size = len(data.get("title", "")) + len(data.get("description", ""))
    size += sum(len(f["name"]) + len(f["value"]) for f in data.get("fields", []))
    return size + len(data.get("footer", {}).get("text", ""))


@given(
    title=st.text(max_size=400),
    description=st.text(max_size=6000),
    fields=st.lists(st.tuples(st.text(max_size=300), st.text(max_size=1500)), max_size=30),
    footer=st.text(max_size=2500),
)
def test_every_embed_is_fitted_into_discords_limits(title, description, fields, footer):
    import discord

    embed = discord.Embed(title=title, description=description)
    for name, value in fields:
        embed.add_field(name=name, value=value)
    embed.set_footer(text=footer)
    fitted, cut = format.fit_embed(embed)
    data = fitted.to_dict()
    assert len(data.get("title", "")) <= 256 and len(data.get("description", "")) <= 4096
    assert len(data.get("fields", [])) <= 25
    assert all(1 <= len(f["name"]) <= 256 and 1 <= len(f["value"]) <= 1024 for f in data["fields"])
    assert len(data.get("footer", {}).get("text", "")) <= 2048
    assert embed_size(fitted) <= 6000

    def shown(e):  # what a reader sees, blank filler and spacing aside
        return "".join(format.embed_as_text(e).replace("\u200b", "").split())

    assert cut or shown(fitted) == shown(embed)


def test_long_choices_get_a_field_each():
    import discord

    embed = discord.Embed(title="Question 1/1", description="Which?")
    format.add_choices(embed, ("x" * 600, "y" * 600, "short"))
    assert [f.name for f in embed.fields] == ["Choice A", "Choice B", "Choice C"]
    assert embed.fields[0].value == "x" * 600
    assert not format.fit_embed(embed)[1]


def test_server_paths_show_as_their_last_part():
    roots = ["/srv/tutor/data", "/tmp"]
    text = "Loss curve: /srv/tutor/data/finetune/job-3/loss.png. Upload /tmp/tmpab12/notes.md ok"
    assert format.hide_paths(text, roots) == "Loss curve: loss.png. Upload notes.md ok"
    assert format.hide_paths("/tmpfile and /srv/tutor/database", roots) == (
        "/tmpfile and /srv/tutor/database"
    )
    assert format.hide_paths("in /tmp", roots) == "in …"


def test_help_fits_for_students_and_instructors():
    commands = [
        (f"cmd{i} sub", "does something useful for the class " * 2, i % 3 == 0) for i in range(40)
    ]
    for instructor in (False, True):
        embed = format.help_embed(commands, instructor=instructor)
        assert not format.fit_embed(embed)[1]
        text = format.embed_as_text(embed)
        assert ("`/cmd0 sub`" in text) is instructor and "`/cmd1 sub`" in text
        assert ("Class-day checklist" in text) is instructor


# --- the jigsaw's team material ----------------------------------------------------------------


def team_material(team: int, cards=None):
    cards = cards if cards is not None else cards_by_team(load_cards(), team)
    checklist = [CHECKLIST[0].format(title=c.title) for c in cards] + CHECKLIST[1:]
    return TeamMaterial("server", f"team{team}", team, cards, checklist)


@pytest.mark.parametrize("team", [1, 2, 3, 4, 5])
def test_team_material_fits_discord_a_card_at_a_time(team):
    event = team_material(team)
    messages = format.material_messages(event)
    assert all(len(m) <= format.MESSAGE_LIMIT for m in messages)
    assert all(format.split_message(m) == [m] for m in messages)  # posted as they are
    for number, card in enumerate(event.cards, 1):  # each card opens a message
        assert any(f"\n{number}. {card.title}\n" in f"\n{m}" for m in messages), card.id
    for m in messages:  # every table whole, in a code block of its own
        assert m.count("```") % 2 == 0
    tables = [c for c in event.cards if c.table]
    assert sum(m.count("```") for m in messages) == 2 * len(tables)
    # Joined back, the messages are the text material, the code fences aside.
    joined = "\n\n".join(messages).replace("```\n", "").replace("\n```", "")
    assert joined == render_team_material(event)


def test_team_2s_material_has_the_handouts_model_table_in_a_code_block():
    messages = format.material_messages(team_material(2))
    [message] = [m for m in messages if "| SST-2 accuracy" in m]
    block = message[message.index("```") : message.rindex("```")]
    for row in (
        "DistilBERT | 66M",
        "BERT-base  | 110M",
        "RoBERTa    | 125M",
        "DeBERTa    | 86-304M",
    ):
        assert row in block
    for figure in ("~89%", "~92%", "~94%", "~95%"):
        assert figure in block


def test_a_long_card_is_split_between_blocks_never_inside_a_line_or_table():
    cards = cards_by_team(load_cards(), 2)
    long_points = tuple(f"Point {i}: " + "more detail " * 15 for i in range(12))
    cards[1] = replace(cards[1], explanation="A long explanation. " * 90, key_points=long_points)
    event = team_material(2, cards)
    messages = format.material_messages(event)
    assert all(len(m) <= format.MESSAGE_LIMIT for m in messages)
    assert len(messages) > len(cards) + 1
    lines = {line for m in messages for line in m.splitlines()}
    for point in long_points:
        assert f"  • {point}" in lines
    table = next(m for m in messages if "| SST-2 accuracy" in m)
    assert table.count("```") == 2 and "DeBERTa" in table


def test_team_material_cannot_ping_anyone():
    cards = cards_by_team(load_cards(), 1)
    cards[0] = replace(cards[0], analogy="Tell @everyone and @here, and <@123456789012345678>.")
    text = "\n".join(format.material_messages(team_material(1, cards)))
    assert "@everyone" not in text and "@here" not in text and "<@1" not in text


@given(st.lists(st.text(min_size=1, max_size=2500), max_size=12))
def test_split_blocks_keeps_what_fits_whole_and_in_order(blocks):
    messages = format.split_blocks(blocks)
    assert all(len(m) <= format.MESSAGE_LIMIT for m in messages)
    whole = [b for b in blocks if len(b) <= format.MESSAGE_LIMIT - 4]
    assert all(any(b in m for m in messages) for b in whole)
    if all(len(b) <= format.MESSAGE_LIMIT - 4 for b in blocks):
        assert "\n\n".join(messages) == "\n\n".join(blocks)


def test_a_paragraph_too_long_for_one_message_is_cut_between_words():
    words = [f"word{i}" for i in range(700)]
    chunks = format.split_message(" ".join(words))
    assert len(chunks) > 1 and all(len(c) <= format.MESSAGE_LIMIT for c in chunks)
    assert [w for c in chunks for w in c.split()] == words
