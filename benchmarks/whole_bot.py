"""The whole bot: the real `conduct-bot run` process against the loopback Bot API emulator,
side by side with the floor, a bare python-telegram-bot echo bot with the same settings.

    python -m benchmarks.whole_bot [--rounds 5] [--users 1000] [--rate 200] [--seconds 5]
        [--delay 0] [--baseline PYTHON] [--json PATH]

Each round runs every bot once, in turn (the order rotates from round to round, so a slow
moment of the machine does not always fall on the same bot), each as a fresh process with
a fresh emulator and database:
- start-up: from starting the process to its first getUpdates;
- throughput: a burst of questions from `--users` different officers at once, and the
  updates per second handled until the last reply reached the emulator; meanwhile the CPU
  time of the bot's process and of this one (the emulator and the harness), as a share of
  one core, which shows which side was the bottleneck;
- latency: questions offered at a steady `--rate` per second for `--seconds`, and the time
  from an update being offered to its reply reaching the emulator (median, p99);
- the process's peak memory (VmHWM from /proc).

The bots: `echo` (benchmarks.echo_bot on python-telegram-bot's own httpx client: the floor),
`echo (aiohttp)` (the same on conduct-bot's client: what is left when the client is not the
cost), `conduct-bot` (this checkout) and, with
`--baseline PYTHON`, `baseline`: `PYTHON -m bot run` for an interpreter in whose environment
another version of conduct-bot is installed (e.g. the commit before a change, in its own
venv), so that before and after are measured in the same run. Telegram's limit on sending
(30 messages a second) is raised for every bot: this measures what the bots themselves can
do. `--delay` makes every Bot API call take that many seconds more, as the network to the
real Telegram does (0.05 is a typical round trip).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import ROOT, arguments, eval_cases, percentile, table, write_json
from bot.emulator import BotAPIEmulator

TOKEN = "555:BENCHMARK"
SEND_LIMIT = 100_000.0  # messages a second: Telegram's 30 raised out of the way
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
WARM_UP = 20  # questions answered before anything is measured


@dataclass(frozen=True)
class Bot:
    name: str
    command: tuple[str, ...]
    cwd: Path | None  # None: the run's data folder, so `-m bot` finds the installed one


def peak_memory_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


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


async def measure(bot: Bot, users: int, rate: int, seconds: float, delay: float) -> dict:
    questions = [c.q for cases in eval_cases().values() for c in cases if c.expect]
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as data:
        async with BotAPIEmulator(TOKEN, delay=delay) as emulator:
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")},
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": emulator.base_url,
                "TELEGRAM_MESSAGES_PER_SECOND": str(SEND_LIMIT),
                "DATA_DIR": data,
                "LOG_LEVEL": "WARNING",
            }
            env.pop("PYTHONPATH", None)
            started = time.monotonic()
            process = await asyncio.create_subprocess_exec(
                *bot.command, env=env, cwd=bot.cwd or data,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            try:
                first_poll = await emulator.wait_for_call("getUpdates", timeout=60)
                startup = first_poll.at - started
                # Warm up: the first answers build caches and load what is loaded lazily.
                mark = len(emulator.calls)
                for chat, question in enumerate(questions[:WARM_UP], 1):
                    emulator.private_message(chat, question)
                await replies_for(emulator, set(range(1, WARM_UP + 1)), mark, 30)

                # Throughput: every officer asks at once.
                mark = len(emulator.calls)
                burst_chats = set(range(10_000, 10_000 + users))
                bot_cpu, own_cpu = cpu_seconds(process.pid), time.process_time()
                offered = time.monotonic()
                for chat in burst_chats:
                    emulator.private_message(chat, rng.choice(questions))
                arrived = await replies_for(emulator, burst_chats, mark, 300)
                wall = time.monotonic() - offered
                bot_cpu = cpu_seconds(process.pid) - bot_cpu
                own_cpu = time.process_time() - own_cpu
                burst_seconds = max(arrived.values()) - offered

                # Latency: a steady stream below the bot's capacity.
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
        "bot": bot.name,
        "startup_s": round(startup, 3),
        "burst_updates": users,
        "burst_answered": len(arrived),
        "updates_per_second": round(len(arrived) / burst_seconds, 1),
        "bot_cpu_share": round(bot_cpu / wall, 3),
        "emulator_cpu_share": round(own_cpu / wall, 3),
        "paced_rate": rate,
        "paced_answered": f"{len(latency)}/{len(offered_at)}",
        "latency_median_ms": round(statistics.median(latency) * 1000, 1),
        "latency_p99_ms": round(percentile(latency, 0.99) * 1000, 1),
        "peak_memory_mib": memory,
    }


async def run_all(
    bots: list[Bot], rounds: int, users: int, rate: int, seconds: float, delay: float
) -> list[dict]:
    results = []
    for number in range(rounds):
        shift = number % len(bots)
        for bot in bots[shift:] + bots[:shift]:
            result = await measure(bot, users, rate, seconds, delay)
            results.append({"round": number + 1, **result})
            print(
                f"  round {number + 1}: {bot.name:<15} {result['updates_per_second']:>7} "
                f"updates/s, p99 {result['latency_p99_ms']} ms",
                flush=True,
            )
    return results


def summarise(bots: list[Bot], results: list[dict]) -> list[dict]:
    """Per bot: min/median/max of each figure over the rounds, and its share of the floor
    (in each round, its updates/s over the echo bot's in the same round)."""
    floor = {r["round"]: r["updates_per_second"] for r in results if r["bot"] == "echo"}
    rows = []
    for bot in bots:
        mine = [r for r in results if r["bot"] == bot.name]
        rate = [r["updates_per_second"] for r in mine]
        share = [r["updates_per_second"] / floor[r["round"]] for r in mine]

        def median(key: str, runs: list[dict] = mine) -> float:
            return round(statistics.median(r[key] for r in runs), 3)

        rows.append(
            {
                "bot": bot.name,
                "rounds": len(mine),
                "updates_per_second": {
                    "min": min(rate),
                    "median": round(statistics.median(rate), 1),
                    "max": max(rate),
                },
                "share_of_echo": {
                    "min": round(min(share), 3),
                    "median": round(statistics.median(share), 3),
                    "max": round(max(share), 3),
                },
                "bot_cpu_share_median": median("bot_cpu_share"),
                "emulator_cpu_share_median": median("emulator_cpu_share"),
                "startup_s_median": median("startup_s"),
                "latency_median_ms_median": median("latency_median_ms"),
                "latency_p99_ms_median": median("latency_p99_ms"),
                "latency_p99_ms_max": max(r["latency_p99_ms"] for r in mine),
                "peak_memory_mib_median": median("peak_memory_mib"),
            }
        )
    return rows


def main() -> None:
    parser = arguments(__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds added to every call")
    parser.add_argument(
        "--baseline", metavar="PYTHON", help="an interpreter with another conduct-bot installed"
    )
    args = parser.parse_args()
    bots = [
        Bot("echo", (sys.executable, "-m", "benchmarks.echo_bot"), ROOT),
        Bot(
            "echo (aiohttp)", (sys.executable, "-m", "benchmarks.echo_bot", "--client", "bot"), ROOT
        ),
        Bot("conduct-bot", (sys.executable, "-m", "bot", "run"), ROOT),
    ]
    if args.baseline:
        bots.append(Bot("baseline", (args.baseline, "-m", "bot", "run"), None))
    results = asyncio.run(
        run_all(bots, args.rounds, args.users, args.rate, args.seconds, args.delay)
    )
    summary = summarise(bots, results)
    headers = (
        "bot", "updates/s min", "updates/s median", "updates/s max", "share of echo median",
        "share min-max", "bot CPU", "emulator CPU", "start-up s", "latency median ms",
        "latency p99 ms", "peak memory MiB",
    )  # fmt: skip
    rows = [
        (
            s["bot"],
            s["updates_per_second"]["min"],
            s["updates_per_second"]["median"],
            s["updates_per_second"]["max"],
            f"{s['share_of_echo']['median']:.0%}",
            f"{s['share_of_echo']['min']:.0%}-{s['share_of_echo']['max']:.0%}",
            f"{s['bot_cpu_share_median']:.0%}",
            f"{s['emulator_cpu_share_median']:.0%}",
            s["startup_s_median"],
            s["latency_median_ms_median"],
            s["latency_p99_ms_median"],
            s["peak_memory_mib_median"],
        )
        for s in summary
    ]
    print(
        f"{args.rounds} rounds; burst of {args.users}; paced {args.rate}/s for {args.seconds:g}s;"
        f" {args.delay * 1000:g} ms added to every call"
    )
    print(table(headers, rows))
    write_json(
        args.json,
        {
            "benchmark": "whole_bot",
            "settings": {k: v for k, v in vars(args).items() if k != "json"},
            "summary": summary,
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
