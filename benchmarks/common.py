"""Shared parts of the benchmarks: the evaluation sets, synthetic knowledge bases, timing, tables.

Benchmarks are scripts, not tests: each prints a table and, with --json PATH, writes its
figures. Run them from the repository root, e.g. `python -m benchmarks.matching_speed`.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from bot.config import default_knowledge_dir
from bot.evaluation import Case, load_cases
from bot.knowledge import Entry, KnowledgeBase, load_knowledge

ROOT = Path(__file__).resolve().parent.parent
EVAL_SETS = {
    "dev": ROOT.parent / "shared" / "eval" / "dev.yaml",
    "own": ROOT / "tests" / "eval" / "own.yaml",
    "independent": ROOT / "tests" / "eval" / "independent.yaml",
}
_SYLLABLES = ("ka", "ro", "mi", "tan", "pur", "ga", "nel", "vi", "sha", "dor", "lu", "bha")


def bundled() -> KnowledgeBase:
    return load_knowledge(default_knowledge_dir())


def eval_cases() -> dict[str, list[Case]]:
    return {name: load_cases(path) for name, path in EVAL_SETS.items() if path.exists()}


def place_name(number: int) -> str:
    """A made-up district name per number ("kamitan"): the word that tells variants apart."""
    parts = []
    number += len(_SYLLABLES)
    while number:
        number, digit = divmod(number, len(_SYLLABLES))
        parts.append(_SYLLABLES[digit])
    return "".join(parts)


def synthetic_kb(
    base: KnowledgeBase, size: int, phrasings: int = 10, seed: int = 7
) -> KnowledgeBase:
    """`size` rule entries made by varying the real ones: the same situation in another
    district, about ten phrasings each, with the real vocabulary (synonyms, filler words)."""
    rng = random.Random(seed)
    rules = base.of_kind("rule")
    entries: list[Entry] = list(base.of_kind("concern"))
    for number in range(size - len(entries)):
        source = rules[number % len(rules)]
        place = place_name(number)
        questions = rng.sample(source.questions, min(phrasings, len(source.questions)))
        entries.append(
            replace(
                source,
                id=f"{source.id}-{number}",
                title=f"{source.title} in {place}",
                questions=tuple(f"{q.rstrip('?')} in {place}?" for q in questions),
                keywords=(*source.keywords[:3], place),
                related=(),
                aliases=(),
            )
        )
    by_id = {e.id: e for e in entries}
    return KnowledgeBase(tuple(entries), base.synonyms, base.ignore, by_id, base.off_topic)


def synthetic_queries(base: KnowledgeBase, size: int, count: int, seed: int = 11) -> list[str]:
    """Questions from the evaluation sets, each aimed at one district's variant."""
    rng = random.Random(seed)
    questions = [c.q for cases in eval_cases().values() for c in cases if c.expect]
    variants = max(size - len(base.of_kind("concern")), 1)
    return [
        f"{rng.choice(questions)} in {place_name(rng.randrange(variants))}" for _ in range(count)
    ]


def latencies(function: Callable[[str], Any], queries: Sequence[str]) -> list[float]:
    """Seconds per call, after one warm-up call."""
    function(queries[0])
    timings = []
    for query in queries:
        start = time.perf_counter()
        function(query)
        timings.append(time.perf_counter() - start)
    return timings


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary_ms(values: Sequence[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values) * 1000, 3),
        "p99_ms": round(percentile(values, 0.99) * 1000, 3),
        "per_second": round(len(values) / sum(values), 1) if sum(values) else 0.0,
    }


def machine() -> dict[str, Any]:
    import os

    return {
        "date": date.today().isoformat(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "system": platform.system(),
    }


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table, so the output pastes straight into benchmarks/README.md."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    return parser


def write_json(path: Path | None, figures: dict[str, Any]) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"machine": machine(), **figures}, indent=2) + "\n")
