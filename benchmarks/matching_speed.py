"""Matching speed: the engine against plain rapidfuzz extractOne and difflib, side by side.

    python -m benchmarks.matching_speed [--sizes 1000 10000 50000] [--queries 300] [--json PATH]

For the bundled knowledge base and for generated ones, it measures per-question latency
(median, p99), questions per second, the time to build the index and the memory the index
takes (tracemalloc, in a separate build so it does not slow the timed one). The same
questions then go through `rapidfuzz.process.extractOne` with WRatio over every phrasing,
and through `difflib.get_close_matches` (on fewer questions: it is slow).
"""

from __future__ import annotations

import difflib
import gc
import time
import tracemalloc

from rapidfuzz import fuzz, process, utils

from benchmarks.common import (
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


def measure(name: str, kb: KnowledgeBase, queries: list[str], difflib_queries: int) -> dict:
    matcher, build_s, memory = build(kb)
    engine = summary_ms(latencies(matcher.match, queries))
    choices = phrasings_of(kb)
    processed = [utils.default_process(c) for c in choices]

    def extract_one(query: str) -> object:
        return process.extractOne(
            utils.default_process(query), processed, scorer=fuzz.WRatio, processor=None
        )

    plain = summary_ms(latencies(extract_one, queries))
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
        "extractOne_WRatio": plain,
        "difflib": {**slow, "questions": min(difflib_queries, len(queries))},
        "engine_speedup_vs_extractOne": round(plain["median_ms"] / engine["median_ms"], 1),
        "engine_p99_speedup_vs_extractOne": round(plain["p99_ms"] / engine["p99_ms"], 1),
    }


def main() -> None:
    parser = arguments(__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 50000])
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    base = bundled()
    results = []
    bundled_queries = synthetic_queries(base, len(base.entries), args.queries)
    bundled_queries = [q.rsplit(" in ", 1)[0] for q in bundled_queries]
    results.append(measure("bundled", base, bundled_queries, difflib_queries=args.queries))
    for size in args.sizes:
        kb = synthetic_kb(base, size)
        queries = synthetic_queries(base, size, args.queries)
        slow_queries = 20 if size <= 1000 else 3  # difflib takes seconds per question here
        results.append(measure(f"generated {size:,}", kb, queries, difflib_queries=slow_queries))
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
            r["extractOne_WRatio"]["median_ms"],
            r["extractOne_WRatio"]["p99_ms"],
            f"{r['engine_speedup_vs_extractOne']}x",
            r["difflib"]["median_ms"],
        )
        for r in results
    ]
    headers = (
        "knowledge base", "entries", "phrasings", "index build s", "index MiB",
        "engine median ms", "engine p99 ms", "engine q/s",
        "extractOne median ms", "extractOne p99 ms", "engine speed-up", "difflib median ms",
    )  # fmt: skip
    print(table(headers, rows))
    write_json(args.json, {"benchmark": "matching_speed", "results": results})


if __name__ == "__main__":
    main()
