"""Vos 90 premiers jours: 13 weeks that never ask more than the hours declared."""

from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from readiness.content import load_questionnaire
from readiness.rules import evaluate, load_rules
from readiness.schedule import delegable_actions, starter_schedule
from tests.conftest import SAMPLE_ANSWERS

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))
WEEKS = 13
LOAD = {"weeks": WEEKS, "horizons": ["now", "quarter"]}
PUBLISHING_ID = "publish"


def plan(actions, posts=0, active=False):
    """A hand-made result: the actions in plan order, and the cadence."""
    cadence = {"posts_per_week": posts, "hours_per_post": 0.75, "action_id": PUBLISHING_ID}
    return {"actions": actions, "cadence": dict(cadence, active=active), "plan_load": LOAD}


@pytest.fixture(scope="module")
def score():
    questionnaire = load_questionnaire()
    rules = load_rules(questionnaire)
    return lambda answers: evaluate(rules, questionnaire.relevant_answers(answers))


def action(id, horizon="now", hours=0.25, once=0.0):
    return {
        "id": id,
        "title": f"Action {id}",
        "horizon": horizon,
        "kind": "once" if once else "weekly",
        "hours_per_week": hours if not once else 0.0,
        "hours_once": once,
    }


def minutes(value: float) -> int:
    return round(value * 60)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_no_week_asks_more_than_declared_in_any_case(case, score):
    answers = yaml.safe_load(case.read_text())["answers"]
    weeks = starter_schedule(score(answers), answers["hours_per_week"])
    assert [w["week"] for w in weeks] == list(range(1, WEEKS + 1))
    for week in weeks:
        assert minutes(week["hours"]) <= answers["hours_per_week"] * 60
        assert minutes(sum(t["hours"] for t in week["tasks"])) == minutes(week["hours"])


@pytest.mark.parametrize("hours", [1, 2, 3, 5, 8, 12, 20])
def test_every_action_of_the_quarter_starts_within_the_hours(hours, score):
    result = score(dict(SAMPLE_ANSWERS, hours_per_week=hours))
    weeks = starter_schedule(result, hours)
    assert max(minutes(w["hours"]) for w in weeks) <= hours * 60
    soon = {a["id"] for a in result["actions"] if a["horizon"] in ("now", "quarter")}
    started = {t["id"] for w in weeks for t in w["tasks"] if t["new"]}
    assert soon <= started  # the rules keep the quarter's load within the hours


def test_actions_start_in_plan_order_two_new_habits_a_week():
    actions = [
        action("a"),
        action("b"),
        action("site", once=2),
        action("c"),
        action("q", "quarter"),
    ]
    weeks = starter_schedule(plan(actions), 1.5, start=date(2026, 11, 23))
    first = {t["id"]: w["week"] for w in weeks for t in w["tasks"] if t["new"]}
    assert first["a"] == first["b"] == first["site"] == 1  # two new habits, and one-off work
    assert first["c"] == first["q"] == 2
    assert weeks[0]["starts"] == date(2026, 11, 23) and weeks[12]["starts"] == date(2027, 2, 15)
    assert minutes(weeks[12]["hours"]) == 60  # every started habit goes on each week
    # A third habit starts in the same week when the week would otherwise stay part idle.
    roomy = starter_schedule(plan([action("a"), action("b"), action("c")]), 2)
    assert {t["id"] for t in roomy[0]["tasks"] if t["new"]} == {"a", "b", "c"}


def test_one_off_work_is_charged_once_and_fills_the_free_time_from_week_1():
    result = plan([action("weekly", hours=0.5), action("site", once=4), action("promise", once=1)])
    weeks = starter_schedule(result, 2)
    spent = {}
    for week in weeks:
        for task in week["tasks"]:
            spent[task["id"]] = spent.get(task["id"], 0) + minutes(task["hours"])
    assert spent["site"] == 240 and spent["promise"] == 60  # once, not every week
    assert spent["weekly"] == 13 * 30
    # The declared 2 h are used from week 1 while one-off work remains.
    assert [minutes(w["hours"]) for w in weeks[:4]] == [120, 120, 120, 60]
    done = {t["id"]: w["week"] for w in weeks for t in w["tasks"] if t["done"]}
    assert done == {"site": 3, "promise": 4}


def test_an_account_already_running_publishes_from_week_1_at_its_cadence():
    publish = action(PUBLISHING_ID, "now", 1.5)
    result = plan([action("a", once=3), publish], posts=2, active=True)
    weeks = starter_schedule(result, 3)
    posts = [t["posts"] for w in weeks for t in w["tasks"] if t["id"] == PUBLISHING_ID]
    assert posts == [2] * WEEKS


def test_an_action_waits_for_room_rather_than_overflowing_a_week():
    result = plan([action("a", hours=1), action("b", hours=1)])
    weeks = starter_schedule(result, 1)
    assert all(minutes(w["hours"]) <= 60 for w in weeks)
    assert {t["id"] for w in weeks for t in w["tasks"] if not t["review"]} == {"a"}


def test_new_publishing_starts_at_one_post_and_grows_to_the_cadence():
    result = plan([action(PUBLISHING_ID, "quarter", 2.25)], posts=3)
    weeks = starter_schedule(result, 3)
    posts = [t["posts"] for w in weeks for t in w["tasks"] if t["id"] == PUBLISHING_ID]
    assert posts[:3] == [1, 2, 3] and set(posts[3:]) == {3}
    assert max(minutes(w["hours"]) for w in weeks) == 135


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_no_week_is_left_short_while_one_off_work_remains(case, score):
    answers = yaml.safe_load(case.read_text())["answers"]
    result = score(answers)
    weeks = starter_schedule(result, answers["hours_per_week"])
    capacity = minutes(answers["hours_per_week"])
    last = max((w["week"] for w in weeks for t in w["tasks"] if t["once"]), default=0)
    for week in weeks[: max(last - 1, 0)]:
        assert minutes(week["hours"]) == capacity, (week["week"], week["tasks"])


def test_zero_hours_gives_empty_weeks_and_the_things_someone_else_can_do(score):
    answers = yaml.safe_load((Path(__file__).parent / "cases" / "nobody_no_time.yaml").read_text())
    result = score(answers["answers"])
    weeks = starter_schedule(result, 0)
    assert all(w["hours"] == 0 for w in weeks)
    delegable = delegable_actions(result)
    assert delegable and all(a["hours_per_week"] == 0 for a in delegable)
    assert {"google_profile_delegated", "collect_emails"} <= {a["id"] for a in delegable}


@given(
    hours=st.integers(min_value=0, max_value=40),
    loads=st.lists(
        st.tuples(st.sampled_from(["now", "quarter", "year"]), st.integers(0, 12)), max_size=20
    ),
    posts=st.integers(0, 7),
    active=st.booleans(),
)
def test_no_week_ever_exceeds_the_declared_hours(hours, loads, posts, active):
    actions = [
        action(f"a{i}", horizon, quarters / 4, once=quarters / 2 if i % 3 == 0 else 0)
        for i, (horizon, quarters) in enumerate(loads)
    ]
    actions.append(action(PUBLISHING_ID, "quarter", posts * 0.75))
    weeks = starter_schedule(plan(actions, posts=posts, active=active), hours)
    assert len(weeks) == WEEKS
    assert all(minutes(w["hours"]) <= hours * 60 for w in weeks)
    later = {a["id"] for a in actions if a["horizon"] == "year"}
    assert not later & {t["id"] for w in weeks for t in w["tasks"]}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_week_1_starts_with_the_first_action_of_the_plan(case, score):
    answers = yaml.safe_load(case.read_text())["answers"]
    result = score(answers)
    first = next((a for a in result["actions"] if a["horizon"] == "now"), None)
    if answers["hours_per_week"] == 0 or first is None:
        return
    weeks = starter_schedule(result, answers["hours_per_week"])
    assert weeks[0]["tasks"][0]["id"] == first["id"]
