"""The action plan, the posting cadence and the load, kept within the declared means.

Actions are taken by priority (an action's ``boosts`` may raise it for some businesses:
a neighbourhood business starts with its Google profile and its reviews). An action for
``now`` or ``quarter`` stays there only if it fits in the time and euros not yet used;
otherwise it moves to ``year`` and is listed as deferred. Weekly work takes its time every
week of the quarter; one-off work takes its time once. Publishing reserves its first posts
when its priority comes (first of all when the business already runs an account on a
recommended network: that account is never paused), and takes what is left once every
action is placed. So the load of the ``now`` + ``quarter`` actions never exceeds the
declared hours (each week, and over the quarter) or budget.
"""

from typing import Any

from readiness.formatting import fr_euros, fr_hours
from readiness.rules import evidence as citing
from readiness.rules import explain
from readiness.rules.compiled import Action, Answers, Publishing, Rules
from readiness.rules.schema import HORIZONS

SOON = HORIZONS[:2]  # now, quarter: the three months the plan charges
HORIZON_ORDER = {h: i for i, h in enumerate(HORIZONS)}


class _Budget:
    """Minutes per week, minutes over the quarter and euros per month still free."""

    def __init__(self, answers: Answers, weeks: int) -> None:
        self.weeks = weeks
        self.minutes = self.declared_minutes = round(answers["hours_per_week"] * 60)
        self.pool = self.declared_minutes * weeks
        self.eur = self.declared_eur = answers["monthly_budget"]
        self.once = 0  # one-off minutes taken

    def take(self, weekly: int, once: int, eur: int) -> bool:
        quarter = weekly * self.weeks + once
        if weekly > self.minutes or quarter > self.pool or eur > self.eur:
            return False
        self.minutes -= weekly
        self.pool -= quarter
        self.eur -= eur
        self.once += once
        return True

    def posts(self, wanted: int, minutes_per_post: int) -> int:
        """Take the time of up to ``wanted`` posts a week; how many fitted."""
        fitted = min(
            wanted, self.minutes // minutes_per_post, self.pool // (minutes_per_post * self.weeks)
        )
        fitted = max(0, fitted)
        self.minutes -= fitted * minutes_per_post
        self.pool -= fitted * minutes_per_post * self.weeks
        return fitted


def build(
    rules: Rules,
    answers: Answers,
    verdict: str,
    posting_channels: list[tuple[str, str]],
    network_fits: bool,
    active_channels: tuple[str, ...] = (),
) -> dict[str, Any]:
    """``actions``, ``principles``, ``cadence`` and ``plan_load`` of the result.

    ``posting_channels``: the primary channels to publish on, as (id, name in a sentence);
    ``network_fits``: whether some network to publish on fits, primary or not;
    ``active_channels``: those of the posting channels the business already runs.
    """
    budget = _Budget(answers, rules.weeks)
    fits = citing.audiences(rules, answers)
    publishing = rules.publishing
    active = bool(active_channels) and bool(posting_channels) and budget.declared_minutes > 0
    ceiling = min(publishing.max_posts, publishing.max_by_verdict[verdict])
    if active:
        ceiling = max(ceiling, 1)  # an account already running is kept alive
    if not posting_channels:
        ceiling = 0
    publish_priority = publishing.active_priority if active else publishing.priority
    publish_horizon = HORIZONS[0] if active else publishing.horizon

    chosen = []
    for action in rules.actions:
        if not action.applies(answers) or (action.verdicts and verdict not in action.verdicts):
            continue
        priority, horizon = action.priority, action.horizon
        for boost in action.boosts:
            if boost.applies(answers):
                priority, horizon = boost.priority, boost.horizon or horizon
                break
        chosen.append((priority, action.id, action, horizon))
    chosen.sort(key=lambda c: c[:2])

    planned: list[tuple[int, int, str, dict[str, Any]]] = []
    principles: list[dict[str, Any]] = []
    deferred: list[tuple[Action, dict[str, Any]]] = []
    reserved = None
    for priority, _, action, horizon in chosen:
        if reserved is None and priority >= publish_priority:
            reserved = budget.posts(min(ceiling, publishing.reserve_posts), publishing.minutes)
        texts = _texts(action, answers)
        because = explain.because(action.true_leaves, answers, rules.questions)
        evidence = citing.applicable(action.evidence, fits)
        if action.principle:
            principles.append({"id": action.id, **texts, "because": because, "evidence": evidence})
            continue
        target = horizon
        if horizon in SOON and not budget.take(action.minutes, action.once_minutes, action.eur):
            horizon = "year"
        item = {
            "id": action.id,
            **texts,
            "priority": priority,
            "horizon": horizon,
            "deferred": horizon != target,
            "kind": "once" if action.once_minutes else "weekly",
            "hours_per_week": action.minutes / 60,
            "hours_once": action.once_minutes / 60,
            "eur_per_month": action.eur,
            "because": because,
            "evidence": evidence,
        }
        if item["deferred"]:
            deferred.append((action, item))
        planned.append((HORIZON_ORDER[horizon], priority, action.id, item))
    if reserved is None:
        reserved = budget.posts(min(ceiling, publishing.reserve_posts), publishing.minutes)
    posts = reserved + budget.posts(ceiling - reserved, publishing.minutes)
    scope = _scope(publishing, posting_channels)
    if posts:
        item = _publishing_action(rules, answers, posts, scope, publish_horizon, active)
        item["priority"] = publish_priority
        item["evidence"] = citing.applicable(publishing.evidence, fits)
        planned.append((HORIZON_ORDER[publish_horizon], publish_priority, item["id"], item))
    planned.sort(key=lambda p: p[:3])
    return {
        "actions": [p[3] for p in planned],
        "principles": principles,
        "cadence": _cadence(
            rules, verdict, budget, posting_channels, posts, network_fits, active, scope
        ),
        "plan_load": _load(rules, budget, deferred),
    }


def _texts(action: Action, answers: Answers) -> dict[str, str]:
    """Title, why and KPI, from the first variant that fits this business."""
    texts = {"title": action.title, "why": action.why, "kpi": action.kpi}
    for variant in action.variants:
        if variant.applies(answers):
            return texts | dict(variant.texts)
    return texts


def _names(channels: list[tuple[str, str]]) -> str:
    names = [name for _, name in channels]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


def _scope(publishing: Publishing, channels: list[tuple[str, str]]) -> str:
    if not channels:
        return ""
    template = publishing.scope_one if len(channels) == 1 else publishing.scope_several
    return template.format(channels=_names(channels))


def _publishing_action(
    rules: Rules, answers: Answers, posts: int, scope: str, horizon: str, active: bool
) -> dict[str, Any]:
    publishing: Publishing = rules.publishing
    return {
        "id": publishing.id,
        "title": publishing.title.format(posts=posts, scope=scope),
        "why": publishing.why,
        "horizon": horizon,
        "deferred": False,
        "kind": "weekly",
        "active": active,
        "hours_per_week": posts * publishing.minutes / 60,
        "hours_once": 0.0,
        "eur_per_month": 0,
        "kpi": publishing.kpi,
        "because": [
            explain.answer_entry(
                "hours_per_week", answers["hours_per_week"], rules.questions["hours_per_week"]
            )
        ],
        "evidence": [],
    }


def _cadence(
    rules: Rules,
    verdict: str,
    budget: _Budget,
    channels: list[tuple[str, str]],
    posts: int,
    network_fits: bool,
    active: bool,
    scope: str,
) -> dict[str, Any]:
    """Posts a week and why that many: no time, paused, no channel, busy, or a limit."""
    publishing = rules.publishing
    by_verdict = publishing.max_by_verdict[verdict]
    if budget.declared_minutes == 0:
        reason = "no_time"
    elif by_verdict == 0 and not active:
        reason = "paused"
    elif not channels and not network_fits:
        reason = "no_channel"
    elif posts == 0:
        reason = "busy"
    elif active and by_verdict == 0:
        reason = "active"
    elif posts < min(by_verdict, publishing.max_posts):
        reason = "hours"
    else:
        reason = "verdict" if by_verdict < publishing.max_posts else "maximum"
    hours = posts * publishing.minutes / 60
    return {
        "posts_per_week": posts,
        "hours_per_week": hours,
        "hours_per_post": publishing.minutes / 60,
        "action_id": publishing.id,
        "channels": [channel_id for channel_id, _ in channels],
        # Posts are counted in all, across the channels: « en tout » when several.
        "per": "network" if len(channels) == 1 else "all",
        "scope": scope,
        "active": active,
        "reason_id": reason,
        "reason": publishing.reasons[reason].format(
            posts=posts,
            hours=fr_hours(hours),
            per_post=fr_hours(publishing.minutes / 60),
            channels=_names(channels) if channels else "",
        ),
    }


def _load(
    rules: Rules, budget: _Budget, deferred: list[tuple[Action, dict[str, Any]]]
) -> dict[str, Any]:
    used_minutes = budget.declared_minutes - budget.minutes
    used_eur = budget.declared_eur - budget.eur
    advice = rules.advice
    amounts = {
        "hours": fr_hours(used_minutes / 60),
        "eur": fr_euros(used_eur),
        "declared_hours": fr_hours(budget.declared_minutes / 60),
        "declared_eur": fr_euros(budget.declared_eur),
        "once": advice["once"].format(value=fr_hours(budget.once / 60)) if budget.once else "",
    }
    if budget.declared_minutes == 0:
        text = advice["zero_hours"].format(**amounts)
    elif deferred:
        extra_weekly = sum(a.minutes for a, _ in deferred)
        extra_once = sum(a.once_minutes for a, _ in deferred)
        extra_eur = sum(a.eur for a, _ in deferred)
        # What is missing beyond what is still free (the whole cost if that is nothing).
        short_weekly = max(0, extra_weekly - budget.minutes)
        short_once = max(0, extra_once - max(0, budget.pool - extra_weekly * budget.weeks))
        short_eur = max(0, extra_eur - budget.eur)
        if not (short_weekly or short_once or short_eur):
            short_weekly, short_once, short_eur = extra_weekly, extra_once, extra_eur
        missing = [
            advice["missing_hours"].format(value=fr_hours(short_weekly / 60))
            if short_weekly
            else "",
            advice["missing_once"].format(value=fr_hours(short_once / 60)) if short_once else "",
            advice["missing_eur"].format(value=fr_euros(short_eur)) if short_eur else "",
        ]
        text = advice["deferred"].format(
            **amounts,
            deferred="\u202f; ".join(f"«\u00a0{item['title']}\u00a0»" for _, item in deferred),
            missing=advice["joiner"].join(m for m in missing if m),
        )
    else:
        text = advice["fits"].format(**amounts)
    return {
        "hours_per_week": used_minutes / 60,
        "one_off_hours": budget.once / 60,
        "eur_per_month": used_eur,
        "declared_hours_per_week": budget.declared_minutes / 60,
        "declared_eur_per_month": budget.declared_eur,
        "weeks": budget.weeks,
        "horizons": list(SOON),
        "fits": not deferred,
        "dropped": [item["id"] for _, item in deferred],
        "advice": text,
    }
