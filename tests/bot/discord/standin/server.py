"""The stand-in for Discord: a gateway websocket and the REST routes the bot uses, on 127.0.0.1.

It answers as Discord does where it matters to what people see:

- one initial response per interaction, within 3 s of the event (else 404 "Unknown
  interaction", 10062: the user sees "The application did not respond"); a second one is 400
  (40060); followups only after it;
- the first followup after a deferred response replaces the "thinking…" message and keeps the
  defer's visibility, whatever it asks for (a private error after a public defer is public);
- 400 with Discord's error body for every documented limit (`limits.py`), an empty message
  (50006), or an unknown message or channel;
- 429 with `retry_after` (and Discord's `Via` header) when a test asks for it, and any other
  refusal a test injects (`fail_next`).

Everything the bot sends is kept as a `Record`, in order, with the time it arrived; the tests
assert on those. Guilds, channels, roles and people are plain dicts shaped like Discord's.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from tests.bot.discord.standin import limits

DISCORD_EPOCH_MS = 1420070400000
EPHEMERAL = 1 << 6
LOADING = 1 << 7
MANAGE_GUILD = 1 << 5
# View channel, send messages, embed links, attach files, read history, use application commands.
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 31)
INITIAL_RESPONSE_SECONDS = 3.0
CALLBACKS_ALLOWED = {  # interaction type -> callback types Discord accepts
    "command": {4, 5, 9},
    "component": {4, 5, 6, 7, 9},
    "modal_submit": {4, 5, 6, 7},
    "autocomplete": {8},
}
INTERACTION_TYPES = {2: "command", 3: "component", 4: "autocomplete", 5: "modal_submit"}

_sequence = itertools.count(1)


def snowflake() -> str:
    return str(((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (next(_sequence) & 0x3FFFFF))


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # discord.py parses a body as JSON only when the Content-Type is exactly application/json.
    return web.Response(
        body=json.dumps(body).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def error(status: int, code: int, message: str) -> web.Response:
    return json_response({"message": message, "code": code}, status)


@dataclass
class Person:
    id: str
    username: str
    display_name: str
    dm_channel: str

    def user(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "global_name": self.display_name,
            "discriminator": "0",
            "avatar": None,
            "bot": False,
            "public_flags": 0,
        }


@dataclass
class Guild:
    id: str
    name: str
    roles: dict[str, dict[str, Any]]  # "everyone", "instructor", "student"
    channels: dict[str, dict[str, Any]]  # by name
    member_roles: dict[str, list[str]] = field(default_factory=dict)  # username -> role ids

    def channel(self, name: str) -> dict[str, Any]:
        return self.channels[name]


@dataclass
class Interaction:
    id: str
    token: str
    kind: str
    user: str
    channel_id: str
    guild: Guild | None
    payload: dict[str, Any]
    t_event: float = 0.0
    ack_type: int | None = None
    defer_ephemeral: bool = False
    original_id: str | None = None
    original_deleted: bool = False
    followups: int = 0


@dataclass
class Record:
    """One REST request from the bot, as the stand-in answered it."""

    t: float
    method: str
    path: str
    kind: str  # callback, followup, edit_original, delete_original, channel_message, ...
    body: Any = None
    files: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    problems: list[str] = field(default_factory=list)  # why Discord refused it
    notes: list[str] = field(default_factory=list)  # what Discord accepted but did differently
    token: str | None = None
    channel: str | None = None
    ephemeral: bool | None = None  # as shown, for messages
    latency: float | None = None  # since the interaction's event
    message_id: str | None = None

    @property
    def refused(self) -> bool:
        return self.status >= 400

    @property
    def data(self) -> dict[str, Any]:
        """The message part of the body (an interaction callback nests it under "data")."""
        body = self.body if isinstance(self.body, dict) else {}
        return (body.get("data") or {}) if self.kind == "callback" else body

    @property
    def callback_type(self) -> int | None:
        return (
            self.body.get("type")
            if self.kind == "callback" and isinstance(self.body, dict)
            else None
        )

    @property
    def content(self) -> str:
        return self.data.get("content") or ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.data.get("embeds") or []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.data.get("components") or []

    def text(self) -> str:
        """Everything readable in it: content, embeds, attachment names."""
        parts = [self.content]
        for e in self.embeds:
            parts += [e.get("title") or "", e.get("description") or ""]
            parts += [f"{f.get('name')}\n{f.get('value')}" for f in e.get("fields") or []]
            parts.append((e.get("footer") or {}).get("text") or "")
        parts += [f["filename"] for f in self.files]
        return "\n".join(p for p in parts if p)


@dataclass
class Fault:
    """A refusal a test asks for: the next request that matches gets it instead."""

    kind: str
    channel: str | None
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int = 1


def shard_of(guild_id: str, count: int) -> int:
    """The shard Discord sends a guild's events on."""
    return (int(guild_id) >> 22) % count


class _Connection:
    """One gateway websocket: its shard count and its own event sequence."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.count = 1
        self.seq = 0

    async def send(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        await self.ws.send_str(json.dumps({"op": 0, "t": event, "s": self.seq, "d": data}))


class StandIn:
    """Discord for one bot: guilds, people, messages, and a record of every request."""

    def __init__(self) -> None:
        self.port = 0
        self.app_id = snowflake()
        self.bot_user = {
            "id": self.app_id,
            "username": "tutorbot",
            "global_name": "Tutor",
            "discriminator": "0",
            "avatar": None,
            "bot": True,
            "public_flags": 0,
        }
        self.guilds: dict[str, Guild] = {}
        self.people: dict[str, Person] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}  # attachment id -> file
        self.interactions: dict[str, Interaction] = {}
        self.records: list[Record] = []
        self.commands: list[dict[str, Any]] = []
        self.identify: dict[str, Any] | None = None
        self.identified: list[list[int]] = []  # each connection's [shard, count], in order
        self.recommended_shards = 1  # what GET /gateway/bot answers
        self.faults: list[Fault] = []
        self.ready = threading.Event()
        self.changed = threading.Condition()
        self._shards: dict[int, _Connection] = {}  # by shard id

    # --- the world ----------------------------------------------------------------------------

    def add_guild(self, name: str, channels: list[str]) -> Guild:
        gid = snowflake()
        roles = {
            "everyone": {
                "id": gid,
                "name": "@everyone",
                "permissions": str(MEMBER_PERMISSIONS),
                "position": 0,
            },
            "instructor": {
                "id": snowflake(),
                "name": "Instructor",
                "permissions": str(MEMBER_PERMISSIONS | MANAGE_GUILD),
                "position": 2,
            },
            "student": {
                "id": snowflake(),
                "name": "Student",
                "permissions": str(MEMBER_PERMISSIONS),
                "position": 1,
            },
        }
        for role in roles.values():
            role.update(color=0, hoist=False, managed=False, mentionable=False, flags=0)
        chans = {}
        for position, channel in enumerate(channels):
            chans[channel] = {
                "id": snowflake(),
                "type": 0,
                "guild_id": gid,
                "name": channel,
                "position": position,
                "permission_overwrites": [],
                "parent_id": None,
                "topic": None,
                "nsfw": False,
                "last_message_id": None,
                "rate_limit_per_user": 0,
            }
        guild = Guild(gid, name, roles, chans)
        self.guilds[name] = guild
        return guild

    def add_person(self, username: str, display_name: str) -> Person:
        person = Person(snowflake(), username, display_name, snowflake())
        self.people[username] = person
        return person

    def join(self, guild: Guild, username: str, role: str = "student") -> None:
        guild.member_roles[username] = [guild.roles[role]["id"]]

    def member(self, guild: Guild, username: str, *, with_user: bool = True) -> dict[str, Any]:
        role_ids = guild.member_roles[username]
        permissions = 0
        for role in guild.roles.values():
            if role["id"] in role_ids or role["name"] == "@everyone":
                permissions |= int(role["permissions"])
        member = {
            "roles": role_ids,
            "joined_at": now_iso(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "pending": False,
            "permissions": str(permissions),
        }
        if with_user:
            member["user"] = self.people[username].user()
        return member

    def channel_by_id(self, channel_id: str) -> tuple[Guild | None, dict[str, Any] | None]:
        for guild in self.guilds.values():
            for channel in guild.channels.values():
                if channel["id"] == channel_id:
                    return guild, channel
        for person in self.people.values():
            if person.dm_channel == channel_id:
                return None, self._dm(person)
        return None, None

    def _dm(self, person: Person) -> dict[str, Any]:
        return {
            "id": person.dm_channel,
            "type": 1,
            "recipients": [person.user()],
            "last_message_id": None,
        }

    def guild_payload(self, guild: Guild) -> dict[str, Any]:
        me = {
            "user": self.bot_user,
            "roles": [],
            "joined_at": now_iso(),
            "deaf": False,
            "mute": False,
            "flags": 0,
        }
        return {
            "id": guild.id,
            "name": guild.name,
            "icon": None,
            "owner_id": snowflake(),
            "roles": list(guild.roles.values()),
            "channels": list(guild.channels.values()),
            # Without the members intent Discord sends only the bot itself as a member.
            "members": [me],
            "member_count": len(guild.member_roles) + 1,
            "large": False,
            "unavailable": False,
            "features": [],
            "emojis": [],
            "stickers": [],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "joined_at": now_iso(),
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "premium_tier": 0,
            "nsfw_level": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "afk_timeout": 300,
        }

    # --- serving ------------------------------------------------------------------------------

    async def start(self) -> web.AppRunner:
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_get("/gateway", self.gateway)
        app.router.add_get("/attachments/{aid}/{name}", self.cdn)
        app.router.add_route("*", "/api/v10/{tail:.*}", self.rest)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return runner

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def cdn(self, request: web.Request) -> web.Response:
        file = self.files.get(request.match_info["aid"])
        return web.Response(body=file["data"]) if file else web.Response(status=404)

    # --- gateway ------------------------------------------------------------------------------

    async def gateway(self, request: web.Request) -> web.WebSocketResponse:
        """One gateway connection: a sharded bot opens one per shard, and each gets only the
        events of the guilds on its shard ((guild id >> 22) % shard count), as on Discord."""
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        connection = _Connection(ws)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            op = data.get("op")
            if op == 1:  # heartbeat; a real round trip takes a few ms
                await asyncio.sleep(0.02)
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif op == 2:  # identify
                self.identify = data["d"]
                shard, count = self.identify.get("shard") or [0, 1]
                self.identified.append([shard, count])
                self._shards = {
                    k: c for k, c in self._shards.items() if c.count == count and not c.ws.closed
                }
                connection.count = count
                self._shards[shard] = connection
                guilds = [g for g in self.guilds.values() if shard_of(g.id, count) == shard]
                await connection.send(
                    "READY",
                    {
                        "v": 10,
                        "user": self.bot_user,
                        "guilds": [{"id": g.id, "unavailable": True} for g in guilds],
                        "session_id": f"stand-in-session-{shard}",
                        "resume_gateway_url": f"ws://127.0.0.1:{self.port}/gateway",
                        "shard": [shard, count],
                        "application": {"id": self.app_id, "flags": 0},
                        "private_channels": [],
                        "relationships": [],
                        "presences": [],
                    },
                )
                for guild in guilds:
                    await connection.send("GUILD_CREATE", self.guild_payload(guild))
                if len(self._shards) == count:
                    self.ready.set()
            elif op == 6:  # resume: the shard is the one its session was
                shard = int(data["d"]["session_id"].rsplit("-", 1)[-1])
                old = self._shards.get(shard)
                connection.count = old.count if old else 1
                connection.seq = old.seq if old else 0
                self._shards[shard] = connection
                await connection.send("RESUMED", {})
        return ws

    async def dispatch(self, event: str, data: dict[str, Any]) -> float:
        """Send a gateway event on the shard of its guild (shard 0 for a DM); returns when it
        left (the start of every latency)."""
        guild = data.get("guild_id")
        shard = shard_of(guild, self._shard_count()) if guild else 0
        connection = self._shards.get(shard)
        if connection is None or connection.ws.closed:
            raise RuntimeError(f"the bot is not connected to the gateway (shard {shard})")
        sent_at = time.monotonic()
        await connection.send(event, data)
        return sent_at

    def _shard_count(self) -> int:
        return next(iter(self._shards.values())).count if self._shards else 1

    async def send_interaction(self, interaction: Interaction) -> float:
        # The time is set before the event leaves: the bot's answer may arrive before this returns.
        interaction.t_event = time.monotonic()
        await self.dispatch("INTERACTION_CREATE", interaction.payload)
        return interaction.t_event

    # --- events a test builds ---------------------------------------------------------------

    def interaction(
        self,
        user: str,
        itype: int,
        data: dict[str, Any],
        *,
        guild: Guild | None,
        channel: str | None,
        message: dict[str, Any] | None = None,
    ) -> Interaction:
        person = self.people[user]
        channel_obj = guild.channels[channel] if guild and channel else self._dm(person)
        iid, token = snowflake(), f"token-{snowflake()}"
        payload: dict[str, Any] = {
            "id": iid,
            "application_id": self.app_id,
            "type": itype,
            "token": token,
            "version": 1,
            "data": data,
            "channel_id": channel_obj["id"],
            "channel": channel_obj,
            "locale": "en-US",
            "app_permissions": str(MEMBER_PERMISSIONS),
            "entitlements": [],
            "attachment_size_limit": 10 * 2**20,
        }
        if guild is None:
            payload.update(
                user=person.user(), context=1, authorizing_integration_owners={"1": person.id}
            )
        else:
            payload.update(
                guild_id=guild.id,
                guild_locale="en-US",
                member=self.member(guild, user),
                guild={"id": guild.id, "locale": "en-US", "features": []},
                context=0,
                authorizing_integration_owners={"0": guild.id},
            )
        if message is not None:
            payload["message"] = self.public(message)
        interaction = Interaction(
            iid, token, INTERACTION_TYPES[itype], user, channel_obj["id"], guild, payload
        )
        self.interactions[token] = interaction
        return interaction

    def message_event(
        self,
        user: str,
        content: str,
        *,
        guild: Guild | None,
        channel: str | None,
        mention_bot: bool = False,
    ) -> dict[str, Any]:
        person = self.people[user]
        channel_id = guild.channels[channel]["id"] if guild and channel else person.dm_channel
        if mention_bot:
            content = f"<@{self.app_id}> {content}"
        mentions = (
            [dict(self.bot_user, member={"roles": [], "joined_at": now_iso()})]
            if mention_bot
            else []
        )
        # As Discord does: every person mentioned in the content (<@id>) comes with it.
        by_id = {p.id: p for p in self.people.values()}
        for mentioned in dict.fromkeys(re.findall(r"<@!?(\d+)>", content)):
            if mentioned in by_id:
                extra = (
                    {"member": self.member(guild, by_id[mentioned].username, with_user=False)}
                    if guild
                    else {}
                )
                mentions.append(dict(by_id[mentioned].user(), **extra))
        message = {
            "id": snowflake(),
            "channel_id": channel_id,
            "author": person.user(),
            "content": content,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": mentions,
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
            "nonce": snowflake(),
        }
        if guild is not None:
            message.update(guild_id=guild.id, member=self.member(guild, user, with_user=False))
        return message

    def attachment(
        self, filename: str, data: bytes, content_type: str = "text/plain"
    ) -> dict[str, Any]:
        """A file a person uploads (e.g. for /admin ingest), served from the stand-in's CDN."""
        aid = snowflake()
        url = f"{self.base}/attachments/{aid}/{filename}"
        self.files[aid] = {"filename": filename, "data": data}
        return {
            "id": aid,
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }

    def fail_next(
        self,
        kind: str,
        *,
        channel: str | None = None,
        status: int = 429,
        retry_after: float = 0.5,
        code: int = 0,
        message: str = "",
        times: int = 1,
    ) -> None:
        """The next `times` requests of this kind (in this channel) are refused: 429 with
        retry_after, as Discord rate-limits, or another status with Discord's error body."""
        if status == 429:
            body: dict[str, Any] = {
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": False,
            }
            headers = {
                "Retry-After": str(max(1, round(retry_after))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": str(retry_after),
                "X-RateLimit-Bucket": "stand-in",
                "X-RateLimit-Scope": "user",
                "Via": "1.1 google",
            }
        else:
            body, headers = {"message": message, "code": code}, {}
        self.faults.append(Fault(kind, channel, status, body, headers, times))

    # --- REST ---------------------------------------------------------------------------------

    async def rest(self, request: web.Request) -> web.StreamResponse:
        t = time.monotonic()
        method, path = request.method, "/" + request.match_info["tail"]
        body, files = await self._read_body(request)
        segments = path.strip("/").split("/")
        record = Record(t, method, path, _kind(method, segments), body, files)
        if segments[0] == "channels" and len(segments) > 1:
            record.channel = segments[1]
        fault = self._take_fault(record)
        if fault is not None:
            record.status = fault.status
            record.problems.append(f"injected {fault.status}: {fault.body.get('message')}")
            if record.kind in ("followup", "callback"):
                record.token = segments[2]
            self._record(record)
            return json_response(fault.body, fault.status, fault.headers)
        try:
            response = self._route(record, segments, body, files)
        except Exception as exc:  # a bug in the stand-in: loud, and a 500 to the bot
            record.problems.append(f"STAND-IN ERROR {exc!r}")
            response = error(500, 0, "stand-in error")
        record.status = response.status
        self._record(record)
        return response

    def _take_fault(self, record: Record) -> Fault | None:
        for fault in self.faults:
            if fault.kind == record.kind and fault.channel in (None, record.channel):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _record(self, record: Record) -> None:
        with self.changed:
            self.records.append(record)
            self.changed.notify_all()

    async def _read_body(self, request: web.Request) -> tuple[Any, list[dict[str, Any]]]:
        files: list[dict[str, Any]] = []
        if request.content_type.startswith("multipart/"):
            body: Any = {}
            reader = await request.multipart()
            async for part in reader:
                raw = await part.read(decode=False)  # type: ignore[union-attr]
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(raw)
                else:
                    files.append(
                        {
                            "field": part.name,
                            "filename": part.filename,
                            "size": len(raw),
                            "data": bytes(raw),
                        }
                    )  # type: ignore[union-attr]
            for described in (body or {}).get("attachments") or []:
                index = int(described.get("id", -1))
                if 0 <= index < len(files):
                    files[index]["description"] = described.get("description")
            return body, files
        if request.can_read_body:
            text = await request.text()
            try:
                return json.loads(text), files
            except ValueError:
                return text, files
        return None, files

    def _route(
        self, record: Record, seg: list[str], body: Any, files: list[dict[str, Any]]
    ) -> web.Response:
        kind = record.kind
        if kind == "login":
            return json_response(self.bot_user)
        if kind == "app_info":
            return json_response(
                {
                    "id": self.app_id,
                    "name": "tutorbot",
                    "icon": None,
                    "description": "",
                    "rpc_origins": [],
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "owner": dict(self.bot_user, id=snowflake(), bot=False, username="owner"),
                    "summary": "",
                    "verify_key": "0" * 64,
                    "flags": 0,
                    "team": None,
                    "bot": self.bot_user,
                }
            )
        if kind == "gateway_url":
            return json_response(
                {
                    "url": f"ws://127.0.0.1:{self.port}/gateway",
                    "shards": self.recommended_shards,
                    "session_start_limit": {
                        "total": 1000,
                        "remaining": 1000,
                        "reset_after": 0,
                        "max_concurrency": 1,
                    },
                }
            )
        if kind == "commands_sync":
            return self._sync(record, seg, body)
        if kind == "callback":
            return self._callback(record, seg[1], seg[2], body, files)
        if kind == "followup" or kind.endswith(("_original", "_followup")):
            return self._webhook(record, seg, body, files)
        if kind in ("channel_message", "channel_edit", "channel_delete", "typing", "get_channel"):
            return self._channel(record, seg, body, files)
        if kind == "create_dm":
            person = next(
                (p for p in self.people.values() if p.id == str(body.get("recipient_id"))), None
            )
            return json_response(self._dm(person)) if person else error(404, 10013, "Unknown User")
        if kind == "get_member":  # GET /guilds/{guild}/members/{user}
            guild = next((g for g in self.guilds.values() if g.id == seg[1]), None)
            person = next((p for p in self.people.values() if p.id == seg[3]), None)
            if guild is None or person is None or person.username not in guild.member_roles:
                return error(404, 10007, "Unknown Member")
            return json_response(self.member(guild, person.username))
        if kind == "get_user":
            person = next((p for p in self.people.values() if p.id == seg[1]), None)
            return json_response(person.user()) if person else error(404, 10013, "Unknown User")
        record.problems.append("route not implemented by the stand-in")
        return error(404, 0, f"the stand-in does not implement {record.method} {record.path}")

    def _sync(self, record: Record, seg: list[str], body: list[dict[str, Any]]) -> web.Response:
        problems = limits.check_commands(body)
        if problems:
            record.problems = limits.describe(problems)
            return json_response(limits.form_error(problems), 400)
        guild_id = seg[3] if "guilds" in seg else None
        self.commands = []
        for command in body:
            self.commands.append(
                {
                    "id": snowflake(),
                    "application_id": self.app_id,
                    "version": snowflake(),
                    "type": command.get("type", 1),
                    "default_member_permissions": None,
                    "nsfw": False,
                    "options": [],
                    "description": "",
                    **command,
                    **({"guild_id": guild_id} if guild_id else {}),
                }
            )
        return json_response(self.commands)

    def _refuse(self, record: Record, problems: list[limits.Problem]) -> web.Response:
        record.problems = limits.describe(problems)
        return json_response(limits.form_error(problems), 400)

    def _new_message(
        self, body: dict[str, Any], channel_id: str, files: list[dict[str, Any]], *, flags: int = 0
    ) -> dict[str, Any]:
        attachments = []
        for file in files:
            aid = snowflake()
            self.files[aid] = file
            url = f"{self.base}/attachments/{aid}/{file['filename']}"
            attachments.append(
                {
                    "id": aid,
                    "filename": file["filename"],
                    "size": file["size"],
                    "url": url,
                    "proxy_url": url,
                    "description": file.get("description"),
                }
            )
        message = {
            "id": snowflake(),
            "channel_id": channel_id,
            "author": self.bot_user,
            "content": body.get("content") or "",
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": body.get("embeds") or [],
            "pinned": False,
            "type": 0,
            "flags": flags | (int(body.get("flags") or 0) & EPHEMERAL),
            "components": body.get("components") or [],
        }
        if body.get("message_reference"):
            message["message_reference"] = body["message_reference"]
            message["type"] = 19
        guild, _ = self.channel_by_id(channel_id)
        if guild is not None:
            message["guild_id"] = guild.id
        self.messages[message["id"]] = message
        return message

    @staticmethod
    def public(message: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in message.items() if not k.startswith("_")}

    def _edit(
        self, message: dict[str, Any], body: dict[str, Any], files: list[dict[str, Any]]
    ) -> None:
        for key in ("content", "embeds", "components"):
            if key in body:
                message[key] = (
                    body[key] if body[key] is not None else ([] if key != "content" else "")
                )
        if files:
            message["attachments"] = self._new_message({}, message["channel_id"], files)[
                "attachments"
            ]
        message["edited_timestamp"] = now_iso()
        message["flags"] = int(message.get("flags") or 0) & ~LOADING

    # interactions --------------------------------------------------------------------------

    def _callback(
        self,
        record: Record,
        iid: str,
        token: str,
        body: dict[str, Any],
        files: list[dict[str, Any]],
    ) -> web.Response:
        record.token = token
        interaction = self.interactions.get(token)
        if interaction is None or interaction.id != iid:
            record.problems.append("unknown interaction")
            return error(404, 10062, "Unknown interaction")
        record.latency = record.t - interaction.t_event
        if interaction.ack_type is not None:
            record.problems.append("second initial response")
            return error(400, 40060, "Interaction has already been acknowledged.")
        if record.latency > INITIAL_RESPONSE_SECONDS:
            record.problems.append(
                f"initial response after {record.latency:.2f} s: the user saw 'The application did not respond'"
            )
            return error(404, 10062, "Unknown interaction")
        ctype, data = body.get("type"), body.get("data") or {}
        if ctype not in CALLBACKS_ALLOWED[interaction.kind]:
            record.problems.append(f"callback type {ctype} is not valid for a {interaction.kind}")
            return error(400, 50035, "Invalid Form Body")
        if ctype in (4, 7):
            if ctype == 4 and limits.is_empty(data, len(files)):
                record.problems.append("empty message")
                return error(400, 50006, "Cannot send an empty message")
            problems = [
                (f"data.{p}", c, m) for p, c, m in limits.check_message(data, files=len(files))
            ]
            if problems:
                return self._refuse(record, problems)
            record.notes += limits.mentions_note(data, edit=ctype == 7)
        elif ctype in (8, 9):
            check = limits.check_modal if ctype == 9 else limits.check_choices
            if problems := check(data):
                return self._refuse(record, problems)
        interaction.ack_type = ctype
        flags = int(data.get("flags") or 0)
        interaction.defer_ephemeral = ctype == 5 and bool(flags & EPHEMERAL)
        record.ephemeral = bool(flags & EPHEMERAL) if ctype in (4, 5) else None
        response: dict[str, Any] = {
            "interaction": {
                "id": iid,
                "type": interaction.payload["type"],
                "response_message_loading": ctype == 5,
                "response_message_ephemeral": bool(flags & EPHEMERAL),
            },
            "resource": {"type": ctype},
        }
        if ctype in (4, 5):
            loading = LOADING if ctype == 5 else 0
            message = self._new_message(
                data if ctype == 4 else {},
                interaction.channel_id,
                files,
                flags=loading | (flags & EPHEMERAL),
            )
            message["interaction_metadata"] = {
                "id": iid,
                "type": interaction.payload["type"],
                "user": self.people[interaction.user].user(),
            }
            message["_token"] = token
            interaction.original_id = record.message_id = message["id"]
            response["interaction"]["response_message_id"] = message["id"]
            response["resource"]["message"] = self.public(message)
        elif ctype in (6, 7) and "message" in interaction.payload:
            message = self.messages.get(
                interaction.payload["message"]["id"], interaction.payload["message"]
            )
            if ctype == 7:
                self._edit(message, data, files)
            record.message_id = message["id"]
            response["interaction"]["response_message_id"] = message["id"]
            response["resource"]["message"] = self.public(message)
        return json_response(response)

    def _webhook(
        self, record: Record, seg: list[str], body: Any, files: list[dict[str, Any]]
    ) -> web.Response:
        app_id, token = seg[1], seg[2]
        record.token = token
        interaction = self.interactions.get(token)
        if interaction is None or app_id != self.app_id:
            record.problems.append("unknown webhook")
            return error(404, 10015, "Unknown Webhook")
        record.latency = record.t - interaction.t_event
        if record.latency > 15 * 60:
            return error(401, 50027, "Invalid Webhook Token")
        if interaction.ack_type is None:
            record.problems.append("followup before the initial response")
            return error(404, 10015, "Unknown Webhook")
        if record.kind == "followup":
            return self._followup(record, interaction, body or {}, files)
        message_id = interaction.original_id if seg[4] == "@original" else seg[4]
        message = self.messages.get(message_id or "")
        if message is None:
            record.problems.append("unknown message")
            return error(404, 10008, "Unknown Message")
        record.message_id = message["id"]
        if record.kind.startswith("get_"):
            return json_response(self.public(message))
        if record.kind.startswith("delete_"):
            self.messages.pop(message["id"], None)
            if message["id"] == interaction.original_id:
                interaction.original_deleted = True
            return web.Response(status=204)
        merged = {**self.public(message), **(body or {})}
        if problems := limits.check_message(merged, files=len(files)):
            return self._refuse(record, problems)
        record.notes += limits.mentions_note(body or {}, edit=True)
        self._edit(message, body or {}, files)
        record.ephemeral = bool(message["flags"] & EPHEMERAL)
        return json_response(self.public(message))

    def _followup(
        self,
        record: Record,
        interaction: Interaction,
        body: dict[str, Any],
        files: list[dict[str, Any]],
    ) -> web.Response:
        if limits.is_empty(body, len(files)):
            record.problems.append("empty message")
            return error(400, 50006, "Cannot send an empty message")
        if problems := limits.check_message(body, files=len(files)):
            return self._refuse(record, problems)
        record.notes += limits.mentions_note(body)
        wanted = bool(int(body.get("flags") or 0) & EPHEMERAL)
        replaces_thinking = (
            interaction.ack_type == 5
            and interaction.followups == 0
            and not interaction.original_deleted
        )
        interaction.followups += 1
        if replaces_thinking:
            # Discord: the first followup after a deferred response edits the "thinking…"
            # message, which keeps the defer's visibility whatever the followup asks.
            record.ephemeral = interaction.defer_ephemeral
            if wanted != interaction.defer_ephemeral:
                shown = "privately" if interaction.defer_ephemeral else "to everyone"
                record.notes.append(
                    f"asked ephemeral={wanted}, shown {shown} (it replaces the thinking message)"
                )
            message = self.messages[interaction.original_id or ""]
            self._edit(message, body, files)
            record.message_id = message["id"]
            return json_response(self.public(message))
        record.ephemeral = wanted
        message = self._new_message(
            body, interaction.channel_id, files, flags=EPHEMERAL if wanted else 0
        )
        message["_token"] = interaction.token
        record.message_id = message["id"]
        return json_response(self.public(message))

    # channels -----------------------------------------------------------------------------

    def _channel(
        self, record: Record, seg: list[str], body: Any, files: list[dict[str, Any]]
    ) -> web.Response:
        _, channel = self.channel_by_id(seg[1])
        if channel is None:
            record.problems.append("unknown channel")
            return error(404, 10003, "Unknown Channel")
        if record.kind == "get_channel":
            return json_response(channel)
        if record.kind == "typing":
            return web.Response(status=204)
        body = body or {}
        if record.kind == "channel_message":
            if limits.is_empty(body, len(files)):
                record.problems.append("empty message")
                return error(400, 50006, "Cannot send an empty message")
            if int(body.get("flags") or 0) & EPHEMERAL:
                record.notes.append("the ephemeral flag means nothing on a channel message")
            if problems := limits.check_message(body, files=len(files)):
                return self._refuse(record, problems)
            record.notes += limits.mentions_note(body)
            message = self._new_message(body, seg[1], files)
            record.message_id = message["id"]
            record.ephemeral = False
            return json_response(self.public(message))
        message = self.messages.get(seg[3])
        if message is None or message["channel_id"] != seg[1]:
            record.problems.append("unknown message")
            return error(404, 10008, "Unknown Message")
        record.message_id = message["id"]
        if record.kind == "channel_delete":
            self.messages.pop(message["id"])
            return web.Response(status=204)
        if problems := limits.check_message({**self.public(message), **body}, files=len(files)):
            return self._refuse(record, problems)
        record.notes += limits.mentions_note(body, edit=True)
        self._edit(message, body, files)
        return json_response(self.public(message))


def _kind(method: str, seg: list[str]) -> str:
    """What a REST request is, by its route."""
    head = seg[0]
    if method == "GET" and seg == ["users", "@me"]:
        return "login"
    if method == "GET" and seg == ["oauth2", "applications", "@me"]:
        return "app_info"
    if method == "GET" and seg[0] == "gateway":
        return "gateway_url"
    if method == "POST" and seg == ["users", "@me", "channels"]:
        return "create_dm"
    if method == "GET" and head == "users" and len(seg) == 2:
        return "get_user"
    if method == "GET" and head == "guilds" and len(seg) == 4 and seg[2] == "members":
        return "get_member"
    if head == "applications" and seg[-1] == "commands" and method == "PUT":
        return "commands_sync"
    if head == "interactions" and seg[-1] == "callback" and method == "POST":
        return "callback"
    if head == "webhooks" and len(seg) >= 3:
        if len(seg) == 3 and method == "POST":
            return "followup"
        if len(seg) == 5 and seg[3] == "messages":
            target = "original" if seg[4] == "@original" else "followup"
            return {
                "GET": f"get_{target}",
                "PATCH": f"edit_{target}",
                "DELETE": f"delete_{target}",
            }.get(method, "?")
    if head == "channels" and len(seg) >= 2:
        if len(seg) == 2 and method == "GET":
            return "get_channel"
        if seg[2:] == ["typing"]:
            return "typing"
        if seg[2:] == ["messages"] and method == "POST":
            return "channel_message"
        if len(seg) == 4 and seg[2] == "messages":
            return {"PATCH": "channel_edit", "DELETE": "channel_delete"}.get(method, "?")
    return "?"
