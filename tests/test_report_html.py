"""`conduct-bot report --format html`: one self-contained page whose charts show the database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.store import DAY, Asked, Store

SCRIPT = "<script>alert('officer')</script> can i post this"


def run_report(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_PATH", "USER_HASH_KEY")}
    env["DATA_DIR"] = str(data)
    return subprocess.run(
        [sys.executable, "-m", "bot", "report", *args],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip


def ask(store: Store, question: str, band: str, answer: str | None, days_ago: int) -> None:
    asked = Asked(
        user_id=7,
        chat_type="private",
        question=question,
        band=band,
        answer_id=answer,
        closest_id=answer or "official-vehicle-premises",
        score=0.5,
        at=time.time() - days_ago * DAY,
    )
    store.record_questions([asked])


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """Two days of questions in every band, votes, and a question that is HTML."""
    store = Store(tmp_path / "conduct-bot.sqlite3")
    for _ in range(3):
        ask(store, "reel from my official vehicle", "answer", "official-vehicle-premises", 2)
    ask(store, "reels in uniform", "answer", "uniform-and-insignia", 0)
    ask(store, "emblem on my car", "suggest", None, 0)
    ask(store, "can i post", "vague", None, 0)
    ask(store, SCRIPT, "none", None, 0)
    ask(store, SCRIPT, "none", None, 0)
    store.record_vote(user_id=7, entry_id="official-vehicle-premises", vote=1)
    store.record_vote(user_id=8, entry_id="official-vehicle-premises", vote=-1)
    store.record_vote(user_id=9, entry_id="uniform-and-insignia", vote=-1)
    store.close()
    return tmp_path


def bars(page: str, chart: str) -> list[str]:
    svg = re.search(rf'<svg[^>]*data-chart="{chart}".*?</svg>', page, re.DOTALL)
    assert svg, f"no {chart} chart"
    return re.findall(r"<(?:rect|circle) [^>]*data-count[^>]*>", svg.group())


def test_the_html_report_charts_questions_by_day_and_band_entries_votes_and_verdicts(data):
    out = data / "report.html"
    result = run_report(data, "--format", "html", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    page = out.read_text(encoding="utf-8")

    days = bars(page, "per-day")
    two_days_ago = [b for b in days if 'data-band="answer"' in b and 'data-count="3"' in b]
    assert len(two_days_ago) == 1, "three questions answered two days ago, in one column"
    today = {re.search(r'data-band="(\w+)"', b).group(1) for b in days[1:]}
    assert today == {"answer", "suggest", "vague", "none"}
    assert "did you mean" in page and "unknown" in page

    most_asked = bars(page, "most-asked")
    assert ['data-count="3"' in b for b in most_asked] == [True, False]
    assert "Official vehicles and premises in your posts" in page, "titles, not ids"
    votes = bars(page, "votes")
    assert sorted(re.search(r'data-vote="(\w+)"', b).group(1) for b in votes) == [
        "down",
        "down",
        "up",
    ]
    assert len(bars(page, "verdicts")) >= 1

    unanswered = page[page.index("Questions without a confident answer") :]
    assert "&lt;script&gt;alert(&#x27;officer&#x27;)&lt;/script&gt; can i post this" in unanswered
    # The store groups near-duplicates: "can i post" joins the two copies of the question.
    assert "<li>can i post</li></ul></td><td>3</td>" in unanswered, "grouped, variants listed"


def test_the_html_report_is_self_contained_and_escapes_what_officers_typed(data):
    page = run_report(data, "--format", "html").stdout
    assert page.startswith("<!doctype html>")
    assert "<script" not in page, "no script, and a question's <script> is shown as text"
    assert not re.search(r"<link|@import|url\(|src=", page), "nothing fetched"
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) == {"http://www.w3.org/2000/svg"}
    assert page.count("<details>") == 4, "every chart has its numbers in a table"


def test_an_empty_period_says_so_instead_of_drawing_empty_charts(tmp_path):
    Store(tmp_path / "conduct-bot.sqlite3").close()
    page = run_report(tmp_path, "--format", "html").stdout
    assert "<svg" not in page
    assert "Nothing in this period." in page and "No votes yet." in page


def test_report_out_writes_any_format_and_refuses_a_path_it_cannot_write(data):
    result = run_report(data, "--format", "csv", "--out", str(data / "report.csv"))
    assert result.returncode == 0
    assert (data / "report.csv").read_text().startswith("section,key,count")
    missing = data / "no-such-folder" / "report.html"
    result = run_report(data, "--format", "html", "--out", str(missing))
    assert result.returncode == 2
    assert f"cannot write {missing}" in result.stderr and "Traceback" not in result.stderr


def test_the_votes_chart_shows_the_most_disliked_first_and_the_table_keeps_them_all(tmp_path):
    store = Store(tmp_path / "conduct-bot.sqlite3")
    entries = [f"entry-{n:02d}" for n in range(15)]
    for user, entry in enumerate(entries):
        store.record_vote(user_id=user, entry_id=entry, vote=1)
    store.record_vote(user_id=99, entry_id="entry-14", vote=-1)
    store.close()
    page = run_report(tmp_path, "--format", "html").stdout
    shown = bars(page, "votes")
    assert len(shown) == 12 + 1, "twelve entries, one of them with a 👎 bar too"
    votes = re.search(r'<svg[^>]*data-chart="votes".*?</svg>', page, re.DOTALL).group()
    assert re.findall(r'class="label"[^>]*>([^<]+)<', votes)[0] == "entry-14", "👎 leads"
    assert "all 15 are in the numbers" in page
    assert page.count("<td>entry-") == 15
