"""Plain-text rendering of application results: the console and the CLI print it, and the
Discord frontend wraps it (code blocks, embeds, limits). One place for each text.

Each feature's texts live in a module of their own (`bot/render/ask.py`, `quiz.py`, `jigsaw.py`,
...; what several share in `bot/render/base.py`); this module re-exports their public names,
the one entry the frontends import them from (`from bot.render import text as render_text`).
The instructor's views (digest, progress, grades, privacy) are in `bot/render/insights.py`."""

from __future__ import annotations

from bot.render.admin import (
    render_backups,
    render_downloads,
    render_ingest,
    render_models,
    render_resolution,
    render_restored,
    render_unanswered,
)
from bot.render.ask import render_answer, render_card_page, render_flagged
from bot.render.base import BAR_WIDTH, bar, counted, table_lines
from bot.render.demos import (
    render_attention,
    render_batch,
    render_calculation,
    render_embed,
    render_mask,
    render_masking_demo,
    render_tokenize,
    render_tokenizer_result,
)
from bot.render.finetune import (
    render_finetune_leaderboard,
    render_job_event,
    render_jobs,
    render_try,
)
from bot.render.jigsaw import (
    TableFormat,
    card_material,
    progress_bar,
    render_announcement,
    render_jigsaw_event,
    render_jigsaw_status,
    render_mastery,
    render_quiz_plan,
    render_table,
    render_team_material,
    team_material_parts,
)
from bot.render.quiz import (
    render_leaderboard,
    render_own_result,
    render_question,
    render_question_closed,
    render_quiz_ended,
    render_quiz_event,
    render_standings,
    render_submit,
)
from bot.render.review import (
    render_concept_card,
    render_reminder,
    render_review_done,
    render_review_outcome,
    render_review_question,
    render_review_status,
)
from bot.render.teams import render_accommodation, render_accommodations, render_teams

__all__ = [
    "BAR_WIDTH",
    "TableFormat",
    "bar",
    "card_material",
    "counted",
    "progress_bar",
    "render_accommodation",
    "render_accommodations",
    "render_announcement",
    "render_answer",
    "render_attention",
    "render_backups",
    "render_batch",
    "render_calculation",
    "render_card_page",
    "render_concept_card",
    "render_downloads",
    "render_embed",
    "render_finetune_leaderboard",
    "render_flagged",
    "render_ingest",
    "render_jigsaw_event",
    "render_jigsaw_status",
    "render_job_event",
    "render_jobs",
    "render_leaderboard",
    "render_mask",
    "render_masking_demo",
    "render_mastery",
    "render_models",
    "render_own_result",
    "render_question",
    "render_question_closed",
    "render_quiz_ended",
    "render_quiz_event",
    "render_quiz_plan",
    "render_reminder",
    "render_resolution",
    "render_restored",
    "render_review_done",
    "render_review_outcome",
    "render_review_question",
    "render_review_status",
    "render_standings",
    "render_submit",
    "render_table",
    "render_team_material",
    "render_teams",
    "render_tokenize",
    "render_tokenizer_result",
    "render_try",
    "render_unanswered",
    "table_lines",
    "team_material_parts",
]
