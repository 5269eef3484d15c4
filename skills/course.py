"""The course's constants, in one place: its five teams, how people name them, and the
jigsaw's 5 x 4 concepts in the order the course teaches them."""

from __future__ import annotations

import re

from skills.errors import TutorError

TEAMS: tuple[int, ...] = (1, 2, 3, 4, 5)
# Other parts of the project (quizzes, the activity, evaluations) rely on these ids.
JIGSAW_CONCEPTS: dict[int, tuple[str, ...]] = {
    1: ("pretraining-vs-finetuning", "transfer-learning", "transformer-architecture", "attention"),
    2: ("bert-family", "model-selection", "parameters-and-size", "when-to-use-what"),
    3: ("tokenization", "subwords-and-vocabulary", "special-tokens", "attention-masks-and-padding"),
    4: (
        "epochs-batches-steps",
        "learning-rate-and-warmup",
        "loss-and-gradients",
        "hyperparameter-tuning",
    ),
    5: ("lora-and-peft", "evaluation-metrics", "overfitting", "hardware"),
}
_TEAM = re.compile(r"^#?\s*(?:team|t|group)?\s*[-_ ]?\s*(\d{1,3})$", re.IGNORECASE)


class UnknownTeam(TutorError):
    """A team name that is not one of the course's teams."""


# How a caller names a team: as a person types it ("team3", "Team 3", "3", "t3", "#team3")
# or by its number. Services take either and parse it themselves, so no frontend has to.
Team = str | int


def parse_team(team: Team) -> int:
    """The team number from "team3", "Team 3", "3", "t3", "#team3" or 3; UnknownTeam otherwise."""
    text = str(team)
    match = _TEAM.match(text.strip())
    if match and int(match[1]) in TEAMS:
        return int(match[1])
    valid = ", ".join(f"team{t}" for t in TEAMS)
    shown = text.strip()[:40] or "(nothing)"
    raise UnknownTeam(f"Unknown team {shown!r}: the teams are {valid}.")


def team_or_none(team: Team | None) -> int | None:
    """`parse_team`, where no team (None or "") means every team."""
    return None if team is None or team == "" else parse_team(team)
