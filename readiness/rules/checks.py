"""Cross-checks between the rule files and the questionnaire, run once at start-up.

Each problem names the item and what is wrong; the loader prefixes the file name.
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from string import Formatter
from typing import Any

from readiness import conditions
from readiness.content import Questionnaire
from readiness.rules.schema import AUDIENCES, CADENCE_REASONS, DIMENSIONS, VERDICTS

# Questions read by name (the evaluator; the pages, PDF and exports for the name), with
# the type expected.
NEEDED_QUESTIONS = {
    "company_name": "text",
    "headcount": "single",
    "hours_per_week": "integer",
    "monthly_budget": "integer",
    "current_channels": "multiple",
}
AMOUNTS = {"hours", "eur", "declared_hours", "declared_eur", "once"}
TEMPLATE_FIELDS = {
    "title": {"posts", "scope"},
    "scope_one": {"channels"},
    "scope_several": {"channels"},
    "reason": {"posts", "hours", "per_post", "channels"},
    "zero_hours": AMOUNTS,
    "fits": AMOUNTS,
    "deferred": AMOUNTS | {"deferred", "missing"},
    "once": {"value"},
    "missing_hours": {"value"},
    "missing_once": {"value"},
    "missing_eur": {"value"},
    "joiner": set(),
}


def problems(files: dict[str, Any], questionnaire: Questionnaire) -> dict[str, list[str]]:
    """Problems found in each file, keyed like ``files``."""
    questions = questionnaire.questions
    evidence_ids = {e.id for e in files["evidence"].evidence}
    return {
        "evidence": list(_evidence(files, questions)),
        "scoring": list(_scoring(files["scoring"], questions)),
        "channels": list(_channels(files["channels"], questions)),
        "actions": list(_actions(files["actions"], questions, evidence_ids)),
        "misconceptions": list(_misconceptions(files["misconceptions"], questions, evidence_ids)),
    }


def _evidence(files: dict[str, Any], questions: dict[str, Any]) -> Iterator[str]:
    catalogue = files["evidence"]
    if set(catalogue.audiences) != set(AUDIENCES):
        yield f"audiences: say who each of {list(AUDIENCES)} is"
    for audience, condition in catalogue.audiences.items():
        yield from _condition(f"audience {audience!r}", condition, questions)
    yield from _template("age_warning", catalogue.age_warning.text, {"oldest"})
    yield from _duplicates("evidence", (e.id for e in catalogue.evidence))
    for item in catalogue.evidence:
        if item.article not in catalogue.articles:
            yield f"evidence {item.id!r}: unknown article {item.article!r}"
    cited = {e for a in files["actions"].actions for e in a.evidence}
    cited |= set(files["actions"].publishing.evidence)
    cited |= {e for m in files["misconceptions"].misconceptions for e in m.evidence}
    for item in catalogue.evidence:
        if item.id not in cited:
            yield f"evidence {item.id!r}: not cited by any action or misconception"


def _scoring(scoring: Any, questions: dict[str, Any]) -> Iterator[str]:
    for qid, kind in NEEDED_QUESTIONS.items():
        if qid not in questions or questions[qid].type != kind:
            yield f"the rules need a {kind} question {qid!r} in the questionnaire"
    if tuple(v.id for v in scoring.verdicts) != VERDICTS:
        yield f"verdicts must be, best first: {list(VERDICTS)}"
    last = scoring.thresholds[-1]
    if last.min_overall or last.min_each:
        yield f"threshold {last.verdict!r}: the last threshold must accept any score (0)"
    if set(scoring.weights) != set(DIMENSIONS) or sum(scoring.weights.values()) <= 0:
        yield f"weights: give a weight to each of {list(DIMENSIONS)}, not all zero"
    ids = [d.id for d in scoring.dimensions]
    if sorted(ids) != sorted(DIMENSIONS[:-1]):
        yield f"dimensions: expected each of {list(DIMENSIONS[:-1])} once, got {ids}"
    for dimension in scoring.dimensions:
        for item in dimension.items:
            where = f"dimension {dimension.id!r}, question {item.q!r}"
            yield from (f"{where}: {p}" for p in _points_problems(item, questions))
    yield from _duplicates("blocker", (b.id for b in scoring.blockers))
    for blocker in scoring.blockers:
        yield from _condition(f"blocker {blocker.id!r}", blocker.when, questions)


def _points_problems(item: Any, questions: dict[str, Any]) -> Iterator[str]:
    question = questions.get(item.q)
    if question is None:
        yield "unknown question"
        return
    if (item.absent is None) != (question.relevant is None):
        yield "give `absent` points exactly when the question is conditional"
    if item.max is not None and question.type != "multiple":
        yield "`max` only applies to several-of questions"
    if question.type in ("single", "multiple"):
        if item.points is None:
            yield "a choice question needs points per option"
            return
        for value in item.points:
            if value not in question.option_values:
                yield f"no option {value!r}"
        for value in question.option_values:
            if value not in item.points:
                yield f"no points for option {value!r}"
    elif question.type == "integer":
        if item.bands is None:
            yield "a number question needs bands"
            return
        mins = [b.min for b in item.bands]
        if mins[0] != question.min or mins != sorted(set(mins)) or mins[-1] > question.max:
            yield f"bands must start at {question.min} and rise within {question.max}"
    else:
        yield f"a {question.type} question cannot be scored"


def _channels(channels: Any, questions: dict[str, Any]) -> Iterator[str]:
    present = questions.get("current_channels")
    expected = [o.value for o in present.options if not o.exclusive] if present else []
    ids = [c.id for c in channels.channels]
    if sorted(ids) != sorted(expected):
        yield f"channels: expected each of {expected} once, got {ids}"
    if channels.avoid_below > channels.primary_min:
        yield "avoid_below must not exceed primary_min"
    headcount = questions.get("headcount")
    for where, table in (
        ("max_primary.headcount", channels.max_primary.headcount),
        ("max_secondary", channels.max_secondary),
    ):
        if headcount and set(table) != set(headcount.option_values):
            yield f"{where}: give a number for each of {list(headcount.option_values)}"
    mins = [b.min for b in channels.max_primary.hours_per_week]
    if mins[0] != 0 or mins != sorted(set(mins)):
        yield "max_primary.hours_per_week: bands must start at 0 and rise"
    for channel in channels.channels:
        yield from _duplicates(f"channel {channel.id!r}, rule", (r.id for r in channel.rules))
        for rule in channel.rules:
            yield from _condition(f"channel {channel.id!r}, rule {rule.id!r}", rule.when, questions)


def _actions(catalogue: Any, questions: dict[str, Any], evidence_ids: set[str]) -> Iterator[str]:
    publishing = catalogue.publishing
    yield from _duplicates("action", [a.id for a in catalogue.actions] + [publishing.id])
    for action in catalogue.actions:
        where = f"action {action.id!r}"
        yield from _condition(where, action.when, questions)
        if action.requires is not None:
            yield from _condition(f"{where}, requires", action.requires, questions)
        for number, boost in enumerate(action.boosts, start=1):
            yield from _condition(f"{where}, boost {number}", boost.when, questions)
        for number, variant in enumerate(action.variants, start=1):
            yield from _condition(f"{where}, variant {number}", variant.when, questions)
        yield from _cited(where, action.evidence, evidence_ids)
    where = f"publishing {publishing.id!r}"
    yield from _cited(where, publishing.evidence, evidence_ids)
    yield from _template(f"{where}, title", publishing.title, TEMPLATE_FIELDS["title"])
    for key in ("scope_one", "scope_several"):
        text = getattr(publishing, key)
        yield from _template(f"{where}, {key}", text, TEMPLATE_FIELDS[key])
    if set(publishing.max_posts_by_verdict) != set(VERDICTS):
        yield f"{where}: max_posts_by_verdict needs each of {list(VERDICTS)}"
    missing = set(CADENCE_REASONS) - set(publishing.reasons)
    if missing:
        yield f"{where}: reasons missing {sorted(missing)}"
    for key, text in publishing.reasons.items():
        yield from _template(f"{where}, reason {key!r}", text, TEMPLATE_FIELDS["reason"])
    for key, text in catalogue.advice.model_dump().items():
        yield from _template(f"advice {key!r}", text, TEMPLATE_FIELDS[key])


def _misconceptions(
    catalogue: Any, questions: dict[str, Any], evidence_ids: set[str]
) -> Iterator[str]:
    yield from _duplicates("misconception", (m.id for m in catalogue.misconceptions))
    for item in catalogue.misconceptions:
        where = f"misconception {item.id!r}"
        yield from _condition(where, item.when, questions)
        yield from _cited(where, item.evidence, evidence_ids)


def _condition(where: str, condition: Any, questions: dict[str, Any]) -> Iterator[str]:
    yield from (f"{where}, when: {p}" for p in conditions.problems(condition, questions))


def _cited(where: str, cited: Iterable[str], evidence_ids: set[str]) -> Iterator[str]:
    for evidence_id in cited:
        if evidence_id not in evidence_ids:
            yield f"{where}: unknown evidence {evidence_id!r}"


def _duplicates(kind: str, ids: Iterable[str]) -> Iterator[str]:
    for item_id, count in Counter(ids).items():
        if count > 1:
            yield f"{kind} {item_id!r}: duplicate id"


def _template(where: str, text: str, allowed: set[str]) -> Iterator[str]:
    """Only plain ``{name}`` placeholders from ``allowed``: no attribute or index access."""
    try:
        fields = [
            (name, spec, conv)
            for _, name, spec, conv in Formatter().parse(text)
            if name is not None
        ]
    except ValueError as error:
        yield f"{where}: bad placeholder: {error}"
        return
    for name, spec, conversion in fields:
        if name not in allowed or spec or conversion:
            yield f"{where}: unknown placeholder {{{name}}}, use {sorted(allowed)}"
