"""`conduct-bot playground`: the real bot, the Bot API emulator and a web page, in one process.

The bot is the real python-telegram-bot Application from `build_application`, polling the
emulator over loopback HTTP as it polls Telegram, with a throwaway data folder and a fixed
admin among the people on the page. The page (static/) talks to the JSON API below, which
plays the part of people's Telegram apps: it types into chats, presses buttons, runs inline
queries, and reads the chats back as Telegram would send them to a client.

Only loopback is listened on unless --host says otherwise; requests naming another Host
(DNS rebinding) or coming from another page's origin are refused, since the page can act as
an admin of the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import sys
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from aiohttp import web
from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, build_application
from bot.asker import Asker
from bot.config import ConfigError, Settings
from bot.emulator import JSON, ApiError
from bot.knowledge import KnowledgeDiff, KnowledgeError
from bot.logs import configure_logging
from bot.playground.chats import Person, PlaygroundEmulator
from bot.playground.explain import explain_message
from bot.report_html import build_figures, render_report_html
from bot.service import AnswerService
from bot.store import Store, StoreError
from bot.watch import watch

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
BOT_USERNAME = "conduct_playground_bot"
ADMIN_ID = 900
PEOPLE = (
    Person(101, "Asha"),
    Person(102, "Vikram"),
    Person(103, "Priya"),
    Person(ADMIN_ID, "Meena (admin)", admin=True),
)
GROUP = {"id": -1001, "title": "Department group"}
REPORT_DAYS = 30
LONG_POLL = 20.0  # seconds a page's request for changes is held open
REPLY_WAIT = 10.0  # seconds to wait for the bot to answer a button press or an inline query
LOOPBACK = ("127.0.0.1", "localhost", "::1")
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


class Refused(Exception):
    """A request the page should not have made: answered 400 with the reason."""


@dataclass(frozen=True)
class Notice:
    """A knowledge reload, as the page shows it ("reloaded: +1 entry")."""

    number: int
    ok: bool
    text: str
    detail: str = ""


def describe(diff: KnowledgeDiff) -> str:
    """ "reloaded: +1 entry, 2 changed": what an admin wants to know after saving a file."""
    parts = []
    for sign, ids in (("+", diff.added), ("\u2212", diff.removed)):
        if ids:
            parts.append(f"{sign}{len(ids)} {'entry' if len(ids) == 1 else 'entries'}")
    if diff.changed:
        parts.append(f"{len(diff.changed)} changed")
    return "reloaded: " + (", ".join(parts) if parts else "no entry changed")


class Playground:
    """The page's API over the emulator, the bot's knowledge service and its database."""

    def __init__(
        self, emulator: PlaygroundEmulator, service: AnswerService, store: Store, settings: Settings
    ) -> None:
        self.emulator = emulator
        self.service = service
        self.store = store
        self.settings = settings
        self.notices: list[Notice] = []
        self.allowed_hosts: set[str] | None = None  # Host headers accepted (None: any)
        self._loop: asyncio.AbstractEventLoop | None = None

    def web_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard], client_max_size=64 * 1024)
        app.router.add_get("/", self.index)
        app.router.add_static("/static", STATIC, show_index=False)
        app.router.add_get("/report", self.report)
        app.router.add_get("/api/config", self.config)
        app.router.add_get("/api/chats/{chat}", self.chat)
        app.router.add_post("/api/chats/{chat}/messages", self.send)
        app.router.add_post("/api/chats/{chat}/press", self.press)
        app.router.add_post("/api/chats/{chat}/inline", self.send_inline)
        app.router.add_get("/api/chats/{chat}/messages/{message}/explain", self.explain)
        app.router.add_post("/api/inline", self.inline)
        app.on_response_prepare.append(_headers)
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Refuse other Host names (DNS rebinding) and other pages' origins; errors as JSON."""
        origin = request.headers.get("Origin")
        if self.allowed_hosts is not None and request.host not in self.allowed_hosts:
            return web.json_response({"error": "unknown host"}, status=403)
        if origin is not None and origin != f"http://{request.host}":
            return web.json_response({"error": "cross-origin request"}, status=403)
        try:
            return await handler(request)
        except Refused as error:
            return web.json_response({"error": str(error)}, status=400)
        except ApiError as error:
            return web.json_response({"error": error.description}, status=error.code)
        except TimeoutError:
            return web.json_response({"error": "the bot did not answer in time"}, status=504)

    # -- pages ------------------------------------------------------------------------------

    async def index(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def report(self, request: web.Request) -> web.Response:
        """The HTML report of what was asked in this playground, from its own database."""
        kb = self.service.snapshot.kb
        figures = await asyncio.to_thread(build_figures, self.store, kb, REPORT_DAYS)
        source = "this playground's database (a temporary folder, deleted when it stops)"
        page = render_report_html(figures, kb, source=source)
        return web.Response(text=page, content_type="text/html")

    # -- reading --------------------------------------------------------------------------

    async def config(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "bot": {"username": BOT_USERNAME, "name": self.emulator.bot_user["first_name"]},
                "people": [asdict(p) for p in PEOPLE],
                "group": GROUP,
                "watch": self._loop is not None,
                "knowledge": str(self.settings.knowledge_dir),
                "report": "/report",
            }
        )

    async def chat(self, request: web.Request) -> web.Response:
        """The chat as a client shows it, once something changed since `after` (long poll)."""
        chat_id = self._chat_id(request)
        after = int(request.query.get("after", "-1"))
        version = await self.emulator.wait_for_change(after, LONG_POLL)
        return web.json_response(
            {
                "version": version,
                "messages": [self._view(m) for m in self.emulator.chat_messages(chat_id)],
                "commands": self.emulator.commands(chat_id),
                "notices": [asdict(n) for n in self.notices[-5:]],
            }
        )

    async def explain(self, request: web.Request) -> web.Response:
        """Why the bot answered this message as it did, from the knowledge it serves now."""
        chat_id = self._chat_id(request)
        message = self.emulator.message(chat_id, int(request.match_info["message"]))
        question, note = self._question_in(message, chat_id)
        explanations = []
        if question:
            user_id = int((message.get("from") or {}).get("id", 0))
            snapshot = self.service.snapshot
            found = explain_message(snapshot, question, Asker(service=self._service_of(user_id)))
            explanations = [e.as_json() for e in found]
        return web.json_response({"question": question, "note": note, "explanations": explanations})

    def _service_of(self, user_id: int) -> str | None:
        try:
            return self.store.preferences(user_id).service
        except StoreError:
            return None

    def _question_in(self, message: JSON, chat_id: int) -> tuple[str | None, str]:
        """What the bot reads as the question in a message, or None and why it reads none."""
        text = str(message.get("text") or "")
        mention = f"@{BOT_USERNAME}"
        command, _, rest = text.partition(" ")
        if command.lower() in ("/ask", f"/ask{mention}".lower()):
            if not rest.strip():
                return None, "/ask without a question: the bot shows how to use /ask."
            return rest.strip(), "asked with /ask"
        if text.startswith("/"):
            return None, "A command, not a question: the bot runs it rather than matching it."
        if chat_id != self.emulator.group_id:
            return text, "any text in a private chat is a question"
        if mention.lower() in text.lower():
            start = text.lower().index(mention.lower())
            return " ".join((text[:start] + text[start + len(mention) :]).split()), "a mention"
        replied = message.get("reply_to_message") or {}
        if (replied.get("from") or {}).get("id") == self.emulator.bot_user["id"]:
            return text, "a reply to the bot"
        return None, (
            "Not addressed to the bot (no /ask, no mention, not a reply to it): "
            "in a group the bot ignores it."
        )

    # -- acting -----------------------------------------------------------------------------

    async def send(self, request: web.Request) -> web.Response:
        chat_id = self._chat_id(request)
        body = await _body(request)
        user_id = self._person(body, chat_id)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > 4096:
            raise Refused("type a message of 1 to 4,096 characters")
        reply_to = body.get("reply_to")
        message = await self.emulator.say(
            chat_id, user_id, text, int(reply_to) if reply_to else None
        )
        return web.json_response({"message": self._view(message)})

    async def press(self, request: web.Request) -> web.Response:
        """Press an inline button; returns the bot's answer to the press (a toast or an alert)."""
        chat_id = self._chat_id(request)
        body = await _body(request)
        user_id = self._person(body, chat_id)
        message = self.emulator.message(chat_id, int(body.get("message_id") or 0))
        data = str(body.get("data") or "")
        mark = len(self.emulator.calls)
        update = self.emulator.callback_query(user_id, data, message=message)
        query_id = update["callback_query"]["id"]
        call = await self.emulator.wait_for_call(
            "answerCallbackQuery",
            lambda c: str(c.params.get("callback_query_id")) == query_id,
            REPLY_WAIT,
            after=mark,
        )
        answer = call.params
        return web.json_response(
            {"text": answer.get("text") or "", "alert": bool(answer.get("show_alert"))}
        )

    async def inline(self, request: web.Request) -> web.Response:
        """An inline query, as typing "@bot question" in any chat sends one."""
        body = await _body(request)
        user_id = self._person(body, None)
        query = str(body.get("query") or "")[:256]
        mark = len(self.emulator.calls)
        query_id = self.emulator.inline_query(user_id, query)["inline_query"]["id"]
        call = await self.emulator.wait_for_call(
            "answerInlineQuery",
            lambda c: str(c.params.get("inline_query_id")) == query_id,
            REPLY_WAIT,
            after=mark,
        )
        results = [
            {
                "id": r.get("id"),
                "title": r.get("title", ""),
                "description": r.get("description", ""),
            }
            for r in call.params.get("results") or []
        ]
        return web.json_response(
            {"query_id": query_id, "results": results, "button": call.params.get("button")}
        )

    async def send_inline(self, request: web.Request) -> web.Response:
        chat_id = self._chat_id(request)
        body = await _body(request)
        user_id = self._person(body, chat_id)
        message = await self.emulator.send_inline_result(
            chat_id, user_id, str(body.get("query_id")), str(body.get("result_id"))
        )
        return web.json_response({"message": self._view(message)})

    # -- checks and views -------------------------------------------------------------------

    def _chat_id(self, request: web.Request) -> int:
        try:
            chat_id = int(request.match_info["chat"])
        except ValueError:
            raise Refused("no such chat") from None
        if chat_id != self.emulator.group_id and chat_id not in {p.user_id for p in PEOPLE}:
            raise Refused("no such chat")
        return chat_id

    @staticmethod
    def _person(body: JSON, chat_id: int | None) -> int:
        """The person acting, who must be in the chat: their own private chat, or the group."""
        try:
            user_id = int(body.get("user_id") or 0)
        except (TypeError, ValueError):
            user_id = 0
        if user_id not in {p.user_id for p in PEOPLE}:
            raise Refused("no such person")
        if chat_id is not None and chat_id > 0 and chat_id != user_id:
            raise Refused("that is someone else's private chat")
        return user_id

    def _view(self, message: JSON) -> JSON:
        """A message as the page draws it: Telegram's text and entities, and who said what."""
        sender = message.get("from") or {}
        replied = message.get("reply_to_message")
        via = message.get("via_bot")
        return {
            "id": message["message_id"],
            "from": {
                "id": sender.get("id"),
                "name": sender.get("first_name", ""),
                "bot": bool(sender.get("is_bot")),
            },
            "text": message.get("text", ""),
            "entities": message.get("entities", []),
            "keyboard": (message.get("reply_markup") or {}).get("inline_keyboard", []),
            "reply_to": _quote(replied) if replied else None,
            "edited": "edit_date" in message,
            "via": via.get("username") if via else None,
            "explainable": bool(message.get("text")) and not sender.get("is_bot") and not via,
        }

    # -- reloading with --watch -------------------------------------------------------------

    def watch_files(self, loop: asyncio.AbstractEventLoop) -> asyncio.Task[None]:
        self._loop = loop
        return loop.create_task(
            watch(self.service, self.settings.watch_interval, self._files_changed)
        )

    def _files_changed(self, service: AnswerService, reason: str) -> bool:
        """Reload (in a thread, as --watch does); the outcome is logged and shown on the page."""
        try:
            diff = service.reload()
        except KnowledgeError as error:
            logger.error("reload (%s) failed, still serving the previous knowledge base:\n%s",
                         reason, error.report())  # fmt: skip
            self._notice(False, "reload failed: still answering from the previous knowledge "
                         "base", error.report())  # fmt: skip
            return False
        logger.info("reloaded (%s): %s", reason, diff)
        self._notice(True, describe(diff), _diff_detail(diff))
        return True

    def _notice(self, ok: bool, text: str, detail: str) -> None:
        self.notices.append(Notice(len(self.notices) + 1, ok, text, detail))
        if self._loop is not None:
            asyncio.run_coroutine_threadsafe(self.emulator.changed(), self._loop)


def _diff_detail(diff: KnowledgeDiff) -> str:
    listed = [
        f"{label}: {', '.join(ids)}"
        for label, ids in (
            ("added", diff.added),
            ("removed", diff.removed),
            ("changed", diff.changed),
        )
        if ids
    ]
    return "; ".join(listed)


def _quote(message: JSON) -> JSON:
    sender = message.get("from") or {}
    return {
        "id": message.get("message_id"),
        "name": sender.get("first_name", ""),
        "text": str(message.get("text") or "")[:100],
    }


async def _body(request: web.Request) -> JSON:
    if request.content_type != "application/json":
        raise Refused("send JSON")  # also keeps plain cross-site form posts out
    try:
        body = await request.json()
    except ValueError:
        raise Refused("send JSON") from None
    if not isinstance(body, dict):
        raise Refused("send a JSON object")
    return body


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    policy = REPORT_POLICY if request.path == "/report" else PAGE_POLICY
    response.headers.setdefault("Content-Security-Policy", policy)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Cache-Control", "no-store")


# --- running it ----------------------------------------------------------------------------


def run_playground(settings: Settings, *, host: str, port: int, watch: bool) -> int:
    """Run until Ctrl-C or SIGTERM; the throwaway data folder is deleted on the way out."""
    with tempfile.TemporaryDirectory(prefix="conduct-playground-") as data:
        asyncio.run(_serve(settings, Path(data), host, port, watch))
    return 0


async def _serve(settings: Settings, data: Path, host: str, port: int, watch: bool) -> None:
    token = f"{secrets.randbelow(10**9)}:playground-{secrets.token_urlsafe(12)}"
    configure_logging(settings.log_level, [token])
    people = {p.user_id: p for p in PEOPLE}
    async with PlaygroundEmulator(
        token, bot_username=BOT_USERNAME, people=people, group=GROUP
    ) as emulator:
        settings = replace(
            settings,
            token=token,
            api_base_url=emulator.base_url,
            admin_user_ids=frozenset({ADMIN_ID}),
            data_dir=data,
            database_path=data / "conduct-bot.sqlite3",
            user_hash_key=None,
        )
        service = AnswerService.from_settings(settings)
        store = Store(settings.database, retention_days=settings.retention_days)
        application = build_application(settings, service, store)
        playground = Playground(emulator, service, store, settings)
        async with _bot_running(application):
            loop = asyncio.get_running_loop()
            tasks = [playground.watch_files(loop)] if watch else []
            runner, url = await _listen(playground, host, port)
            print(f"Playground: {url}  (Ctrl-C to stop)", flush=True)
            if host not in LOOPBACK:
                print(f"Warning: listening on {host}: anyone who can reach it can act as the "
                      "bot's admin here.", file=sys.stderr, flush=True)  # fmt: skip
            try:
                await _until_stopped(loop)
            finally:
                for task in tasks:
                    task.cancel()
                await runner.cleanup()


@contextlib.asynccontextmanager
async def _bot_running(application: Application) -> Any:
    """Start the Application as `run_polling` does (post_init included), and stop it likewise."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
    try:
        yield
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def _listen(playground: Playground, host: str, port: int) -> tuple[web.AppRunner, str]:
    """Serve the page; on loopback, only requests naming a loopback host are accepted."""
    # Pages hold a request open for changes; stopping does not wait for them.
    runner = web.AppRunner(playground.web_app(), access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        await runner.cleanup()
        raise ConfigError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    bound = runner.addresses[0][1]
    if host in LOOPBACK:
        playground.allowed_hosts = {
            f"{name}:{bound}" for name in ("127.0.0.1", "localhost", "[::1]")
        }
    return runner, f"http://{f'[{host}]' if ':' in host else host}:{bound}/"


async def _until_stopped(loop: asyncio.AbstractEventLoop) -> None:
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
