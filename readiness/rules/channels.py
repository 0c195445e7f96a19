"""Channel fit and roles: one or two channels where the customers are."""

from bisect import bisect_right
from typing import Any

from readiness.rules.compiled import Answers, ChannelRules

ROLE_ORDER = {"primary": 0, "secondary": 1, "avoid": 2}


def rank(rules: ChannelRules, answers: Answers) -> tuple[list[dict[str, Any]], list[str]]:
    """Primary, then secondary, then avoid; best fit first within each (ties in file order).

    A TPE gets at most 2 secondary channels, a PME 3 (``max_secondary``); a channel that
    fits but comes after them is to avoid, for that reason.

    Also returns the ids of the channel rules that fired.
    """
    fired: list[str] = []
    scored = []
    for position, channel in enumerate(rules.channels):
        fit, reasons = channel.base, []
        for rule in channel.rules:
            if rule.applies(answers):
                fit += rule.points
                reasons.append((-abs(rule.points), len(reasons), rule.points, rule.reason))
                fired.append(rule.fired_id)
        fit = max(0, min(100, fit))
        scored.append((-fit, position, channel, [r[2:] for r in sorted(reasons)]))
    scored.sort(key=lambda s: s[:2])
    allowed = max_primary(rules, answers)
    # Keep a primary slot for a network to publish on when one fits well enough.
    network_fits = any(c.posts and -s >= rules.primary_min for s, _, c, _ in scored)
    quiet_allowed = max(1, allowed - 1) if network_fits else allowed
    secondary_allowed = rules.max_secondary[answers["headcount"]]
    ranked, primaries, quiet, secondaries = [], 0, 0, 0
    for negative_fit, _, channel, signed in scored:
        fit = -negative_fit
        reasons = [reason for _, reason in signed]
        if (
            primaries < allowed
            and fit >= rules.primary_min
            and (channel.posts or quiet < quiet_allowed)
        ):
            role, primaries, quiet = "primary", primaries + 1, quiet + (not channel.posts)
        elif fit >= rules.avoid_below and secondaries < secondary_allowed:
            role, secondaries = "secondary", secondaries + 1
        else:
            role = "avoid"
            # An avoid says why not: the reasons against, never one in favour.
            against = [reason for points, reason in signed if points < 0]
            if fit >= rules.avoid_below:
                against = [rules.avoid_reasons["too_many"]]
            reasons = against or [channel.why_not or rules.avoid_reasons["weak_fit"]]
        ranked.append(
            {
                "channel": channel.id,
                "label": channel.label,
                "fit": fit,
                "role": role,
                "reasons": reasons,
            }
        )
    ranked.sort(key=lambda c: ROLE_ORDER[c["role"]])  # stable: keeps the fit order
    return ranked, fired


def max_primary(rules: ChannelRules, answers: Answers) -> int:
    """TPE 2, PME 3, and no more than the weekly hours can feed."""
    by_size = rules.max_by_headcount[answers["headcount"]]
    by_hours = rules.max_by_hours[bisect_right(rules.hours_mins, answers["hours_per_week"]) - 1]
    return min(by_size, by_hours)
