"""Teams and team channels of a class (per server)."""

from __future__ import annotations

from bot.app.context import Actor
from bot.app.resources import Resources
from bot.errors import NotAllowed
from bot.store import classes as rows
from skills.course import parse_team


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
