"""The choices and limits the frontends offer, in one place: what a command accepts and its
defaults. Frontends import these from here, never from `skills` or `knowledge`, so the console
and Discord cannot drift apart (lint-imports enforces it), and the application that checks a
value is the one that names its range."""

from __future__ import annotations

from bot.app.quizzes import MAX_QUESTIONS, SECONDS_RANGE
from knowledge.documents import MAX_DOCUMENT_BYTES, SUPPORTED_SUFFIXES
from skills.course import TEAMS
from skills.finetune.config import FINETUNE_MODELS, METHODS
from skills.finetune.presets import DEFAULT_PRESET, PRESETS
from skills.inside import MAX_SENTENCES, MAX_WORD_CHARS, MINILM_HEADS, MINILM_LAYERS
from skills.jigsaw import Timings

QUIZ_QUESTIONS = 5  # a quiz's questions, unless the instructor says
QUIZ_SECONDS = 30  # seconds per question, unless the instructor says
MASK_TOP_K = 5  # fill-mask predictions shown

__all__ = [
    "DEFAULT_PRESET",
    "FINETUNE_MODELS",
    "MASK_TOP_K",
    "MAX_DOCUMENT_BYTES",
    "MAX_QUESTIONS",
    "MAX_SENTENCES",
    "MAX_WORD_CHARS",
    "METHODS",
    "MINILM_HEADS",
    "MINILM_LAYERS",
    "PRESETS",
    "QUIZ_QUESTIONS",
    "QUIZ_SECONDS",
    "SECONDS_RANGE",
    "SUPPORTED_SUFFIXES",
    "TEAMS",
    "Timings",
]
