"""Vos 90 premiers jours: a 13-week starter schedule that never asks more than the hours declared.

Pure: a rules result and the declared hours in, 13 weeks out. The ``now`` and ``quarter``
actions are taken in the order of the plan (by priority: the first is this week's). Each
week, work already under way comes first: weekly actions take their time every week, and
an account the business already runs is fed from week 1. The hours left then go, in plan
order, first to new weekly habits when their time fits (at most ``NEW_HABITS`` a week: a
small business does not change everything at once; more only when the week would
otherwise stay part idle), then to one-off work, which takes
whatever is free and carries on the week after if it needs more. So no week sits idle
while one-off work remains. Publishing that starts from scratch grows by one post a week
up to the cadence.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

NEW_HABITS = 2
REVIEWS = {
    4: "Premier bilan : notez vos indicateurs du mois et ce qui a été fait",
    8: "Point d'étape : ce qui marche, ce qui coince, ce que vous ajustez",
    13: "Bilan des 90 jours : comparez vos indicateurs à ceux du départ et refaites le diagnostic",
}


@dataclass
class _Running:
    action: dict[str, Any]
    first: int
    minutes: int  # weekly minutes, or the one-off minutes still to do
    once: bool
    posts: int | None = None  # publishing: posts this week
    target: int = 0  # publishing: the cadence to grow to
    done_in: int | None = None  # one-off: the week it was finished
    history: dict[int, int] = field(default_factory=dict)  # one-off: minutes per week


def starter_schedule(
    result: dict[str, Any], hours_per_week: float, start: date | None = None
) -> list[dict[str, Any]]:
    """13 weeks of ``{week, starts, tasks, hours, spare}``; never more than ``hours_per_week``."""
    capacity = round(max(hours_per_week, 0) * 60)
    load = result["plan_load"]  # how many weeks, and which horizons they cover
    cadence = result.get("cadence") or {}
    publishing_id = cadence.get("action_id")
    per_post = round((cadence.get("hours_per_post") or 0) * 60)
    queue = [a for h in load["horizons"] for a in result.get("actions", []) if a["horizon"] == h]
    order = {a["id"]: i for i, a in enumerate(queue)}
    weekly: list[_Running] = []
    once: list[_Running] = []
    for action in queue:
        if action["id"] == publishing_id and cadence.get("active") and per_post:
            # An account the business already runs is fed from week 1, before anything new.
            posts = min(cadence.get("posts_per_week") or 0, capacity // per_post)
            if posts:
                running = _Running(action, 1, posts * per_post, once=False, posts=posts)
                running.target = posts
                weekly.append(running)
                queue.remove(action)
            break
    weeks = []
    for week in range(1, load["weeks"] + 1):
        tasks: list[dict[str, Any]] = []
        used = 0
        # Habits already started; publishing last, growing only into the time left.
        for running in sorted(weekly, key=lambda r: r.posts is not None):
            if running.first > week:
                continue
            if running.posts is not None and running.first < week:
                room = (capacity - used) // per_post
                running.posts = max(0, min(running.target, running.posts + 1, room))
                running.minutes = running.posts * per_post
            used += running.minutes
            tasks.append(_task(running, week, running.minutes))
        habits, blocked = 0, False
        # One-off work still to do: it fills the week, so no extra habit is needed for that.
        pending = sum(r.minutes for r in once if r.done_in is None) + sum(
            round(a.get("hours_once", 0) * 60) for a in queue if a.get("kind") == "once"
        )
        for action in [a for a in queue if a.get("kind") != "once"]:
            is_publishing = action["id"] == publishing_id and per_post > 0
            posts = None
            if is_publishing:
                posts = min(1, cadence.get("posts_per_week") or 0)  # grows a post a week
                minutes = posts * per_post
            else:
                minutes = round(action["hours_per_week"] * 60)
            fits = minutes <= capacity - used and not (minutes and blocked)
            # Past NEW_HABITS, a habit with time starts only if the week would stay part idle.
            too_many = habits >= NEW_HABITS and (used + pending >= capacity or not minutes)
            if too_many or not fits or (is_publishing and not posts):
                blocked = blocked or (minutes > 0 and not fits)  # keep the order of time
                continue
            running = _Running(action, week, minutes, once=False, posts=posts)
            running.target = cadence.get("posts_per_week") or 0
            habits += 1
            used += minutes
            weekly.append(running)
            tasks.append(_task(running, week, minutes))
            queue.remove(action)
        # One-off work takes the time left: what is under way, then the next in order.
        for running in once:
            if running.done_in is None and running.first < week:
                used += _progress(running, week, capacity - used)
                tasks.append(_task(running, week, running.history.get(week, 0)))
        for action in [a for a in queue if a.get("kind") == "once"]:
            minutes = round(action.get("hours_once", 0) * 60)
            if minutes and used >= capacity:
                break
            running = _Running(action, week, minutes, once=True)
            used += _progress(running, week, capacity - used)
            once.append(running)
            tasks.append(_task(running, week, running.history.get(week, 0)))
            queue.remove(action)
        tasks.sort(key=lambda t: order[t["id"]])  # in plan order: the first is done first
        if week in REVIEWS:
            # Done in the usual weekly slot: a review adds no time of its own.
            tasks.append(
                {
                    "id": f"review_{week}",
                    "title": REVIEWS[week],
                    "hours": 0,
                    "posts": None,
                    "new": True,
                    "review": True,
                    "once": False,
                    "done": False,
                }
            )
        hours = sum(t["hours"] for t in tasks)
        weeks.append(
            {
                "week": week,
                "starts": start + timedelta(weeks=week - 1) if start else None,
                "tasks": tasks,
                "hours": hours,
                "spare": max(capacity / 60 - hours, 0),
            }
        )
    return weeks


def _progress(running: _Running, week: int, free: int) -> int:
    """Work on a one-off task with the minutes free this week; the minutes spent."""
    spent = max(0, min(running.minutes, free))
    running.minutes -= spent
    running.history[week] = spent
    if running.minutes == 0:
        running.done_in = week
    return spent


def _task(running: _Running, week: int, minutes: int) -> dict[str, Any]:
    action = running.action
    return {
        "id": action["id"],
        "title": action["title"],
        "hours": minutes / 60,
        "new": running.first == week,
        "posts": running.posts,
        "review": False,
        "once": running.once,
        # A one-off task: whether it is finished this week (else it goes on next week).
        "done": running.once and running.done_in == week,
    }


def delegable_actions(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The actions of the next three months that take none of the owner's time."""
    return [
        a
        for a in result.get("actions", [])
        if a["horizon"] in result["plan_load"]["horizons"]
        and round(a["hours_per_week"] * 60) == 0
        and round(a.get("hours_once", 0) * 60) == 0
    ]
