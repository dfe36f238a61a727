"""Rendering: verdict first, every part present, Telegram-safe HTML within the limit."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.render import (
    ANSWER_BUDGET,
    DISCLAIMER,
    TELEGRAM_LIMIT,
    headline,
    render_html,
    render_match_text,
    render_short_html,
    render_text,
    split_message,
)
from bot.verdicts import rule_for
from bot.wording import wording

TELEGRAM_TAGS = {"b", "i", "u", "s", "code", "pre", "a", "blockquote"}


class TagChecker(HTMLParser):
    """Fails on any tag Telegram would reject or on unbalanced tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        assert tag in TELEGRAM_TAGS, tag
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, tag


def assert_telegram_html(text: str) -> None:
    checker = TagChecker()
    checker.feed(text)
    checker.close()
    assert checker.stack == []
    assert len(text) <= TELEGRAM_LIMIT
    assert not re.search(r"&(?!(lt|gt|amp|quot);)", text), "unescaped ampersand"


def test_rule_answer_has_every_part_in_order(kb):
    entry = kb.get("official-vehicle-premises")
    text = render_text(entry, kb)
    order = [
        text.index(entry.title),
        text.index(entry.answer[:40]),
        text.index("What to do instead:"),
        text.index("Why it matters:"),
        text.index("Source:"),
        text.index(DISCLAIMER),
    ]
    assert order == sorted(order)
    assert text.splitlines()[0].startswith("⛔ Not allowed")


def askers(kb):
    return [None, *(s.id for s in kb.services)]


@pytest.mark.parametrize("language", ["en", "hi"])
def test_every_answer_fits_a_phone_with_the_essentials_first(kb, language):
    """Verdict, the rule and what to do instead in the first 400 characters; the whole answer,
    sources and disclaimer included, within 1,000, for every entry and every asker, in
    English and in Hindi."""
    words = wording(language)
    for entry in kb.entries:
        for service in askers(kb):
            ruling = rule_for(entry, kb, service)
            text = render_text(entry, kb, ruling, language)
            where = f"{entry.id} for {service} in {language}"
            assert len(text) <= ANSWER_BUDGET, (where, len(text))
            assert text.startswith(headline(entry, ruling, language)), where
            if entry.do_instead:
                assert text.index(f"{words.instead}:") < 400, where
            assert f"{words.source}:" in text and text.endswith(words.disclaimer), where


def test_an_answer_that_differs_by_service_says_how_and_the_askers_own_line_comes_first(kb):
    entry = kb.get("uniform-and-insignia")
    unknown = render_text(entry, kb)
    assert unknown.startswith("❔ Depends on your service")
    assert "How it differs:" in unknown and "UP Police: ⛔ Not allowed" in unknown
    for_up_police = render_text(entry, kb, rule_for(entry, kb, "up-police"))
    assert for_up_police.startswith("⛔ Not allowed")
    assert for_up_police.index("For UP Police:") < for_up_police.index(entry.answer[:30])
    assert "How it differs" not in for_up_police


def test_every_entry_renders_to_valid_telegram_html(kb):
    for entry in kb.entries:
        text = render_html(entry, kb)
        assert_telegram_html(text)
        assert text.startswith("<b>")
        assert_telegram_html(render_short_html(entry))


def test_knowledge_text_is_escaped(kb):
    entry = replace(kb.get("official-vehicle-premises"), answer='Use <script> & "quotes" <b>')
    text = render_html(entry, kb)
    assert 'Use &lt;script&gt; &amp; "quotes" &lt;b&gt;' in text
    assert_telegram_html(text)


def test_overview_lists_its_parts(kb):
    text = render_text(kb.get("overview-concerns"), kb)
    for concern in kb.of_kind("concern"):
        assert concern.title in text


def test_no_match_text_says_what_the_bot_can_help_with(matcher):
    text = render_match_text(matcher.match("qwertyuiop"), matcher.kb)
    assert "I don't know" in text
    assert "social media" in text


def test_a_long_answer_is_split_under_the_limit(kb):
    """An admin's over-long answer text cannot be cut for the budget: it is split instead."""
    entry = kb.get("official-vehicle-premises")
    long_entry = replace(entry, answer="\n\n".join(f"Part {i} <&> " * 40 for i in range(30)))
    rendered = render_html(long_entry, kb)
    assert len(rendered) > TELEGRAM_LIMIT
    parts = split_message(rendered)
    assert len(parts) > 1
    for part in parts:
        assert_telegram_html(part)
    joined = html.unescape(re.sub(r"<[^>]+>", "", "".join(parts)))
    assert joined.count("Part 29") == 40


@given(st.text(min_size=0, max_size=12_000))
def test_splitting_any_escaped_text_keeps_it_valid(text):
    for part in split_message(html.escape(text, quote=False), limit=500):
        assert len(part) <= 500
        assert_telegram_html(part)


@pytest.mark.parametrize("limit", [100, 4096])
def test_short_text_is_not_split(limit):
    assert split_message("<b>short</b>", limit) == ["<b>short</b>"]
