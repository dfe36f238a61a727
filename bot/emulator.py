"""A Telegram Bot API emulator on loopback, for tests, benchmarks and a local playground.

The real bot (python-telegram-bot's Application, or the `conduct-bot run` process) talks to
it over HTTP exactly as it would to api.telegram.org: point the bot at `emulator.base_url`
(TELEGRAM_API_BASE_URL) and it adds `/bot<token>/<method>`. The emulator

- answers the methods the bot uses with Telegram's JSON shapes and error responses,
  validating what Telegram validates (HTML parse mode, 4,096 characters, 64-byte callback
  data, answered callback and inline queries, messages to edit or reply to);
- delivers injected updates by long polling (`getUpdates`) or to a webhook, with the secret
  token header; builders make realistic private, group, inline and callback updates, and
  updates python-telegram-bot cannot parse (as Telegram may send after a Bot API change);
- records every call, so a test can wait for the reply it expects;
- injects faults on demand: 429 with retry_after, 5xx, malformed JSON, slow replies,
  dropped connections, 409 conflicts and an error that echoes the token back ("echo"),
  each for a set number of calls, either before the method is carried out or after it (the
  message delivered, its answer lost); and goes down for a while (`go_down`: connections
  refused, as while the API host restarts).

Playground: `python -m bot.emulator --port 8081 --token 123:local` starts it alone and reads
questions from the terminal as a private chat (user 1), printing the bot's replies; run the
bot beside it with TELEGRAM_API_BASE_URL=http://127.0.0.1:8081 TELEGRAM_BOT_TOKEN=123:local.
HTTP hooks for scripts: POST /_emulator/private {"user_id", "text"}, GET /_emulator/calls.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import itertools
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import ClientSession, ClientTimeout, web

JSON = dict[str, Any]
TEXT_LIMIT = 4096
CALLBACK_LIMIT = 64
ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "a", "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip
STRUCTURED = {
    "reply_markup", "entities", "caption_entities", "results", "commands", "scope",
    "allowed_updates", "reply_parameters", "link_preview_options", "button", "menu_button",
}  # fmt: skip
BOOLEANS = {
    "show_alert", "is_personal", "drop_pending_updates", "disable_notification",
    "protect_content", "allow_sending_without_reply", "disable_web_page_preview",
}  # fmt: skip
INTEGERS = {"offset", "limit", "timeout", "message_id", "cache_time", "reply_to_message_id"}
_ENTITY = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>|<")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}")


class ApiError(Exception):
    """A Bot API error response: HTTP status, description and optional parameters."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: JSON
    at: float
    fault: str | None = None
    carried_out: bool = True  # False when a fault stopped the method before it ran


@dataclass
class _Fault:
    kind: str
    remaining: int
    retry_after: int
    delay: float
    carried_out: bool = False  # the method ran (a message was delivered) before the failure


@dataclass
class _Poll:
    """The state of long polling: queued updates and which getUpdates call is current."""

    queue: list[JSON] = field(default_factory=list)
    generation: int = 0


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The plain text Telegram would show for `text` in HTML parse mode, or ApiError."""
    stack: list[str] = []
    plain: list[str] = []
    position = 0
    for match in _TAG.finditer(text):
        plain.append(text[position : match.start()])
        position = match.end()
        if match.group(2) is None:
            offset = len(text[: match.start()].encode())
            raise bad_request(
                f"can't parse entities: Unsupported start tag at byte offset {offset}"
            )
        closing, tag = match.group(1), match.group(2).lower()
        if tag not in ALLOWED_TAGS:
            offset = len(text[: match.start()].encode())
            raise bad_request(
                f'can\'t parse entities: Unsupported start tag "{tag}" at byte offset {offset}'
            )
        if closing:
            if not stack or stack.pop() != tag:
                raise bad_request(f'can\'t parse entities: Unmatched end tag "{tag}"')
        else:
            stack.append(tag)
    plain.append(text[position:])
    if stack:
        raise bad_request(
            f"can't parse entities: Can't find end tag corresponding to start tag {stack[-1]}"
        )
    joined = "".join(plain)
    if _ENTITY.search(joined):
        raise bad_request("can't parse entities: Unclosed or unsupported entity")
    return html.unescape(joined)


def message_text(params: JSON) -> str:
    """Validate a message text as Telegram does and return what the user would see."""
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("message text is empty")
    plain = parse_html(text) if str(params.get("parse_mode", "")).lower() == "html" else text
    if not plain.strip():
        raise bad_request("message text is empty")
    if utf16_len(plain) > TEXT_LIMIT:
        raise bad_request("message is too long")
    return plain


def check_keyboard(markup: Any) -> None:
    if not markup:
        return
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise bad_request("BUTTON_TEXT_INVALID")
            kinds = [k for k in button if k != "text"]
            if len(kinds) != 1:
                raise bad_request("can't parse inline keyboard button: exactly one field expected")
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode())
                if not 1 <= size <= CALLBACK_LIMIT:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not re.match(r"^(https?|tg)://", str(button["url"])):
                raise bad_request("BUTTON_URL_INVALID")


def entities_for(text: str, bot_username: str | None = None) -> list[JSON]:
    """bot_command and mention entities with Telegram's UTF-16 offsets."""
    found: list[JSON] = []
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        found.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
    for match in _MENTION.finditer(text):
        found.append(
            {
                "type": "mention",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
            }
        )
    return found


class BotAPIEmulator:
    """An in-process Bot API server on loopback. Use as `async with BotAPIEmulator() as emu`."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_username: str = "conduct_test_bot",
        bot_id: int = 123456,
        host: str = "127.0.0.1",
        port: int = 0,
        delay: float = 0.0,
    ) -> None:
        self.token = token
        # Seconds every answer takes, as the network to the real API would (benchmarks).
        self.delay = delay
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Conduct Bot",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self.host, self.port = host, port
        self.calls: list[ApiCall] = []
        self.sent_messages: dict[tuple[int, int], JSON] = {}
        self.bot_commands: dict[tuple[str, str], list[JSON]] = {}
        self.webhook: JSON = {"url": "", "secret_token": None}
        # update_id -> what each webhook delivery attempt got: an HTTP status or an error name
        self.webhook_answers: dict[int, list[int | str]] = defaultdict(list)
        self._messages: dict[tuple[int, int], JSON] = {}
        self._chats: dict[int, JSON] = {}
        self._next_message: dict[int, itertools.count] = defaultdict(lambda: itertools.count(1))
        self._next_update = itertools.count(1)
        self._ids = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._open_inline: set[str] = set()
        self._faults: dict[str, list[_Fault]] = defaultdict(list)
        self._poll = _Poll()
        self._changed: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._busy: set[Any] = set()  # connections answering a request
        self._session: ClientSession | None = None
        self._deliveries: set[asyncio.Task[None]] = set()
        self._closing = False

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        self._changed = asyncio.Condition()
        app = web.Application(client_max_size=16 * 1024 * 1024, middlewares=[self._track])
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_post("/_emulator/private", self._hook_private)
        app.router.add_get("/_emulator/calls", self._hook_calls)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, self.port)
        await self._site.start()
        self.port = self._runner.addresses[0][1]

    @web.middleware
    async def _track(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Which connections are answering a request (go_down lets those finish)."""
        self._busy.add(request.protocol)
        try:
            return await handler(request)
        finally:
            self._busy.discard(request.protocol)

    async def stop(self) -> None:
        self._closing = True
        await self._notify()
        for task in list(self._deliveries):
            task.cancel()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- what tests read -----------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def messages_to(self, chat_id: int) -> list[JSON]:
        return [m for (chat, _), m in sorted(self.sent_messages.items()) if chat == chat_id]

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until `condition()` holds; it is checked again whenever a call arrives or has
        been carried out."""
        assert self._changed is not None, "start the emulator first"
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(condition), timeout)
            except TimeoutError:
                raise TimeoutError(f"condition not met within {timeout}s") from None

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 5.0,
        *,
        after: int = 0,
    ) -> ApiCall:
        """The first call of `method` (index >= after) matching `predicate`, waiting for it."""
        assert self._changed is not None, "start the emulator first"

        def found() -> ApiCall | None:
            for call in self.calls[after:]:
                if (
                    call.method == method
                    and call.fault is None
                    and (predicate is None or predicate(call))
                ):
                    return call
            return None

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(found), timeout)
            except TimeoutError:
                counts = Counter(c.method for c in self.calls[after:])
                seen = ", ".join(f"{n} {m}" for m, n in counts.items()) or "none"
                raise TimeoutError(
                    f"no matching {method} within {timeout}s; calls: {seen}"
                ) from None
        call = found()
        assert call is not None
        return call

    # -- faults --------------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        kind: str,
        *,
        times: int = 1,
        retry_after: int = 1,
        delay: float = 0.0,
        carried_out: bool = False,
    ) -> None:
        """Make the next `times` calls of `method` ("*" for any) fail with `kind`.

        With `carried_out`, the method is carried out first (the message is delivered) and only
        then does the reply fail: a 5xx, a body that is not JSON, or a reset connection, as when
        Telegram's front end or a proxy loses the answer of a request Telegram acted on.
        """
        kinds = {"429", "500", "502", "503", "malformed", "slow", "drop", "409", "echo"}
        if kind not in kinds:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(kinds)}")
        if carried_out and kind in ("429", "409", "slow", "echo"):
            raise ValueError(f"a {kind} is never the answer to a request Telegram carried out")
        self._faults[method].append(_Fault(kind, times, retry_after, delay, carried_out))

    async def go_down(self, seconds: float) -> None:
        """Refuse connections for `seconds`, as the API host does while it restarts.

        The listening socket closes (a new connection is refused), idle keep-alive connections
        are closed, and a request being answered finishes first; then the emulator listens again
        on the same port.
        """
        assert self._runner is not None and self._site is not None, "start the emulator first"
        await self._site.stop()
        for connection in self._runner.server.connections if self._runner.server else ():
            if connection in self._busy:
                connection.close()  # after its answer
            else:
                connection.force_close()
        await asyncio.sleep(0)  # transports close on the next turn of the loop: let them
        self._background(self._come_back(seconds))

    async def _come_back(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, self.host, self.port)
        await self._site.start()

    def _take_fault(self, method: str) -> _Fault | None:
        for key in (method, "*"):
            for fault in self._faults.get(key, []):
                if fault.remaining > 0:
                    fault.remaining -= 1
                    return fault
        return None

    # -- injecting updates ---------------------------------------------------------------------

    def inject_update(self, update: JSON) -> int:
        update.setdefault("update_id", next(self._next_update))
        if self.webhook["url"]:
            self._background(self._deliver(update))
        else:
            self._poll.queue.append(update)
            self._background(self._notify())
        return int(update["update_id"])

    def _background(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)

    def _user(self, user_id: int, first_name: str = "Officer", username: str | None = None) -> JSON:
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        return user

    def _chat(self, chat_id: int, chat_type: str, title: str = "Department group") -> JSON:
        chat: JSON = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "Officer"
        else:
            chat["title"] = title
        self._chats[chat_id] = chat
        return chat

    def _message(self, chat: JSON, sender: JSON | None, **content: Any) -> JSON:
        message: JSON = {
            "message_id": next(self._next_message[chat["id"]]),
            "date": int(time.time()),
            "chat": chat,
            **content,
        }
        if sender is not None:
            message["from"] = sender
        self._messages[(chat["id"], message["message_id"])] = message
        return message

    def _text_message(self, chat: JSON, user: JSON, text: str, reply_to: JSON | None) -> JSON:
        content: JSON = {"text": text}
        entities = entities_for(text)
        if entities:
            content["entities"] = entities
        if reply_to is not None:
            content["reply_to_message"] = reply_to
        return self._message(chat, user, **content)

    def private_message(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Officer",
        username: str | None = None,
        reply_to: JSON | None = None,
        language_code: str | None = None,
    ) -> JSON:
        """`language_code`: the language of the user's Telegram app, as Telegram sends it."""
        chat = self._chat(user_id, "private")
        sender = self._user(user_id, first_name, username)
        if language_code:
            sender["language_code"] = language_code
        message = self._text_message(chat, sender, text, reply_to)
        return self._inject({"message": message})

    def group_message(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        reply_to: JSON | None = None,
        chat_type: str = "supergroup",
        title: str = "Department group",
    ) -> JSON:
        chat = self._chat(chat_id, chat_type, title)
        message = self._text_message(chat, self._user(user_id), text, reply_to)
        return self._inject({"message": message})

    def non_text_message(
        self, chat_id: int, user_id: int, kind: str, *, chat_type: str = "private"
    ) -> JSON:
        file = {"file_id": f"file-{next(self._ids)}", "file_unique_id": f"u{next(self._ids)}"}
        contents: dict[str, Any] = {
            "sticker": {**file, "type": "regular", "width": 512, "height": 512,
                        "is_animated": False, "is_video": False},
            "photo": [{**file, "width": 640, "height": 480}],
            "voice": {**file, "duration": 3},
            "video": {**file, "width": 640, "height": 480, "duration": 5},
            "document": {**file, "file_name": "order.pdf"},
            "location": {"latitude": 26.85, "longitude": 80.95},
            "contact": {"phone_number": "+910000000000", "first_name": "Someone"},
            "new_chat_members": [self._user(user_id + 1, "New member")],
        }  # fmt: skip
        if kind not in contents:
            raise ValueError(f"unknown message kind {kind!r}")
        chat = self._chat(chat_id, chat_type)
        message = self._message(chat, self._user(user_id), **{kind: contents[kind]})
        return self._inject({"message": message})

    def unparseable_message(self, chat_id: int, user_id: int, kind: str, text: str = "hi") -> JSON:
        """A message python-telegram-bot 22 cannot parse, as Telegram may still send one.

        - "date": a `date` of 10**14 (a client clock or a corrupted field): datetime overflows.
        - "poll": a poll in an older Bot API shape, without `persistent_id`.
        - "entity": a text entity without `offset` and `length`.
        """
        chat = self._chat(chat_id, "private" if chat_id > 0 else "supergroup")
        message = self._text_message(chat, self._user(user_id), text, None)
        if kind == "date":
            message["date"] = 10**14
        elif kind == "poll":
            message.pop("text")
            message["poll"] = {
                "id": str(next(self._ids)), "question": text, "total_voter_count": 0,
                "options": [{"text": "yes", "voter_count": 0}, {"text": "no", "voter_count": 0}],
                "is_closed": False, "is_anonymous": True, "type": "regular",
                "allows_multiple_answers": False,
            }  # fmt: skip
        elif kind == "entity":
            message["entities"] = [{"type": "bold"}]
        else:
            raise ValueError(f"unknown unparseable kind {kind!r}")
        return self._inject({"message": message})

    def edited_message(
        self, chat_id: int, user_id: int, text: str, *, chat_type: str = "private"
    ) -> JSON:
        chat = self._chat(chat_id, chat_type)
        message = self._text_message(chat, self._user(user_id), text, None)
        message["edit_date"] = int(time.time())
        return self._inject({"edited_message": message})

    def channel_post(self, chat_id: int, text: str) -> JSON:
        chat = self._chat(chat_id, "channel", "Department channel")
        return self._inject({"channel_post": self._message(chat, None, text=text)})

    def inline_query(self, user_id: int, query: str, *, offset: str = "") -> JSON:
        query_id = str(next(self._ids))
        self._open_inline.add(query_id)
        inline = {"id": query_id, "from": self._user(user_id), "query": query, "offset": offset}
        return self._inject({"inline_query": inline})

    def callback_query(self, user_id: int, data: str, message: JSON | None = None) -> JSON:
        query_id = str(next(self._ids))
        self._open_callbacks.add(query_id)
        callback: JSON = {
            "id": query_id,
            "from": self._user(user_id),
            "chat_instance": "emulated",
            "data": data,
        }
        if message is not None:
            callback["message"] = message
        return self._inject({"callback_query": callback})

    def _inject(self, update: JSON) -> JSON:
        self.inject_update(update)
        return update

    async def _notify(self) -> None:
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()

    async def _deliver(self, update: JSON) -> None:
        """POST to the webhook until it answers 200 (Telegram retries too)."""
        if self._session is None:
            self._session = ClientSession(timeout=ClientTimeout(total=10))
        headers = {}
        if self.webhook["secret_token"]:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        answers = self.webhook_answers[int(update["update_id"])]
        for attempt in range(100):
            try:
                async with self._session.post(
                    self.webhook["url"], json=update, headers=headers
                ) as r:
                    answers.append(r.status)
                    if r.status == 200:
                        return
            except Exception as error:  # refused, reset, timed out: Telegram tries again
                answers.append(type(error).__name__)
            await asyncio.sleep(min(0.05 * (attempt + 1), 1.0))

    # -- HTTP ----------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        canonical = _METHODS.get(method.lower(), method)
        try:
            params = await _read_params(request)
        except ConnectionResetError:  # the client gave up while sending: it is not a call
            return web.Response(status=499)
        fault = self._take_fault(canonical)
        self.calls.append(
            ApiCall(
                canonical,
                params,
                time.monotonic(),
                fault.kind if fault else None,
                carried_out=fault is None or fault.carried_out,
            )
        )
        await self._notify()
        if self.delay:
            await asyncio.sleep(self.delay)
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        if fault is not None and not fault.carried_out:
            response = await self._fault_response(fault, request)
            if response is not None:
                return response
        handler = getattr(self, f"_m_{canonical}", None)
        if handler is None:
            return _error(ApiError(404, "Not Found"))
        try:
            result = await handler(params)
        except ApiError as error:
            return _error(error)
        await self._notify()  # what it changed (a message kept, an edit) may be awaited
        if fault is not None:  # carried out; now the answer is lost on its way back
            response = await self._fault_response(fault, request)
            if response is not None:
                return response
        return web.json_response({"ok": True, "result": result})

    async def _fault_response(
        self, fault: _Fault, request: web.Request
    ) -> web.StreamResponse | None:
        kind = fault.kind
        if kind == "429":
            description = f"Too Many Requests: retry after {fault.retry_after}"
            return _error(ApiError(429, description, {"retry_after": fault.retry_after}))
        if kind == "409":
            return _error(
                ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            )
        if kind == "502":
            return web.Response(
                status=502,
                text="<html><body>502 Bad Gateway</body></html>",
                content_type="text/html",
            )
        if kind in ("500", "503"):
            return _error(ApiError(int(kind), "Internal Server Error"))
        if kind == "echo":  # a gateway's error that repeats the request's path, token and all
            path = request.path
            secret = self.token.partition(":")[2]
            description = (
                f"Bad Request: no route for {path} "
                f"(<code>{path.replace(':', '&#58;')}</code>; key {secret})"
            )
            return _error(ApiError(400, description))
        if kind == "malformed":
            return web.Response(
                status=200, text='{"ok": true, "result": ', content_type="application/json"
            )
        if kind == "drop":
            if request.transport is not None:
                request.transport.abort()
            return web.Response()
        await asyncio.sleep(fault.delay)  # "slow": then answer normally
        return None

    async def _hook_private(self, request: web.Request) -> web.Response:
        body = await request.json()
        update = self.private_message(int(body["user_id"]), str(body["text"]))
        return web.json_response(update)

    async def _hook_calls(self, request: web.Request) -> web.Response:
        return web.json_response([{"method": c.method, "params": c.params} for c in self.calls])

    # -- Bot API methods -----------------------------------------------------------------------

    async def _m_getMe(self, params: JSON) -> JSON:
        return self.bot_user

    async def _m_getUpdates(self, params: JSON) -> list[JSON]:
        if self.webhook["url"]:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll.generation += 1
        mine = self._poll.generation
        await self._notify()  # wake an older poll, which then ends in a conflict
        offset = int(params.get("offset") or 0)
        if offset:
            self._poll.queue = [u for u in self._poll.queue if u["update_id"] >= offset]
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        assert self._changed is not None
        async with self._changed:
            while not self._poll.queue and not self._closing:
                if self._poll.generation != mine:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)
        allowed = params.get("allowed_updates")
        updates = self._poll.queue[:limit]
        if allowed:
            updates = [u for u in updates if any(k in u for k in allowed)]
        return updates

    async def _m_setWebhook(self, params: JSON) -> bool:
        url = str(params.get("url") or "")
        if url and not re.match(r"^https?://", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {"url": url, "secret_token": params.get("secret_token")}
        pending, self._poll.queue = self._poll.queue, []
        for update in pending:
            self.inject_update(update)
        return True

    async def _m_deleteWebhook(self, params: JSON) -> bool:
        self.webhook = {"url": "", "secret_token": None}
        if params.get("drop_pending_updates"):
            self._poll.queue = []
        return True

    async def _m_getWebhookInfo(self, params: JSON) -> JSON:
        return {"url": self.webhook["url"], "has_custom_certificate": False,
                "pending_update_count": len(self._poll.queue)}  # fmt: skip

    async def _m_sendMessage(self, params: JSON) -> JSON:
        chat_id = _chat_id(params)
        text = message_text(params)
        check_keyboard(params.get("reply_markup"))
        reply_to = self._reply_target(chat_id, params)
        chat = self._chats.get(chat_id) or self._chat(
            chat_id, "private" if chat_id > 0 else "supergroup"
        )
        content: JSON = {"text": text}
        if params.get("reply_markup"):
            content["reply_markup"] = params["reply_markup"]
        if reply_to is not None:
            content["reply_to_message"] = reply_to
        message = self._message(chat, self.bot_user, **content)
        self.sent_messages[(chat_id, message["message_id"])] = message
        return message

    def _reply_target(self, chat_id: int, params: JSON) -> JSON | None:
        reply = params.get("reply_parameters") or {}
        message_id = reply.get("message_id") or params.get("reply_to_message_id")
        if not message_id:
            return None
        target = self._messages.get((int(reply.get("chat_id") or chat_id), int(message_id)))
        allow = reply.get("allow_sending_without_reply") or params.get(
            "allow_sending_without_reply"
        )
        if target is None and not allow:
            raise bad_request("message to be replied not found")
        return target

    def _bot_message(self, params: JSON) -> JSON:
        key = (_chat_id(params), int(params.get("message_id") or 0))
        message = self.sent_messages.get(key)
        if message is None:
            raise bad_request("message to edit not found")
        return message

    async def _m_editMessageText(self, params: JSON) -> JSON | bool:
        text = message_text(params)
        check_keyboard(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        message = self._bot_message(params)
        markup = params.get("reply_markup")
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message["text"] = text
        message["edit_date"] = int(time.time())
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return message

    async def _m_editMessageReplyMarkup(self, params: JSON) -> JSON:
        check_keyboard(params.get("reply_markup"))
        message = self._bot_message(params)
        message["reply_markup"] = params.get("reply_markup")
        return message

    async def _m_deleteMessage(self, params: JSON) -> bool:
        key = (_chat_id(params), int(params.get("message_id") or 0))
        if self.sent_messages.pop(key, None) is None:
            raise bad_request("message to delete not found")
        return True

    async def _m_answerCallbackQuery(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._open_callbacks:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if len(str(params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        return True

    async def _m_answerInlineQuery(self, params: JSON) -> bool:
        query_id = str(params.get("inline_query_id"))
        if query_id not in self._open_inline:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        results = params.get("results") or []
        if len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH")
        ids = [r.get("id") for r in results]
        if len(set(ids)) != len(ids):
            raise bad_request("RESULT_ID_DUPLICATE")
        for result in results:
            content = result.get("input_message_content") or {}
            if "message_text" in content:
                message_text(
                    {"text": content["message_text"], "parse_mode": content.get("parse_mode")}
                )
            check_keyboard(result.get("reply_markup"))
        self._open_inline.discard(query_id)
        return True

    async def _m_setMyCommands(self, params: JSON) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.bot_commands[_scope_key(params)] = commands
        return True

    async def _m_getMyCommands(self, params: JSON) -> list[JSON]:
        return self.bot_commands.get(_scope_key(params), [])

    async def _m_deleteMyCommands(self, params: JSON) -> bool:
        self.bot_commands.pop(_scope_key(params), None)
        return True

    async def _m_setChatMenuButton(self, params: JSON) -> bool:
        return True

    async def _m_sendChatAction(self, params: JSON) -> bool:
        _chat_id(params)
        return True

    async def _m_close(self, params: JSON) -> bool:
        return True

    async def _m_logOut(self, params: JSON) -> bool:
        return True


_METHODS = {name[3:].lower(): name[3:] for name in dir(BotAPIEmulator) if name.startswith("_m_")}


def _error(error: ApiError) -> web.Response:
    body: JSON = {"ok": False, "error_code": error.code, "description": error.description}
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.code)


def _chat_id(params: JSON) -> int:
    raw = params.get("chat_id")
    try:
        return int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise bad_request("chat not found") from None


def _scope_key(params: JSON) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")


async def _read_params(request: web.Request) -> JSON:
    """Parameters from a query string, JSON body or form, decoded the way Telegram reads them."""
    raw: JSON = dict(request.query)
    if request.body_exists:
        if request.content_type == "application/json":
            with contextlib.suppress(ValueError):
                raw.update(await request.json())
            return raw
        form = await request.post()
        raw.update({k: v for k, v in form.items() if isinstance(v, str)})
    return {key: _decode(key, value) for key, value in raw.items()}


def _decode(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in STRUCTURED:
        with contextlib.suppress(ValueError):
            return json.loads(value)
    if key in BOOLEANS:
        return value.lower() == "true"
    if key in INTEGERS or key.endswith("chat_id"):
        with contextlib.suppress(ValueError):
            return int(value)
    return value


# -- the playground --------------------------------------------------------------------------


async def _playground(port: int, token: str, user_id: int) -> None:
    async with BotAPIEmulator(token, port=port) as emulator:
        print(f"Bot API emulator on {emulator.base_url} (token {token!r}).")
        print(
            f"Start the bot with TELEGRAM_API_BASE_URL={emulator.base_url} "
            f"TELEGRAM_BOT_TOKEN={token} conduct-bot run"
        )
        print("Type a question (Ctrl-D to quit).")
        loop = asyncio.get_running_loop()
        while True:
            try:
                line = await loop.run_in_executor(None, input, "you> ")
            except EOFError:
                return
            if not line.strip():
                continue
            mark = len(emulator.calls)
            emulator.private_message(user_id, line)
            try:
                call = await emulator.wait_for_call(
                    "sendMessage", lambda c: int(c.params["chat_id"]) == user_id, 30, after=mark
                )
            except TimeoutError:
                print("(no reply: is the bot running?)")
                continue
            print("bot>", call.params["text"], "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bot.emulator", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123:local")
    parser.add_argument("--user-id", type=int, default=1)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_playground(args.port, args.token, args.user_id))


if __name__ == "__main__":
    main()
