"""Evidence that applies to this business: a consumer study is never cited to a B2B one."""

from collections.abc import Iterable, Mapping
from typing import Any

from readiness.rules.compiled import Answers, Rules


def audiences(rules: Rules, answers: Answers) -> frozenset[str]:
    """The audiences this business belongs to, always with ``any``."""
    return frozenset({"any"} | {a for a, applies in rules.audiences.items() if applies(answers)})


def applicable(items: Iterable[Mapping[str, Any]], fits: frozenset[str]) -> list[dict[str, Any]]:
    """Copies of the items whose audience is one of ``fits``, in their order."""
    return [dict(item) for item in items if item["audience"] in fits]
