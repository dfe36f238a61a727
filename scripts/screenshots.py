"""Refresh the README's pictures: docs/playground.png and docs/report.png.

    .venv/bin/python scripts/screenshots.py

Needs what the browser tests need (Debian's chromium and chromium-driver, and the `test`
extra); for colour emoji in the pictures, also `apt-get install fonts-noto-color-emoji`.

The playground picture is the real `conduct-bot playground`, driven as an admin would: a
question answered, and another offered as "did you mean" with its buttons.
The report picture is `conduct-bot report --format html` on a sample database: the project's
own evaluation questions, answered by the real matcher, spread over the last two weeks, with
some votes (a fresh playground has only today's questions to chart).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answering import Answerer  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.evaluation import load_cases  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402
from bot.matcher import Matcher  # noqa: E402
from bot.store import DAY, Asked, Store  # noqa: E402
from tests.browser import ChatPage, chromium, missing_browser, playground  # noqa: E402

DOCS = ROOT / "docs"
SAMPLE_DAYS = 14
SAMPLE_SETS = ("own.yaml", "independent.yaml")
MAX_HEIGHT = 2600  # pixels of the report shown: the charts, and the start of the unanswered


def playground_picture(target: Path) -> None:
    with playground() as process, chromium(1280, 860) as driver:
        page = ChatPage(driver, process.url)
        page.open(1280, 860)
        page.ask("Can I post a reel from my official vehicle?")
        page.ask("emblem on my car")
        driver.save_screenshot(str(target))


def sample_database(path: Path) -> None:
    """The evaluation questions, answered by the real matcher on days of the last two weeks."""
    kb = load_knowledge(Settings.from_env({}).knowledge_dir)
    answerer = Answerer(kb, Matcher(kb))
    chance = random.Random(2026)
    store = Store(path)
    now = time.time()
    cases = [c for name in SAMPLE_SETS for c in load_cases(ROOT / "tests" / "eval" / name)]
    for number, case in enumerate(chance.sample(cases, 260)):
        match = answerer.ask(case.q).match
        day = chance.choices(range(SAMPLE_DAYS), weights=range(SAMPLE_DAYS, 0, -1))[0]
        asked = Asked(
            user_id=number % 40,
            chat_type=chance.choice(("private", "private", "supergroup")),
            question=case.q.lower(),
            band=match.band.value,
            answer_id=match.entry.id if match.entry else None,
            closest_id=match.candidates[0].entry.id if match.candidates else None,
            score=match.score,
            at=now - day * DAY - chance.uniform(0, DAY / 2),
        )
        store.record_questions([asked])
        if match.entry is not None and chance.random() < 0.3:
            vote = 1 if chance.random() < 0.8 else -1
            store.record_vote(user_id=number, entry_id=match.entry.id, vote=vote)
    store.close()


def report_picture(target: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        sample_database(data / "conduct-bot.sqlite3")
        page = data / "report.html"
        env = {**os.environ, "DATA_DIR": str(data)}
        env.pop("DATABASE_PATH", None)
        command = [sys.executable, "-m", "bot", "report", "--format", "html", "--out", str(page)]
        subprocess.run(command, check=True, env=env, cwd=ROOT)
        with chromium(1000, 900) as driver:
            driver.get(page.as_uri())
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(1000, min(height + 20, MAX_HEIGHT))
            driver.save_screenshot(str(target))


def main() -> int:
    problem = missing_browser()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    DOCS.mkdir(exist_ok=True)
    playground_picture(DOCS / "playground.png")
    report_picture(DOCS / "report.png")
    print(f"wrote {DOCS / 'playground.png'} and {DOCS / 'report.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
