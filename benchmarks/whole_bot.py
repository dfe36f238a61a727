"""The whole bot: the real `conduct-bot run` process against the loopback Bot API emulator.

    python -m benchmarks.whole_bot [--users 1000] [--rate 200] [--seconds 5] [--json PATH]

Measures, for the real process with its real database:
- start-up: from starting the process to its first getUpdates;
- throughput: a burst of questions from `--users` different officers at once, and the
  updates per second handled until the last reply reached the emulator;
- latency: questions offered at a steady `--rate` per second for `--seconds`, and the time
  from an update being offered to its reply reaching the emulator (median, p99);
- the process's peak memory (VmHWM from /proc).
It runs twice: with Telegram's own limit on sending (30 messages a second, the default of the
rate limiter) and with the limit raised, which shows what the bot itself can do.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import arguments, eval_cases, percentile, table, write_json
from bot.emulator import BotAPIEmulator

TOKEN = "555:BENCHMARK"


def peak_memory_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


async def replies_for(
    emulator: BotAPIEmulator, chats: set[int], after: int, within: float
) -> dict[int, float]:
    """Wait until every chat has a reply; the monotonic time each first reply arrived."""
    arrived: dict[int, float] = {}
    deadline = time.monotonic() + within
    seen = after
    while len(arrived) < len(chats) and time.monotonic() < deadline:
        for call in emulator.calls[seen:]:
            if call.method == "sendMessage" and call.fault is None:
                chat = int(call.params["chat_id"])
                if chat in chats and chat not in arrived:
                    arrived[chat] = call.at
        seen = len(emulator.calls)
        await asyncio.sleep(0.005)
    return arrived


async def measure(limit: float, users: int, rate: int, seconds: float) -> dict:
    questions = [c.q for cases in eval_cases().values() for c in cases if c.expect]
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as data:
        async with BotAPIEmulator(TOKEN) as emulator:
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")},
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": emulator.base_url,
                "TELEGRAM_MESSAGES_PER_SECOND": str(limit),
                "DATA_DIR": data,
                "LOG_LEVEL": "WARNING",
            }
            started = time.monotonic()
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            try:
                first_poll = await emulator.wait_for_call("getUpdates", timeout=60)
                startup = first_poll.at - started
                # Warm up: the first answer builds caches.
                mark = len(emulator.calls)
                emulator.private_message(1, questions[0])
                await replies_for(emulator, {1}, mark, 30)

                # Throughput: every officer asks at once.
                mark = len(emulator.calls)
                burst_chats = set(range(10_000, 10_000 + users))
                offered = time.monotonic()
                for chat in burst_chats:
                    emulator.private_message(chat, rng.choice(questions))
                arrived = await replies_for(emulator, burst_chats, mark, 300)
                burst_seconds = max(arrived.values()) - offered

                # Latency: a steady stream below the limit.
                mark = len(emulator.calls)
                offered_at: dict[int, float] = {}
                chat = 100_000
                step = 1 / rate
                next_at = time.monotonic()
                end = next_at + seconds
                while next_at < end:
                    await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                    offered_at[chat] = time.monotonic()
                    emulator.private_message(chat, rng.choice(questions))
                    chat += 1
                    next_at += step
                replied = await replies_for(emulator, set(offered_at), mark, 120)
                latency = [replied[c] - offered_at[c] for c in replied]
                memory = peak_memory_mib(process.pid)
            finally:
                process.terminate()
                await process.wait()
    return {
        "messages_per_second_limit": limit,
        "startup_s": round(startup, 3),
        "burst_updates": users,
        "burst_answered": len(arrived),
        "updates_per_second": round(len(arrived) / burst_seconds, 1),
        "paced_rate": rate,
        "paced_answered": f"{len(latency)}/{len(offered_at)}",
        "latency_median_ms": round(statistics.median(latency) * 1000, 1),
        "latency_p99_ms": round(percentile(latency, 0.99) * 1000, 1),
        "peak_memory_mib": memory,
        "exit_code": process.returncode,
    }


async def run_all(users: int, rate: int, seconds: float) -> list[dict]:
    results = []
    for limit, paced in ((30.0, min(rate, 25)), (100_000.0, rate)):
        results.append(await measure(limit, users, paced, seconds))
    return results


def main() -> None:
    parser = arguments(__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    results = asyncio.run(run_all(args.users, args.rate, args.seconds))
    headers = (
        "send limit /s", "start-up s", "burst", "updates/s", "paced rate /s",
        "latency median ms", "latency p99 ms", "peak memory MiB",
    )  # fmt: skip
    rows = [
        (
            f"{r['messages_per_second_limit']:g}",
            r["startup_s"],
            f"{r['burst_answered']}/{r['burst_updates']}",
            r["updates_per_second"],
            r["paced_rate"],
            r["latency_median_ms"],
            r["latency_p99_ms"],
            r["peak_memory_mib"],
        )
        for r in results
    ]
    print(table(headers, rows))
    write_json(args.json, {"benchmark": "whole_bot", "results": results})


if __name__ == "__main__":
    main()
