"""A real bot Application talking HTTP to the loopback Bot API emulator, for handler tests.

Updates built by the emulator are handed straight to `Application.process_update`, so each
test runs the real handlers, the real python-telegram-bot client and real HTTP, and then
reads what the bot sent from the emulator's record of calls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from bot.config import MatchSettings, Settings
from bot.emulator import BotAPIEmulator, message_text
from bot.service import AnswerService, Snapshot
from bot.store import Store
from tests.conftest import KNOWLEDGE_DIR

TOKEN = "123456:TEST-TOKEN"
BOT_USERNAME = "conduct_test_bot"
ADMIN_ID = 900_001
OFFICER_ID = 100_001
GROUP_ID = -100_200_300


@dataclass
class Harness:
    emulator: BotAPIEmulator
    app: Application
    settings: Settings
    store: Store
    service: AnswerService
    handled: list[dict[str, Any]] = field(default_factory=list)
    offset: int | None = None

    async def process(self, update: dict[str, Any]) -> None:
        self.handled.append(update)
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def poll(self) -> list[Update]:
        """Fetch what the emulator holds through the bot's own getUpdates, as polling does,
        and process each update in turn (the way to feed updates the library cannot parse)."""
        updates = await self.app.bot.get_updates(offset=self.offset, timeout=0)
        for update in updates:
            await self.app.process_update(update)
        if updates:
            self.offset = updates[-1].update_id + 1
        return list(updates)

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """sendMessage and editMessageText calls, in order (optionally to one chat).

        Each has `shown`: the text as the user sees it, after Telegram's HTML parsing.
        """
        calls = [
            c
            for c in self.emulator.calls
            if c.method in ("sendMessage", "editMessageText") and c.fault is None
        ]
        return [
            {**c.params, "shown": message_text(c.params)}
            for c in calls
            if chat_id is None or int(c.params["chat_id"]) == chat_id
        ]

    def last_text(self, chat_id: int | None = None) -> str:
        return self.sent(chat_id)[-1]["shown"]

    def callback_answers(self) -> list[dict[str, Any]]:
        return [c.params for c in self.emulator.calls_to("answerCallbackQuery")]


def harness_settings(
    emulator: BotAPIEmulator, data_dir: Path, knowledge_dir: Path, **overrides: Any
) -> Settings:
    return Settings.from_env(
        {},
        token=TOKEN,
        api_base_url=emulator.base_url,
        admin_user_ids=frozenset({ADMIN_ID}),
        data_dir=data_dir,
        knowledge_dir=knowledge_dir,
        **{"retry_pause_seconds": 0.02, "poll_retry_max_seconds": 0.1, **overrides},
    )


_BUILT: dict[tuple[Path, MatchSettings], Snapshot] = {}


def _bundled(settings: Settings) -> Snapshot | None:
    """The bundled knowledge base, built once for every test that does not change it (a
    snapshot never changes; a test's reload builds its own)."""
    if settings.knowledge_dir != KNOWLEDGE_DIR:
        return None
    key = (settings.knowledge_dir, settings.match)
    if key not in _BUILT:
        _BUILT[key] = AnswerService(settings.knowledge_dir, settings.match).snapshot
    return _BUILT[key]


@asynccontextmanager
async def running_bot(
    data_dir: Path, knowledge_dir: Path, **overrides: Any
) -> AsyncIterator[Harness]:
    async with BotAPIEmulator(TOKEN, bot_username=BOT_USERNAME) as emulator:
        settings = harness_settings(emulator, data_dir, knowledge_dir, **overrides)
        learned = settings.learned_phrasings
        service = AnswerService(
            settings.knowledge_dir,
            settings.match,
            lambda: [learned],
            built=None if learned.exists() else _bundled(settings),
        )
        store = Store(settings.database, key=b"test-key")
        app = build_application(settings, service, store)
        await app.initialize()
        try:
            yield Harness(emulator, app, settings, store, service)
        finally:
            await app.shutdown()
            store.close()
