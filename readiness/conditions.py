"""Structured conditions over answers, shared by the questionnaire and the rules.

A condition is data, never code: ``{"all": [...]}``, ``{"any": [...]}``,
``{"not": cond}`` or a leaf ``{"q": question_id, <operator>: value}``.
"""

from collections.abc import Iterator, Mapping
from typing import Any

# Operators whose value is a list of option values.
LIST_OPERATORS = {"in", "not_in", "contains_any", "contains_all"}
# Operators whose value is one option value.
VALUE_OPERATORS = {"eq", "ne", "contains"}
# Operators whose value is a number.
NUMBER_OPERATORS = {"gt", "gte", "lt", "lte", "count_gte", "count_lte"}
OPERATORS = LIST_OPERATORS | VALUE_OPERATORS | NUMBER_OPERATORS | {"answered"}


def evaluate(condition: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    """Return whether ``condition`` holds for ``answers``."""
    if "all" in condition:
        return all(evaluate(c, answers) for c in condition["all"])
    if "any" in condition:
        return any(evaluate(c, answers) for c in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], answers)
    (operator,) = (k for k in condition if k != "q")
    return _leaf(operator, answers.get(condition["q"]), condition[operator])


def _leaf(operator: str, answer: Any, expected: Any) -> bool:
    if operator == "answered":
        return (answer not in (None, "", [])) == bool(expected)
    if answer is None:
        return False
    if operator == "eq":
        return answer == expected
    if operator == "ne":
        return answer != expected
    if operator == "in":
        return answer in expected
    if operator == "not_in":
        return answer not in expected
    if operator == "contains":
        return expected in answer
    if operator == "contains_any":
        return any(v in answer for v in expected)
    if operator == "contains_all":
        return all(v in answer for v in expected)
    if operator in ("count_gte", "count_lte"):
        count = len(answer)
        return count >= expected if operator == "count_gte" else count <= expected
    return {
        "gt": answer > expected,
        "gte": answer >= expected,
        "lt": answer < expected,
        "lte": answer <= expected,
    }[operator]


def problems(condition: Any, questions: Mapping[str, Any]) -> Iterator[str]:
    """Yield French-free, developer-facing problems of a condition.

    ``questions`` maps question ids to objects with ``type`` and ``option_values``.
    """
    if not isinstance(condition, Mapping) or not condition:
        yield f"condition must be a non-empty mapping, got {condition!r}"
        return
    for group in ("all", "any"):
        if group in condition:
            if set(condition) != {group} or not isinstance(condition[group], list):
                yield f"'{group}' must be alone and hold a list"
                return
            for sub in condition[group]:
                yield from problems(sub, questions)
            return
    if "not" in condition:
        if set(condition) != {"not"}:
            yield "'not' must be alone"
            return
        yield from problems(condition["not"], questions)
        return
    yield from _leaf_problems(condition, questions)


def _leaf_problems(condition: Mapping[str, Any], questions: Mapping[str, Any]) -> Iterator[str]:
    qid = condition.get("q")
    operators = [k for k in condition if k != "q"]
    if qid not in questions:
        yield f"unknown question {qid!r}"
        return
    if len(operators) != 1 or operators[0] not in OPERATORS:
        yield f"question {qid!r}: expected one operator among {sorted(OPERATORS)}, got {operators}"
        return
    operator, value = operators[0], condition[operators[0]]
    question = questions[qid]
    if operator in NUMBER_OPERATORS:
        numeric = question.type in ("integer", "decimal") or (
            question.type == "multiple" and operator.startswith("count")
        )
        if not numeric or not isinstance(value, int | float):
            yield f"question {qid!r}: operator {operator!r} needs a number on a numeric question"
        return
    if operator == "answered":
        return
    values = value if operator in LIST_OPERATORS else [value]
    if not isinstance(values, list):
        yield f"question {qid!r}: operator {operator!r} needs a list"
        return
    if operator.startswith("contains") and question.type != "multiple":
        yield f"question {qid!r}: operator {operator!r} only applies to several-of questions"
    for v in values:
        if v not in question.option_values:
            yield f"question {qid!r} has no option {v!r}"
