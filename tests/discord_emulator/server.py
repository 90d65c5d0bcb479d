"""A loopback Discord: the REST routes and the gateway websocket that a discord.py bot uses.

It listens on 127.0.0.1 on a random port. Tests point discord.py at it with `patch_discord_py(emulator)`
(sets `Route.BASE` and `DiscordWebSocket.DEFAULT_GATEWAY`), drive the real client with gateway events
(`run_slash`, `run_autocomplete`, `click`, `post_message`) and assert on what the bot sent: every REST
request is recorded with its method, path, query and JSON body.

Behaviour copied from the real service where discord.py depends on it:
- JSON responses carry exactly `Content-Type: application/json` (discord.py decodes nothing else);
- every request body is checked against Discord's published API spec (`schema.py`); a violation is answered
  with 400 (50035) and kept in `schema_violations`, which the test fixture requires to be empty;
- every response carries X-RateLimit-* headers of a bucket that is stable per route and counts down; a 429
  carries `Via`, `retry_after` in the body and the same bucket (discord.py treats a 429 without `Via` as a
  Cloudflare ban);
- the interaction callback answers `?with_response=1` with an InteractionCallback body, not 204;
- an interaction must be acknowledged within `ack_deadline` seconds of its creation, the time in its
  snowflake id (else 404 Unknown interaction, 10062), so a replay after a RESUME is late; and only once
  (else 400, 40060);
- an interaction token works for `token_lifetime` seconds (15 minutes) after the interaction was created,
  then webhook calls get 401 Invalid Webhook Token (50027). `clock.advance()` moves Discord's time on, so
  a test need not wait;
- a command's `contexts` and `default_member_permissions` (Administrator bypasses it; `allow_command` stands
  for an override in Server Settings → Integrations) decide who may invoke it: `run_slash` raises
  `CommandUnavailableError` where the Discord client would not offer the command;
- channel permission overwrites (`deny_in_channel`) apply to the bot: a send it may not make gets 403 (50013);
- without the MESSAGE_CONTENT intent a message's content is blanked unless it mentions the bot or is a DM;
- gateway payloads are zlib-stream compressed when the client asks for it (one context per connection,
  larger payloads split over two binary frames);
- RESUME replays the events the client missed, then sends RESUMED; an unknown session gets INVALID_SESSION;
- sharding: IDENTIFY's `shard` is honoured; guild events go to shard (guild_id >> 22) % shard_count, DMs to
  shard 0;
- components: `click` only clicks a button the message shows (and not a disabled one); buttons follow Discord's
  rules (custom_id ≤ 100 characters, unique in the message, link buttons only with a url); a modal (callback 9)
  is checked field by field (title ≤ 45, ≤ 5 text inputs, custom ids ≤ 100) and may not answer a modal submit;
  `submit_modal` submits what the user typed, within the modal's own min/max/required as the client enforces;
- uploads: multipart bodies (`payload_json` + `files[n]`) are checked like JSON ones; a file over the
  interaction's `attachment_size_limit` gets 413 (40005); `attachments` must name the uploaded files and an
  embed's `attachment://name` an uploaded file;
- replies (`post_message(reply_to=…)`) ping the replied-to author unless `ping=False`, which is what lets a
  bot without MESSAGE_CONTENT read them; threads (`create_thread`) have their starter message's id;
- reactions need Add Reactions and Read Message History in the channel.

Gateway faults to inject: `drop_gateway`, `send_reconnect` (op 7), `invalidate_session` (op 9, resumable or
not) and `make_zombie` (the connection stays open but nothing, not even a heartbeat ACK, comes back).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import json
import logging
import re
import secrets
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yarl
from aiohttp import WSMsgType, web

from tests.discord_emulator import payloads as p
from tests.discord_emulator import schema

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
MESSAGE_CONTENT_INTENT = 1 << 15
EPHEMERAL = 1 << 6
LOADING = 1 << 7
OPTION_TYPES = {"SUB_COMMAND": 1, "STRING": 3, "INTEGER": 4, "BOOLEAN": 5, "USER": 6, "ATTACHMENT": 11}
CONTEXT_GUILD, CONTEXT_BOT_DM = 0, 1
TOKEN_LIFETIME = 15 * 60.0
ZLIB_SUFFIX = b"\x00\x00\xff\xff"
_COMMAND_NAME_RE = re.compile(r"^[-_\w]{1,32}$")
_MAJOR_PARAMETERS = ("channel_id", "guild_id", "interaction_id", "token")


class CommandUnavailableError(AssertionError):
    """The Discord client would not offer this command to this user here (permissions or contexts)."""


@dataclass
class EmulatorClock:
    """Discord's "now": wall time plus an offset that a test moves on with `advance` instead of waiting."""

    offset: float = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class PendingInteraction:
    id: int
    token: str
    payload: dict[str, Any]
    created_at: float  # Unix seconds, from the id: Discord's deadlines count from here
    acked: bool = False


@dataclass
class RateBucket:
    """One X-RateLimit bucket: `limit` requests per `window` seconds, counted down for real."""

    bucket_hash: str
    limit: int
    window: float
    remaining: int = 0
    resets_at: float = 0.0  # time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        if now >= self.resets_at:
            self.remaining, self.resets_at = self.limit, now + self.window
        if self.remaining <= 0:
            return False
        self.remaining -= 1
        return True

    def headers(self) -> dict[str, str]:
        reset_after = max(0.0, self.resets_at - time.monotonic())
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.remaining)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": self.bucket_hash,
        }


@dataclass
class RecordedRequest:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any
    authorized: bool  # carried "Authorization: Bot <the emulator's token>"
    status: int = 0
    at: float = 0.0
    response_message: dict[str, Any] | None = None  # the message the request created or edited, as it was then
    rate_limit: dict[str, str] = field(default_factory=dict)  # the X-RateLimit-* headers of the response
    files: list[tuple[str, bytes]] = field(default_factory=list)  # multipart uploads: (filename, data)


RECORD = web.RequestKey("record", RecordedRequest)


@dataclass
class Member:
    """A guild member (or, with guild=False, a user who DMs the bot)."""

    user: dict[str, Any]
    role_ids: list[int]
    permissions: int

    @property
    def id(self) -> int:
        return int(self.user["id"])


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    status: int | None  # None: delay only
    retry_after: float
    delay: float
    times: int
    is_global: bool = False
    code: int = 0


@dataclass
class GatewaySession:
    session_id: str
    intents: int
    shard: tuple[int, int] = (0, 1)
    seq: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    connection: Connection | None = None


@dataclass
class Connection:
    ws: web.WebSocketResponse
    request: web.Request
    query: dict[str, str]
    compressor: Any = None  # a zlib compressobj when the client asked for compress=zlib-stream
    zombie: bool = False  # still open, but nothing is sent on it any more
    frames: int = 0
    binary_frames: int = 0
    split_payloads: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, payload: dict[str, Any]) -> None:
        if self.zombie:
            return
        async with self.lock:
            data = json.dumps(payload)
            if self.compressor is None:
                await self.ws.send_str(data)
                self.frames += 1
                return
            # One zlib context for the whole connection; each payload ends with a sync flush (00 00 ff ff).
            chunk = self.compressor.compress(data.encode()) + self.compressor.flush(zlib.Z_SYNC_FLUSH)
            parts = [chunk]
            half = len(chunk) // 2
            if len(chunk) > 256 and chunk[half - 4 : half] != ZLIB_SUFFIX:
                parts = [chunk[:half], chunk[half:]]  # the client must buffer until the suffix
                self.split_payloads += 1
            for part in parts:
                await self.ws.send_bytes(part)
            self.frames += len(parts)
            self.binary_frames += len(parts)


@dataclass
class Reply:
    """What the bot answered to an interaction: the request that carried it and the message it made."""

    request: RecordedRequest
    message: dict[str, Any]

    @property
    def body(self) -> dict[str, Any]:
        return self.request.json["data"] if self.request.path.endswith("/callback") else self.request.json

    @property
    def content(self) -> str:
        return self.message.get("content") or ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.message.get("embeds") or []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.message.get("components") or []

    @property
    def is_ephemeral(self) -> bool:
        return bool(int(self.message.get("flags") or 0) & EPHEMERAL)

    @property
    def allowed_mentions(self) -> Any:
        return self.body.get("allowed_mentions")

    @property
    def text(self) -> str:
        """Everything a reader sees: content, embed titles, descriptions, fields and footers."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            for item in embed.get("fields", []):
                parts += [item["name"], item["value"]]
            parts.append(embed.get("footer", {}).get("text", ""))
        return "\n".join(part for part in parts if part)


@dataclass
class InteractionHandle:
    emulator: DiscordEmulator
    id: int
    token: str
    payload: dict[str, Any]

    def _is_mine(self, request: RecordedRequest) -> bool:
        return self.token in request.path

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request the bot made with this interaction's token."""
        return [request for request in self.emulator.requests if self._is_mine(request)]

    async def acknowledged(self, seconds: float = 5.0) -> RecordedRequest:
        return await self.emulator.wait_for_request(
            lambda r: r.path == f"/interactions/{self.id}/{self.token}/callback" and r.status < 300, seconds=seconds
        )

    async def reply(self, seconds: float = 5.0) -> Reply:
        """The first message the bot posted for this interaction (skipping a deferral)."""
        request = await self.emulator.wait_for_request(
            lambda r: self._is_mine(r) and r.status < 300 and _carries_message(r), seconds=seconds
        )
        assert request.response_message is not None
        return Reply(request, request.response_message)

    async def choices(self, seconds: float = 5.0) -> list[dict[str, Any]]:
        request = await self.acknowledged(seconds)
        assert request.json["type"] == 8, request.json
        return request.json["data"]["choices"]


def _carries_message(request: RecordedRequest) -> bool:
    if request.path.endswith("/callback"):
        return request.json["type"] in (4, 7)
    return request.path.startswith("/webhooks/") and request.method in ("POST", "PATCH")


def _json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json": discord.py compares the header verbatim before decoding.
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)


def _error(status: int, code: int, message: str) -> web.Response:
    return _json_response({"message": message, "code": code}, status=status)


def _invalid_form_body(problems: list[str]) -> dict[str, Any]:
    errors = {"_errors": [{"code": "BASE_TYPE_INVALID", "message": problem} for problem in problems]}
    return {"message": "Invalid Form Body", "code": 50035, "errors": errors}


def _missing_permissions() -> web.Response:
    return _error(403, 50013, "Missing Permissions")


class DiscordEmulator:
    def __init__(
        self,
        *,
        token: str = "emulated-bot-token",
        heartbeat_interval: float = 1.0,
        ack_deadline: float = 3.0,
        attachment_size_limit: int = 10 * 1024 * 1024,
        guild_shard: tuple[int, int] | None = None,
        rate_limit: tuple[int, float] = (50, 1.0),
    ) -> None:
        self.token = token
        self.heartbeat_interval = heartbeat_interval
        self.ack_deadline = ack_deadline
        self.token_lifetime = TOKEN_LIFETIME
        self.attachment_size_limit = attachment_size_limit
        self.clock = EmulatorClock()
        self.compress = True  # honour compress=zlib-stream, as Discord does
        self.recommended_shards = 1  # what GET /gateway/bot advises
        self.rate_limit = rate_limit

        self.bot_user = p.user_payload(p.new_snowflake(), "musebot", bot=True)
        self.application_id = int(self.bot_user["id"])
        self.owner = p.user_payload(p.new_snowflake(), "owner")

        self.guild_id = p.snowflake_on_shard(*guild_shard) if guild_shard else p.new_snowflake()
        self.channel_id = p.new_snowflake()
        self.channel_overwrites: list[dict[str, Any]] = []
        self.command_overrides: dict[str, set[int]] = {}  # command name -> user/role ids allowed it anyway
        self.roles: dict[int, dict[str, Any]] = {
            self.guild_id: p.role_payload(self.guild_id, "@everyone", position=0, permissions=p.MEMBER_PERMISSIONS)
        }
        self.members: dict[int, Member] = {}
        self.bot_member = self.add_member(
            self.bot_user, permissions=p.MEMBER_PERMISSIONS | p.PERM_ADD_REACTIONS | p.PERM_SEND_IN_THREADS
        )

        self.requests: list[RecordedRequest] = []
        self.commands: dict[int | None, list[dict[str, Any]]] = {}  # guild id (None: global) -> registered
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.gateway_queries: list[dict[str, str]] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.originals: dict[str, int] = {}  # interaction token -> message id of the original response
        self.attachments: dict[int, tuple[str, bytes, str | None]] = {}
        self.dm_channels: dict[int, int] = {}  # user id -> DM channel id
        self.threads: dict[int, dict[str, Any]] = {}  # thread id (= its starter message id) -> channel payload
        self.modals: dict[str, dict[str, Any]] = {}  # interaction token -> the modal the bot opened for it
        self.reactions: list[tuple[int, int, str]] = []  # (channel id, message id, emoji) the bot added
        self.schema_violations: list[str] = []
        self.connections: list[Connection] = []

        self._interactions: dict[str, PendingInteraction] = {}  # by token
        self._sessions: dict[str, GatewaySession] = {}  # by session id
        self._live: dict[int, GatewaySession] = {}  # by shard id: the session each shard uses now
        self._buckets: dict[tuple[str, str, str], RateBucket] = {}
        self._faults: list[Fault] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # Lifecycle ---------------------------------------------------------------------------------------

    async def start(self) -> DiscordEmulator:
        app = web.Application(middlewares=[self._record_middleware], client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{attachment_id}/{filename}", self._serve_attachment)
        routes = [
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/users/@me", self._get_me),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("PUT", "/applications/{app_id}/commands", self._put_commands),
            ("PUT", "/applications/{app_id}/guilds/{guild_id}/commands", self._put_commands),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._interaction_callback),
            ("POST", "/webhooks/{app_id}/{token}", self._execute_webhook),
            ("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", self._get_webhook_message),
            ("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}", self._edit_webhook_message),
            ("DELETE", "/webhooks/{app_id}/{token}/messages/{message_id}", self._delete_webhook_message),
            ("POST", "/channels/{channel_id}/messages", self._create_message),
            ("POST", "/channels/{channel_id}/typing", self._typing),
            ("POST", "/users/@me/channels", self._create_dm),
            ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", self._add_reaction),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, API_PREFIX + path, handler)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        for session in self._sessions.values():
            if session.connection is not None:
                with contextlib.suppress(Exception):
                    await session.connection.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> DiscordEmulator:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # World building ----------------------------------------------------------------------------------

    def add_role(self, name: str, *, permissions: int = 0) -> int:
        role_id = p.new_snowflake()
        self.roles[role_id] = p.role_payload(role_id, name, position=len(self.roles), permissions=permissions)
        return role_id

    def add_member(
        self, user: dict[str, Any] | str, *, role_ids: list[int] | None = None, permissions: int | None = None
    ) -> Member:
        if isinstance(user, str):
            user = p.user_payload(p.new_snowflake(), user)
        role_ids = list(role_ids or [])
        if permissions is None:
            permissions = p.MEMBER_PERMISSIONS
            for role_id in role_ids:
                permissions |= int(self.roles[role_id]["permissions"])
        member = Member(user=user, role_ids=role_ids, permissions=permissions)
        self.members[member.id] = member
        return member

    def add_attachment(self, filename: str, data: bytes, content_type: str | None = "text/plain") -> dict[str, Any]:
        attachment_id = p.new_snowflake()
        self.attachments[attachment_id] = (filename, data, content_type)
        url = f"{self.base_url}/attachments/{attachment_id}/{filename}"
        return p.attachment_payload(attachment_id, filename, len(data), url, content_type)

    def allow_command(self, name: str, target: Member | int) -> None:
        """An override from Server Settings → Integrations: this user (or role id) may use the command anyway."""
        self.command_overrides.setdefault(name, set()).add(target.id if isinstance(target, Member) else target)

    def deny_in_channel(self, permissions: int, *, target: Member | None = None) -> None:
        """A channel permission overwrite that denies `permissions` to `target` (default: the bot)."""
        member = target or self.bot_member
        self.channel_overwrites.append({"id": str(member.id), "type": 1, "allow": "0", "deny": str(permissions)})

    def guild_permissions(self, member: Member) -> int:
        return p.ALL_PERMISSIONS if member.permissions & p.PERM_ADMINISTRATOR else member.permissions

    def channel_permissions(self, member: Member) -> int:
        """Discord's order: guild permissions, then the @everyone, role and member overwrites of the channel."""
        permissions = self.guild_permissions(member)
        if permissions & p.PERM_ADMINISTRATOR:
            return permissions
        role_allow = role_deny = 0
        for overwrite in self.channel_overwrites:
            target = int(overwrite["id"])
            allow, deny = int(overwrite["allow"]), int(overwrite["deny"])
            if overwrite["type"] == 0 and target == self.guild_id:
                permissions = (permissions & ~deny) | allow
            elif overwrite["type"] == 0 and target in member.role_ids:
                role_allow, role_deny = role_allow | allow, role_deny | deny
        permissions = (permissions & ~role_deny) | role_allow
        for overwrite in self.channel_overwrites:
            if overwrite["type"] == 1 and int(overwrite["id"]) == member.id:
                permissions = (permissions & ~int(overwrite["deny"])) | int(overwrite["allow"])
        return permissions

    def _channel_payload(self) -> dict[str, Any]:
        return p.text_channel_payload(self.channel_id, self.guild_id, "general", overwrites=self.channel_overwrites)

    def guild_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.guild_id),
            "name": "Muse testers",
            "icon": None,
            "owner_id": self.owner["id"],
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": list(self.roles.values()),
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "preferred_locale": "en-US",
            "premium_tier": 0,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": p.iso_now(),
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "members": [p.member_payload(m.user, m.role_ids) for m in self.members.values()],
            "channels": [self._channel_payload()],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    # Fault injection --------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path_pattern: str,
        *,
        status: int = 429,
        retry_after: float = 0.3,
        times: int = 1,
        is_global: bool = False,
        code: int = 0,
    ) -> None:
        """Answer the next `times` matching REST calls with `status` and JSON error `code` (a 429: `retry_after`)."""
        fault = Fault(method, re.compile(path_pattern), status, retry_after, 0.0, times, is_global, code)
        self._faults.append(fault)

    def delay_next(self, method: str, path_pattern: str, seconds: float, *, times: int = 1) -> None:
        self._faults.append(Fault(method, re.compile(path_pattern), None, 0.0, seconds, times))

    def _live_session(self, shard: int | None) -> GatewaySession:
        """The session of `shard` (default: the shard that serves the guild) with its open connection."""
        shard_id = self.shard_of(self.guild_id) if shard is None else shard
        session = self._live.get(shard_id)
        if session is None or session.connection is None:
            raise RuntimeError(f"shard {shard_id} has no gateway connection")
        return session

    def _forget(self, session: GatewaySession) -> None:
        self._sessions.pop(session.session_id, None)
        if self._live.get(session.shard[0]) is session:
            del self._live[session.shard[0]]

    async def drop_gateway(
        self, *, abrupt: bool = True, code: int = 4000, forget_session: bool = False, shard: int | None = None
    ) -> None:
        """Cut the bot's websocket. Abrupt: the TCP connection goes away without a close frame.

        With forget_session the session expires too: the RESUME gets INVALID_SESSION and the bot must IDENTIFY.
        """
        session = self._live_session(shard)
        connection, session.connection = session.connection, None
        assert connection is not None
        if forget_session:
            self._forget(session)
        if abrupt:
            transport = connection.request.transport
            if transport is not None:
                transport.abort()
        else:
            await connection.ws.close(code=code, message=b"emulated drop")

    async def send_reconnect(self, *, shard: int | None = None) -> None:
        """Op 7 RECONNECT: Discord asks the client to reconnect and resume (it is moving the session)."""
        session = self._live_session(shard)
        assert session.connection is not None
        await session.connection.send({"op": 7, "s": None, "t": None, "d": None})

    async def invalidate_session(self, *, resumable: bool, shard: int | None = None) -> None:
        """Op 9 INVALID_SESSION. Resumable: the client may RESUME; else the session is gone and it must IDENTIFY."""
        session = self._live_session(shard)
        connection = session.connection
        assert connection is not None
        if not resumable:
            self._forget(session)
        await connection.send({"op": 9, "s": None, "t": None, "d": resumable})

    def make_zombie(self, *, shard: int | None = None) -> Connection:
        """The connection stays open but goes silent: no heartbeat ACKs, no events (kept for the RESUME)."""
        session = self._live_session(shard)
        assert session.connection is not None
        session.connection.zombie = True
        return session.connection

    # Inspection -------------------------------------------------------------------------------------

    def find_requests(self, method: str | None = None, path_pattern: str = "") -> list[RecordedRequest]:
        regex = re.compile(path_pattern)
        return [r for r in self.requests if (method is None or r.method == method) and regex.search(r.path)]

    async def wait_for_request(
        self, predicate: Callable[[RecordedRequest], bool], *, seconds: float = 5.0
    ) -> RecordedRequest:
        def found() -> RecordedRequest | None:
            return next((r for r in self.requests if predicate(r)), None)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: found() is not None), seconds)
        result = found()
        assert result is not None
        return result

    async def wait_until(self, condition: Callable[[], bool], *, seconds: float = 5.0) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), seconds)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    @property
    def is_connected(self) -> bool:
        """Every shard that identified has a live, answering connection."""
        live = self._live.values()
        return bool(live) and all(s.connection is not None and not s.connection.zombie for s in live)

    @property
    def shard_count(self) -> int:
        return next(iter(self._live.values())).shard[1] if self._live else 1

    def shard_of(self, guild_id: int | None) -> int:
        """The shard Discord sends a guild's events to; DMs go to shard 0."""
        return 0 if guild_id is None else (guild_id >> 22) % self.shard_count

    def session_of(self, shard: int) -> GatewaySession | None:
        return self._live.get(shard)

    @property
    def session_ids(self) -> list[str]:
        """The ids of the gateway sessions that can still be resumed."""
        return list(self._sessions)

    # Gateway ------------------------------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any], *, session: GatewaySession | None = None) -> None:
        """Send a DISPATCH to the shard that gets it; while it is disconnected, keep it for the RESUME replay."""
        if session is None:
            guild_id = data.get("guild_id")
            shard_id = self.shard_of(int(guild_id) if guild_id else None)
            session = self._live.get(shard_id)
            if session is None:
                raise RuntimeError(f"shard {shard_id} has not identified yet")
        session.seq += 1
        payload = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.history.append(payload)
        if session.connection is not None:
            await self._deliver(session.connection, payload)

    async def _deliver(self, connection: Connection, payload: dict[str, Any]) -> None:
        try:
            await connection.send(payload)
        except ConnectionError:
            log.debug("gateway connection went away while sending %s", payload.get("t"))

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        query = dict(request.query)
        self.gateway_queries.append(query)
        compressor = zlib.compressobj() if self.compress and query.get("compress") == "zlib-stream" else None
        connection = Connection(ws=ws, request=request, query=query, compressor=compressor)
        self.connections.append(connection)
        hello = {"heartbeat_interval": self.heartbeat_interval * 1000}
        await connection.send({"op": 10, "s": None, "t": None, "d": hello})
        async for message in ws:
            if message.type is not WSMsgType.TEXT:
                continue
            frame = json.loads(message.data)
            op = frame.get("op")
            if op == 1:
                await connection.send({"op": 11, "s": None, "t": None, "d": None})
            elif op == 2:
                await self._identify(connection, frame["d"])
            elif op == 6:
                await self._resume(connection, frame["d"])
        for session in self._sessions.values():
            if session.connection is connection:
                session.connection = None
        await self._notify()
        return ws

    async def _identify(self, connection: Connection, data: dict[str, Any]) -> None:
        self.identifies.append(data)
        if data.get("token") != self.token:
            await connection.ws.close(code=4004, message=b"Authentication failed.")
            return
        shard_id, shard_count = (int(part) for part in data.get("shard") or (0, 1))
        if not 0 <= shard_id < shard_count:
            await connection.ws.close(code=4010, message=b"Invalid shard.")
            return
        session = GatewaySession(
            session_id=secrets.token_hex(16), intents=int(data.get("intents", 0)), shard=(shard_id, shard_count)
        )
        self._sessions[session.session_id] = session
        self._live[shard_id] = session
        session.connection = connection
        on_this_shard = self.shard_of(self.guild_id) == shard_id
        await self.dispatch(
            "READY",
            {
                "v": 10,
                "user": self.bot_user,
                "guilds": [{"id": str(self.guild_id), "unavailable": True}] if on_this_shard else [],
                "shard": [shard_id, shard_count],
                "session_id": session.session_id,
                "resume_gateway_url": self.gateway_url,
                "application": {"id": str(self.application_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "user_settings": {},
                "presences": [],
                "geo_ordered_rtc_regions": [],
                "guild_join_requests": [],
                "_trace": ["emulator"],
            },
            session=session,
        )
        if on_this_shard:
            await self.dispatch("GUILD_CREATE", self.guild_payload(), session=session)
        await self._notify()

    async def _resume(self, connection: Connection, data: dict[str, Any]) -> None:
        self.resumes.append(data)
        session = self._sessions.get(data.get("session_id") or "")
        if data.get("token") != self.token or session is None:
            await connection.send({"op": 9, "s": None, "t": None, "d": False})
            return
        session.connection = connection
        self._live[session.shard[0]] = session
        last_seen = int(data.get("seq") or 0)
        for payload in [event for event in session.history if event["s"] > last_seen]:
            await self._deliver(connection, payload)
        await self.dispatch("RESUMED", {"_trace": ["emulator"]}, session=session)
        await self._notify()

    # Driving the bot ---------------------------------------------------------------------------------

    def _registered_command(self, name: str, user: Member, guild: bool) -> tuple[dict[str, Any], int | None]:
        for scope in [self.guild_id, None] if guild else [None]:
            for command in self.commands.get(scope, []):
                if command["name"] == name:
                    self._check_can_use(command, user, guild)
                    return command, scope
        raise AssertionError(f"/{name} was not registered with Discord (registered: {self.commands})")

    def _check_can_use(self, command: dict[str, Any], user: Member, guild: bool) -> None:
        """What the Discord client enforces before it offers a command: contexts, then member permissions."""
        contexts = command.get("contexts")
        context = CONTEXT_GUILD if guild else CONTEXT_BOT_DM
        if contexts is not None and context not in contexts:
            raise CommandUnavailableError(
                f"/{command['name']} is not offered in context {context} (contexts {contexts})"
            )
        required = command.get("default_member_permissions")
        if not guild or required is None:
            return
        overrides = self.command_overrides.get(command["name"], set())
        if user.id in overrides or overrides.intersection(user.role_ids):
            return
        permissions = self.guild_permissions(user)
        if int(required) == 0 or permissions & int(required) != int(required):
            raise CommandUnavailableError(
                f"/{command['name']} needs permissions {required}; {user.user['username']} lacks them"
            )

    def _build_options(
        self, command: dict[str, Any], values: dict[str, Any], focused: str | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        schema = {option["name"]: option for option in command.get("options", [])}
        unknown = set(values) - set(schema)
        assert not unknown, f"/{command['name']} has no option(s) {unknown}"
        options: list[dict[str, Any]] = []
        resolved: dict[str, Any] = {}
        for name, option in schema.items():
            if name not in values:
                assert focused is not None or not option.get("required"), f"missing required option {name}"
                continue
            value = values[name]
            entry: dict[str, Any] = {"name": name, "type": option["type"], "value": value}
            if option["type"] == OPTION_TYPES["ATTACHMENT"]:
                entry["value"] = value["id"]
                resolved.setdefault("attachments", {})[value["id"]] = value
            elif option["type"] == OPTION_TYPES["STRING"] and name != focused:
                # The Discord client enforces these before anything is sent.
                assert option.get("min_length", 0) <= len(value) <= option.get("max_length", 6000), (name, value)
            if name == focused:
                entry["focused"] = True
            options.append(entry)
        return options, resolved

    async def _send_interaction(
        self,
        kind: int,
        data: dict[str, Any] | None,
        user: Member,
        *,
        guild: bool = True,
        message: dict[str, Any] | None = None,
    ) -> InteractionHandle:
        interaction_id = p.new_snowflake(self.clock.now())
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "token": token,
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "app_permissions": str(self.channel_permissions(self.bot_member) if guild else p.MEMBER_PERMISSIONS),
            "attachment_size_limit": self.attachment_size_limit,
        }
        if data is not None:
            payload["data"] = data
        if message is not None:
            payload["message"] = message
        if guild:
            payload |= {
                "guild_id": str(self.guild_id),
                "guild": {"id": str(self.guild_id), "locale": "en-US", "features": []},
                "guild_locale": "en-US",
                "channel_id": str(self.channel_id),
                "channel": self._channel_payload(),
                # Discord sends the member's permissions resolved in the channel (Administrator: all of them).
                "member": p.member_payload(user.user, user.role_ids, permissions=self.channel_permissions(user)),
                "authorizing_integration_owners": {"0": str(self.guild_id)},
                "context": 0,
            }
        else:
            channel_id = self._dm_channel_for(user)
            payload |= {
                "channel_id": str(channel_id),
                "channel": p.dm_channel_payload(channel_id, user.user),
                "user": user.user,
                "authorizing_integration_owners": {"0": "0"},
                "context": 1,
            }
        created_at = p.snowflake_time(interaction_id)
        self._interactions[token] = PendingInteraction(interaction_id, token, payload, created_at)
        await self.dispatch("INTERACTION_CREATE", payload)
        return InteractionHandle(self, interaction_id, token, payload)

    async def run_slash(
        self, command_name: str, /, *, user: Member, guild: bool = True, **values: Any
    ) -> InteractionHandle:
        """Invoke a slash command as `user` would from the Discord client, with option values by name."""
        command, scope = self._registered_command(command_name, user, guild)
        options, resolved = self._build_options(command, values, focused=None)
        data: dict[str, Any] = {"id": command["id"], "name": command_name, "type": 1, "options": options}
        if resolved:
            data["resolved"] = resolved
        if scope is not None:
            data["guild_id"] = str(scope)
        return await self._send_interaction(p.APPLICATION_COMMAND, data, user, guild=guild)

    async def run_autocomplete(
        self, command_name: str, focused: str, /, *, user: Member, guild: bool = True, **values: Any
    ) -> InteractionHandle:
        """The user is typing option `focused` of a command; `values` are what the options hold so far."""
        command, scope = self._registered_command(command_name, user, guild)
        options, _ = self._build_options(command, values, focused=focused)
        data: dict[str, Any] = {"id": command["id"], "name": command_name, "type": 1, "options": options}
        if scope is not None:
            data["guild_id"] = str(scope)
        return await self._send_interaction(p.AUTOCOMPLETE, data, user, guild=guild)

    async def click(self, message: dict[str, Any], custom_id: str, *, user: Member) -> InteractionHandle:
        """`user` clicks a button of `message` (as the emulator holds it now: an edit may have changed it)."""
        current = self.messages.get(int(message["id"]), message)
        buttons = [b for row in current.get("components") or [] for b in row.get("components") or []]
        button = next((b for b in buttons if b.get("custom_id") == custom_id), None)
        assert button is not None, f"message {message['id']} shows no button {custom_id!r}: {buttons}"
        assert not button.get("disabled"), f"button {custom_id!r} is disabled"
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._send_interaction(p.MESSAGE_COMPONENT, data, user, message=current)

    def opened_modal(self, handle: InteractionHandle) -> dict[str, Any]:
        """The modal the bot opened in answer to `handle`."""
        modal = self.modals.get(handle.token)
        assert modal is not None, "the bot opened no modal for this interaction"
        return modal

    async def submit_modal(
        self, handle: InteractionHandle, values: dict[str, str], *, user: Member
    ) -> InteractionHandle:
        """`user` fills in and submits the modal the bot opened for `handle`, as the Discord client sends it."""
        modal = self.opened_modal(handle)
        components = []
        for component in modal["components"]:
            in_label = component["type"] == 18
            text_input = component["component"] if in_label else component["components"][0]
            value = values.get(text_input["custom_id"], "")
            # The client enforces these before it lets the user submit.
            if text_input.get("required", True):
                assert value, f"{text_input['custom_id']} is required"
            if value:
                low, high = text_input.get("min_length") or 0, text_input.get("max_length") or 4000
                assert low <= len(value) <= high, (text_input["custom_id"], len(value), low, high)
            submitted = {"type": 4, "id": 1, "custom_id": text_input["custom_id"], "value": value}
            components.append({"type": 18, "id": 2, "component": submitted} if in_label
                              else {"type": 1, "id": 2, "components": [submitted]})  # fmt: skip
        unknown = set(values) - {
            (c["component"] if c["type"] == 18 else c["components"][0])["custom_id"] for c in modal["components"]
        }
        assert not unknown, f"the modal has no input(s) {unknown}"
        data = {"custom_id": modal["custom_id"], "components": components}
        return await self._send_interaction(p.MODAL_SUBMIT, data, user, message=handle.payload.get("message"))

    async def create_thread(self, message: dict[str, Any], name: str, *, owner: Member) -> dict[str, Any]:
        """`owner` starts a public thread from `message` (Create Thread on it); the thread has the message's id."""
        thread = p.thread_payload(int(message["id"]), self.channel_id, self.guild_id, name, owner.id)
        self.threads[int(thread["id"])] = thread
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return thread

    async def post_message(
        self,
        content: str,
        *,
        author: Member,
        dm: bool = False,
        mention_bot: bool = False,
        mention_everyone: bool = False,
        mention_roles: list[int] | None = None,
        reply_to: dict[str, Any] | None = None,
        ping: bool = True,
        thread: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A user posts a message (in the channel, a DM or a thread, maybe as a reply); content is blanked as
        Discord does when the bot lacks MESSAGE_CONTENT and is neither mentioned nor pinged by the reply."""
        session = self._live.get(0 if dm else self.shard_of(self.guild_id))
        mentions = [self.bot_user] if mention_bot else []
        reference = None
        if reply_to is not None:
            reference = {"type": 0, "message_id": reply_to["id"], "channel_id": reply_to["channel_id"]}
            if reply_to.get("guild_id"):
                reference["guild_id"] = reply_to["guild_id"]
            if ping and reply_to["author"]["id"] not in {m["id"] for m in mentions}:
                mentions.append(reply_to["author"])  # a reply mentions its author unless the ping is turned off
        message_id = p.new_snowflake(self.clock.now())
        if dm:
            channel_id = self._dm_channel_for(author)
            message = p.message_payload(
                message_id=message_id, channel_id=channel_id, author=author.user, content=content, mentions=mentions
            )
        else:
            message = p.message_payload(
                message_id=message_id,
                channel_id=int(thread["id"]) if thread else self.channel_id,
                guild_id=self.guild_id,
                author=author.user,
                member=p.member_payload(author.user, author.role_ids, with_user=False),
                content=content,
                mentions=mentions,
                mention_roles=mention_roles,
                mention_everyone=mention_everyone,
                message_reference=reference,
                referenced_message=copy.deepcopy(self.messages.get(int(reply_to["id"]), reply_to))
                if reply_to
                else None,
            )
        has_content_intent = session is not None and bool(session.intents & MESSAGE_CONTENT_INTENT)
        mentioned = any(m["id"] == self.bot_user["id"] for m in mentions)
        if not (has_content_intent or dm or mentioned):
            message["content"] = ""
        self.messages[message_id] = message
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    def _dm_channel_for(self, user: Member) -> int:
        if user.id not in self.dm_channels:
            self.dm_channels[user.id] = p.new_snowflake()
        return self.dm_channels[user.id]

    # REST -----------------------------------------------------------------------------------------------

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self._faults:
            if fault.method == method and fault.pattern.search(path):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    @web.middleware
    async def _record_middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path == "/gateway":
            return await handler(request)
        path = request.path.removeprefix(API_PREFIX)
        route = _route_of(request)
        body: Any = None
        problems: list[str] = []
        files: list[tuple[str, bytes]] = []
        if request.content_type == "application/json":
            body = await request.json()
            problems = schema.check_request(request.method, route, body)
        elif request.content_type == "multipart/form-data":
            body, files, problems = await self._read_multipart(request, route)
        elif request.can_read_body:
            body = {"_raw": await request.read()}
            problems = [f"{request.method} {route}: body sent as {request.content_type}, not JSON"]
        else:
            problems = schema.check_request(request.method, route)
        authorized = request.headers.get("Authorization") == f"Bot {self.token}"
        record = RecordedRequest(request.method, path, dict(request.query), body, authorized, at=time.monotonic())
        record.files = files
        bucket = self._bucket_for(request, route)
        fault = self._take_fault(request.method, path)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        too_large = self._upload_too_large(request, files)
        if problems:
            self.schema_violations.extend(f"{request.method} {path}: {problem}" for problem in problems)
            response: web.StreamResponse = _json_response(_invalid_form_body(problems), status=400)
        elif too_large:
            response = _error(413, 40005, "Request entity too large")
        elif fault is not None and fault.status == 429:
            response = self._rate_limited(bucket, fault.retry_after, is_global=fault.is_global)
        elif fault is not None and fault.status is not None:
            response = _error(fault.status, fault.code, f"{fault.status}: emulated failure")
        elif not bucket.take():
            response = self._rate_limited(bucket, bucket.resets_at - time.monotonic(), is_global=False)
        else:
            request[RECORD] = record
            response = await handler(request)
        if response.status != 429:
            response.headers.update(bucket.headers())
        record.rate_limit = {key: value for key, value in response.headers.items() if key.startswith("X-RateLimit")}
        record.status = response.status
        self.requests.append(record)
        await self._notify()
        return response

    async def _read_multipart(self, request: web.Request, route: str) -> tuple[Any, list[tuple[str, bytes]], list[str]]:
        """(payload_json, [(filename, data)], problems) of a multipart body, checked as Discord checks it."""
        body: Any = None
        files: list[tuple[int, str, bytes]] = []
        problems: list[str] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            name = part.name or ""  # type: ignore[union-attr]
            if name == "payload_json":
                body = json.loads(await part.read(decode=True))  # type: ignore[union-attr]
            elif match := re.fullmatch(r"files\[(\d+)\]", name):
                files.append((int(match[1]), part.filename or "", bytes(await part.read())))  # type: ignore[union-attr]
            else:
                problems.append(f"multipart field {name!r} is neither payload_json nor files[n]")
        if body is None:
            return None, [], [*problems, "a multipart body needs payload_json"]
        problems += schema.check_request(request.method, route, body)
        if len(files) > 10:
            problems.append(f"{len(files)} files, more than 10")
        declared = {int(a["id"]): a for a in body.get("attachments") or [] if str(a.get("id", "")).isdigit()}
        for index, filename, _ in files:
            if not filename:
                problems.append(f"files[{index}] has no filename")
            if index not in declared:
                problems.append(f"files[{index}] is not listed in attachments")
            elif declared[index].get("filename") not in (None, filename):
                problems.append(f"attachments[{index}] names {declared[index]['filename']!r}, not {filename!r}")
        names = {filename for _, filename, _ in files}
        for e, embed in enumerate(body.get("embeds") or []):
            for key in ("image", "thumbnail"):
                url = (embed.get(key) or {}).get("url") or ""
                if url.startswith("attachment://") and url.removeprefix("attachment://") not in names:
                    problems.append(f"embeds[{e}].{key}: {url} names no uploaded file")
        return body, [(filename, data) for _, filename, data in sorted(files)], problems

    def _upload_too_large(self, request: web.Request, files: list[tuple[str, bytes]]) -> bool:
        """Over the limit the interaction announced (attachment_size_limit), per file."""
        interaction = self._interactions.get(request.match_info.get("token", ""))
        limit = int(interaction.payload["attachment_size_limit"]) if interaction else self.attachment_size_limit
        return any(len(data) > limit for _, data in files)

    def _attachments_of(self, files: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
        """The uploads as the message's attachments, served by the emulator like Discord's CDN."""
        attachments = []
        for filename, data in files:
            content_type = "image/png" if filename.endswith(".png") else "application/octet-stream"
            attachments.append(self.add_attachment(filename, data, content_type))
        return attachments

    def _bucket_for(self, request: web.Request, route: str) -> RateBucket:
        """Discord's buckets: one hash per route, counted per major parameter (channel, guild, interaction)."""
        major = next((request.match_info[name] for name in _MAJOR_PARAMETERS if name in request.match_info), "")
        key = (request.method, route, major)
        if key not in self._buckets:
            bucket_hash = hashlib.sha1(f"{request.method} {route}".encode()).hexdigest()[:16]
            limit, window = self.rate_limit
            self._buckets[key] = RateBucket(bucket_hash, limit, window)
        return self._buckets[key]

    def _rate_limited(self, bucket: RateBucket, retry_after: float, *, is_global: bool) -> web.Response:
        retry_after = max(retry_after, 0.001)
        headers = {
            **bucket.headers(),
            "Via": "1.1 google",
            "Retry-After": str(max(1, round(retry_after))),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Scope": "global" if is_global else "user",
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global}
        return _json_response(body, status=429, headers=headers)

    def _require_bot(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"Bot {self.token}":
            return _error(401, 0, "401: Unauthorized")
        return None

    async def _not_found(self, request: web.Request) -> web.Response:
        return _error(404, 0, "404: Not Found")

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return _json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        if (denied := self._require_bot(request)) is not None:
            return denied
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        payload = {"url": self.gateway_url, "shards": self.recommended_shards, "session_start_limit": limit}
        return _json_response(payload)

    async def _get_me(self, request: web.Request) -> web.Response:
        return self._require_bot(request) or _json_response(self.bot_user)

    async def _get_application(self, request: web.Request) -> web.Response:
        payload = p.application_payload(self.application_id, self.owner, self.bot_user["username"])
        return self._require_bot(request) or _json_response(payload)

    async def _put_commands(self, request: web.Request) -> web.Response:
        if (denied := self._require_bot(request)) is not None:
            return denied
        if int(request.match_info["app_id"]) != self.application_id:
            return _error(403, 50001, "Missing Access")
        commands = request[RECORD].json
        problems = [problem for command in commands for problem in _command_problems(command)]
        if problems:
            return _json_response(_invalid_form_body(problems), status=400)
        guild_id = int(request.match_info["guild_id"]) if "guild_id" in request.match_info else None
        stored = []
        for command in commands:
            stored.append(
                {
                    "id": str(p.new_snowflake()),
                    "application_id": str(self.application_id),
                    "version": str(p.new_snowflake()),
                    "type": command.get("type", 1),
                    "nsfw": command.get("nsfw", False),
                    **({"guild_id": str(guild_id)} if guild_id else {}),
                    **command,
                    # Discord answers with the permission bits as a string, whatever was sent.
                    "default_member_permissions": _as_str(command.get("default_member_permissions")),
                }
            )
        self.commands[guild_id] = stored
        return _json_response(stored)

    async def _interaction_callback(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        interaction = self._interactions.get(token)
        if interaction is None or str(interaction.id) != request.match_info["interaction_id"]:
            return _error(404, 10062, "Unknown interaction")
        if self.clock.now() - interaction.created_at > self.ack_deadline:
            return _error(404, 10062, "Unknown interaction")
        if interaction.acked:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        body = request[RECORD].json
        kind = body["type"]
        if kind == 9 and interaction.payload["type"] in (p.MODAL_SUBMIT, p.AUTOCOMPLETE, p.PING):
            return _error(400, 50035, "Invalid Form Body: a modal cannot answer this interaction")
        interaction.acked = True
        data = body.get("data") or {}
        result: dict[str, Any] = {"interaction": {"id": str(interaction.id), "type": interaction.payload["type"]}}
        if kind in (4, 5):
            flags = int(data.get("flags") or 0) | (LOADING if kind == 5 else 0)
            message = self._store_message(interaction.payload, {**data, "flags": flags}, interaction=True)
            self.originals[token] = int(message["id"])
            result["interaction"] |= {
                "response_message_id": message["id"],
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(flags & EPHEMERAL),
            }
            result["resource"] = {"type": kind, "message": message}
            request[RECORD].response_message = copy.deepcopy(message)
        elif kind == 9:
            self.modals[token] = copy.deepcopy(body["data"])
        elif kind == 7:
            message_id = int(interaction.payload["message"]["id"])
            self.messages[message_id] |= {key: value for key, value in data.items() if key != "allowed_mentions"}
            self.originals[token] = message_id
            result["resource"] = {"type": kind, "message": self.messages[message_id]}
            request[RECORD].response_message = copy.deepcopy(self.messages[message_id])
        return _json_response(result)

    def _store_message(self, source: dict[str, Any], data: dict[str, Any], *, interaction: bool) -> dict[str, Any]:
        message = p.message_payload(
            message_id=p.new_snowflake(self.clock.now()),
            channel_id=int(source["channel_id"]),
            guild_id=int(source["guild_id"]) if source.get("guild_id") else None,
            author=self.bot_user,
            content=data.get("content") or "",
            embeds=data.get("embeds"),
            components=data.get("components"),
            flags=int(data.get("flags") or 0),
            message_reference=data.get("message_reference"),
            attachments=data.get("_attachments"),
            webhook_id=self.application_id if interaction else None,
            application_id=self.application_id if interaction else None,
        )
        self.messages[int(message["id"])] = message
        return message

    def _webhook_refusal(self, request: web.Request) -> web.Response | None:
        """Why an interaction webhook call fails: unknown, not yet acknowledged, or the token's 15 minutes are up."""
        interaction = self._interactions.get(request.match_info["token"])
        if interaction is None or int(request.match_info["app_id"]) != self.application_id:
            return _error(404, 10015, "Unknown Webhook")
        if self.clock.now() - interaction.created_at > self.token_lifetime:
            return _error(401, 50027, "Invalid Webhook Token")
        if not interaction.acked:
            return _error(404, 10015, "Unknown Webhook")
        return None

    async def _execute_webhook(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if (refused := self._webhook_refusal(request)) is not None:
            return refused
        interaction = self._interactions[token]
        data = {**request[RECORD].json, "_attachments": self._attachments_of(request[RECORD].files)}
        original_id = self.originals.get(token)
        original = self.messages.get(original_id) if original_id else None
        if original is not None and int(original.get("flags") or 0) & LOADING:
            # The first follow-up after a "thinking" deferral replaces the loading message.
            flags = int(original["flags"]) & EPHEMERAL
            original |= {
                "content": data.get("content") or "",
                "embeds": data.get("embeds") or [],
                "components": data.get("components") or [],
                "attachments": data["_attachments"],
                "flags": flags,
            }
            message = original
        else:
            message = self._store_message(interaction.payload, data, interaction=True)
        request[RECORD].response_message = copy.deepcopy(message)
        return _json_response(message)

    def _webhook_message(self, request: web.Request) -> dict[str, Any] | None:
        token = request.match_info["token"]
        raw = request.match_info["message_id"]
        message_id = self.originals.get(token) if raw == "@original" else int(raw)
        return self.messages.get(message_id) if message_id else None

    async def _get_webhook_message(self, request: web.Request) -> web.Response:
        if (refused := self._webhook_refusal(request)) is not None:
            return refused
        message = self._webhook_message(request)
        return _error(404, 10008, "Unknown Message") if message is None else _json_response(message)

    async def _edit_webhook_message(self, request: web.Request) -> web.Response:
        if (refused := self._webhook_refusal(request)) is not None:
            return refused
        message = self._webhook_message(request)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        data = request[RECORD].json or {}
        for key in ("content", "embeds", "components"):
            if key in data:
                message[key] = data[key] if data[key] is not None else ([] if key != "content" else "")
        message["flags"] = int(message.get("flags") or 0) & ~LOADING
        request[RECORD].response_message = copy.deepcopy(message)
        return _json_response(message)

    async def _delete_webhook_message(self, request: web.Request) -> web.Response:
        if (refused := self._webhook_refusal(request)) is not None:
            return refused
        message = self._webhook_message(request)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        self.messages.pop(int(message["id"]))
        return web.Response(status=204)

    async def _create_message(self, request: web.Request) -> web.Response:
        if (denied := self._require_bot(request)) is not None:
            return denied
        channel_id = int(request.match_info["channel_id"])
        known = {self.channel_id, *self.dm_channels.values(), *self.threads}
        if channel_id not in known:
            return _error(404, 10003, "Unknown Channel")
        in_guild = channel_id == self.channel_id or channel_id in self.threads
        if in_guild and not self._bot_may_send(thread=channel_id in self.threads):
            return _missing_permissions()
        data = {**(request[RECORD].json or {}), "_attachments": self._attachments_of(request[RECORD].files)}
        if not (data.get("content") or data.get("embeds") or data.get("components")):
            return _error(400, 50006, "Cannot send an empty message")
        source = {"channel_id": channel_id, "guild_id": self.guild_id if in_guild else None}
        message = self._store_message(source, data, interaction=False)
        request[RECORD].response_message = copy.deepcopy(message)
        await self.dispatch("MESSAGE_CREATE", message)
        return _json_response(message)

    def _bot_may_send(self, *, thread: bool = False) -> bool:
        # In a thread it is Send Messages in Threads that counts (members have it by default).
        needed = p.PERM_VIEW_CHANNEL | (p.PERM_SEND_IN_THREADS if thread else p.PERM_SEND_MESSAGES)
        return self.channel_permissions(self.bot_member) & needed == needed

    async def _add_reaction(self, request: web.Request) -> web.Response:
        if (denied := self._require_bot(request)) is not None:
            return denied
        channel_id, message_id = int(request.match_info["channel_id"]), int(request.match_info["message_id"])
        message = self.messages.get(message_id)
        if message is None or int(message["channel_id"]) != channel_id:
            return _error(404, 10008, "Unknown Message")
        needed = p.PERM_ADD_REACTIONS | p.PERM_READ_HISTORY
        if message.get("guild_id") and self.channel_permissions(self.bot_member) & needed != needed:
            return _missing_permissions()
        self.reactions.append((channel_id, message_id, request.match_info["emoji"]))
        return web.Response(status=204)

    async def _typing(self, request: web.Request) -> web.Response:
        if (denied := self._require_bot(request)) is not None:
            return denied
        if int(request.match_info["channel_id"]) == self.channel_id and not self._bot_may_send():
            return _missing_permissions()
        return web.Response(status=204)

    async def _create_dm(self, request: web.Request) -> web.Response:
        if (denied := self._require_bot(request)) is not None:
            return denied
        recipient_id = int(request[RECORD].json["recipient_id"])
        member = self.members.get(recipient_id)
        if member is None:
            return _error(400, 50007, "Cannot send messages to this user")
        channel_id = self._dm_channel_for(member)
        return _json_response(p.dm_channel_payload(channel_id, member.user))

    async def _serve_attachment(self, request: web.Request) -> web.Response:
        entry = self.attachments.get(int(request.match_info["attachment_id"]))
        if entry is None or entry[0] != request.match_info["filename"]:
            return web.Response(status=404)
        _, data, content_type = entry
        return web.Response(body=data, headers={"Content-Type": content_type or "application/octet-stream"})


def _route_of(request: web.Request) -> str:
    """The route as declared (`/channels/{channel_id}/messages`), without the API prefix."""
    info = request.match_info.route.resource
    canonical = info.canonical if info is not None else request.path
    return canonical.removeprefix(API_PREFIX)


def _as_str(value: object) -> str | None:
    return None if value is None else str(value)


def _command_problems(command: dict[str, Any]) -> Iterator[str]:
    """The checks Discord applies to a command before accepting a bulk overwrite."""
    name = command.get("name", "")
    if not _COMMAND_NAME_RE.match(name) or name != name.lower():
        yield f"{name}: invalid name"
    if not 1 <= len(command.get("description", "")) <= 100:
        yield f"{name}: description must be 1-100 characters"
    options = command.get("options", [])
    if len(options) > 25:
        yield f"{name}: more than 25 options"
    seen_optional = False
    for option in options:
        if not 1 <= len(option.get("description", "")) <= 100:
            yield f"{name}.{option.get('name')}: description must be 1-100 characters"
        if option.get("required"):
            if seen_optional:
                yield f"{name}.{option['name']}: required options must come before optional ones"
        else:
            seen_optional = True


@contextlib.contextmanager
def patch_discord_py(emulator: DiscordEmulator) -> Iterator[None]:
    """Point discord.py's REST base and default gateway at the emulator."""
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = emulator.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emulator.gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved
