"""docs/configuration.md is generated from `Settings`, so it cannot drift from the code: the
committed file must equal the generator's output, and every field must have a description."""

from pathlib import Path

import pytest

from bot import config_reference
from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "configuration.md"


def test_every_setting_has_a_description():
    missing = [name for name, info in Settings.model_fields.items() if not info.description]
    assert missing == [], f"Settings fields without a description: {missing}"


def test_the_committed_reference_is_the_generated_one():
    assert DOC.read_text() == config_reference.render(), (
        "docs/configuration.md is out of date: run "
        "`python -m bot.config_reference > docs/configuration.md`"
    )


def test_every_setting_is_a_row_once_under_its_environment_variable():
    rows = [line for line in DOC.read_text().splitlines() if line.startswith("| `TUTOR_")]
    names = [row.split("`")[1] for row in rows]
    assert names == [f"TUTOR_{name.upper()}" for name in Settings.model_fields]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize(
    ("field", "shown"),
    [
        ("data_dir", "`~/.local/share/tutorbot`"),
        ("model_dir", "unset"),
        ("hub_offline", "`false`"),
        ("finetune_users", "`[]`"),
        ("embedding_adapter", "empty"),
        ("answer_threshold", "`0.5`"),
    ],
)
def test_defaults_read_as_a_user_writes_them(field, shown):
    assert config_reference.default(Settings.model_fields[field]) == shown


def test_the_generator_prints_the_reference(capsys):
    config_reference.main()
    assert capsys.readouterr().out == config_reference.render()
