"""Inline keyboards and the callback data behind their buttons.

Callback data is untrusted input: a client can send any bytes, and buttons outlive knowledge
reloads. Every button is encoded here and parsed back here; anything that does not parse, or
names an entry that no longer exists, is refused politely by the callback handler.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.helpers import create_deep_linked_url

from bot.knowledge import Entry, KnowledgeBase
from bot.messages import LANGUAGE_NAMES, messages
from bot.render import mark
from bot.verdicts import Ruling
from bot.wording import ENGLISH, LANGUAGES, entry_text, service_title

CALLBACK_LIMIT = 64  # bytes, Telegram's limit for callback_data
ACTIONS = ("open", "topic", "short", "up", "down", "learn", "svc", "iam", "lang")
_ID = r"([a-z0-9-]{0,56})"  # an entry id ("" for the top of /topics), a service or a language
_SERVICE = r"(?::([a-z0-9-]{1,16}))?"
_CALLBACK = re.compile(rf"^({'|'.join(ACTIONS)}):{_ID}{_SERVICE}$")
_ROOT = ""
NO_SERVICE = "none"  # /service: forget the chosen service
AUTO_LANGUAGE = "auto"  # /language: answer in the language of each question
# Deep-link payloads (t.me/bot?start=…) that open the private chat on help, not an entry.
HELP_PAYLOAD = "help"
START_PAYLOAD = "inline"


def pattern(*actions: str) -> re.Pattern[str]:
    """The callback data of these actions, for CallbackQueryHandler(pattern=…): anything
    else, forged or garbled, falls through to the handler for stale buttons. An id is at most
    56 characters, so what matches fits Telegram's 64 bytes."""
    unknown = set(actions) - set(ACTIONS)
    if unknown:
        raise ValueError(f"unknown button actions: {sorted(unknown)}")
    return re.compile(rf"^({'|'.join(actions)}):{_ID}{_SERVICE}$")


@dataclass(frozen=True)
class Button:
    """A parsed callback: what to do (`action`) with which entry (`entry_id`, may be "") and,
    for "I am" buttons, which service (`service`)."""

    action: str
    entry_id: str
    service: str | None = None


def encode(action: str, entry_id: str = _ROOT, service: str | None = None) -> str:
    data = f"{action}:{entry_id}" + (f":{service}" if service else "")
    if len(data.encode()) > CALLBACK_LIMIT or not _CALLBACK.match(data):
        raise ValueError(f"cannot encode button {data!r}")
    return data


def decode(data: str | None) -> Button | None:
    """The button a callback names, or None for anything forged, garbled or too long."""
    if not data or len(data.encode("utf-8", "replace")) > CALLBACK_LIMIT:
        return None
    match = _CALLBACK.match(data)
    return Button(match.group(1), match.group(2), match.group(3)) if match else None


def button(match: re.Match[str]) -> Button:
    """The button a `pattern` match names."""
    return Button(match.group(1), match.group(2), match.group(3))


def _label(entry: Entry, kb: KnowledgeBase, service: str | None, language: str) -> str:
    title = entry_text(entry, language).title
    symbol = mark(entry, kb, service)
    return f"{symbol} {title}" if symbol else title


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def entry_buttons(
    entries: Iterable[Entry],
    kb: KnowledgeBase,
    service: str | None = None,
    action: str = "open",
    language: str = ENGLISH,
) -> list[InlineKeyboardButton]:
    """Buttons naming entries, each with its verdict symbol for the asker's service."""
    return [
        InlineKeyboardButton(_label(e, kb, service, language), callback_data=encode(action, e.id))
        for e in entries
    ]


def service_buttons(
    kb: KnowledgeBase, entry_id: str | None = None, language: str = ENGLISH
) -> list[InlineKeyboardButton]:
    """One button per service: "I am: …" under an answer, or the /service choices."""
    if entry_id is None:
        return [
            InlineKeyboardButton(service_title(s, language), callback_data=encode("svc", s.id))
            for s in kb.services
        ]
    i_am = messages(language).i_am
    return [
        InlineKeyboardButton(
            i_am.format(title=service_title(s, language)),
            callback_data=encode("iam", entry_id, s.id),
        )
        for s in kb.services
    ]


def services_keyboard(kb: KnowledgeBase, language: str = ENGLISH) -> InlineKeyboardMarkup:
    rows = _rows(service_buttons(kb, language=language), 2)
    forget = messages(language).forget_service
    rows.append([InlineKeyboardButton(forget, callback_data=encode("svc", NO_SERVICE))])
    return InlineKeyboardMarkup(rows)


def languages_keyboard(language: str = ENGLISH) -> InlineKeyboardMarkup:
    """/language: each language named in itself, and "the language I'm asked in"."""
    names = [
        InlineKeyboardButton(LANGUAGE_NAMES[code][code], callback_data=encode("lang", code))
        for code in LANGUAGES
    ]
    auto = messages(language).language_auto
    return InlineKeyboardMarkup(
        [names, [InlineKeyboardButton(auto, callback_data=encode("lang", AUTO_LANGUAGE))]]
    )


def _back(language: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(messages(language).back_to_topics, callback_data=encode("topic"))


def answer_keyboard(
    entry: Entry,
    kb: KnowledgeBase,
    ruling: Ruling | None = None,
    service: str | None = None,
    language: str = ENGLISH,
) -> InlineKeyboardMarkup:
    """Under a full answer: "I am: …" when the verdict depends on the (unknown) service, related
    entries two to a row, then 👍 / 👎 and back to topics."""
    rows = _rows(service_buttons(kb, entry.id, language), 2) if ruling and ruling.differs else []
    related = [e for e in (kb.get(i) for i in entry.related) if e is not None]
    rows += _rows(entry_buttons(related[:4], kb, service, language=language), 2)
    rows.append(
        [
            InlineKeyboardButton("👍", callback_data=encode("up", entry.id)),
            InlineKeyboardButton("👎", callback_data=encode("down", entry.id)),
            _back(language),
        ]
    )
    return InlineKeyboardMarkup(rows)


def choices_keyboard(
    entries: Iterable[Entry],
    kb: KnowledgeBase,
    service: str | None = None,
    action: str = "open",
    language: str = ENGLISH,
) -> InlineKeyboardMarkup:
    """ "Did you mean": one candidate per row, so long titles stay readable."""
    return InlineKeyboardMarkup(_rows(entry_buttons(entries, kb, service, action, language), 1))


def topics_keyboard(kb: KnowledgeBase, language: str = ENGLISH) -> InlineKeyboardMarkup:
    """The top of /topics: concerns lead to their situations; guidelines open directly."""
    concerns = [
        InlineKeyboardButton(entry_text(e, language).title, callback_data=encode("topic", e.id))
        for e in kb.of_kind("concern")
    ]
    guides = (*kb.of_kind("overview"), *kb.of_kind("guideline"))
    others = entry_buttons(guides, kb, language=language)
    return InlineKeyboardMarkup(_rows(concerns, 2) + _rows(others, 2))


def concern_keyboard(
    concern: Entry, kb: KnowledgeBase, service: str | None = None, language: str = ENGLISH
) -> InlineKeyboardMarkup:
    entries = (concern, *kb.rules_under(concern.id))
    rows = _rows(entry_buttons(entries, kb, service, language=language), 1)
    rows.append([_back(language)])
    return InlineKeyboardMarkup(rows)


def deep_link_keyboard(bot_username: str, payload: str, text: str) -> InlineKeyboardMarkup:
    """A button that opens the private chat on an entry (/start <id>), for groups and inline."""
    url = create_deep_linked_url(bot_username, payload)
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, url=url)]])
