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
from bot.knowledge import Entry, KnowledgeBase
from bot.matcher import Band, Match
from bot.verdicts import Ruling, rule_for

TELEGRAM_LIMIT = 4096
ANSWER_BUDGET = 1000  # characters an officer reads on a phone without scrolling far

VERDICT_MARKS = {
    "allowed": "✅",
    "allowed with care": "⚠️",
    "only with permission": "📝",
    "not allowed": "⛔",
    "depends": "❔",
}
VERDICT_LABELS = {
    "allowed": "✅ Allowed",
    "allowed with care": "⚠️ Allowed, with care",
    "only with permission": "📝 Only with permission",
    "not allowed": "⛔ Not allowed",
    "depends": "❔ It depends",
}
DEPENDS_ON_SERVICE = "❔ Depends on your service"
KIND_LABELS = {
    "concern": "Ethical concern",
    "guideline": "Guideline",
    "overview": "Overview",
    "rule": "\U0001f4d6 The rule",  # a rule asked about, not "may I?": no verdict
    "info": "\u2139\ufe0f Good to know",  # the information-source symbol
}
DISCLAIMER = "Guidance, not legal advice: your service's rules and orders prevail."
NO_MATCH = "I don't know the answer to that one, and I would rather say so than guess."
VAGUE = (
    "What would you like to post or do? Tell me a little more, for example "
    "\u201ca reel in uniform\u201d, \u201ca photo with the official car\u201d or "
    "\u201cnews of my transfer\u201d, and I'll give you the rule."
)


@dataclass(frozen=True)
class Section:
    heading: str | None
    lines: tuple[str, ...]
    bullets: bool = False
    # When an answer is over the budget, the section with the highest `cut` is replaced by
    # `shorter` (or dropped, if it has none) until the answer fits; 0: never cut.
    cut: int = 0
    shorter: Section | None = None


def answer_sections(entry: Entry, kb: KnowledgeBase, ruling: Ruling | None = None) -> list[Section]:
    """The parts of an answer, in the order an officer needs them: verdict first."""
    ruling = ruling or rule_for(entry, kb, None)
    sections = [Section(None, (headline(entry, ruling),))]
    instead = []
    if entry.do_instead:
        first = Section("What to do instead", entry.do_instead[:1])
        instead = [Section("What to do instead", entry.do_instead, True, cut=2, shorter=first)]
    if ruling.service is not None and ruling.note and not ruling.general:
        # The asker's own rule comes first, then what to do; the general rule follows.
        sections.append(Section(f"For {ruling.service.title}", (ruling.note,)))
        sections += [*instead, Section(None, (entry.answer,))]
    else:
        sections += [Section(None, (entry.answer,)), *instead]
    if ruling.differs:
        lines = [
            f"{d.service.title}: {_verdict_words(d.verdict)}. {d.note}" for d in ruling.differs
        ]
        lines.append(f"Everyone else: {_verdict_words(ruling.others or '')}.")
        sections.append(Section("How it differs", tuple(lines), bullets=True))
    if entry.kind == "overview":
        linked = [e for e in (kb.get(i) for i in entry.related) if e is not None]
        titles = Section("In brief", tuple(e.title for e in linked), bullets=True)
        items = tuple(f"{e.title}: {first_sentence(e.answer)}" for e in linked)
        sections.append(Section("In brief", items, bullets=True, cut=1, shorter=titles))
    if entry.why:
        sections.append(Section("Why it matters", (entry.why,), cut=4))
    if entry.examples:
        sections.append(Section("Example", entry.examples[:1], cut=5))
    many = len(entry.sources) > 1
    bare = Section("Source", tuple(_without_gist(s) for s in entry.sources), bullets=many)
    sections.append(Section("Source", entry.sources, bullets=many, cut=3, shorter=bare))
    if ruling.service is not None and ruling.note and ruling.general:
        sections.append(Section(f"For {ruling.service.title}", (ruling.note,), cut=6))
    sections.append(Section(None, (DISCLAIMER,)))
    return _fit(sections)


def _fit(sections: list[Section]) -> list[Section]:
    """Shorten or drop the least needed sections until the answer fits the phone budget."""
    while len(_text(sections)) > ANSWER_BUDGET and any(s.cut for s in sections):
        worst = max(sections, key=lambda s: s.cut)
        sections = [
            (s.shorter if s is worst else s) for s in sections if s is not worst or s.shorter
        ]
    return sections


def _without_gist(source: str) -> str:
    """ "…, rule 3 (efficient use of public resources)" -> "…, rule 3": the reference alone."""
    return re.sub(r"\s*\([^()]*\)$", "", source).strip() or source


def _verdict_words(verdict: str) -> str:
    return VERDICT_LABELS.get(verdict, verdict)


def headline(entry: Entry, ruling: Ruling | None = None) -> str:
    """ "⛔ Not allowed: Official vehicles and premises", or "Ethical concern: ..."."""
    verdict = ruling.verdict if ruling else entry.verdict
    if ruling is not None and ruling.differs:
        label = DEPENDS_ON_SERVICE
    else:
        label = VERDICT_LABELS.get(verdict or "", KIND_LABELS[entry.kind])
    return f"{label}: {entry.title}"


def mark(entry: Entry, kb: KnowledgeBase, service_id: str | None = None) -> str | None:
    """The verdict symbol for a button naming this entry, as it applies to the asker."""
    verdict = rule_for(entry, kb, service_id).verdict
    return VERDICT_MARKS.get(verdict or "")


def first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip(), re.DOTALL)
    return (match.group(1) if match else text).strip()


# --- the two formats ------------------------------------------------------------------------


def render_html(entry: Entry, kb: KnowledgeBase, ruling: Ruling | None = None) -> str:
    """Telegram HTML (parse_mode=HTML): escaped text, bold headings, disclaimer in italics."""
    return _html(answer_sections(entry, kb, ruling))


def render_text(entry: Entry, kb: KnowledgeBase, ruling: Ruling | None = None) -> str:
    return _text(answer_sections(entry, kb, ruling))


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


def render_short_html(entry: Entry, ruling: Ruling | None = None) -> str:
    """A group-chat answer: verdict, the rule, the first source. The full answer is a tap away."""
    note = ""
    if ruling is not None and ruling.service is not None and ruling.note:
        note = f"<i>For {html.escape(ruling.service.title)}:</i> {html.escape(ruling.note)}\n"
    elif ruling is not None and ruling.differs:
        who = [f"{d.service.title}: {_verdict_words(d.verdict)}" for d in ruling.differs]
        who.append(f"everyone else: {_verdict_words(ruling.others or '')}")
        note = f"<i>{html.escape('; '.join(who))}.</i>\n"
    source = (
        f"\n<i>Source: {html.escape(entry.sources[0], quote=False)}</i>" if entry.sources else ""
    )
    return (
        f"<b>{html.escape(headline(entry, ruling), quote=False)}</b>\n"
        f"{note}{html.escape(entry.answer, quote=False)}{source}"
    )


def render_answer_text(answer: Answer, kb: KnowledgeBase) -> str:
    """What the terminal shows for any band (the chat shows choices as buttons instead)."""
    if answer.entry is not None:
        return render_text(answer.entry, kb, answer.ruling)
    return render_match_text(answer.match, kb)


def render_match_text(match: Match, kb: KnowledgeBase) -> str:
    if match.band is Band.ANSWER and match.entry is not None:
        return render_text(match.entry, kb)
    if match.band is Band.SUGGEST:
        options = "\n".join(f"- {c.entry.title}  ({c.entry.id})" for c in match.candidates)
        return f"I'm not sure which rule you mean. Did you mean:\n{options}"
    if match.band is Band.VAGUE:
        return VAGUE
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
