"""Helpers for the rules tests: loaded rules, golden cases, expectations, answer strategies."""

import shutil
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from readiness.content import CONTENT_DIR, load_questionnaire
from readiness.rules import evaluate, load_rules
from readiness.rules.loader import FILES

CASES_DIR = Path(__file__).parent / "cases"
VERDICT_ORDER = ("go", "start_small", "prepare_first", "not_now")
SOON = ("now", "quarter")


@cache
def questionnaire():
    return load_questionnaire()


@cache
def rules():
    return load_rules(questionnaire())


def result_for(answers: dict[str, Any]) -> dict[str, Any]:
    return evaluate(rules(), answers)


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        cases.append((path.stem, yaml.safe_load(path.read_text(encoding="utf-8"))))
    return cases


def copy_rule_files(target: Path) -> Path:
    """Copy the rule files into ``target`` so a test can break one of them."""
    for name, _ in FILES.values():
        shutil.copy(CONTENT_DIR / name, target / name)
    return target


def rank(verdict: str) -> int:
    """0 for go … 3 for not_now: higher is worse."""
    return VERDICT_ORDER.index(verdict)


def unmet(result: dict[str, Any], expect: dict[str, Any]) -> list[str]:
    """The expectations of a golden case that the result does not meet."""
    roles = {c["channel"]: c["role"] for c in result["channels"]}
    primary = {c for c, r in roles.items() if r == "primary"}
    actions = {a["id"]: a for a in result["actions"]}
    misconceptions = {m["id"] for m in result["misconceptions"]}
    principles = {p["id"] for p in result["principles"]}
    blockers = {b["id"] for b in result["blockers"]}
    laws = {r["id"] for r in result["regulations"] if not r["suggested"]}
    law_avoid = {c["channel"] for c in result["channels"] if c.get("regulation")}
    answered = {q["id"]: q["answer"] for q in result["three_questions"] + result["checks"]}
    checks = {
        "verdict": lambda v: result["verdict"] == v,
        "verdict_in": lambda v: result["verdict"] in v,
        "primary_channels": lambda v: primary == set(v),
        "primary_include": lambda v: set(v) <= primary,
        "primary_exclude": lambda v: not set(v) & primary,
        "avoid_include": lambda v: all(roles[c] == "avoid" for c in v),
        "actions_include": lambda v: set(v) <= set(actions),
        "actions_soon": lambda v: all(c in actions and actions[c]["horizon"] in SOON for c in v),
        "actions_exclude": lambda v: not set(v) & set(actions),
        "principles_include": lambda v: set(v) <= principles,
        "dropped_include": lambda v: set(v) <= set(result["plan_load"]["dropped"]),
        "misconceptions": lambda v: misconceptions == set(v),
        "misconceptions_include": lambda v: set(v) <= misconceptions,
        "misconceptions_exclude": lambda v: not set(v) & misconceptions,
        "blockers": lambda v: blockers == set(v),
        "blockers_include": lambda v: set(v) <= blockers,
        "blockers_exclude": lambda v: not set(v) & blockers,
        "cadence_min": lambda v: result["cadence"]["posts_per_week"] >= v,
        "cadence_max": lambda v: result["cadence"]["posts_per_week"] <= v,
        "plan_hours_max": lambda v: result["plan_load"]["hours_per_week"] <= v,
        "regulations_include": lambda v: set(v) <= laws,
        "regulations_exclude": lambda v: not set(v) & laws,
        "law_avoid": lambda v: law_avoid == set(v) and all(roles[c] == "avoid" for c in v),
        "three_questions": lambda v: all(answered[k] == a for k, a in v.items()),
        **_plan_checks(result),
    }
    failures = []
    for key, value in expect.items():
        if key not in checks:
            failures.append(f"unknown expectation {key!r}")
        elif not checks[key](value):
            failures.append(f"{key}: expected {value!r}")
    return failures


def _plan_checks(result: dict[str, Any]) -> dict[str, Any]:
    """First steps, their order, the first week and the channels in complement."""
    from readiness.schedule import starter_schedule

    ids = [a["id"] for a in result["actions"]]
    now = [a["id"] for a in result["actions"] if a["horizon"] == "now"]
    secondary = {c["channel"] for c in result["channels"] if c["role"] == "secondary"}

    def week_1() -> set[str]:
        weeks = starter_schedule(result, result["plan_load"]["declared_hours_per_week"])
        return {t["id"] for t in weeks[0]["tasks"]}

    def in_order(expected: list[str]) -> bool:
        positions = [ids.index(i) for i in expected if i in ids]
        return len(positions) == len(expected) and positions == sorted(positions)

    cadence = result["cadence"]
    return {
        "first_action": lambda v: bool(now) and now[0] == v,
        "order": in_order,
        "week_1_include": lambda v: set(v) <= week_1(),
        "secondary_channels": lambda v: secondary == set(v),
        "publishes_from_week_1": lambda v: (
            (
                cadence["active"]
                and cadence["action_id"] in week_1()
                and cadence["posts_per_week"] >= 1
            )
            == v
        ),
    }


def describe(result: dict[str, Any]) -> str:
    """A short summary for failure messages."""
    return (
        f"verdict={result['verdict']} scores={result['scores']} "
        f"primary={[c['channel'] for c in result['channels'] if c['role'] == 'primary']} "
        f"actions={[(a['id'], a['horizon']) for a in result['actions']]} "
        f"misconceptions={[m['id'] for m in result['misconceptions']]} "
        f"blockers={[b['id'] for b in result['blockers']]} cadence={result['cadence']}"
    )


def _answer(question) -> st.SearchStrategy:
    if question.type == "text":
        return st.text(min_size=1, max_size=question.max_length)
    if question.type == "integer":
        return st.integers(question.min, question.max)
    values = list(question.option_values)
    if question.type == "single":
        return st.sampled_from(values)
    exclusive = [o.value for o in question.options if o.exclusive]
    others = [v for v in values if v not in exclusive]
    several = st.lists(st.sampled_from(others), min_size=1, unique=True)
    return (
        st.one_of(st.sampled_from(exclusive).map(lambda v: [v]), several) if exclusive else several
    )


@st.composite
def valid_answers(draw) -> dict[str, Any]:
    """Any complete, valid answer set, with only the questions that apply."""
    q = questionnaire()
    answers = {qid: draw(_answer(question)) for qid, question in q.questions.items()}
    return q.relevant_answers(answers)
