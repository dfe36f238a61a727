"""Headless Chromium (Debian's, never a downloaded one) and a `conduct-bot playground` process.

Shared by the browser tests and scripts/screenshots.py. The browser and its driver are the
system's /usr/bin/chromium and /usr/bin/chromedriver (`.ci/run` installs them with apt);
selenium is told both paths, so its manager never looks for, or fetches, a browser.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
MISSING = (
    "headless Chromium is needed for the browser tests: {what} not found. Install Debian's "
    "browser and driver (as .ci/run does): apt-get install -y chromium chromium-driver"
)
STARTUP = 60.0  # seconds for the playground to print its address


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when Chromium and its driver are found."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).is_file() and os.access(path, os.X_OK)):
            return MISSING.format(what=path)
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is needed for the browser tests: pip install -e '.[test]'"
    return None


@contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A headless Chromium driven by selenium, with a fresh profile deleted afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # selenium's manager: never go online
    profile = tempfile.mkdtemp(prefix="conduct-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PlaygroundProcess:
    process: subprocess.Popen[str]
    url: str
    output: list[str] = field(default_factory=list)


@contextmanager
def playground(*args: str, env: dict[str, str] | None = None) -> Iterator[PlaygroundProcess]:
    """`conduct-bot playground` on a free port, until it prints its address; SIGTERM after."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "playground", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    lines: queue.Queue[str | None] = queue.Queue()
    output: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line.rstrip())
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        url = _address(lines, output)
        yield PlaygroundProcess(process, url, output)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _address(lines: queue.Queue[str | None], output: list[str]) -> str:
    while True:
        try:
            line = lines.get(timeout=STARTUP)
        except queue.Empty:
            raise TimeoutError("the playground printed no address:\n" + "\n".join(output)) from None
        if line is None:
            raise RuntimeError("the playground exited:\n" + "\n".join(output))
        found = re.search(r"Playground: (http://\S+)", line)
        if found:
            return found.group(1)


WAIT = 15.0  # seconds to wait for anything the page should show


class ChatPage:
    """The playground's page as a person uses it: pick who types, open a chat, type, press."""

    def __init__(self, driver: Any, url: str) -> None:
        self.driver = driver
        self.url = url

    def until(self, condition: Callable[[Any], Any], message: str = "", timeout: float = WAIT):
        """Wait for `condition`; elements redrawn meanwhile (an edit arriving) are read again."""
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait

        wait = WebDriverWait(
            self.driver, timeout, ignored_exceptions=(StaleElementReferenceException,)
        )
        return wait.until(condition, message)

    def find(self, css: str) -> Any:
        return self.driver.find_element("css selector", css)

    def find_all(self, css: str) -> list[Any]:
        return self.driver.find_elements("css selector", css)

    def open(self, width: int = 1280, height: int = 900) -> None:
        self.driver.set_window_size(width, height)
        self.driver.get(self.url)
        self.until(lambda _: self.find("#chat-title").text not in ("", "Loading…"), "page loaded")

    def as_person(self, name: str) -> None:
        from selenium.webdriver.support.ui import Select

        Select(self.find("#person")).select_by_visible_text(name)
        self.until(lambda _: name in self.find("#chat-about").text, f"typing as {name}")

    def open_chat(self, title: str) -> None:
        buttons = [b for b in self.find_all("#chat-list button") if b.text.startswith(title)]
        buttons[0].click()
        self.until(lambda _: self.find("#chat-title").text == title, f"{title} open")

    def bot_messages(self) -> list[Any]:
        return self.find_all("#messages li.msg.from-bot")

    def my_messages(self) -> list[Any]:
        return self.find_all("#messages li.msg.from-me")

    def type(self, text: str) -> None:
        box = self.find("#composer-text")
        box.clear()
        box.send_keys(text)

    def send(self, text: str) -> Any:
        """Type and send; the person's own message, once the chat shows it."""
        before = len(self.my_messages())
        self.type(text + "\n")
        self.until(lambda _: len(self.my_messages()) > before, f"{text!r} shown")
        return self.my_messages()[-1]

    def ask(self, text: str) -> Any:
        """Send `text` and wait for the bot's next message in the chat."""
        before = len(self.bot_messages())
        self.send(text)
        self.until(lambda _: len(self.bot_messages()) > before, f"a reply to {text!r}")
        return self.bot_messages()[-1]

    def message(self, message_id: str) -> Any:
        return self.find(f'#messages li[data-message-id="{message_id}"]')

    def keys(self, message: Any) -> list[Any]:
        return message.find_elements("css selector", ".keyboard .key")
