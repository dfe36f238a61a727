"""The floor for benchmarks.whole_bot: a bare python-telegram-bot echo bot.

    python -m benchmarks.echo_bot

It answers every private text with the same text and nothing else: no matching, no
rendering, no database, no flood guard. It is configured from the same environment and
Settings as `conduct-bot run` (token, API URL, rate limit, updates handled at once, pool
size), so whatever a python-telegram-bot 22 bot pays per update under those settings, it
pays, and conduct-bot's updates per second can be read as a share of it.

It sends through the library's own HTTPXRequest: the floor any python-telegram-bot bot
pays, whatever conduct-bot does with its own client.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest

from bot.config import Settings


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


def main() -> None:
    settings = Settings.from_env()
    # The pool sizes of bot.app.build_application.
    request = HTTPXRequest(
        read_timeout=settings.request_timeout,
        connection_pool_size=settings.concurrent_updates * 2,
    )
    get_updates_request = HTTPXRequest(connection_pool_size=2)
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
