"""`conduct-bot playground` as a server: loopback only, and no other page can act through it."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from tests.browser import PlaygroundProcess, playground


@pytest.fixture(scope="module")
def served() -> Iterator[PlaygroundProcess]:
    with playground() as process:
        yield process
    assert process.process.returncode == 0, "\n".join(process.output)


def test_it_listens_on_loopback_and_serves_its_page_with_a_strict_policy(served):
    assert served.url.startswith("http://127.0.0.1:")
    page = httpx.get(served.url)
    assert page.status_code == 200 and '<script src="/static/app.js"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert httpx.get(served.url + "static/app.js").status_code == 200
    report = httpx.get(served.url + "report")
    assert report.headers["content-security-policy"].startswith("default-src 'none'")


def test_requests_naming_another_host_or_from_another_page_are_refused(served):
    rebound = httpx.get(served.url + "api/config", headers={"Host": "attacker.example"})
    assert rebound.status_code == 403
    forged = httpx.post(
        served.url + "api/chats/900/messages",
        json={"user_id": 900, "text": "/reload"},
        headers={"Origin": "http://attacker.example"},
    )
    assert forged.status_code == 403
    form = httpx.post(served.url + "api/chats/900/messages", data={"user_id": "900"})
    assert form.status_code == 400, "a plain form post (no preflight) is not accepted"


def test_a_person_types_only_in_their_own_private_chat_or_the_group(served):
    url = served.url + "api/chats/{}/messages"
    mine = httpx.post(url.format(101), json={"user_id": 101, "text": "hello"})
    assert mine.status_code == 200 and mine.json()["message"]["text"] == "hello"
    theirs = httpx.post(url.format(900), json={"user_id": 101, "text": "/reload"})
    assert theirs.status_code == 400 and "someone else" in theirs.json()["error"]
    stranger = httpx.post(url.format(-1001), json={"user_id": 5, "text": "hi"})
    assert stranger.status_code == 400
    assert httpx.get(served.url + "api/chats/777").status_code == 400


def test_a_port_in_use_is_a_one_line_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "bot", "playground", "--port", str(port)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
