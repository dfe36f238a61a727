"""Telegram HTML as a Telegram client receives it: plain text plus message entities.

Telegram never hands HTML to clients. It parses `parse_mode=HTML` on the way in and sends
clients the text and a list of entities (bold, italic, link, code, ...) with UTF-16 offsets,
and it adds the entities it detects by itself (links, /commands, @mentions). The playground
does the same, so the page renders from entities with DOM text nodes: nothing the bot or an
officer typed can ever become markup, and only what Telegram supports is formatted.

Input here has already passed the emulator's validation (only Telegram's tags, balanced).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

JSON = dict[str, Any]

_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
# What Telegram finds in any text by itself; never inside code, pre or an explicit link.
_DETECTED = (
    ("url", re.compile(r"\bhttps?://[^\s<>\"]+[^\s<>\".,;:!?)\]']")),
    ("bot_command", re.compile(r"(?<![\w/])/[a-zA-Z0-9_]{1,32}(?:@[A-Za-z][A-Za-z0-9_]{3,31})?")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}")),
)
_OPAQUE = {"code", "pre", "text_link", "url"}


def utf16(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's (and JavaScript's) offsets."""
    return len(text.encode("utf-16-le")) // 2


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.length = 0
        self.open: list[tuple[str, JSON | None]] = []
        self.entities: list[JSON] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append((tag, _entity_for(tag, dict(attrs), self.length, self.open)))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            name, entity = self.open.pop()
            if entity is not None and self.length > entity["offset"]:
                entity["length"] = self.length - entity["offset"]
                self.entities.append(entity)
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        self.length += utf16(data)


def _entity_for(
    tag: str, attrs: dict[str, str | None], offset: int, open_tags: list[tuple[str, JSON | None]]
) -> JSON | None:
    """The entity an opening tag starts (None for tags that carry none, such as a plain span)."""
    if tag == "a":
        href = attrs.get("href") or ""
        return {"type": "text_link", "offset": offset, "url": href} if href else None
    if tag == "span":
        return {"type": "spoiler", "offset": offset} if attrs.get("class") == "tg-spoiler" else None
    if tag == "blockquote" and "expandable" in attrs:
        return {"type": "expandable_blockquote", "offset": offset}
    if tag == "code" and open_tags and open_tags[-1][0] == "pre":
        language = (attrs.get("class") or "").removeprefix("language-")
        pre = open_tags[-1][1]
        if pre is not None and language:
            pre["language"] = language
        return None  # <pre><code> is one pre block, as Telegram reads it
    if tag == "tg-emoji":
        return {"type": "custom_emoji", "offset": offset, "custom_emoji_id": attrs.get("emoji-id")}
    kind = _SIMPLE.get(tag)
    return {"type": kind, "offset": offset} if kind else None


def from_html(html_text: str) -> tuple[str, list[JSON]]:
    """The text and entities Telegram sends clients for a message in HTML parse mode."""
    parser = _Parser()
    parser.feed(html_text)
    parser.close()
    parser.handle_endtag("")  # close anything left open (validated input has nothing left)
    text = "".join(parser.text)
    return text, _sorted(parser.entities + detected(text, parser.entities))


def from_plain(text: str) -> tuple[str, list[JSON]]:
    """A message without parse mode: only the entities Telegram detects by itself."""
    return text, _sorted(detected(text, []))


def detected(text: str, explicit: list[JSON]) -> list[JSON]:
    """Links, /commands and @mentions in `text`, outside code, pre and explicit links."""
    taken = [(e["offset"], e["offset"] + e["length"]) for e in explicit if e["type"] in _OPAQUE]
    found: list[JSON] = []
    for kind, pattern in _DETECTED:
        for match in pattern.finditer(text):
            start = utf16(text[: match.start()])
            end = start + utf16(match.group())
            if any(start < stop and end > begin for begin, stop in taken):
                continue
            taken.append((start, end))
            found.append({"type": kind, "offset": start, "length": end - start})
    return found


def _sorted(entities: list[JSON]) -> list[JSON]:
    """Telegram's order: by offset, outer (longer) entities before the ones they contain."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))
