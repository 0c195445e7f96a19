"""The 90-day schedule as printed: weeks that repeat the same routine become one row.

Pure: the weeks of ``schedule.starter_schedule`` in, rows out. A week is routine when
nothing starts in it and no one-off work is under way; consecutive routine weeks with the
same tasks, times and posts are printed once (« Semaines 6 à 12 »). A review falling in
such a stretch is kept, with its week number, in the grouped row.
"""

from typing import Any


def routine_rows(weeks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``{first, last, starts, tasks, hours, reviews}`` rows; ``first == last`` for one week."""
    rows: list[dict[str, Any]] = []
    for week in weeks:
        reviews = [dict(t, week=week["week"]) for t in week["tasks"] if t.get("review")]
        signature = _routine_signature(week)
        previous = rows[-1] if rows else None
        if (
            previous is not None
            and signature is not None
            and previous["signature"] == signature
            and previous["last"] == week["week"] - 1
        ):
            previous["last"] = week["week"]
            previous["reviews"] += reviews
            continue
        rows.append(
            {
                "first": week["week"],
                "last": week["week"],
                "starts": week.get("starts"),
                "tasks": [t for t in week["tasks"] if not t.get("review")],
                "hours": week["hours"],
                "reviews": reviews,
                "signature": signature,
            }
        )
    for row in rows:
        if row["first"] == row["last"]:
            # A single week keeps its reviews among its tasks, where they always were.
            row["tasks"] += row["reviews"]
            row["reviews"] = []
        del row["signature"]
    return rows


def _routine_signature(week: dict[str, Any]) -> tuple | None:
    """What makes two weeks the same routine, or None when something starts or is one-off."""
    tasks = [t for t in week["tasks"] if not t.get("review")]
    if not tasks or any(t.get("new") or t.get("once") for t in tasks):
        return None
    return tuple((t["id"], t.get("posts"), round(t["hours"] * 60)) for t in tasks)
