"""Starting the bot: what an operator reads when something is wrong, in a few plain lines.

The real `conduct-bot run` process, against the loopback emulator or against nothing at all.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
from bot.emulator import BotAPIEmulator
from tests.process_harness import BOT, bot_environment

TRACEBACK = "Traceback"


async def run_until_exit(env: dict[str, str], *args: str) -> tuple[int, list[str]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", *args,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode().splitlines()


async def test_no_network_is_one_paragraph_saying_what_to_check(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")},
        "TELEGRAM_BOT_TOKEN": "31337:not-a-real-token-at-all-0123456789",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",  # nothing listens on the discard port
        "DATA_DIR": str(tmp_path),
    }
    status, lines = await run_until_exit(env)
    said = "\n".join(lines)
    assert status == 1
    assert TRACEBACK not in said and len(lines) <= 10, said
    last = lines[-1]
    assert "cannot reach the Bot API at http://127.0.0.1:9" in last
    assert "network" in last and "TELEGRAM_API_BASE_URL" in last
    assert "not-a-real-token" not in said


async def test_a_rejected_token_says_where_to_get_the_right_one(tmp_path):
    async with BotAPIEmulator("42:the-token-telegram-knows", bot_username=BOT) as emulator:
        env = bot_environment(emulator, tmp_path, TELEGRAM_BOT_TOKEN="42:a-token-it-does-not")
        status, lines = await run_until_exit(env)
    said = "\n".join(lines)
    assert status == 1
    assert TRACEBACK not in said and len(lines) <= 6, said
    assert "Telegram rejected the bot token" in said and "@BotFather" in said
    assert "a-token-it-does-not" not in said


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("RETENTION_DAYS", "-5", "RETENTION_DAYS must be at least 1; got -5"),
        ("WEBHOOK_URL", "http://bot.example.org", "WEBHOOK_URL must be an https:// URL"),
        ("USER_UPDATES_PER_MINUTE", "10", "USER_UPDATES_PER_MINUTE is now USER_QUESTIONS_PER"),
        ("CONCURRENT_UPDATES", "0", "CONCURRENT_UPDATES must be at least 1; got 0"),
    ],
)
async def test_a_setting_that_would_misbehave_is_refused_in_one_line(
    tmp_path: Path, variable, value, said
):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")},
        "TELEGRAM_BOT_TOKEN": "31337:never-used-here",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",
        "DATA_DIR": str(tmp_path),
        variable: value,
    }
    status, lines = await run_until_exit(env, "--webhook")
    assert status == 2
    assert len(lines) == 1 and said in lines[0], lines


def test_a_webhook_to_this_machine_may_be_plain_http_for_a_local_bot_api_server():
    local = Settings.from_env({"WEBHOOK_URL": "http://127.0.0.1:8443"})
    assert local.webhook_url == "http://127.0.0.1:8443"
    with pytest.raises(ConfigError, match="https"):
        Settings.from_env({"WEBHOOK_URL": "http://10.0.0.5:8443"})


def test_match_settings_from_the_environment_keep_their_types():
    settings = Settings.from_env({"MATCH_MIN_EVIDENCE": "3", "MATCH_CONFIDENT_SCORE": "0.5"})
    assert settings.match.min_evidence == 3 and isinstance(settings.match.min_evidence, int)
    assert settings.match.confident_score == 0.5
    with pytest.raises(ConfigError, match="MATCH_MIN_EVIDENCE must be a whole number"):
        Settings.from_env({"MATCH_MIN_EVIDENCE": "two"})
