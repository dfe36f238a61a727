"""Answers as Telegram HTML and as plain text, both from one description of the answer.

An answer is first described as a list of sections (verdict, the rule, what to do instead,
how it differs by service, why, an example, sources, disclaimer); the two formats only differ
in how a section is written, so the chat and the terminal can never drift apart. Everything
from the knowledge base is escaped: an admin's "<" must not break a message.

Answers are sized for a phone: the verdict, the rule and what to do instead come first, and a
whole answer stays under `ANSWER_BUDGET` characters; when the parts do not fit, the example
goes first, then the "why".
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.answering import Answer
from bot.knowledge import Entry, KnowledgeBase, Service
from bot.matcher import Band, Match
from bot.text import is_devanagari
from bot.verdicts import Ruling, rule_for
from bot.wording import (
    ENGLISH,
    HINDI,
    entry_text,
    service_note,
    service_title,
    symbol,
    wording,
)

TELEGRAM_LIMIT = 4096
ANSWER_BUDGET = 1000  # characters an officer reads on a phone without scrolling far

# English texts other modules quote (tests, the bot's fixed messages).
DISCLAIMER = wording(ENGLISH).disclaimer


@dataclass(frozen=True)
class Section:
    heading: str | None
    lines: tuple[str, ...]
    bullets: bool = False
    # When an answer is over the budget, the section with the highest `cut` is replaced by
    # `shorter` (or dropped, if it has none) until the answer fits; 0: never cut.
    cut: int = 0
    shorter: Section | None = None


def answer_sections(
    entry: Entry, kb: KnowledgeBase, ruling: Ruling | None = None, language: str = ENGLISH
) -> list[Section]:
    """The parts of an answer, in the order an officer needs them: verdict first."""
    ruling = ruling or rule_for(entry, kb, None)
    words = wording(language)
    text = entry_text(entry, language)
    sections = [Section(None, (headline(entry, ruling, language),))]
    if not text.translated:
        sections.append(Section(None, (words.untranslated,)))
    instead = []
    if text.do_instead:
        first = Section(words.instead, text.do_instead[:1])
        instead = [Section(words.instead, text.do_instead, True, cut=2, shorter=first)]
    note = _note(ruling, language)
    if ruling.service is not None and note and not ruling.general:
        # The asker's own rule comes first, then what to do; the general rule follows.
        sections.append(Section(_for(ruling.service, language), (note,)))
        sections += [*instead, Section(None, (text.answer,))]
    else:
        sections += [Section(None, (text.answer,)), *instead]
    if ruling.differs:
        lines = [
            f"{service_title(d.service, language)}: {_label(d.verdict, language)}{words.stop} "
            f"{service_note(d.note, d.note_hi, language)}"
            for d in ruling.differs
        ]
        lines.append(f"{words.everyone_else}: {_label(ruling.others, language)}{words.stop}")
        sections.append(Section(words.differs, tuple(lines), bullets=True))
    if entry.kind == "overview":
        linked = [entry_text(e, language) for e in map(kb.get, entry.related) if e is not None]
        titles = Section(words.in_brief, tuple(t.title for t in linked), bullets=True)
        items = tuple(f"{t.title}: {first_sentence(t.answer)}" for t in linked)
        sections.append(Section(words.in_brief, items, bullets=True, cut=1, shorter=titles))
    if text.why:
        sections.append(Section(words.why, (text.why,), cut=4))
    if text.examples:
        sections.append(Section(words.example, text.examples[:1], cut=5))
    many = len(text.sources) > 1
    lead = Section(words.source, (_without_gist(text.sources[0]),)) if many else None
    bare = Section(  # a lone source is never dropped: the answer must say what it rests on
        words.source, tuple(map(_without_gist, text.sources)), many, cut=int(many), shorter=lead
    )
    sections.append(Section(words.source, text.sources, bullets=many, cut=3, shorter=bare))
    if ruling.service is not None and note and ruling.general:
        sections.append(Section(_for(ruling.service, language), (note,), cut=6))
    sections.append(Section(None, (words.disclaimer,)))
    return _fit(sections)


def _note(ruling: Ruling, language: str) -> str | None:
    return service_note(ruling.note, ruling.note_hi, language)


def _for(service: Service, language: str) -> str:
    return wording(language).for_service.format(title=service_title(service, language))


def _fit(sections: list[Section]) -> list[Section]:
    """Shorten or drop the least needed sections until the answer fits the phone budget."""
    while len(_text(sections)) > ANSWER_BUDGET and any(s.cut for s in sections):
        worst = max(sections, key=lambda s: s.cut)
        sections = [
            s.shorter if s is worst and s.shorter else s
            for s in sections
            if s is not worst or s.shorter
        ]
    return sections


def _without_gist(source: str) -> str:
    """ "…, rule 3 (efficient use of public resources)" -> "…, rule 3": the reference alone."""
    return re.sub(r"\s*\([^()]*\)$", "", source).strip() or source


def _label(verdict: str | None, language: str) -> str:
    return wording(language).verdicts.get(verdict or "", verdict or "")


def headline(entry: Entry, ruling: Ruling | None = None, language: str = ENGLISH) -> str:
    """ "⛔ Not allowed: Official vehicles and premises", or "Ethical concern: ..."."""
    words = wording(language)
    verdict = ruling.verdict if ruling else entry.verdict
    if ruling is not None and ruling.differs:
        label = words.depends_on_service
    else:
        label = words.verdicts.get(verdict or "", words.kinds[entry.kind])
    return f"{label}: {entry_text(entry, language).title}"


def mark(entry: Entry, kb: KnowledgeBase, service_id: str | None = None) -> str | None:
    """The verdict symbol for a button naming this entry, as it applies to the asker."""
    return symbol(rule_for(entry, kb, service_id).verdict)


def first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?।])(\s|$)", text.strip(), re.DOTALL)
    return (match.group(1) if match else text).strip()


# --- the two formats ------------------------------------------------------------------------


def render_html(
    entry: Entry, kb: KnowledgeBase, ruling: Ruling | None = None, language: str = ENGLISH
) -> str:
    """Telegram HTML (parse_mode=HTML): escaped text, bold headings, disclaimer in italics."""
    return _html(answer_sections(entry, kb, ruling, language))


def render_text(
    entry: Entry, kb: KnowledgeBase, ruling: Ruling | None = None, language: str = ENGLISH
) -> str:
    return _text(answer_sections(entry, kb, ruling, language))


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


def render_short_html(entry: Entry, ruling: Ruling | None = None, language: str = ENGLISH) -> str:
    """A group-chat answer: verdict, the rule, the first source. The full answer is a tap away."""
    words = wording(language)
    text = entry_text(entry, language)
    note = ""
    line = _note(ruling, language) if ruling else None
    if ruling is not None and ruling.service is not None and line:
        note = f"<i>{html.escape(_for(ruling.service, language))}:</i> {html.escape(line)}\n"
    elif ruling is not None and ruling.differs:
        who = [
            f"{service_title(d.service, language)}: {_label(d.verdict, language)}"
            for d in ruling.differs
        ]
        who.append(f"{words.everyone_else}: {_label(ruling.others, language)}")
        note = f"<i>{html.escape('; '.join(who))}{words.stop}</i>\n"
    source = (
        f"\n<i>{words.source}: {html.escape(text.sources[0], quote=False)}</i>"
        if text.sources
        else ""
    )
    return (
        f"<b>{html.escape(headline(entry, ruling, language), quote=False)}</b>\n"
        f"{note}{html.escape(text.answer, quote=False)}{source}"
    )


def render_answer_text(answer: Answer, kb: KnowledgeBase) -> str:
    """What the terminal shows for any band (the chat shows choices as buttons instead)."""
    if answer.entry is not None:
        return render_text(answer.entry, kb, answer.ruling, answer.language)
    return render_match_text(answer.match, kb, answer.language)


def render_match_text(match: Match, kb: KnowledgeBase, language: str = ENGLISH) -> str:
    words = wording(language)
    if match.band is Band.ANSWER and match.entry is not None:
        return render_text(match.entry, kb, language=language)
    if match.band is Band.SUGGEST:
        options = "\n".join(
            f"{n}. {entry_text(c.entry, language).title}  ({c.entry.id})"
            for n, c in enumerate(match.candidates, 1)
        )
        return f"{words.did_you_mean}\n{options}"
    if match.band is Band.VAGUE:
        return words.vague
    nearest = "".join(
        f"\n{n}. {entry_text(c.entry, language).title}  ({c.entry.id})"
        for n, c in enumerate(match.candidates, 1)
    )
    if nearest:
        nearest = f"\n\n{words.nearest}{nearest}"
    return f"{words.no_match}{nearest}\n\n{help_topics_text(kb, language)}"


def help_topics_text(kb: KnowledgeBase, language: str = ENGLISH) -> str:
    """What the bot can help with, so "I don't know" is never a dead end."""
    words = wording(language)
    concerns = ", ".join(entry_text(e, language).title.lower() for e in kb.of_kind("concern"))
    examples = [_example_question(e, language) for e in example_entries(kb)]
    lines = [
        words.covers.format(concerns=concerns),
        words.for_example,
        *(f"- {q}" for q in examples),
    ]
    return "\n".join(lines)


EXAMPLES = ("official-vehicle-premises", "uniform-and-insignia", "gifts-and-sponsorships")


def example_entries(kb: KnowledgeBase) -> list[Entry]:
    """Three situations to show as examples of what to ask (the first rules, if these go)."""
    chosen = [e for e in map(kb.get, EXAMPLES) if e is not None]
    return (chosen + [e for e in kb.of_kind("rule") if e not in chosen])[:3]


def _example_question(entry: Entry, language: str) -> str:
    """An entry's first question, or its first one in Devanagari when answering in Hindi."""
    if language == HINDI:
        hindi = next((q for q in entry.questions if is_devanagari(q)), None)
        if hindi:
            return hindi
    return entry.questions[0]


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
