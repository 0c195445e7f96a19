"""The action plan, the posting cadence and the load, kept within the declared means.

Actions are taken by priority. An action for ``now`` or ``quarter`` stays there only if it
fits in the hours and euros not yet used; otherwise it moves to ``year`` and is listed as
deferred. Publishing reserves its first posts when its priority comes, and takes what is
left once every action is placed. So the load of the ``now`` + ``quarter`` actions never
exceeds the declared hours or budget.
"""

from typing import Any

from readiness.formatting import fr_euros, fr_hours
from readiness.rules import explain
from readiness.rules.compiled import Answers, Publishing, Rules

SOON = ("now", "quarter")
HORIZON_ORDER = {"now": 0, "quarter": 1, "year": 2, "long_term": 3}


class _Budget:
    """Minutes per week and euros per month still free."""

    def __init__(self, answers: Answers) -> None:
        self.minutes = self.declared_minutes = round(answers["hours_per_week"] * 60)
        self.eur = self.declared_eur = answers["monthly_budget"]

    def take(self, minutes: int, eur: int) -> bool:
        if minutes > self.minutes or eur > self.eur:
            return False
        self.minutes -= minutes
        self.eur -= eur
        return True

    def posts(self, wanted: int, minutes_per_post: int) -> int:
        """Take the time of up to ``wanted`` posts; how many fitted."""
        fitted = max(0, min(wanted, self.minutes // minutes_per_post))
        self.minutes -= fitted * minutes_per_post
        return fitted


def build(
    rules: Rules,
    answers: Answers,
    verdict: str,
    posting_channels: list[tuple[str, str]],
    network_fits: bool,
) -> dict[str, Any]:
    """``actions``, ``cadence`` and ``plan_load`` of the result.

    ``posting_channels``: the primary channels to publish on, as (id, name in a sentence);
    ``network_fits``: whether some network to publish on fits, primary or not.
    """
    budget = _Budget(answers)
    publishing = rules.publishing
    ceiling = min(publishing.max_posts, publishing.max_by_verdict[verdict])
    if not posting_channels:
        ceiling = 0
    planned: list[tuple[int, int, str, dict[str, Any]]] = []
    deferred: list[dict[str, Any]] = []
    reserved = None
    for action in rules.actions:
        if reserved is None and action.priority >= publishing.priority:
            reserved = budget.posts(min(ceiling, publishing.reserve_posts), publishing.minutes)
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
    if reserved is None:
        reserved = budget.posts(min(ceiling, publishing.reserve_posts), publishing.minutes)
    posts = reserved + budget.posts(ceiling - reserved, publishing.minutes)
    if posts:
        item = _publishing_action(rules, answers, posts, posting_channels)
        planned.append((HORIZON_ORDER[publishing.horizon], publishing.priority, item["id"], item))
    planned.sort(key=lambda p: p[:3])
    actions = [p[3] for p in planned]
    return {
        "actions": actions,
        "cadence": _cadence(rules, verdict, budget, posting_channels, posts, network_fits),
        "plan_load": _load(rules, budget, deferred, actions),
    }


def _publishing_action(
    rules: Rules, answers: Answers, posts: int, channels: list[tuple[str, str]]
) -> dict[str, Any]:
    publishing: Publishing = rules.publishing
    return {
        "id": publishing.id,
        "title": publishing.title.format(
            posts=posts, channels=" et ".join(name for _, name in channels)
        ),
        "why": publishing.why,
        "horizon": publishing.horizon,
        "deferred": False,
        "hours_per_week": posts * publishing.minutes / 60,
        "eur_per_month": 0,
        "kpi": publishing.kpi,
        "because": [
            explain.answer_entry(
                "hours_per_week", answers["hours_per_week"], rules.questions["hours_per_week"]
            )
        ],
        "evidence": [dict(e) for e in publishing.evidence],
    }


def _cadence(
    rules: Rules,
    verdict: str,
    budget: _Budget,
    channels: list[tuple[str, str]],
    posts: int,
    network_fits: bool,
) -> dict[str, Any]:
    """Posts a week and why that many: no time, paused, no channel, busy, or a limit."""
    publishing = rules.publishing
    by_verdict = publishing.max_by_verdict[verdict]
    if budget.declared_minutes == 0:
        reason = "no_time"
    elif by_verdict == 0:
        reason = "paused"
    elif not channels and not network_fits:
        reason = "no_channel"
    elif posts == 0:
        reason = "busy"
    elif posts < min(by_verdict, publishing.max_posts):
        reason = "hours"
    else:
        reason = "verdict" if by_verdict < publishing.max_posts else "maximum"
    hours = posts * publishing.minutes / 60
    return {
        "posts_per_week": posts,
        "hours_per_week": hours,
        "hours_per_post": publishing.minutes / 60,
        "channels": [channel_id for channel_id, _ in channels],
        "reason_id": reason,
        "reason": publishing.reasons[reason].format(
            posts=posts,
            hours=fr_hours(hours),
            per_post=fr_hours(publishing.minutes / 60),
        ),
    }


def _load(
    rules: Rules, budget: _Budget, deferred: list[dict[str, Any]], actions: list[dict[str, Any]]
) -> dict[str, Any]:
    used_minutes = budget.declared_minutes - budget.minutes
    used_eur = budget.declared_eur - budget.eur
    amounts = {
        "hours": fr_hours(used_minutes / 60),
        "eur": fr_euros(used_eur),
        "declared_hours": fr_hours(budget.declared_minutes / 60),
        "declared_eur": fr_euros(budget.declared_eur),
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
            advice["missing_hours"].format(value=fr_hours(short_minutes / 60))
            if short_minutes
            else "",
            advice["missing_eur"].format(value=fr_euros(short_eur)) if short_eur else "",
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
