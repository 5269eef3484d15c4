"""Drive the stand-in from a (synchronous) test: start the bot process, act as people, and read
what Discord received. The stand-in runs on its own event loop in a background thread; every
wait here is bounded.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tests.bot.discord.standin.server import EPHEMERAL, Guild, Interaction, Record, StandIn

ROOT = Path(__file__).resolve().parents[4]
T = TypeVar("T")
SHOWN = ("callback", "followup", "edit_original", "channel_message")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 10 values is the largest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def ms(values: list[float], share: float) -> float | None:
    return round(percentile(values, share) * 1000, 1) if values else None


@dataclass
class Reply:
    """What the bot sent in answer to one event: an interaction, or a message in a channel."""

    discord: Discord
    label: str
    event_t: float
    interaction: Interaction | None = None
    message_id: str | None = None  # the person's message, for replies to chat
    channel_id: str | None = None

    def records(self) -> list[Record]:
        if self.interaction is not None:
            token = self.interaction.token
            return [r for r in self.discord.records() if r.token == token]
        return [
            r
            for r in self.discord.records()
            if r.kind == "channel_message"
            and r.channel == self.channel_id
            and r.t >= self.event_t
            and str(((r.body or {}).get("message_reference") or {}).get("message_id"))
            == self.message_id
        ]

    @property
    def initial(self) -> Record | None:
        return next((r for r in self.records() if r.kind in ("callback", "channel_message")), None)

    @property
    def latency(self) -> float | None:
        first = self.initial
        return None if first is None else first.t - self.event_t

    @property
    def answered_after(self) -> float | None:
        """Seconds from the event to the first message shown (after a defer: the answer)."""
        shown = self.shown()
        return None if not shown else shown[0].t - self.event_t

    @property
    def deferred(self) -> bool:
        return self.initial is not None and self.initial.callback_type == 5

    def shown(self) -> list[Record]:
        """Accepted records that show a message to someone (a defer shows only "thinking…")."""
        return [
            r
            for r in self.records()
            if r.kind in SHOWN and not r.refused and r.callback_type not in (5, 6, 8, 9)
        ]

    def text(self) -> str:
        return "\n".join(r.text() for r in self.shown())

    @property
    def private(self) -> bool:
        """Every message shown was visible to the person only."""
        shown = self.shown()
        return bool(shown) and all(r.ephemeral for r in shown)

    def refused(self) -> list[Record]:
        return [r for r in self.records() if r.refused]

    @property
    def modal(self) -> dict[str, Any] | None:
        initial = self.initial
        return initial.data if initial is not None and initial.callback_type == 9 else None

    @property
    def choices(self) -> list[dict[str, Any]]:
        initial = self.initial
        return initial.data.get("choices") or [] if initial is not None else []

    def files(self) -> list[dict[str, Any]]:
        return [f for r in self.shown() for f in r.files]


@dataclass
class Discord:
    """The stand-in, the bot process and the people in it."""

    workdir: Path
    server: StandIn = field(default_factory=StandIn)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    answer_latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    first_answers: dict[str, float] = field(default_factory=dict)  # each kind's first event
    proc: subprocess.Popen | None = None
    env: dict[str, str] = field(default_factory=dict)  # the bot's settings, for a restart
    ready_after: float | None = None

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / "bot.log"
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="stand-in", daemon=True)
        self._thread.start()
        self._runner = self.call(self.server.start())

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    # --- the bot process ------------------------------------------------------------------------

    def start_bot(self, env: dict[str, str], ready_timeout: float = 240) -> float:
        """Start `tutor run` against the stand-in; returns the seconds until it was ready."""
        self.env = dict(env)
        self.server.ready.clear()
        clean = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
        clean.update(PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", **env)
        cwd = self.workdir / "cwd"  # no stray .env from the checkout
        cwd.mkdir(exist_ok=True)
        started = time.monotonic()
        with self.log_path.open("ab") as log:  # a restarted bot's log follows the first's
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.bot.discord.standin.launch", str(self.server.port)],
                cwd=cwd,
                env=clean,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = started + ready_timeout
        while not self.server.ready.wait(0.2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the bot did not connect; its log:\n{self.log()[-3000:]}")
        # discord.py waits for the guilds (about 2 s without the members intent) before ready.
        time.sleep(2.5)
        self.ready_after = time.monotonic() - started
        return self.ready_after

    def stop_bot(self, timeout: float = 30) -> int:
        """SIGTERM, as a service manager stops it; returns the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode

    def restart_bot(self, *, kill: bool = False) -> float:
        """Stop the bot (SIGKILL, as a crash does, or SIGTERM), then start it again with the
        same settings and data; returns the seconds until it was ready again."""
        assert self.proc is not None
        if kill:
            self.proc.kill()
            self.proc.wait(10)
        else:
            self.stop_bot()
        return self.start_bot(self.env)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.stop_bot()
        self.call(self._runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_problems(self) -> list[str]:
        """ERROR/CRITICAL lines and tracebacks in the bot's log."""
        return [
            line
            for line in self.log().splitlines()
            if line.startswith(("ERROR", "CRITICAL", "Traceback"))
        ]

    # --- reading ------------------------------------------------------------------------------

    def records(self) -> list[Record]:
        with self.server.changed:
            return list(self.server.records)

    def mark(self) -> int:
        return len(self.records())

    def wait_for(self, predicate: Callable[[], T], timeout: float) -> T | None:
        deadline = time.monotonic() + timeout
        with self.server.changed:
            while True:
                got = predicate()
                if got:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.server.changed.wait(min(left, 0.25))

    def posts(self, guild: Guild, channel: str, since: int = 0) -> list[Record]:
        """Accepted messages the bot posted in a channel (not interaction replies)."""
        cid = guild.channels[channel]["id"]
        return [
            r
            for r in self.records()[since:]
            if r.kind == "channel_message" and r.channel == cid and not r.refused
        ]

    def wait_post(
        self,
        guild: Guild,
        channel: str,
        since: int,
        match: Callable[[Record], bool] = lambda r: True,
        timeout: float = 30,
    ) -> Record:
        found = self.wait_for(
            lambda: next((r for r in self.posts(guild, channel, since) if match(r)), None), timeout
        )
        assert found is not None, f"nothing matching was posted in #{channel} within {timeout} s"
        return found

    def message(self, message_id: str) -> dict[str, Any]:
        """A message as it is now (after edits)."""
        return self.server.messages[message_id]

    # --- acting as people -----------------------------------------------------------------------

    def _interact(self, interaction: Interaction) -> Interaction:
        self.call(self.server.send_interaction(interaction))
        return interaction

    def _settle(self, reply: Reply, timeout: float, quiet: float = 0.3) -> Reply:
        """Wait for the initial response; after a defer, for what replaces "thinking…"; then
        until nothing more arrives for this event for `quiet` seconds."""
        assert self.wait_for(lambda: reply.initial, min(timeout, 5)) is not None, (
            f"{reply.label}: no response within {min(timeout, 5)} s"
        )
        if reply.deferred:
            done = self.wait_for(
                lambda: any(
                    (r.kind in ("followup", "edit_original") and not r.refused)
                    # a refusal ends it, except a 429: discord.py waits and tries again
                    or (r.refused and r.kind != "callback" and r.status != 429)
                    for r in reply.records()
                ),
                timeout,
            )
            assert done, f"{reply.label}: still thinking after {timeout} s"
        count = len(reply.records())
        while True:
            time.sleep(quiet)
            now = len(reply.records())
            if now == count:
                break
            count = now
        self._measure(reply)
        return reply

    def _measure(self, reply: Reply) -> None:
        if reply.latency is not None:
            self.latencies[reply.label].append(reply.latency)
        if reply.answered_after is not None:
            self.answer_latencies[reply.label].append(reply.answered_after)
            self.first_answers.setdefault(reply.label, reply.answered_after)

    def slash(
        self,
        user: str,
        guild: Guild | None,
        channel: str | None,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        resolved: dict[str, Any] | None = None,
        timeout: float = 30,
    ) -> Reply:
        """`/quiz start` with options {"team": "team3"}; a sub-command is the second word."""
        data = self.command_data(command, options or {}, guild, resolved=resolved)
        interaction = self.server.interaction(user, 2, data, guild=guild, channel=channel)
        self._interact(interaction)
        label = "/" + command.split()[0] + (f" {command.split()[1]}" if " " in command else "")
        return self._settle(Reply(self, label, interaction.t_event, interaction), timeout)

    def autocomplete(
        self,
        user: str,
        guild: Guild,
        channel: str,
        command: str,
        options: dict[str, Any],
        focused: str,
    ) -> Reply:
        data = self.command_data(command, options, guild, focused=focused)
        interaction = self._interact(
            self.server.interaction(user, 4, data, guild=guild, channel=channel)
        )
        return self._settle(Reply(self, "autocomplete", interaction.t_event, interaction), 5)

    def click(
        self,
        user: str,
        guild: Guild | None,
        channel: str | None,
        message_id: str,
        custom_id: str,
        *,
        timeout: float = 15,
    ) -> Reply:
        message = self.message(message_id)
        data = {"custom_id": custom_id, "component_type": 2}
        interaction = self.server.interaction(
            user, 3, data, guild=guild, channel=channel, message=message
        )
        self._interact(interaction)
        return self._settle(Reply(self, "button click", interaction.t_event, interaction), timeout)

    def submit(
        self,
        user: str,
        guild: Guild | None,
        channel: str | None,
        modal: dict[str, Any],
        value: str,
        *,
        message_id: str | None = None,
        timeout: float = 15,
    ) -> Reply:
        """Fill in every text input of a modal the bot opened, and submit it."""
        interaction = self._form(user, guild, channel, modal, value, message_id)
        self._interact(interaction)
        return self._settle(Reply(self, "form submit", interaction.t_event, interaction), timeout)

    def submit_burst(
        self,
        users: list[str],
        guild: Guild,
        channel: str,
        modal: dict[str, Any],
        value: str,
        *,
        message_id: str,
        at: float,
        timeout: float = 60,
    ) -> dict[str, Reply]:
        """Everyone submits the same form at monotonic time `at`, all at once (more events
        than the bot has worker threads); each reply is awaited afterwards."""
        forms = {u: self._form(u, guild, channel, modal, value, message_id) for u in users}

        async def send_all() -> None:
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            for interaction in forms.values():
                await self.server.send_interaction(interaction)

        self.call(send_all(), timeout=at - time.monotonic() + 10)
        return {
            u: self._settle(Reply(self, "form submit", i.t_event, i), timeout)
            for u, i in forms.items()
        }

    def _form(
        self,
        user: str,
        guild: Guild | None,
        channel: str | None,
        modal: dict[str, Any],
        value: str,
        message_id: str | None,
    ) -> Interaction:
        from tests.bot.discord.standin.limits import text_input_of

        rows = []
        for component in modal["components"]:
            text_input = {
                "type": 4,
                "custom_id": text_input_of(component)["custom_id"],
                "value": value,
            }
            if component.get("type") == 1:
                rows.append({"type": 1, "components": [text_input]})
            else:
                rows.append({"type": component["type"], "component": text_input})
        data = {"custom_id": modal["custom_id"], "components": rows}
        message = self.message(message_id) if message_id else None
        return self.server.interaction(user, 5, data, guild=guild, channel=channel, message=message)

    def say(
        self,
        user: str,
        guild: Guild | None,
        channel: str | None,
        content: str,
        *,
        mention_bot: bool = False,
        label: str = "chat",
        timeout: float = 30,
    ) -> Reply:
        """A message in a channel (or, with guild None, in the person's DM with the bot);
        waits for the bot's reply to it."""
        message = self.server.message_event(
            user, content, guild=guild, channel=channel, mention_bot=mention_bot
        )
        event_t = self.call(self.server.dispatch("MESSAGE_CREATE", message))
        reply = Reply(
            self, label, event_t, message_id=message["id"], channel_id=message["channel_id"]
        )
        assert self.wait_for(lambda: reply.initial, timeout) is not None, (
            f"{label}: no reply within {timeout} s"
        )
        time.sleep(0.3)
        self._measure(reply)
        return reply

    def command_data(
        self,
        command: str,
        options: dict[str, Any],
        guild: Guild | None,
        *,
        resolved: dict[str, Any] | None = None,
        focused: str | None = None,
    ) -> dict[str, Any]:
        """The data of an application-command interaction, typed by the synced payload."""
        name, *sub = command.split()
        synced = next(c for c in self.server.commands if c["name"] == name)
        spec = synced.get("options") or []
        if sub:
            spec = next(o for o in spec if o["name"] == sub[0]).get("options") or []
        given = []
        for key, value in options.items():
            option = next((o for o in spec if o["name"] == key), None)
            assert option is not None, f"/{command} has no option {key!r}"
            entry: dict[str, Any] = {"name": key, "type": option["type"], "value": value}
            if key == focused:
                entry["focused"] = True
            given.append(entry)
        data: dict[str, Any] = {
            "id": synced["id"],
            "name": name,
            "type": 1,
            "options": [{"name": sub[0], "type": 1, "options": given}] if sub else given,
        }
        if guild is not None:
            data["guild_id"] = guild.id
        if resolved:
            data["resolved"] = resolved
        return data

    # --- helpers for views ----------------------------------------------------------------------

    @staticmethod
    def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
        return [c for row in message.get("components") or [] for c in row.get("components") or []]

    def button(self, message_id: str, label: str) -> dict[str, Any]:
        found = [b for b in self.buttons(self.message(message_id)) if b.get("label") == label]
        assert found, f"no button {label!r} on message {message_id}"
        return found[0]

    # --- the report -----------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """Latency from event to first response per kind of event, and what was refused."""
        kinds = {}
        for label, values in sorted(self.latencies.items()):
            answers = self.answer_latencies.get(label) or []
            first = self.first_answers.get(label)
            kinds[label] = {
                "n": len(values),
                "p50_ms": ms(values, 0.5),
                "p95_ms": ms(values, 0.95),
                "max_ms": ms(values, 1.0),
                "answer_p50_ms": ms(answers, 0.5),
                "answer_p95_ms": ms(answers, 0.95),
                "first_answer_ms": None if first is None else round(first * 1000, 1),
            }
        everything = [v for values in self.latencies.values() for v in values]
        refused = [
            {"route": f"{r.method} {r.path}", "status": r.status, "problems": r.problems}
            for r in self.records()
            if r.refused and not found_nobody(r)
        ]
        return {
            "ready_after_s": round(self.ready_after or 0, 1),
            "events": len(everything),
            "p50_ms": ms(everything, 0.5),
            "p95_ms": ms(everything, 0.95),
            "by_kind": kinds,
            "refused": refused,
        }


def found_nobody(record: Record) -> bool:
    """A lookup of someone who is not there (404 Unknown Member): Discord's answer to a fair
    question, not a refusal of something the bot got wrong."""
    return record.kind in ("get_member", "get_user") and record.status == 404


def ephemeral(record: Record) -> bool:
    return bool(int(record.data.get("flags") or 0) & EPHEMERAL)


def plain(text: str) -> str:
    """Text without Discord markdown escapes, to compare with what a person typed."""
    return re.sub(r"\\([*_`~|>\\])", r"\1", text)
