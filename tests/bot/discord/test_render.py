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
