"""The action plan, the posting cadence and the load, kept within the declared means.

Actions are taken by priority. An action for ``now`` or ``quarter`` stays there only if it
fits in the hours and euros not yet used; otherwise it moves to ``year`` and is listed as
deferred. Publishing takes the hours left when its turn comes. So the load of the
``now`` + ``quarter`` actions never exceeds the declared hours or budget.
"""

from typing import Any

from readiness.rules import explain
from readiness.rules.compiled import Answers, Publishing, Rules

SOON = ("now", "quarter")
HORIZON_ORDER = {"now": 0, "quarter": 1, "year": 2, "long_term": 3}


class _Budget:
    """Minutes per week and euros per month still free."""

    def __init__(self, answers: Answers) -> None:
        self.minutes = self.declared_minutes = answers["hours_per_week"] * 60
        self.eur = self.declared_eur = answers["monthly_budget"]

    def take(self, minutes: int, eur: int) -> bool:
        if minutes > self.minutes or eur > self.eur:
            return False
        self.minutes -= minutes
        self.eur -= eur
        return True


def build(
    rules: Rules, answers: Answers, verdict: str, posting_channels: list[str]
) -> dict[str, Any]:
    """``actions``, ``cadence`` and ``plan_load`` of the result, plus the ids that fired."""
    budget = _Budget(answers)
    planned: list[tuple[int, int, str, dict[str, Any]]] = []
    deferred: list[dict[str, Any]] = []
    publishing = rules.publishing
    cadence = None
    for action in rules.actions:
        if cadence is None and action.priority >= publishing.priority:
            cadence = _publish(rules, answers, verdict, posting_channels, budget, planned)
        if not action.applies(answers) or (action.verdicts and verdict not in action.verdicts):
            continue
        horizon = action.horizon
        if horizon in SOON and not budget.take(action.minutes, action.eur):
            horizon = "year"
            deferred.append({"id": action.id, "title": action.title})
        item = {
            "id": action.id,
            "title": action.title,
            "why": action.why,
            "horizon": horizon,
            "deferred": horizon != action.horizon,
            "hours_per_week": action.minutes / 60,
            "eur_per_month": action.eur,
            "kpi": action.kpi,
            "because": explain.because(action.true_leaves, answers, rules.questions),
            "evidence": [dict(e) for e in action.evidence],
        }
        planned.append((HORIZON_ORDER[horizon], action.priority, action.id, item))
    if cadence is None:
        cadence = _publish(rules, answers, verdict, posting_channels, budget, planned)
    planned.sort(key=lambda p: p[:3])
    actions = [p[3] for p in planned]
    return {
        "actions": actions,
        "cadence": cadence,
        "plan_load": _load(rules, budget, deferred, actions),
    }


def _publish(
    rules: Rules,
    answers: Answers,
    verdict: str,
    channels: list[str],
    budget: _Budget,
    planned: list[tuple[int, int, str, dict[str, Any]]],
) -> dict[str, Any]:
    """Posts a week: within the hours left, the verdict's limit and 7 at most."""
    publishing: Publishing = rules.publishing
    by_verdict = publishing.max_by_verdict[verdict]
    by_hours = int(budget.minutes // publishing.minutes_per_post)
    posts = min(publishing.max_posts, by_verdict, by_hours) if channels else 0
    reason = _cadence_reason(budget, channels, posts, by_verdict, by_hours, publishing.max_posts)
    minutes = posts * publishing.minutes_per_post
    budget.take(minutes, 0)
    if posts:
        labels = " et ".join(channels)
        planned.append(
            (
                HORIZON_ORDER[publishing.horizon],
                publishing.priority,
                publishing.id,
                {
                    "id": publishing.id,
                    "title": publishing.title.format(posts=posts, channels=labels),
                    "why": publishing.why,
                    "horizon": publishing.horizon,
                    "deferred": False,
                    "hours_per_week": minutes / 60,
                    "eur_per_month": 0,
                    "kpi": publishing.kpi,
                    "because": [
                        explain.answer_entry(
                            "hours_per_week",
                            answers["hours_per_week"],
                            rules.questions["hours_per_week"],
                        )
                    ],
                    "evidence": [dict(e) for e in publishing.evidence],
                },
            )
        )
    return {
        "posts_per_week": posts,
        "hours_per_week": minutes / 60,
        "hours_per_post": publishing.minutes_per_post / 60,
        "channels": channels,
        "reason": publishing.reasons[reason].format(
            posts=posts,
            hours=explain.hours(minutes / 60 if posts else 0),
            per_post=explain.hours(publishing.minutes_per_post / 60),
        ),
    }


def _cadence_reason(
    budget: _Budget, channels: list[str], posts: int, by_verdict: int, by_hours: int, most: int
) -> str:
    if budget.declared_minutes == 0:
        return "no_time"
    if by_verdict == 0:
        return "paused"
    if not channels:
        return "no_channel"
    if posts == 0:
        return "busy"
    if by_hours < min(by_verdict, most):
        return "hours"
    return "verdict" if by_verdict < most else "maximum"


def _load(
    rules: Rules, budget: _Budget, deferred: list[dict[str, Any]], actions: list[dict[str, Any]]
) -> dict[str, Any]:
    used_minutes = budget.declared_minutes - budget.minutes
    used_eur = budget.declared_eur - budget.eur
    amounts = {
        "hours": explain.hours(used_minutes / 60),
        "eur": explain.euros(used_eur),
        "declared_hours": explain.hours(budget.declared_minutes / 60),
        "declared_eur": explain.euros(budget.declared_eur),
    }
    advice = rules.advice
    if budget.declared_minutes == 0:
        text = advice["zero_hours"].format(**amounts)
    elif deferred:
        wanted = {a["id"] for a in deferred}
        extra_minutes = sum(a["hours_per_week"] * 60 for a in actions if a["id"] in wanted)
        extra_eur = sum(a["eur_per_month"] for a in actions if a["id"] in wanted)
        # What is missing beyond what is still free (the whole cost if that is nothing).
        short_minutes = max(0, extra_minutes - budget.minutes)
        short_eur = max(0, extra_eur - budget.eur)
        if not (short_minutes or short_eur):
            short_minutes, short_eur = extra_minutes, extra_eur
        missing = [
            advice["missing_hours"].format(value=explain.hours(short_minutes / 60))
            if short_minutes
            else "",
            advice["missing_eur"].format(value=explain.euros(short_eur)) if short_eur else "",
        ]
        text = advice["deferred"].format(
            **amounts,
            deferred=" ; ".join(f"« {a['title']} »" for a in deferred),
            missing=advice["joiner"].join(m for m in missing if m),
        )
    else:
        text = advice["fits"].format(**amounts)
    return {
        "hours_per_week": used_minutes / 60,
        "eur_per_month": used_eur,
        "declared_hours_per_week": budget.declared_minutes / 60,
        "declared_eur_per_month": budget.declared_eur,
        "fits": not deferred,
        "dropped": [a["id"] for a in deferred],
        "advice": text,
    }
