"""The docs hold together: every relative link (and #anchor) in README.md, docs/*.md and the
bench docs points at something that exists, and the README stays a front door that keeps its
two set-up commands."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / "bench" / "README.md",
    ROOT / "bench" / "results" / "history.md",
]
LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)\)")
SET_UP = [
    "python3 -m venv .venv && . .venv/bin/activate && pip install torch==2.13.0 -e . && tutor chat",
    'python3 -m venv .venv && . .venv/bin/activate && pip install torch==2.13.0 -e ".[dev]" && python -m pytest -q',
]


def prose(text: str) -> str:
    """The text outside fenced code blocks and inline code."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", text)


def anchors(path: Path) -> set[str]:
    """GitHub's ids for a Markdown file's headings: lower case, punctuation dropped, spaces as
    hyphens, a repeated heading numbered."""
    seen: dict[str, int] = {}
    found = set()
    for heading in re.findall(r"^#{1,6} (.+)$", prose_keep_headings(path.read_text()), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def prose_keep_headings(text: str) -> str:
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def links(path: Path) -> list[str]:
    return [t for t in LINK.findall(prose(path.read_text())) if not re.match(r"[a-z]+:", t)]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_at_something_that_exists(doc):
    broken = []
    for target in links(doc):
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        missing_anchor = path.suffix == ".md" and bool(anchor) and anchor not in anchors(path)
        if not path.exists() or missing_anchor:
            broken.append(target)
    assert broken == [], f"{doc.relative_to(ROOT)}: broken links {broken}"


def test_the_readme_links_to_every_doc():
    readme = links(ROOT / "README.md")
    linked = {(ROOT / t.partition("#")[0]).resolve() for t in readme}
    missing = [str(d.relative_to(ROOT)) for d in DOCS[1:] if d.resolve() not in linked]
    assert missing == [], f"README.md does not link to {missing}"


def test_the_readme_is_a_front_door_with_its_two_set_up_commands():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 250
    set_up = text.split("## Set-up: two commands", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```bash\n(.*?)\n```", set_up, flags=re.S | re.M)
    assert blocks == SET_UP
    # CI runs the README's test command (.ci/run, which installs quietly).
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip install --quiet torch==2.13.0 -e ".[dev]"' in ci
    assert "python -m pytest -q" in ci


def test_the_anchor_rule_matches_github():
    page = ROOT / "docs" / "asking.md"
    assert "not-what-i-asked-the-instructors-queue" in anchors(page)
    assert "what-an-answer-looks-like" in anchors(page)
