"""Matching speed: the engine against plain rapidfuzz extractOne and difflib, side by side.

    python -m benchmarks.matching_speed [--sizes 1000 10000 50000] [--queries 300]
        [--processes 5] [--json PATH]

For the bundled knowledge base and for generated ones, it measures per-question latency
(median, p99), questions per second, the time to build the index and the memory the index
takes (tracemalloc, in a separate build so it does not slow the timed one). The engine's
latency is measured again in `--processes` fresh processes, each of which loads the
knowledge base, builds the index and answers the same questions: the p99 of each (a slow
process shows up as a spread between them) and its resident memory (VmRSS once it has
answered; VmHWM, its peak, while building), which counts what tracemalloc does not see
(allocator overhead, memory not given back). The same questions then go through
`rapidfuzz.process.extractOne` with WRatio over every phrasing, and through
`difflib.get_close_matches` (on fewer questions: it is slow).
"""

from __future__ import annotations

import argparse
import difflib
import gc
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from benchmarks.common import (
    ROOT,
    arguments,
    bundled,
    latencies,
    summary_ms,
    synthetic_kb,
    synthetic_queries,
    table,
    write_json,
)
from bot.knowledge import KnowledgeBase
from bot.matcher import Matcher


def phrasings_of(kb: KnowledgeBase) -> list[str]:
    return [t for e in kb.entries for t in (*e.questions, e.title, *e.keywords)]


def build(kb: KnowledgeBase) -> tuple[Matcher, float, float]:
    """The matcher, seconds to build it, and MiB it holds (measured on a second build)."""
    gc.collect()
    start = time.perf_counter()
    matcher = Matcher(kb)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    measured = Matcher(kb)
    size = (tracemalloc.get_traced_memory()[0] - before) / 2**20
    tracemalloc.stop()
    del measured
    return matcher, seconds, size


def memory_mib() -> dict[str, float]:
    """This process's resident memory now (VmRSS) and at its peak (VmHWM), in MiB."""
    status = Path("/proc/self/status").read_text().splitlines()
    found = {
        line.split(":")[0]: int(line.split()[1]) / 1024
        for line in status
        if line.startswith(("VmRSS:", "VmHWM:"))
    }
    return {"rss_mib": round(found["VmRSS"], 1), "peak_mib": round(found["VmHWM"], 1)}


def fresh_process(size: int, queries: int) -> dict:
    """In this process: load, build, answer; what `fresh_processes` reads from each child."""
    base = bundled()
    if size:
        kb, asked = synthetic_kb(base, size), synthetic_queries(base, size, queries)
    else:
        kb = base
        asked = [
            q.rsplit(" in ", 1)[0] for q in synthetic_queries(base, len(base.entries), queries)
        ]
    start = time.perf_counter()
    matcher = Matcher(kb)
    build_s = time.perf_counter() - start
    return {
        "build_s": round(build_s, 3),
        **summary_ms(latencies(matcher.match, asked)),
        **memory_mib(),
    }


def fresh_processes(size: int, queries: int, count: int) -> dict:
    """The engine in `count` fresh processes, one after another: p99 of each, memory."""
    runs = []
    for _ in range(count):
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks.matching_speed", "--child", str(size),
             "--queries", str(queries)],
            cwd=ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
        runs.append(json.loads(child.stdout.splitlines()[-1]))
    p99 = [r["p99_ms"] for r in runs]
    return {
        "processes": count,
        "p99_ms": p99,
        "p99_ms_median": round(statistics.median(p99), 3),
        "p99_ms_spread": round(max(p99) / min(p99), 2),
        "median_ms": round(statistics.median(r["median_ms"] for r in runs), 3),
        "rss_mib": round(statistics.median(r["rss_mib"] for r in runs), 1),
        "peak_mib": round(statistics.median(r["peak_mib"] for r in runs), 1),
        "build_s": round(statistics.median(r["build_s"] for r in runs), 3),
    }


def measure(
    name: str, kb: KnowledgeBase, queries: list[str], difflib_queries: int, fresh: dict
) -> dict:
    matcher, build_s, memory = build(kb)
    engine = summary_ms(latencies(matcher.match, queries))
    choices = phrasings_of(kb)
    processed = [utils.default_process(c) for c in choices]

    def extract_one(query: str) -> object:
        return process.extractOne(
            utils.default_process(query), processed, scorer=fuzz.WRatio, processor=None
        )

    # Above 10,000 entries extractOne takes about a second a question: 30 of them.
    plain = summary_ms(
        latencies(extract_one, queries if len(kb.entries) <= 10_000 else queries[:30])
    )
    lowered = [c.lower() for c in choices]
    slow = summary_ms(
        latencies(
            lambda q: difflib.get_close_matches(q.lower(), lowered, n=3), queries[:difflib_queries]
        )
    )
    return {
        "knowledge_base": name,
        "entries": len(kb.entries),
        "phrasings": len(choices),
        "index_build_s": round(build_s, 3),
        "index_mib": round(memory, 1),
        "engine": engine,
        "fresh_processes": fresh,
        "extractOne_WRatio": plain,
        "difflib": {**slow, "questions": min(difflib_queries, len(queries))},
        "engine_speedup_vs_extractOne": round(plain["median_ms"] / engine["median_ms"], 1),
        "engine_p99_speedup_vs_extractOne": round(plain["p99_ms"] / engine["p99_ms"], 1),
    }


def main() -> None:
    parser = arguments(__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 50000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--processes", type=int, default=5, help="fresh processes per size")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(fresh_process(args.child, args.queries)))
        return
    base = bundled()
    results = []
    bundled_queries = synthetic_queries(base, len(base.entries), args.queries)
    bundled_queries = [q.rsplit(" in ", 1)[0] for q in bundled_queries]
    fresh = fresh_processes(0, args.queries, args.processes)
    results.append(measure("bundled", base, bundled_queries, args.queries, fresh))
    for size in args.sizes:
        # The fresh processes first, while this one holds no large index.
        fresh = fresh_processes(size, args.queries, args.processes)
        kb = synthetic_kb(base, size)
        queries = synthetic_queries(base, size, args.queries)
        slow_queries = 20 if size <= 1000 else 3  # difflib takes seconds per question here
        results.append(measure(f"generated {size:,}", kb, queries, slow_queries, fresh))
        del kb
        gc.collect()
        print(f"  measured {size:,} entries", flush=True)
    rows = [
        (
            r["knowledge_base"],
            f"{r['entries']:,}",
            f"{r['phrasings']:,}",
            r["index_build_s"],
            r["index_mib"],
            r["engine"]["median_ms"],
            r["engine"]["p99_ms"],
            f"{r['engine']['per_second']:,}",
            r["fresh_processes"]["p99_ms_median"],
            f"{min(r['fresh_processes']['p99_ms'])}-{max(r['fresh_processes']['p99_ms'])}",
            r["fresh_processes"]["rss_mib"],
            r["fresh_processes"]["peak_mib"],
            r["extractOne_WRatio"]["median_ms"],
            r["extractOne_WRatio"]["p99_ms"],
            f"{r['engine_speedup_vs_extractOne']}x",
            r["difflib"]["median_ms"],
        )
        for r in results
    ]
    headers = (
        "knowledge base", "entries", "phrasings", "index build s", "index MiB",
        "engine median ms", "engine p99 ms", "engine q/s", "fresh p99 ms", "fresh p99 range",
        "RSS MiB", "peak RSS MiB",
        "extractOne median ms", "extractOne p99 ms", "engine speed-up", "difflib median ms",
    )  # fmt: skip
    print(table(headers, rows))
    write_json(args.json, {"benchmark": "matching_speed", "results": results})


if __name__ == "__main__":
    main()
