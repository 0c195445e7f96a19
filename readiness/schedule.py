"""Vos 90 premiers jours: a 13-week starter schedule that never asks more than the hours declared.

Pure: a rules result and the declared hours in, 13 weeks out. The ``now`` actions start over
the first month, the ``quarter`` ones from the second; each action, once started, takes its
weekly time every week after. An action starts in the first week, from its target, where its
time fits beside the ones already running. Publishing starts at one post a week and
adds one a week up to the recommended cadence, once the groundwork is under way.
"""

from datetime import date, timedelta
from typing import Any

WEEKS = 13
# Several new things a week at most: a small business does not start everything at once.
NEW_PER_WEEK = 2
FIRST_WEEK = {"now": 1, "quarter": 5}
PUBLISHING_ID = "publish_regularly"  # the publishing action of content/actions.yaml
RAMP_WEEKS = 1  # one more post a week every RAMP_WEEKS weeks
REVIEWS = {
    4: "Premier bilan : notez vos indicateurs du mois et ce qui a été fait",
    8: "Point d'étape : ce qui marche, ce qui coince, ce que vous ajustez",
    13: "Bilan des 90 jours : comparez vos indicateurs à ceux du départ et refaites le diagnostic",
}


def starter_schedule(
    result: dict[str, Any], hours_per_week: float, start: date | None = None
) -> list[dict[str, Any]]:
    """13 weeks of ``{week, starts, tasks, hours, spare}``; never more than ``hours_per_week``."""
    capacity = round(max(hours_per_week, 0) * 60)
    used = [0] * (WEEKS + 1)  # minutes per week, index 1..13
    running: list[tuple[int, dict[str, Any], list[tuple[int, int | None]]]] = []
    for action, target in _targets(result):
        profile = _profile(action, result)
        week = _first_fit(profile, target, used, capacity)
        if week is None:
            continue
        for w in range(week, WEEKS + 1):
            used[w] += profile[w - week][0]
        running.append((week, action, profile))
    return [_week(w, running, capacity, start) for w in range(1, WEEKS + 1)]


def delegable_actions(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The actions of the next three months that take none of the owner's weekly time."""
    return [
        a
        for a in result.get("actions", [])
        if a["horizon"] in FIRST_WEEK and round(a["hours_per_week"] * 60) == 0
    ]


def _targets(result: dict[str, Any]) -> list[tuple[dict[str, Any], int]]:
    """Each ``now`` / ``quarter`` action with the week it should start, spread out."""
    targets = []
    for horizon, first in FIRST_WEEK.items():
        actions = [a for a in result.get("actions", []) if a["horizon"] == horizon]
        span = 4 if horizon == "now" else 8  # the first month, or the two after it
        per_week = max(NEW_PER_WEEK, -(-len(actions) // span))
        targets += [(a, first + i // per_week) for i, a in enumerate(actions)]
    return targets


def _profile(action: dict[str, Any], result: dict[str, Any]) -> list[tuple[int, int | None]]:
    """(minutes, posts or None) for each week from the start week on."""
    minutes = round(action["hours_per_week"] * 60)
    posts = (result.get("cadence") or {}).get("posts_per_week") or 0
    if action["id"] != PUBLISHING_ID or posts == 0:
        return [(minutes, None)] * WEEKS
    ramp = [min(posts, 1 + i // RAMP_WEEKS) for i in range(WEEKS)]
    return [(minutes * n // posts, n) for n in ramp]


def _first_fit(profile, target: int, used: list[int], capacity: int) -> int | None:
    """The first week from ``target`` where the action fits every week until the end."""
    for week in range(target, WEEKS + 1):
        if all(used[w] + profile[w - week][0] <= capacity for w in range(week, WEEKS + 1)):
            return week
    return None


def _week(week: int, running, capacity: int, start: date | None) -> dict[str, Any]:
    tasks = []
    for first, action, profile in running:
        if first <= week:
            minutes, posts = profile[week - first]
            task = {"id": action["id"], "title": action["title"], "hours": minutes / 60}
            task.update(new=first == week, posts=posts, review=False)
            tasks.append(task)
    hours = sum(t["hours"] for t in tasks)
    if week in REVIEWS:
        # Done in the usual weekly slot: a review adds no time of its own.
        review = {"id": f"review_{week}", "title": REVIEWS[week], "hours": 0, "posts": None}
        tasks.append(dict(review, new=True, review=True))
    return {
        "week": week,
        "starts": start + timedelta(weeks=week - 1) if start else None,
        "tasks": tasks,
        "hours": hours,
        "spare": max(capacity / 60 - hours, 0),
    }
