"""What admins read about use: statistics, unanswered questions and feedback.

One set of figures, three shapes: text (for /stats and the terminal), JSON and CSV (for
review in a spreadsheet). Plain Python over the store's results; no Telegram here.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from rapidfuzz import fuzz

from bot.knowledge import KnowledgeBase
from bot.store import Stats, Store, UnansweredRow

SIMILAR = 85.0  # rapidfuzz token_set_ratio at which two unanswered questions are one


@dataclass(frozen=True)
class UnansweredGroup:
    """Near-identical questions that got no confident answer, and the entry they came closest to."""

    question: str
    count: int
    closest_id: str | None
    variants: tuple[str, ...]
    row_id: int  # a stored question of the group, for "add as a phrasing" buttons


@dataclass(frozen=True)
class Report:
    stats: Stats
    unanswered: tuple[UnansweredGroup, ...]


def build_report(store: Store, days: int) -> Report:
    return Report(store.stats(days), tuple(group_unanswered(store.unanswered(days), limit=20)))


@dataclass
class _Group:
    first: UnansweredRow
    count: int
    closest: dict[str | None, int]
    variants: list[str]


def group_unanswered(
    rows: Sequence[UnansweredRow], limit: int = 10, similarity: float = SIMILAR
) -> list[UnansweredGroup]:
    """The same question typed a little differently is one item for an admin to act on, counted
    once with all its askers; the closest entry is the one most of them came nearest to."""
    groups: list[_Group] = []
    for row in rows:
        home = next(
            (
                g
                for g in groups
                if fuzz.token_set_ratio(row.question, g.first.question) >= similarity
            ),
            None,
        )
        if home is None:
            groups.append(_Group(row, row.times, {row.closest_id: row.times}, [row.question]))
            continue
        home.count += row.times
        home.closest[row.closest_id] = home.closest.get(row.closest_id, 0) + row.times
        if row.question not in home.variants:
            home.variants.append(row.question)
    groups.sort(key=lambda g: (-g.count, g.first.question))
    return [
        UnansweredGroup(
            question=g.first.question,
            count=g.count,
            closest_id=max(g.closest.items(), key=lambda kv: (kv[1], kv[0] or ""))[0],
            variants=tuple(g.variants),
            row_id=g.first.row_id,
        )
        for g in groups[:limit]
    ]


def _title(kb: KnowledgeBase | None, entry_id: str | None) -> str:
    if entry_id is None:
        return "nothing close"
    entry = kb.get(entry_id) if kb else None
    return entry.title if entry else entry_id


def stats_text(stats: Stats, kb: KnowledgeBase | None = None) -> str:
    lines = [
        f"Last {stats.days} days: {stats.questions} question{'' if stats.questions == 1 else 's'}, "
        f"{stats.confident_share:.0%} answered confidently.",
        "",
        "Questions per day:",
        *(f"  {day}  {count}" for day, count in stats.per_day[-14:]),
        "",
        "Most asked:",
        *(f"  {count:>4}  {_title(kb, entry)}" for entry, count in stats.most_asked),
    ]
    if stats.most_disliked:
        lines += [
            "",
            "Most 👎:",
            *(f"  {count:>4}  {_title(kb, entry)}" for entry, count in stats.most_disliked),
        ]
    if not stats.questions:
        lines[2:] = ["", "Nobody has asked anything in that period."]
    return "\n".join(lines)


def unanswered_text(groups: tuple[UnansweredGroup, ...], kb: KnowledgeBase | None = None) -> str:
    if not groups:
        return "No unanswered questions in that period."
    lines = ["Most frequent questions without a confident answer:"]
    for number, group in enumerate(groups, 1):
        lines.append(
            f"{number}. \u201c{group.question}\u201d \u00d7{group.count}"
            f" (closest: {_title(kb, group.closest_id)})"
        )
    return "\n".join(lines)


def report_text(report: Report, kb: KnowledgeBase | None = None) -> str:
    return stats_text(report.stats, kb) + "\n\n" + unanswered_text(report.unanswered, kb)


def report_json(report: Report) -> str:
    return json.dumps(asdict(report), ensure_ascii=False, indent=2)


def report_csv(report: Report) -> str:
    """One table: a `section` column tells per-day counts, entries, votes and unanswered apart."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "key", "count", "up", "down", "closest_id"])
    for day, count in report.stats.per_day:
        writer.writerow(["per_day", day, count, "", "", ""])
    for entry, count in report.stats.most_asked:
        writer.writerow(["most_asked", entry, count, "", "", ""])
    for entry, up, down in report.stats.votes:
        writer.writerow(["votes", entry, up + down, up, down, ""])
    for group in report.unanswered:
        writer.writerow(["unanswered", group.question, group.count, "", "", group.closest_id or ""])
    return out.getvalue()
