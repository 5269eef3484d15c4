"""Who is acting, and where: every application call that acts takes an `Actor`.

Class activity belongs to a server (a Discord guild; the console is its own), so the server
travels with every call. A person is a stable id plus the display name they act under now;
the application stores that name whenever they act, so nothing ever shows a raw id.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.store import CONSOLE_SERVER, DIRECT_MESSAGES

__all__ = ["CONSOLE_SERVER", "DIRECT_MESSAGES", "Actor", "console_actor"]


@dataclass(frozen=True)
class Actor:
    user: str  # stable id: the Discord user id, or the console's --user name
    name: str = ""  # display name now; defaults to the id (console users are their names)
    server: str = CONSOLE_SERVER
    channel: str = "console"
    instructor: bool = False

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.user)

    def in_channel(self, channel: str) -> Actor:
        return replace(self, channel=channel)


def console_actor(
    user: str = "local",
    *,
    channel: str = "console",
    server: str = CONSOLE_SERVER,
    instructor: bool = False,
) -> Actor:
    """Someone at this machine's terminal (`--as-instructor` makes them the instructor)."""
    return Actor(user, user, server, channel, instructor)
