"""Answers as Telegram HTML and as plain text, both from one description of the answer.

An answer is first described as a list of sections (verdict, rule, why, example, what to do
instead, source, disclaimer); the two formats only differ in how a section is written, so the
chat and the terminal can never drift apart. Everything from the knowledge base is escaped:
an admin's "<" must not break a message.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.knowledge import Entry, KnowledgeBase
from bot.matcher import Band, Match

TELEGRAM_LIMIT = 4096

VERDICT_MARKS = {"allowed": "✅", "with care": "⚠️", "not allowed": "⛔"}
VERDICT_LABELS = {
    "allowed": "✅ Allowed",
    "with care": "⚠️ Allowed, with care",
    "not allowed": "⛔ Not allowed",
}
KIND_LABELS = {
    "concern": "Ethical concern",
    "guideline": "Guideline",
    "overview": "Overview",
    "rule": "Rule",
}
DISCLAIMER = (
    "This is guidance, not legal advice. Your service's conduct rules and your "
    "department's orders prevail; when in doubt, ask your controlling officer."
)
NO_MATCH = "I don't know the answer to that one, and I would rather say so than guess."


@dataclass(frozen=True)
class Section:
    heading: str | None
    lines: tuple[str, ...]
    bullets: bool = False


def answer_sections(entry: Entry, kb: KnowledgeBase) -> list[Section]:
    """The parts of an answer, in the order an officer needs them: verdict first."""
    sections = [Section(None, (headline(entry),)), Section(None, (entry.answer,))]
    concerns = [kb.get(concern_id) for concern_id in entry.why]
    why = [f"{c.title}: {first_sentence(c.answer)}" for c in concerns if c is not None]
    if why:
        sections.append(Section("Why it matters", tuple(why), bullets=True))
    if entry.kind == "overview":
        linked = [kb.get(i) for i in entry.related]
        items = [f"{e.title}: {first_sentence(e.answer)}" for e in linked if e is not None]
        sections.append(Section("In brief", tuple(items), bullets=True))
    for heading, items in (
        ("Example", entry.examples),
        ("What to do instead", entry.do_instead),
        ("Source", entry.sources),
    ):
        if items:
            sections.append(Section(heading, items, bullets=len(items) > 1))
    sections.append(Section(None, (DISCLAIMER,)))
    return sections


def headline(entry: Entry) -> str:
    """ "⛔ Not allowed: Official vehicles and premises", or "Ethical concern: ..."."""
    label = VERDICT_LABELS.get(entry.verdict or "", KIND_LABELS[entry.kind])
    return f"{label}: {entry.title}"


def first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip(), re.DOTALL)
    return (match.group(1) if match else text).strip()


# --- the two formats ------------------------------------------------------------------------


def render_html(entry: Entry, kb: KnowledgeBase) -> str:
    """Telegram HTML (parse_mode=HTML): escaped text, bold headings, disclaimer in italics."""
    return _html(answer_sections(entry, kb))


def render_text(entry: Entry, kb: KnowledgeBase) -> str:
    return _text(answer_sections(entry, kb))


def _html(sections: list[Section]) -> str:
    parts: list[str] = []
    for number, section in enumerate(sections):
        lines = [_html_line(line, section.bullets) for line in section.lines]
        if section.heading:
            lines.insert(0, f"<b>{html.escape(section.heading)}</b>")
        elif number == 0:
            lines = [f"<b>{line}</b>" for line in lines]
        elif number == len(sections) - 1:
            lines = [f"<i>{line}</i>" for line in lines]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _html_line(line: str, bullet: bool) -> str:
    return ("• " if bullet else "") + html.escape(line, quote=False)


def _text(sections: list[Section]) -> str:
    parts: list[str] = []
    for section in sections:
        lines = [("- " if section.bullets else "") + line for line in section.lines]
        if section.heading:
            lines.insert(0, f"{section.heading}:")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


# --- short answers, choices and "I don't know" ---------------------------------------------


def render_short_html(entry: Entry) -> str:
    """A group-chat answer: verdict, the rule, the first source. The full answer is a tap away."""
    source = (
        f"\n<i>Source: {html.escape(entry.sources[0], quote=False)}</i>" if entry.sources else ""
    )
    return (
        f"<b>{html.escape(headline(entry), quote=False)}</b>\n"
        f"{html.escape(entry.answer, quote=False)}{source}"
    )


def render_match_text(match: Match, kb: KnowledgeBase) -> str:
    """What the terminal shows for any band (the chat shows choices as buttons instead)."""
    if match.band is Band.ANSWER and match.entry is not None:
        return render_text(match.entry, kb)
    if match.band is Band.SUGGEST:
        options = "\n".join(f"- {c.entry.title}  ({c.entry.id})" for c in match.candidates)
        return f"I'm not sure which rule you mean. Did you mean:\n{options}"
    return f"{NO_MATCH}\n\n{help_topics_text(kb)}"


def help_topics_text(kb: KnowledgeBase) -> str:
    """What the bot can help with, so "I don't know" is never a dead end."""
    concerns = ", ".join(e.title.lower() for e in kb.of_kind("concern"))
    examples = [e.questions[0] for e in kb.of_kind("rule")[:3]]
    lines = [
        "I answer questions about public servants' conduct on social media: " + concerns + ".",
        "For example:",
        *(f"- {q}" for q in examples),
    ]
    return "\n".join(lines)


# --- fitting Telegram's limit ---------------------------------------------------------------


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split rendered HTML into messages under `limit` without cutting a tag or an entity.

    Rendered answers put every tag inside one line, so splitting between paragraphs, then
    between lines, is always safe; a single line longer than the limit (only possible with a
    pathological knowledge-base text) is cut as plain text and re-escaped.
    """
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        joined = f"{current}\n\n{piece}" if current else piece
        if len(joined) <= limit:
            current = joined
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return [c for c in chunks if c.strip()]


def _pieces(text: str, limit: int) -> list[str]:
    pieces: list[str] = []
    for paragraph in text.split("\n\n"):
        if len(paragraph) <= limit:
            pieces.append(paragraph)
            continue
        for line in paragraph.split("\n"):
            if len(line) <= limit:
                pieces.append(line)
            else:
                pieces.extend(_cut_plain(line, limit))
    return pieces


def _cut_plain(line: str, limit: int) -> list[str]:
    plain = html.unescape(re.sub(r"<[^>]+>", "", line))
    pieces: list[str] = []
    while plain:
        size = limit // 2  # a first guess; halved again below while escaping overflows
        cut = plain.rfind(" ", 0, size)
        cut = cut if cut > 0 else size
        piece = html.escape(plain[:cut], quote=False)
        while len(piece) > limit:
            cut //= 2
            piece = html.escape(plain[:cut], quote=False)
        pieces.append(piece)
        plain = plain[cut:].lstrip()
    return pieces
