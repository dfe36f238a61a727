"""The floor for benchmarks.whole_bot: a bare python-telegram-bot echo bot.

    python -m benchmarks.echo_bot [--client httpx|bot]

It answers every private text with the same text and nothing else: no matching, no
rendering, no database, no flood guard. It is configured from the same environment and
Settings as `conduct-bot run` (token, API URL, rate limit, updates handled at once, pool
size), so whatever a python-telegram-bot 22 bot pays per update under those settings, it
pays, and conduct-bot's updates per second can be read as a share of it.

By default it sends through the library's own HTTPXRequest: the floor any
python-telegram-bot bot pays. `--client bot` sends through conduct-bot's own request objects
(bot.retry, on aiohttp) instead: the floor under conduct-bot's client, which shows what its
own work (matching, rendering, the database) costs beside the client.
"""

from __future__ import annotations

import argparse

from telegram import Update
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.retry import RetryingRequest


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--client", choices=("httpx", "bot"), default="httpx")
    settings = Settings.from_env()
    kind = RetryingRequest if parser.parse_args().client == "bot" else HTTPXRequest
    # The pool sizes of bot.app.build_application.
    request = kind(
        read_timeout=settings.request_timeout,
        connection_pool_size=settings.concurrent_updates * 2,
    )
    get_updates_request = kind(connection_pool_size=2)
    application = (
        ApplicationBuilder()
        .token(settings.token or "")
        .base_url(f"{settings.api_base_url}/bot")
        .request(request)
        .get_updates_request(get_updates_request)
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.messages_per_second, max_retries=3))
        .concurrent_updates(settings.concurrent_updates)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.run_polling(allowed_updates=[Update.MESSAGE])


if __name__ == "__main__":
    main()
