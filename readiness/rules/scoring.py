"""Dimension scores, blockers and the verdict."""

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from readiness.rules.compiled import Answers, DimensionScale, Rules


def dimension_score(scale: DimensionScale, answers: Answers) -> int:
    """Points of the dimension's items, rescaled to 0–100."""
    total = 0
    for item in scale.items:
        answer = answers.get(item.question)
        if answer is None:
            total += item.absent
        elif item.kind == "single":
            total += item.table[answer]
        elif item.kind == "multiple":
            points = sum(item.table[v] for v in answer)
            total += points if item.cap is None else min(points, item.cap)
        else:
            total += item.band_points[bisect_right(item.band_mins, answer) - 1]
    return _percent(total - scale.low, scale.high - scale.low)


def channel_score(fits: Sequence[int], top: int) -> int:
    """Mean fit of the ``top`` best channels: is there somewhere that suits you?"""
    best = sorted(fits, reverse=True)[:top]
    return _percent(sum(best), 100 * len(best)) if best else 0


def overall(rules: Rules, scores: dict[str, int]) -> int:
    weights = rules.weights
    return _percent(sum(scores[d] * w for d, w in weights.items()), 100 * sum(weights.values()))


def score_verdict(rules: Rules, scores: dict[str, int], overall_score: int) -> str:
    """The verdict the scores alone allow: the first threshold met."""
    lowest = min(scores[d] for d in rules.weights)
    for verdict, min_overall, min_each in rules.thresholds:
        if overall_score >= min_overall and lowest >= min_each:
            return verdict
    return rules.verdict_order[-1]


def blockers(rules: Rules, answers: Answers) -> list[Any]:
    return [b for b in rules.blockers if b.applies(answers)]


def capped(rules: Rules, verdict: str, caps: Sequence[str]) -> str:
    """The worst of the verdict and the caps: a blocker can only lower the verdict."""
    order = rules.verdict_order
    return order[max([order.index(verdict)] + [order.index(c) for c in caps])]


def sentence(rules: Rules, verdict: str, fired: Sequence[Any], scores: dict[str, int]) -> str:
    """One sentence: the blocker that set the verdict, else the weakest dimension."""
    for blocker in fired:
        if blocker.cap == verdict:
            return blocker.sentence
    weakest = min(rules.weights, key=lambda d: (scores[d], list(rules.weights).index(d)))
    return rules.weakest_sentences[verdict].get(weakest, rules.verdict_sentences[verdict])


def _percent(part: float, whole: float) -> int:
    """Round half up, kept within 0–100."""
    return max(0, min(100, int(100 * part / whole + 0.5))) if whole else 0
