from hypothesis import given
from hypothesis import strategies as st

from bot.discord import render


def test_safe_escapes_mentions_and_markdown():
    text = render.safe("@everyone @here <@&42> **bold** `code`")
    assert "@everyone" not in text and "@here" not in text
    assert "\\*\\*bold\\*\\*" in text


def test_code_blocks_cannot_be_broken_out_of():
    block = render.code_block("innocent ``` @everyone **escape**")
    assert block.startswith("```\n") and block.endswith("\n```")
    assert block.count("```") == 2


@given(st.text(min_size=0, max_size=9000))
def test_split_message_stays_under_the_limit(text):
    chunks = render.split_message(text)
    assert all(len(c) <= render.MESSAGE_LIMIT for c in chunks)


def test_split_keeps_code_blocks_balanced():
    text = render.code_block("\n".join(f"line {i} " + "x" * 50 for i in range(200)))
    chunks = render.split_message(text)
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
    fitted, cut = render.fit_embed(embed)
    data = fitted.to_dict()
    assert len(data.get("title", "")) <= 256 and len(data.get("description", "")) <= 4096
    assert len(data.get("fields", [])) <= 25
    assert all(1 <= len(f["name"]) <= 256 and 1 <= len(f["value"]) <= 1024 for f in data["fields"])
    assert len(data.get("footer", {}).get("text", "")) <= 2048
    assert embed_size(fitted) <= 6000

    def shown(e):  # what a reader sees, blank filler and spacing aside
        return "".join(render.embed_as_text(e).replace("\u200b", "").split())

    assert cut or shown(fitted) == shown(embed)


def test_long_choices_get_a_field_each():
    import discord

    embed = discord.Embed(title="Question 1/1", description="Which?")
    render.add_choices(embed, ("x" * 600, "y" * 600, "short"))
    assert [f.name for f in embed.fields] == ["Choice A", "Choice B", "Choice C"]
    assert embed.fields[0].value == "x" * 600
    assert not render.fit_embed(embed)[1]


def test_server_paths_show_as_their_last_part():
    roots = ["/srv/tutor/data", "/tmp"]
    text = "Loss curve: /srv/tutor/data/finetune/job-3/loss.png. Upload /tmp/tmpab12/notes.md ok"
    assert render.hide_paths(text, roots) == "Loss curve: loss.png. Upload notes.md ok"
    assert render.hide_paths("/tmpfile and /srv/tutor/database", roots) == (
        "/tmpfile and /srv/tutor/database"
    )
    assert render.hide_paths("in /tmp", roots) == "in …"


def test_help_fits_for_students_and_instructors():
    commands = [
        (f"cmd{i} sub", "does something useful for the class " * 2, i % 3 == 0) for i in range(40)
    ]
    for instructor in (False, True):
        embed = render.help_embed(commands, instructor=instructor)
        assert not render.fit_embed(embed)[1]
        text = render.embed_as_text(embed)
        assert ("`/cmd0 sub`" in text) is instructor and "`/cmd1 sub`" in text
        assert ("Class-day checklist" in text) is instructor
