"""Private chats: any text is a question; /start, /help, /topics, /service, /language,
/privacy, /forget; deep links into an entry."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup, Message, Update

from bot import messages
from bot.answering import Answer
from bot.chat import Context, interface_language, reply
from bot.conduct import Outcome
from bot.keyboards import (
    answer_keyboard,
    choices_keyboard,
    languages_keyboard,
    services_keyboard,
    topics_keyboard,
)
from bot.matcher import Band
from bot.messages import language_name
from bot.render import render_html
from bot.text import is_greeting, language_of
from bot.wording import service_title


async def _language(update: Update, context: Context) -> str:
    """The language for a message that answers no question (see chat.interface_language)."""
    user = update.effective_user
    chosen = await context.bot_data.preferences(user.id if user else None)
    return interface_language(chosen.language, user)


async def start(update: Update, context: Context) -> None:
    """Greets; `/start <entry-id>` (a deep link from a group or inline result) opens that entry."""
    message = update.effective_message
    if message is None:
        return
    language = await _language(update, context)
    user_id = update.effective_user.id if update.effective_user else None
    opened = await context.bot_data.open_entry(context.args[0], user_id) if context.args else None
    if opened is None:
        await reply(message, messages.start(language))
        return
    kb = context.bot_data.snapshot.kb
    await reply(
        message,
        render_html(opened.entry, kb, opened.ruling, language),
        answer_keyboard(opened.entry, kb, opened.ruling, opened.service, language),
    )


async def help_command(update: Update, context: Context) -> None:
    if update.effective_message is not None:
        await reply(update.effective_message, messages.help_text(await _language(update, context)))


async def topics(update: Update, context: Context) -> None:
    if update.effective_message is None:
        return
    language = await _language(update, context)
    kb = context.bot_data.snapshot.kb
    await reply(
        update.effective_message, messages.messages(language).topics, topics_keyboard(kb, language)
    )


async def question(update: Update, context: Context) -> None:
    """Any text is a question, except a greeting and nothing more ("namaste sir"), which is
    greeted back with what the bot does, in the language it came in."""
    message = update.effective_message
    if message is None:
        return
    text = message.text or ""
    if is_greeting(text):
        chosen = await context.bot_data.preferences(
            message.from_user.id if message.from_user else None
        )
        await reply(message, messages.start(chosen.language or language_of(text)))
        return
    await answer_fully(message, context, text)


async def ask(update: Update, context: Context) -> None:
    """/ask in a private chat is the same as typing the question."""
    message = update.effective_message
    if message is None:
        return
    question = " ".join(context.args or ())
    if question.strip():
        await answer_fully(message, context, question)
    else:
        language = await _language(update, context)
        await reply(message, messages.messages(language).ask_usage, quote=True)


async def answer_fully(message: Message, context: Context, text: str) -> None:
    """The full answer, "did you mean" buttons, "what would you like to post?", or an honest
    "I don't know" with topics; a message asking several things gets one reply per question."""
    user_id = message.from_user.id if message.from_user else None
    asked = await context.bot_data.ask(text, user_id=user_id, chat_type=message.chat.type)
    for number, answer in enumerate(asked, 1):
        heading = messages.question_heading(number, len(asked), answer.question)
        body, markup = _reply_to(answer, context)
        await reply(message, heading + body, markup)


def _reply_to(answer: Answer, context: Context) -> tuple[str, InlineKeyboardMarkup]:
    kb = context.bot_data.snapshot.kb
    service = answer.service.id if answer.service else None
    language = answer.language
    if answer.entry is not None:
        return (
            render_html(answer.entry, kb, answer.ruling, language),
            answer_keyboard(answer.entry, kb, answer.ruling, service, language),
        )
    candidates = [c.entry for c in answer.match.candidates]
    if answer.band is Band.SUGGEST:
        return (
            messages.did_you_mean(language),
            choices_keyboard(candidates, kb, service, language=language),
        )
    if answer.band is Band.VAGUE:
        return messages.vague(language), topics_keyboard(kb, language)
    nearest = choices_keyboard(candidates, kb, service, language=language)
    browse = topics_keyboard(kb, language)
    return (
        messages.no_match(kb, language, nearest=bool(candidates)),
        InlineKeyboardMarkup([*nearest.inline_keyboard, *browse.inline_keyboard]),
    )


async def choose_service(update: Update, context: Context) -> None:
    """/service: pick the service whose rules answers should follow, once."""
    if update.effective_message is None or update.effective_user is None:
        return
    language = await _language(update, context)
    conduct = context.bot_data
    chosen = conduct.service((await conduct.preferences(update.effective_user.id)).service)
    said = messages.messages(language)
    now = (
        said.service_now.format(title=html.escape(service_title(chosen, language)))
        if chosen
        else ""
    )
    await reply(
        update.effective_message,
        said.service_pick + now,
        services_keyboard(conduct.snapshot.kb, language),
    )


async def choose_language(update: Update, context: Context) -> None:
    """/language: answers in English or Hindi for good, or in each question's language."""
    if update.effective_message is None or update.effective_user is None:
        return
    chosen = (await context.bot_data.preferences(update.effective_user.id)).language
    language = interface_language(chosen, update.effective_user)
    said = messages.messages(language)
    now = said.language_now.format(language=language_name(chosen, language)) if chosen else ""
    await reply(update.effective_message, said.language_pick + now, languages_keyboard(language))


async def not_text(update: Update, context: Context) -> None:
    """Stickers, photos, voice notes...: the bot reads only text."""
    if update.effective_message is not None:
        language = await _language(update, context)
        await reply(update.effective_message, messages.messages(language).please_type)


async def unknown_command(update: Update, context: Context) -> None:
    if update.effective_message is not None:
        language = await _language(update, context)
        await reply(update.effective_message, messages.messages(language).unknown_command)


async def privacy(update: Update, context: Context) -> None:
    if update.effective_message is None or update.effective_user is None:
        return
    conduct = context.bot_data
    chosen = await conduct.preferences(update.effective_user.id)
    language = interface_language(chosen.language, update.effective_user)
    said = messages.messages(language)
    text = said.privacy.format(days=conduct.settings.retention_days)
    service = conduct.service(chosen.service)
    if service is not None:
        text += said.privacy_service.format(title=html.escape(service_title(service, language)))
    if chosen.language:
        text += said.privacy_language.format(language=language_name(chosen.language, language))
    await reply(update.effective_message, text)


async def forget(update: Update, context: Context) -> None:
    """Delete everything stored for the asker; confirmed only after the delete is committed."""
    if update.effective_message is None or update.effective_user is None:
        return
    language = await _language(update, context)  # read before it is deleted
    forgotten = await context.bot_data.forget(update.effective_user.id)
    said = messages.messages(language)
    text = {
        Outcome.DONE: said.forgotten.format(
            count=forgotten.count, s="" if forgotten.count == 1 else "s"
        ),
        Outcome.NO_STORAGE: said.no_storage,
    }.get(forgotten.outcome, said.not_saved)
    await reply(update.effective_message, text)
