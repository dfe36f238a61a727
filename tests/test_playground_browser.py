"""`conduct-bot playground` in headless Chromium: what an admin trying the bot sees and does.

One playground process (the real command, on a free port, with --watch on a copy of the
knowledge base) and one browser serve the module; each test uses its own officer, so no test
reads another's messages. The admin test teaches the bot a phrasing, so it runs last.
Without Chromium and its driver these tests fail, saying how to install them (CI does).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.keys import Keys

from bot.playground.explain import explain_message
from tests.browser import ChatPage, chromium, missing_browser, playground
from tests.conftest import KNOWLEDGE_DIR

# One worker runs them all, in order, against one playground (the admin's test runs last).
pytestmark = pytest.mark.xdist_group("playground-browser")

BOT = "conduct_playground_bot"
FLAGSHIP = "Can I post a reel from my official vehicle?"
NEW_ENTRY = """\
entries:
  - id: kite-festival-posts
    kind: info
    title: Posting about the district kite festival
    answer: >-
      The district kite festival is a public event; post about it from the office's account.
    concerns: [public-trust]
    questions:
      - "can I post photos of the kite festival"
      - "kite festival ki photo daal sakte hai"
    keywords: [kite festival, kites, patang]
    sources:
      - "For everyone: an entry added by the playground's browser tests"
"""


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("playground") / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target


@pytest.fixture(scope="module")
def served(knowledge: Path) -> Iterator[str]:
    problem = missing_browser()
    if problem:
        pytest.fail(problem, pytrace=False)
    with playground("--knowledge", str(knowledge), "--watch") as process:
        yield process.url
    assert process.process.returncode == 0, "\n".join(process.output)
    assert "Traceback" not in "\n".join(process.output)


@pytest.fixture(scope="module")
def driver(served: str) -> Iterator[object]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(driver: object, served: str) -> ChatPage:
    opened = ChatPage(driver, served)
    opened.open()
    return opened


def headline(message) -> str:
    return message.find_element("css selector", ".text b").text


def test_a_question_gets_its_verdict_headline_in_bold_and_the_disclaimer_in_italics(page):
    page.as_person("Asha")
    answer = page.ask(FLAGSHIP)
    assert headline(answer).startswith("⛔ Not allowed: Official vehicles")
    assert "Guidance, not legal advice" in answer.find_element("css selector", ".text i").text
    assert [k.text for k in page.keys(answer)][-3:] == ["👍", "👎", "« Topics"]


def test_html_typed_by_an_officer_is_shown_as_text_never_as_markup(page):
    page.as_person("Asha")
    typed = "<b>bold?</b> & <img src=x onerror=alert(1)> can I post in uniform?"
    page.ask(typed)
    mine = page.my_messages()[-1]
    assert mine.find_element("css selector", ".text").text == typed
    assert not mine.find_elements("css selector", ".text b")
    assert not page.find_all("#messages img")


def test_pressing_a_did_you_mean_button_turns_that_message_into_the_answer(page):
    page.as_person("Asha")
    offer = page.ask("emblem on my car")
    assert "Did you mean one of these?" in offer.text
    choice = next(k for k in page.keys(offer) if "Official vehicles" in k.text)
    message_id = offer.get_attribute("data-message-id")
    replies = len(page.bot_messages())
    choice.send_keys(Keys.ENTER)  # the keyboard presses it, as a mouse would
    page.until(
        lambda _: "edited" in page.message(message_id).text,
        "the offer is edited into the answer",
    )
    edited = page.message(message_id)
    assert headline(edited).startswith("⛔ Not allowed: Official vehicles")
    assert "Did you mean" not in edited.text
    assert len(page.bot_messages()) == replies, "edited in place, not sent anew"


def test_in_a_group_only_ask_a_mention_and_a_reply_are_answered_and_full_answer_opens_the_chat(
    page,
):
    page.as_person("Vikram")
    page.open_chat("Department group")
    before = len(page.bot_messages())
    page.send("Can I post a reel from my official vehicle? asking for a friend")
    asked = page.ask("/ask can I post reels in uniform?")
    assert (
        "Vikram: /ask can I post reels in uniform?"
        in asked.find_element("css selector", ".quote").text
    )
    assert len(page.bot_messages()) == before + 1, "the chatter got no reply"

    mentioned = page.ask(f"@{BOT} can I accept gifts from a shopkeeper?")
    assert f"Vikram: @{BOT} can I accept gifts" in mentioned.text
    assert page.find("#inline-results").is_displayed() is False, "sending closes inline results"

    mentioned.find_element("css selector", ".actions .reply").click()
    assert "Replying to Conduct Bot" in page.find("#replying").text
    replied = page.ask("what about my sarkari gaadi?")
    assert "Official vehicles" in replied.text

    quoted = [q.text for q in page.find_all("#messages .from-bot .quote")]
    assert len(quoted) == 3 and not any("asking for a friend" in q for q in quoted)

    full = [k for k in page.keys(replied) if k.text == "Full answer"]
    full[0].click()
    page.until(lambda _: page.find("#chat-title").text == "Conduct Bot", "the private chat opens")
    page.until(lambda _: page.bot_messages(), "the bot answers /start")
    opened = page.bot_messages()[-1]
    page.until(lambda _: headline(page.bot_messages()[-1]), "the full answer")
    assert "/start official-vehicle-premises" in page.my_messages()[-1].text
    assert headline(opened).startswith("⛔ Not allowed: Official vehicles")
    assert "What to do instead" in opened.text


def test_an_inline_query_lists_results_as_telegram_does_and_sends_the_chosen_one(page):
    page.as_person("Priya")
    page.open_chat("Department group")
    page.type(f"@{BOT} reels in uniform")
    page.until(lambda _: page.find_all("#inline-results .inline-result"), "inline results")
    first = page.find_all("#inline-results .inline-result")[0]
    title = first.find_element("css selector", "strong").text
    assert title.startswith("❔ Depends on your service")
    assert "Ask me privately" in page.find("#inline-button").text
    mine = len(page.my_messages())
    first.click()
    page.until(lambda _: len(page.my_messages()) > mine, "the chosen result is sent")
    sent = page.my_messages()[-1]
    assert f"via @{BOT}" in sent.find_element("css selector", ".sender").text
    assert headline(sent) == title
    assert [k.text for k in page.keys(sent)] == ["Full answer"]
    assert page.find("#composer-text").get_attribute("value") == ""


def test_the_explain_panel_shows_words_candidates_band_thresholds_and_why(page, answerer):
    (expected,) = explain_message(answerer, "emblem on my car", None)
    best = expected.candidates[0]
    page.as_person("Asha")
    page.ask("emblem on my car")
    page.my_messages()[-1].find_element("css selector", ".actions .explain").click()
    dialog = page.find("#explain")
    page.until(lambda _: page.find_all("#explain .explain-candidates"), "the explanation")
    text = dialog.text
    assert f"Band: did you mean (score {expected.score:.2f})" in text
    assert "Service: not known" in text and "Language: en" in text
    words = [r.text for r in dialog.find_elements("css selector", ".explain-words tbody tr")]
    assert words[0].startswith("emblem") and words[1].startswith("vehicl")
    first = dialog.find_element("css selector", ".explain-candidates tbody tr").text
    assert f"({best.entry_id})" in first and f"{best.score:.3f}" in first
    assert expected.reasons and all(reason in text for reason in expected.reasons)
    assert f"confident_score {expected.thresholds['confident_score']}" in text
    dialog.send_keys(Keys.ESCAPE)
    page.until(lambda _: not dialog.is_displayed(), "Escape closes the panel")


def test_group_chatter_is_explained_as_not_addressed_to_the_bot(page):
    page.as_person("Priya")
    page.open_chat("Department group")
    page.send("lunch at one today?")
    page.my_messages()[-1].find_element("css selector", ".actions .explain").click()
    page.until(lambda _: "Not addressed to the bot" in page.find("#explain-body").text, "explained")


def test_with_watch_a_new_entry_is_announced_and_answered_and_a_bad_edit_is_refused(
    page, knowledge
):
    added = knowledge / "kites.yaml"
    try:
        added.write_text(NEW_ENTRY, encoding="utf-8")
        page.until(lambda _: "reloaded: +1 entry" in page.find("#notices").text, "reloaded")
        assert "added: kite-festival-posts" in page.find("#notices").text
        page.as_person("Priya")
        answer = page.ask("can I post photos of the kite festival?")
        assert "Posting about the district kite festival" in headline(answer)

        added.write_text(NEW_ENTRY.replace("kind: info", "kind: [broken"), encoding="utf-8")
        page.until(lambda _: "reload failed" in page.find("#notices").text, "refused")
        assert f"{added}:" in page.find("#notices").text, "the problem names the file"
    finally:
        added.unlink()
    page.until(lambda _: "reloaded: \u22121 entry" in page.find("#notices").text, "removed")


def test_the_report_link_opens_charts_of_what_was_asked_here(page):
    page.as_person("Asha")
    page.ask(FLAGSHIP)
    link = page.find("#report-link")
    report_url = link.get_attribute("href")
    link.click()
    page.until(lambda driver: len(driver.window_handles) > 1, "the report opens in a new tab")
    playground_tab = page.driver.current_window_handle
    page.driver.switch_to.window(page.driver.window_handles[-1])
    try:
        page.until(lambda _: page.find_all("svg.chart"), "charts")
        charts = {c.get_attribute("data-chart"): c for c in page.find_all("svg.chart")}
        assert {"per-day", "most-asked", "verdicts"} <= set(charts)
        page.until(
            lambda _: all(
                c.size["width"] > 200 and c.size["height"] > 30 for c in page.find_all("svg.chart")
            ),
            "every chart laid out at a readable size (one bar is about 48 px high)",
        )
        asked = int(page.find(".fact strong").text)
        assert asked >= 1
        page.driver.switch_to.window(playground_tab)
        page.ask(FLAGSHIP)
        page.driver.switch_to.window(page.driver.window_handles[-1])
        page.driver.get(report_url)
        assert int(page.find(".fact strong").text) == asked + 1, "the new question is counted"
    finally:
        page.driver.close()
        page.driver.switch_to.window(playground_tab)


def test_on_a_phone_sized_window_everything_fits_and_every_field_has_a_label(page):
    page.open(width=390, height=844)
    page.as_person("Priya")
    overflow = page.driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "no sideways scrolling"
    unlabelled = page.driver.execute_script(
        "return [...document.querySelectorAll('input, select')]"
        ".filter((field) => field.labels.length === 0).map((field) => field.id)"
    )
    assert unlabelled == []
    answer = page.ask("can I post reels in uniform?")
    assert answer.is_displayed() and answer.size["width"] <= 390


def test_an_admin_adds_an_unanswered_question_as_a_phrasing_and_it_is_then_answered(page):
    page.as_person("Asha")
    assert "Did you mean" in page.ask("emblem on my car").text
    page.as_person("Meena (admin)")
    listing = page.ask("/unanswered")
    line = next(x for x in listing.text.splitlines() if "\u201cemblem on my car\u201d" in x)
    number = line.split(".")[0]
    button = next(k for k in page.keys(listing) if k.text.startswith(f"\u2795 {number} as"))
    chosen = button.text.split(" as a phrasing of ", 1)[1].rstrip("\u2026")
    replies = len(page.bot_messages())
    button.click()
    page.until(lambda _: len(page.bot_messages()) > replies, "the admin is told")
    assert "Added \u201cemblem on my car\u201d as a phrasing of" in page.bot_messages()[-1].text
    page.as_person("Asha")
    answer = page.ask("emblem on my car")
    assert chosen and chosen in headline(answer), "answered with the entry the admin chose"
