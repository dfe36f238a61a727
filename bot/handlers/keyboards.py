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
from bot.render import VERDICT_MARKS

CALLBACK_LIMIT = 64  # bytes, Telegram's limit for callback_data
_CALLBACK = re.compile(r"^(open|topic|short|up|down|learn):([a-z0-9-]{0,56})$")
_ROOT = ""


@dataclass(frozen=True)
class Button:
    """A parsed callback: what to do (`action`) with which entry (`entry_id`, may be "")."""

    action: str
    entry_id: str


def encode(action: str, entry_id: str = _ROOT) -> str:
    data = f"{action}:{entry_id}"
    if len(data.encode()) > CALLBACK_LIMIT or not _CALLBACK.match(data):
        raise ValueError(f"cannot encode button {data!r}")
    return data


def decode(data: str | None) -> Button | None:
    """The button a callback names, or None for anything forged, garbled or too long."""
    if not data or len(data.encode("utf-8", "replace")) > CALLBACK_LIMIT:
        return None
    match = _CALLBACK.match(data)
    return Button(match.group(1), match.group(2)) if match else None


def _label(entry: Entry) -> str:
    mark = VERDICT_MARKS.get(entry.verdict or "")
    return f"{mark} {entry.title}" if mark else entry.title


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def entry_buttons(entries: Iterable[Entry], action: str = "open") -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(_label(e), callback_data=encode(action, e.id)) for e in entries]


def answer_keyboard(entry: Entry, kb: KnowledgeBase) -> InlineKeyboardMarkup:
    """Under a full answer: related entries two to a row, then 👍 / 👎 and back to topics."""
    related = [e for e in (kb.get(i) for i in entry.related) if e is not None]
    rows = _rows(entry_buttons(related[:4]), 2)
    rows.append(
        [
            InlineKeyboardButton("👍", callback_data=encode("up", entry.id)),
            InlineKeyboardButton("👎", callback_data=encode("down", entry.id)),
            InlineKeyboardButton("« Topics", callback_data=encode("topic")),
        ]
    )
    return InlineKeyboardMarkup(rows)


def choices_keyboard(entries: Iterable[Entry], action: str = "open") -> InlineKeyboardMarkup:
    """ "Did you mean": one candidate per row, so long titles stay readable."""
    return InlineKeyboardMarkup(_rows(entry_buttons(entries, action), 1))


def topics_keyboard(kb: KnowledgeBase) -> InlineKeyboardMarkup:
    """The top of /topics: concerns lead to their situations; guidelines open directly."""
    concerns = [
        InlineKeyboardButton(e.title, callback_data=encode("topic", e.id))
        for e in kb.of_kind("concern")
    ]
    others = entry_buttons((*kb.of_kind("overview"), *kb.of_kind("guideline")))
    return InlineKeyboardMarkup(_rows(concerns, 2) + _rows(others, 2))


def concern_keyboard(concern: Entry, kb: KnowledgeBase) -> InlineKeyboardMarkup:
    rows = _rows(entry_buttons((concern, *kb.rules_under(concern.id))), 1)
    rows.append([InlineKeyboardButton("« Topics", callback_data=encode("topic"))])
    return InlineKeyboardMarkup(rows)


def deep_link_keyboard(bot_username: str, payload: str, text: str) -> InlineKeyboardMarkup:
    """A button that opens the private chat on an entry (/start <id>), for groups and inline."""
    url = create_deep_linked_url(bot_username, payload)
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, url=url)]])
