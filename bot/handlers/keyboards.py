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
from bot.render import mark
from bot.verdicts import Ruling

CALLBACK_LIMIT = 64  # bytes, Telegram's limit for callback_data
_CALLBACK = re.compile(
    r"^(open|topic|short|up|down|learn|svc|iam):([a-z0-9-]{0,56})(?::([a-z0-9-]{1,16}))?$"
)
_ROOT = ""
NO_SERVICE = "none"  # /service: forget the chosen service


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


def _label(entry: Entry, kb: KnowledgeBase, service: str | None) -> str:
    symbol = mark(entry, kb, service)
    return f"{symbol} {entry.title}" if symbol else entry.title


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def entry_buttons(
    entries: Iterable[Entry], kb: KnowledgeBase, service: str | None = None, action: str = "open"
) -> list[InlineKeyboardButton]:
    """Buttons naming entries, each with its verdict symbol for the asker's service."""
    return [
        InlineKeyboardButton(_label(e, kb, service), callback_data=encode(action, e.id))
        for e in entries
    ]


def service_buttons(kb: KnowledgeBase, entry_id: str | None = None) -> list[InlineKeyboardButton]:
    """One button per service: "I am: …" under an answer, or the /service choices."""
    if entry_id is None:
        return [
            InlineKeyboardButton(s.title, callback_data=encode("svc", s.id)) for s in kb.services
        ]
    return [
        InlineKeyboardButton(f"I am: {s.title}", callback_data=encode("iam", entry_id, s.id))
        for s in kb.services
    ]


def services_keyboard(kb: KnowledgeBase) -> InlineKeyboardMarkup:
    rows = _rows(service_buttons(kb), 2)
    rows.append(
        [InlineKeyboardButton("Forget my service", callback_data=encode("svc", NO_SERVICE))]
    )
    return InlineKeyboardMarkup(rows)


def answer_keyboard(
    entry: Entry, kb: KnowledgeBase, ruling: Ruling | None = None, service: str | None = None
) -> InlineKeyboardMarkup:
    """Under a full answer: "I am: …" when the verdict depends on the (unknown) service, related
    entries two to a row, then 👍 / 👎 and back to topics."""
    rows = _rows(service_buttons(kb, entry.id), 2) if ruling and ruling.differs else []
    related = [e for e in (kb.get(i) for i in entry.related) if e is not None]
    rows += _rows(entry_buttons(related[:4], kb, service), 2)
    rows.append(
        [
            InlineKeyboardButton("👍", callback_data=encode("up", entry.id)),
            InlineKeyboardButton("👎", callback_data=encode("down", entry.id)),
            InlineKeyboardButton("« Topics", callback_data=encode("topic")),
        ]
    )
    return InlineKeyboardMarkup(rows)


def choices_keyboard(
    entries: Iterable[Entry], kb: KnowledgeBase, service: str | None = None, action: str = "open"
) -> InlineKeyboardMarkup:
    """ "Did you mean": one candidate per row, so long titles stay readable."""
    return InlineKeyboardMarkup(_rows(entry_buttons(entries, kb, service, action), 1))


def topics_keyboard(kb: KnowledgeBase) -> InlineKeyboardMarkup:
    """The top of /topics: concerns lead to their situations; guidelines open directly."""
    concerns = [
        InlineKeyboardButton(e.title, callback_data=encode("topic", e.id))
        for e in kb.of_kind("concern")
    ]
    others = entry_buttons((*kb.of_kind("overview"), *kb.of_kind("guideline")), kb)
    return InlineKeyboardMarkup(_rows(concerns, 2) + _rows(others, 2))


def concern_keyboard(
    concern: Entry, kb: KnowledgeBase, service: str | None = None
) -> InlineKeyboardMarkup:
    rows = _rows(entry_buttons((concern, *kb.rules_under(concern.id)), kb, service), 1)
    rows.append([InlineKeyboardButton("« Topics", callback_data=encode("topic"))])
    return InlineKeyboardMarkup(rows)


def deep_link_keyboard(bot_username: str, payload: str, text: str) -> InlineKeyboardMarkup:
    """A button that opens the private chat on an entry (/start <id>), for groups and inline."""
    url = create_deep_linked_url(bot_username, payload)
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, url=url)]])
