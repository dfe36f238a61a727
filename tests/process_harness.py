"""Running the real `conduct-bot run` process against the Bot API emulator, for end-to-end tests."""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import socket
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot.emulator import BotAPIEmulator

TOKEN = "987654:SECRET-e2e-token-value"
BOT = "conduct_e2e_bot"
OFFICER = 4242
GROUP = -100500
FLAGSHIP = "Can I post a reel from my official vehicle?"


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    new_line: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    async def wait_for_output(self, text: str, within: float = 15.0) -> str:
        """The first line of output containing `text`, waiting for the bot to write it."""

        def found() -> str | None:
            return next((line for line in self.lines if text in line), None)

        async with self.new_line:
            try:
                await asyncio.wait_for(self.new_line.wait_for(found), within)
            except TimeoutError:
                raise TimeoutError(f"no output line with {text!r} within {within}s") from None
        line = found()
        assert line is not None
        return line


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_environment(emulator: BotAPIEmulator, data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=emulator.base_url,
        DATA_DIR=str(data),
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        # Short back-offs: a test waits for what the bot does after a fault, not for the
        # pauses production uses (tests that are about those pauses set their own).
        RETRY_PAUSE_SECONDS="0.02",
        POLL_RETRY_MAX_SECONDS="0.1",
    )
    env.update(extra)
    return env


def webhook_environment(port: int, secret: str = "webhook-secret") -> dict[str, str]:
    """Settings for `conduct-bot run --webhook` on loopback, where the emulator delivers."""
    return {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}",
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_SECRET_TOKEN": secret,
    }


@asynccontextmanager
async def running(
    emulator: BotAPIEmulator,
    data: Path,
    *args: str,
    ready: str = "getUpdates",
    open_files: int | None = None,
    prefix: Sequence[str] = (),
    **env: str,
) -> AsyncIterator[BotProcess]:
    """Start `python -m bot run`, wait for it to poll (or set its webhook); stop with SIGTERM.

    `open_files` caps the process's file descriptors (RLIMIT_NOFILE), as a container may;
    `prefix` runs the bot through another command (which must exec it, keeping its pid).
    """

    def limit_files() -> None:
        if open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

    process = await asyncio.create_subprocess_exec(
        *prefix, sys.executable, "-m", "bot", "run", *args,
        env=bot_environment(emulator, data, **env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        preexec_fn=limit_files,
    )  # fmt: skip
    bot = BotProcess(process)

    async def read() -> None:
        assert process.stdout is not None
        async for line in process.stdout:
            bot.lines.append(line.decode(errors="replace").rstrip())
            async with bot.new_line:
                bot.new_line.notify_all()

    reader = asyncio.create_task(read())
    try:
        started = asyncio.create_task(emulator.wait_for_call(ready, timeout=30))
        exited = asyncio.create_task(process.wait())
        await asyncio.wait((started, exited), return_when=asyncio.FIRST_COMPLETED)
        if not started.done():
            started.cancel()
            await asyncio.wait_for(reader, 5)
            raise RuntimeError(f"the bot exited ({process.returncode}):\n{bot.output}")
        exited.cancel()
        started.result()
        yield bot
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()
        await asyncio.wait_for(reader, 5)


async def reply_in(emulator: BotAPIEmulator, chat: int, mark: int) -> dict:
    call = await emulator.wait_for_call(
        "sendMessage", lambda c: int(c.params["chat_id"]) == chat, timeout=15, after=mark
    )
    return call.params
