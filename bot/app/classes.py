"""Teams, team channels and time accommodations of a class (per server)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from bot.app.context import Actor
from bot.app.resources import Resources
from bot.errors import NotAllowed, TutorError, UsageError
from bot.store import classes as rows
from skills.course import TEAMS, parse_team

# A student's time multiplier for timed questions: 1.5 gives half as much time again.
ACCOMMODATION_RANGE = (1.0, 3.0)


@dataclass(frozen=True)
class Person:
    """Someone a frontend knows by id and display name (a Discord member picked in a command),
    who may not have used the bot yet."""

    id: str
    name: str


@dataclass(frozen=True)
class Accommodation:
    person: str  # display name
    multiplier: float


class ClassService:
    def __init__(self, res: Resources) -> None:
        self.res = res

    def join_team(self, actor: Actor, team: str) -> int:
        number = parse_team(team)
        self.res.remember(actor)
        self.res.store.write(rows.join_team, actor.server, actor.user, number)
        return number

    def team_of(self, actor: Actor) -> int | None:
        return self.res.store.run(rows.team_of, actor.server, actor.user)

    def set_team_channel(self, actor: Actor, team: str, channel: str) -> int:
        if not actor.instructor:
            raise NotAllowed("Only the instructor can map teams to channels.")
        number = parse_team(team)
        self.res.store.write(rows.set_team_channel, actor.server, number, channel)
        return number

    def team_channels(self, server: str) -> dict[int, str]:
        return self.res.store.run(rows.team_channels, server)

    def teams(self, server: str) -> dict[int, list[str]]:
        """Team -> its members' display names."""
        members = self.res.store.run(rows.members, server)
        names = self.res.names(list(members))
        out: dict[int, list[str]] = {t: [] for t in TEAMS}
        for user, team in members.items():
            out.setdefault(team, []).append(names[user])
        return {t: sorted(v) for t, v in out.items()}

    def assign(self, actor: Actor, assignments: Mapping[str | Person, str]) -> dict[int, list[str]]:
        """The instructor puts people in teams: {"ana": "team3", Person(id, name): "4", ...}.
        A name (or id) must be someone who has used the bot; a `Person` may be new (their
        display name is stored). Nothing changes unless every one of them is found."""
        self._instructor(actor, "assign teams")
        resolved = {self._person(who): parse_team(team) for who, team in assignments.items()}
        for person, number in resolved.items():
            self.res.store.write(rows.join_team, actor.server, person, number)
        return self.teams(actor.server)

    def balance(self, actor: Actor) -> dict[int, list[str]]:
        """Everyone seen in this class without a team goes to the smallest team (late joiners
        too; absentees simply have no answers). Teams of one or none still work. The
        instructor doing it is not placed in a team."""
        self._instructor(actor, "assign teams")
        members = self.res.store.run(rows.members, actor.server)
        sizes = {t: 0 for t in TEAMS}
        for team in members.values():
            sizes[team] = sizes.get(team, 0) + 1
        for person in self.res.store.run(rows.seen_in, actor.server):
            if person in members or person == actor.user:
                continue
            team = min(sizes, key=lambda t: (sizes[t], t))
            self.res.store.write(rows.join_team, actor.server, person, team)
            sizes[team] += 1
        return self.teams(actor.server)

    # --- time accommodations --------------------------------------------------------------

    def accommodate(self, actor: Actor, who: str | Person, multiplier: float) -> Accommodation:
        """Give a student more time on timed quiz questions in this class: their answer is
        accepted until the question's time x `multiplier` (1.5: half as much again), and a
        question stays open for them (see QuizManager). 1 clears it. Private to the instructor:
        it is personal data, forgotten with the person and cleared when the term closes."""
        self._instructor(actor, "set time accommodations")
        low, high = ACCOMMODATION_RANGE
        if not (math.isfinite(multiplier) and low <= multiplier <= high):
            raise UsageError(
                f"A time multiplier is between {low:g} and {high:g} (1.5 gives half as much "
                f"time again; 1 clears it), not {multiplier:g}."
            )
        person = self._person(who)
        multiplier = round(multiplier, 2)
        if multiplier == 1.0:
            self.res.store.write(rows.clear_accommodation, actor.server, person)
        else:
            self.res.store.write(
                rows.set_accommodation, actor.server, person, multiplier, actor.user
            )
        return Accommodation(self.res.names([person])[person], multiplier)

    def accommodations(self, actor: Actor) -> list[Accommodation]:
        """This class's time accommodations, by display name (the instructor's alone)."""
        self._instructor(actor, "see time accommodations")
        found = self.res.store.run(rows.accommodations, actor.server)
        names = self.res.names(list(found))
        return sorted(
            (Accommodation(names[p], m) for p, m in found.items()), key=lambda a: a.person.lower()
        )

    # --- helpers --------------------------------------------------------------------------

    def _person(self, who: str | Person) -> str:
        if isinstance(who, Person):
            self.res.store.write(rows.remember_person, who.id, who.name)
            return who.id
        person = self.res.store.run(rows.person_named, who)
        if person is None:
            raise TutorError(f"Nobody called {who!r} has used the bot in this class yet.")
        return person

    def _instructor(self, actor: Actor, what: str) -> None:
        if not actor.instructor:
            raise NotAllowed(f"Only the instructor can {what}.")
