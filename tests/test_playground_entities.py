"""Telegram HTML to text and entities, as Telegram hands messages to clients."""

from __future__ import annotations

from bot.emulator import parse_html
from bot.playground.entities import from_html, from_plain
from bot.render import render_html, render_short_html


def shown(text: str, entity: dict) -> str:
    """The part of `text` an entity covers (offsets in UTF-16, as Telegram counts)."""
    units = text.encode("utf-16-le")
    start, end = entity["offset"] * 2, (entity["offset"] + entity["length"]) * 2
    return units[start:end].decode("utf-16-le")


def test_tags_become_entities_over_the_unescaped_text():
    text, entities = from_html(
        '<b>⛔ Not allowed</b>: A &amp; B &lt;i&gt; <i>why <a href="https://t.me/x_bot?start=a">here</a></i>'
    )
    assert text == "⛔ Not allowed: A & B <i> why here"
    found = [(e["type"], shown(text, e)) for e in entities]
    assert found == [("bold", "⛔ Not allowed"), ("italic", "why here"), ("text_link", "here")]
    assert entities[2]["url"] == "https://t.me/x_bot?start=a"


def test_offsets_count_utf16_units_so_emoji_and_devanagari_line_up():
    text, entities = from_html("😀 👍 <b>नमस्ते</b> <i>ok</i>")
    assert [shown(text, e) for e in entities] == ["नमस्ते", "ok"]
    assert entities[0]["offset"] == 6, "each of the two emoji is two UTF-16 units"


def test_commands_links_and_mentions_are_detected_but_not_inside_code():
    text, entities = from_html(
        "Try /topics or https://example.org/a. Ask @conduct_bot <code>/help</code>"
    )
    found = [(e["type"], shown(text, e)) for e in entities]
    assert found == [
        ("bot_command", "/topics"),
        ("url", "https://example.org/a"),
        ("mention", "@conduct_bot"),
        ("code", "/help"),
    ]
    assert from_plain("/ask@conduct_bot can i post?")[1] == [
        {"type": "bot_command", "offset": 0, "length": 16}
    ]


def test_pre_with_a_language_is_one_block():
    text, entities = from_html('<pre><code class="language-yaml">id: x</code></pre>')
    assert text == "id: x"
    assert entities == [{"type": "pre", "offset": 0, "length": 5, "language": "yaml"}]


def test_every_answer_the_bot_renders_reads_as_the_emulator_shows_it(kb):
    for entry in kb.entries:
        for rendered in (render_html(entry, kb), render_short_html(entry)):
            text, entities = from_html(rendered)
            assert text == parse_html(rendered), entry.id
            assert entities[0]["type"] == "bold" and entities[0]["offset"] == 0, entry.id
