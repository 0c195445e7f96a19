"""Conditions compiled once into plain functions, for speed in ``evaluate``.

Same meaning as ``readiness.conditions.evaluate`` (the reference, also used for
validation); tests check both agree on every rule condition for generated answers.
"""

import operator
from collections.abc import Callable, Mapping
from typing import Any

Predicate = Callable[[Mapping[str, Any]], bool]

_COMPARE = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


def compile_condition(condition: Mapping[str, Any]) -> Predicate:
    """A function answers -> bool for an already validated condition."""
    if "all" in condition:
        return _all(tuple(compile_condition(c) for c in condition["all"]))
    if "any" in condition:
        return _any(tuple(compile_condition(c) for c in condition["any"]))
    if "not" in condition:
        inner = compile_condition(condition["not"])
        return lambda answers: not inner(answers)
    (name,) = (k for k in condition if k != "q")
    return _leaf(condition["q"], name, condition[name])


def _all(parts: tuple[Predicate, ...]) -> Predicate:
    if len(parts) == 2:  # the common case, without a generator
        first, second = parts
        return lambda answers: first(answers) and second(answers)
    return lambda answers: all(p(answers) for p in parts)


def _any(parts: tuple[Predicate, ...]) -> Predicate:
    if len(parts) == 2:
        first, second = parts
        return lambda answers: first(answers) or second(answers)
    return lambda answers: any(p(answers) for p in parts)


def _leaf(qid: str, name: str, expected: Any) -> Predicate:
    if name == "answered":
        wanted = bool(expected)
        return lambda a: (a.get(qid) not in (None, "", [])) == wanted
    test = _test(name, expected)

    def leaf(answers: Mapping[str, Any]) -> bool:
        answer = answers.get(qid)
        return answer is not None and test(answer)

    return leaf


def _test(name: str, expected: Any) -> Callable[[Any], bool]:
    if name == "eq":
        return lambda answer: answer == expected
    if name == "ne":
        return lambda answer: answer != expected
    if name in ("in", "not_in"):
        values = tuple(expected)
        if name == "in":
            return lambda answer: answer in values
        return lambda answer: answer not in values
    if name == "contains":
        return lambda answer: expected in answer
    if name == "contains_any":
        values = tuple(expected)
        return lambda answer: any(v in answer for v in values)
    if name == "contains_all":
        values = tuple(expected)
        return lambda answer: all(v in answer for v in values)
    if name == "count_gte":
        return lambda answer: len(answer) >= expected
    if name == "count_lte":
        return lambda answer: len(answer) <= expected
    compare = _COMPARE[name]
    return lambda answer: compare(answer, expected)


Leaves = Callable[[Mapping[str, Any]], list[Mapping[str, Any]]]


def compile_true_leaves(condition: Mapping[str, Any]) -> Leaves:
    """For a condition that holds: the leaves that made it hold (none under a ``not``)."""
    if "all" in condition:
        parts = tuple(compile_true_leaves(c) for c in condition["all"])
        return lambda answers: [leaf for part in parts for leaf in part(answers)]
    if "any" in condition:
        pairs = tuple((compile_condition(c), compile_true_leaves(c)) for c in condition["any"])
        return lambda answers: [
            leaf for holds, part in pairs if holds(answers) for leaf in part(answers)
        ]
    if "not" in condition:
        return lambda answers: []
    leaves = [condition]
    return lambda answers: leaves
