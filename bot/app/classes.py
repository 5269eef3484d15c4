"""Teams and team channels of a class (per server)."""

from __future__ import annotations

from bot.app.context import Actor
from bot.app.resources import Resources
from bot.errors import NotAllowed, TutorError
from bot.store import classes as rows
from skills.course import TEAMS, parse_team


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

    def assign(self, actor: Actor, assignments: dict[str, str]) -> dict[int, list[str]]:
        """The instructor puts people (by name or id) in teams: {"ana": "team3", ...}."""
        self._instructor(actor)
        resolved = {}
        for who, team in assignments.items():
            person = self.res.store.run(rows.person_named, who)
            if person is None:
                raise TutorError(f"Nobody called {who!r} has used the bot in this class yet.")
            resolved[person] = parse_team(team)
        for person, number in resolved.items():
            self.res.store.write(rows.join_team, actor.server, person, number)
        return self.teams(actor.server)

    def balance(self, actor: Actor) -> dict[int, list[str]]:
        """Everyone seen in this class without a team goes to the smallest team (late joiners
        too; absentees simply have no answers). Teams of one or none still work."""
        self._instructor(actor)
        members = self.res.store.run(rows.members, actor.server)
        sizes = {t: 0 for t in TEAMS}
        for team in members.values():
            sizes[team] = sizes.get(team, 0) + 1
        for person in self.res.store.run(rows.seen_in, actor.server):
            if person in members:
                continue
            team = min(sizes, key=lambda t: (sizes[t], t))
            self.res.store.write(rows.join_team, actor.server, person, team)
            sizes[team] += 1
        return self.teams(actor.server)

    def _instructor(self, actor: Actor) -> None:
        if not actor.instructor:
            raise NotAllowed("Only the instructor can assign teams.")
