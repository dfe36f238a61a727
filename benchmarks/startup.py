"""Start-up: how long `conduct-bot ask` takes, and `conduct-bot run` to its first getUpdates.

    python -m benchmarks.startup [--runs 10] [--baseline PYTHON] [--json PATH]

Each is a fresh process, run `--runs` times (alternating with the baseline's, when given:
`PYTHON -m bot` for an interpreter with another version of conduct-bot installed), and
reported as min/median/max. `ask` is timed from starting the process to its exit, answering
one question from the bundled knowledge base; `run` from starting the process to its first
getUpdates reaching the loopback emulator.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, arguments, table, write_json
from bot.emulator import BotAPIEmulator

TOKEN = "555:BENCHMARK"
QUESTION = "can I post a photo of myself in uniform on instagram?"


def environment(data: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.pop("PYTHONPATH", None)
    return {**env, "DATA_DIR": data, "LOG_LEVEL": "WARNING", **extra}


async def ask_seconds(python: str, cwd: Path | None) -> float:
    with tempfile.TemporaryDirectory() as data:
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            python, "-m", "bot", "ask", QUESTION, env=environment(data), cwd=cwd or data,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        code = await process.wait()
        seconds = time.monotonic() - started
    if code != 0:
        raise RuntimeError(f"{python} -m bot ask exited with {code}")
    return seconds


async def first_poll_seconds(python: str, cwd: Path | None) -> float:
    with tempfile.TemporaryDirectory() as data:
        async with BotAPIEmulator(TOKEN) as emulator:
            env = environment(
                data, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=emulator.base_url
            )
            started = time.monotonic()
            process = await asyncio.create_subprocess_exec(
                python, "-m", "bot", "run", env=env, cwd=cwd or data,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            try:
                poll = await emulator.wait_for_call("getUpdates", timeout=60)
            finally:
                process.terminate()
                await process.wait()
    return poll.at - started


async def measure(versions: dict[str, tuple[str, Path | None]], runs: int) -> dict:
    timings: dict[str, dict[str, list[float]]] = {name: {"ask": [], "run": []} for name in versions}
    for _ in range(runs):
        for name, (python, cwd) in versions.items():
            timings[name]["ask"].append(await ask_seconds(python, cwd))
            timings[name]["run"].append(await first_poll_seconds(python, cwd))
    return timings


def main() -> None:
    parser = arguments(__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--baseline", metavar="PYTHON")
    args = parser.parse_args()
    versions: dict[str, tuple[str, Path | None]] = {"conduct-bot": (sys.executable, ROOT)}
    if args.baseline:
        versions["baseline"] = (args.baseline, None)
    timings = asyncio.run(measure(versions, args.runs))
    summary = {
        name: {
            command: {
                "min": round(min(values), 3),
                "median": round(statistics.median(values), 3),
                "max": round(max(values), 3),
            }
            for command, values in commands.items()
        }
        for name, commands in timings.items()
    }
    rows = [
        (name, command, s["min"], s["median"], s["max"])
        for name, commands in summary.items()
        for command, s in commands.items()
    ]
    print(f"{args.runs} fresh processes each")
    print(table(("version", "command", "min s", "median s", "max s"), rows))
    write_json(args.json, {"benchmark": "startup", "runs": args.runs, "summary": summary})


if __name__ == "__main__":
    main()
