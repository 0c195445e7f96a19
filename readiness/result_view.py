"""What the result page shows first and once: this week, the 90 days, score changes, sources.

Pure: a rules result and the declared hours in, plain data out, for the page's template.
"""

from typing import Any

from readiness.schedule import starter_schedule

THIS_WEEK_MAX = 3


def this_week(result: dict[str, Any], weeks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At most three tasks, in the plan's priority order, each with its time this week.

    The first week of the 90 days when it holds work; otherwise (no hours declared) the first
    ``now`` actions of the plan, which take no weekly time.
    """
    first = [t for t in (weeks[0]["tasks"] if weeks else []) if not t["review"]]
    rank = {a["id"]: i for i, a in enumerate(result.get("actions", []))}
    first.sort(key=lambda t: rank.get(t["id"], len(rank)))
    if first:
        return [
            {"title": t["title"], "hours": t["hours"], "once": t.get("once", False)}
            for t in first[:THIS_WEEK_MAX]
        ]
    now = [a for a in result.get("actions", []) if a["horizon"] == "now"]
    return [
        {
            "title": a["title"],
            "hours": a.get("hours_once") or a["hours_per_week"],
            "once": bool(a.get("hours_once")),
        }
        for a in now[:THIS_WEEK_MAX]
    ]


def ninety_days(result: dict[str, Any], hours_per_week: float) -> list[dict[str, Any]]:
    """The 13 weeks of the starter schedule, each with what starts that week."""
    weeks = starter_schedule(result, hours_per_week)
    return [dict(week, starting=[t for t in week["tasks"] if t["new"]]) for week in weeks]


def score_changes(scores: dict[str, int], saved: dict[str, int]) -> dict[str, int]:
    """Each dimension's change from the saved result (simulation minus saved)."""
    return {key: scores[key] - saved.get(key, scores[key]) for key in scores}


def cited_sources(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Every piece of evidence the plan and the misconceptions cite, once, in order."""
    seen: set[str] = set()
    found = []
    for item in [*result.get("actions", []), *result.get("misconceptions", [])]:
        for evidence in item.get("evidence", []):
            key = evidence.get("id") or evidence.get("text", "")
            if key not in seen:
                seen.add(key)
                found.append(evidence)
    return found
