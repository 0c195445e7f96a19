"""Structured conditions: evaluation and validation."""

import pytest

from readiness.conditions import evaluate, problems
from readiness.content import load_questionnaire

ANSWERS = {"website": "current", "hours_per_week": 4, "goals": ["sales", "loyalty"]}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"q": "website", "eq": "current"}, True),
        ({"q": "website", "ne": "current"}, False),
        ({"q": "website", "in": ["none", "outdated"]}, False),
        ({"q": "website", "not_in": ["none"]}, True),
        ({"q": "hours_per_week", "gte": 4}, True),
        ({"q": "hours_per_week", "lt": 4}, False),
        ({"q": "goals", "contains": "sales"}, True),
        ({"q": "goals", "contains_any": ["recruiting", "partners"]}, False),
        ({"q": "goals", "contains_all": ["sales", "loyalty"]}, True),
        ({"q": "goals", "count_gte": 3}, False),
        ({"q": "website_tracking", "eq": "yes"}, False),  # unanswered never matches
        ({"q": "website_tracking", "answered": False}, True),
        ({"all": [{"q": "website", "eq": "current"}, {"q": "hours_per_week", "gt": 10}]}, False),
        ({"any": [{"q": "website", "eq": "current"}, {"q": "hours_per_week", "gt": 10}]}, True),
        ({"not": {"q": "website", "eq": "none"}}, True),
    ],
)
def test_evaluate(condition, expected):
    assert evaluate(condition, ANSWERS) is expected


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        ({"q": "nope", "eq": "x"}, "unknown question 'nope'"),
        ({"q": "website", "eq": "blog"}, "has no option 'blog'"),
        ({"q": "website", "gte": 3}, "needs a number"),
        ({"q": "website", "contains": "none"}, "only applies to several-of"),
        ({"q": "website", "like": "x"}, "expected one operator"),
        ({"all": {"q": "website", "eq": "none"}}, "must be alone and hold a list"),
        ([], "non-empty mapping"),
    ],
)
def test_problems(condition, problem):
    found = list(problems(condition, load_questionnaire().questions))
    assert any(problem in p for p in found), found
