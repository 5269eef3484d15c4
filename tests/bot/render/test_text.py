"""What bot/render/text.py itself does: it is the one place the frontends import the texts
from, re-exporting every feature module's public names (the instructor's views stay in
bot/render/insights.py, imported on their own)."""

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from bot.render import text

FEATURES = ["admin", "ask", "base", "demos", "finetune", "jigsaw", "quiz", "review", "teams"]
ROOT = Path(__file__).resolve().parents[3]
# Public helpers the feature modules share among themselves that no frontend renders with.
SHARED_ONLY = {"question_body"}  # base.py: a question's choices, for quiz.py and review.py


def public_functions(module_name: str) -> dict[str, object]:
    module = importlib.import_module(f"bot.render.{module_name}")
    return {
        name: value
        for name, value in vars(module).items()
        if not name.startswith("_")
        and inspect.isfunction(value)
        and value.__module__ == module.__name__
    }


def test_the_feature_modules_are_every_render_module_but_text_and_insights():
    found = {p.stem for p in (ROOT / "bot" / "render").glob("*.py")} - {"__init__"}
    assert found == {*FEATURES, "text", "insights"}


@pytest.mark.parametrize("module_name", FEATURES)
def test_every_public_function_of_a_feature_module_is_re_exported_as_itself(module_name):
    functions = public_functions(module_name)
    assert functions, module_name
    for name, function in functions.items():
        if name in SHARED_ONLY:
            continue
        assert name in text.__all__, f"bot.render.{module_name}.{name}"
        assert getattr(text, name) is function


def test_the_re_exports_are_exactly_the_feature_modules_public_names():
    expected = {name for m in FEATURES for name in public_functions(m)} - SHARED_ONLY
    expected |= {"BAR_WIDTH", "TableFormat"}  # a constant and a type, not functions
    assert set(text.__all__) == expected
    assert len(text.__all__) == len(set(text.__all__))
    for name in text.__all__:
        assert hasattr(text, name), name


def test_the_instructors_views_are_not_re_exported():
    insights = importlib.import_module("bot.render.insights")
    for name in public_functions("insights"):
        assert name in vars(insights)
        assert name not in text.__all__ and not hasattr(text, name)


def test_a_shared_helper_is_still_a_public_function_of_base():
    assert set(public_functions("base")) >= SHARED_ONLY
    assert not SHARED_ONLY & set(text.__all__)


def frontend_uses() -> dict[str, set[str]]:
    """Each attribute a frontend module takes from `text` (imported under any alias)."""
    uses: dict[str, set[str]] = {}
    for path in (ROOT / "bot").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "bot.render"
            for alias in node.names
            if alias.name == "text"
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
            ):
                uses.setdefault(node.attr, set()).add(str(path.relative_to(ROOT)))
    return uses


def test_every_text_a_frontend_asks_for_is_re_exported():
    uses = frontend_uses()
    assert len(uses) > 20  # the terminal and Discord frontends import a good part of it
    missing = {name: sorted(where) for name, where in uses.items() if name not in text.__all__}
    assert missing == {}
