"""Properties that hold for any valid answers, checked with generated answer sets."""

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rules_helpers import SOON, rank, result_for, rules, valid_answers

from readiness import conditions
from readiness.content import CONTENT_DIR
from readiness.rules.loader import FILES
from readiness.rules.predicates import compile_condition

SCORE_KEYS = {"interest", "readiness", "philosophy", "resources", "channels", "overall"}
CHANNELS = {
    "facebook",
    "instagram",
    "linkedin",
    "youtube",
    "tiktok",
    "x",
    "pinterest",
    "google_business",
    "newsletter",
}
RESULT_KEYS = {
    "verdict",
    "verdict_label",
    "verdict_sentence",
    "scores",
    "blockers",
    "channels",
    "actions",
    "misconceptions",
    "cadence",
    "plan_load",
    "fired",
    "rules_version",
}
ROLES = ["primary", "secondary", "avoid"]
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Edits that make a blocker fire; each only worsens answers.
BLOCKING_EDITS = [
    {"who": "nobody", "hours_per_week": 0},
    {"hours_per_week": 0},
    {"who": "nobody"},
    {"response_time": "days", "complaint_process": "none"},
    {"criticism_handling": "delete"},
    {"promise_kept": "rarely"},
    {"content_sources": ["none"]},
    {"expect_direct_sales": "yes", "results_horizon": "weeks"},
]


@PROPERTY
@given(valid_answers())
def test_any_valid_answers_give_a_valid_result(answers):
    result = result_for(answers)
    assert set(result) >= RESULT_KEYS
    json.dumps(result)
    assert result["verdict"] in ("go", "start_small", "prepare_first", "not_now")
    assert result["verdict_label"] and result["verdict_sentence"]
    assert set(result["scores"]) == SCORE_KEYS
    assert all(isinstance(v, int) and 0 <= v <= 100 for v in result["scores"].values())
    assert {c["channel"] for c in result["channels"]} == CHANNELS
    order = [(ROLES.index(c["role"]), -c["fit"]) for c in result["channels"]]
    assert order == sorted(order)
    for channel in result["channels"]:
        assert 0 <= channel["fit"] <= 100 and channel["label"]
        assert channel["role"] in ("primary", "secondary", "avoid")
    for action in result["actions"]:
        assert action["horizon"] in ("now", "quarter", "year", "long_term")
        assert action["hours_per_week"] >= 0 and action["eur_per_month"] >= 0
        assert action["title"] and action["kpi"] and action["evidence"]
        assert all(e["source"] and e["text"] for e in action["evidence"])
        assert action["because"], action["id"]
    for item in result["misconceptions"]:
        assert item["belief"] and item["correction"] and item["evidence"]
    for blocker in result["blockers"]:
        assert blocker["message"] and rank(result["verdict"]) >= rank(blocker["cap"])
    ids = [a["id"] for a in result["actions"]]
    assert len(ids) == len(set(ids))


@PROPERTY
@given(valid_answers())
def test_same_answers_same_result(answers):
    assert result_for(answers) == result_for(dict(reversed(list(answers.items()))))


@PROPERTY
@given(valid_answers())
def test_plan_never_exceeds_the_declared_hours_and_budget(answers):
    result = result_for(answers)
    load = result["plan_load"]
    soon = [a for a in result["actions"] if a["horizon"] in SOON]
    hours = sum(a["hours_per_week"] for a in soon)
    once = sum(a["hours_once"] for a in soon)
    euros = sum(a["eur_per_month"] for a in soon)
    assert hours == load["hours_per_week"] <= answers["hours_per_week"]
    # One-off work is charged once: with the weekly work, it fits in the quarter's hours.
    assert once == load["one_off_hours"]
    assert all(a["hours_per_week"] == 0 for a in soon if a["kind"] == "once")
    assert hours * load["weeks"] + once <= answers["hours_per_week"] * load["weeks"]
    assert euros == load["eur_per_month"] <= answers["monthly_budget"]
    assert load["fits"] == (not load["dropped"])
    deferred = {a["id"] for a in result["actions"] if a.get("deferred")}
    assert deferred == set(load["dropped"])
    assert all(a["horizon"] == "year" for a in result["actions"] if a["id"] in deferred)
    assert load["advice"]
    if answers["hours_per_week"] == 0:
        assert hours == 0 and result["cadence"]["posts_per_week"] == 0


@PROPERTY
@given(valid_answers())
def test_cadence_fits_the_hours_and_never_exceeds_seven(answers):
    cadence = result_for(answers)["cadence"]
    assert 0 <= cadence["posts_per_week"] <= 7
    assert cadence["posts_per_week"] * cadence["hours_per_post"] <= answers["hours_per_week"]
    assert cadence["reason"]


@PROPERTY
@given(valid_answers())
def test_tpe_never_more_than_two_primary_channels_pme_three(answers):
    primary = sum(c["role"] == "primary" for c in result_for(answers)["channels"])
    assert primary <= (2 if answers["headcount"] in ("solo", "micro") else 3)


@PROPERTY
@given(valid_answers(), st.integers(0, 40), st.integers(0, 100_000))
def test_more_hours_or_budget_never_lowers_the_resources_score(answers, hours, budget):
    before = result_for(answers)["scores"]["resources"]
    more_hours = dict(answers, hours_per_week=max(hours, answers["hours_per_week"]))
    more_budget = dict(answers, monthly_budget=max(budget, answers["monthly_budget"]))
    assert result_for(more_hours)["scores"]["resources"] >= before
    assert result_for(more_budget)["scores"]["resources"] >= before


@PROPERTY
@given(valid_answers(), st.sampled_from(BLOCKING_EDITS))
def test_adding_a_blocker_never_raises_the_verdict(answers, edit):
    before = result_for(answers)
    after = result_for(dict(answers, **edit))
    assert after["blockers"], edit
    assert rank(after["verdict"]) >= rank(before["verdict"])
    assert {b["id"] for b in before["blockers"]} <= {b["id"] for b in after["blockers"]} | {
        "agency_without_time"
    }


def _rule_conditions() -> list[dict]:
    """Every `when` in the rule files, and every part of them."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "when" in node:
                collect(node["when"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    def collect(condition):
        found.append(condition)
        for key in ("all", "any"):
            for sub in condition.get(key, []):
                collect(sub)
        if "not" in condition:
            collect(condition["not"])

    for name, _ in FILES.values():
        walk(yaml.safe_load((CONTENT_DIR / name).read_text(encoding="utf-8")))
    return found


RULE_CONDITIONS = _rule_conditions()
COMPILED = [(c, compile_condition(c)) for c in RULE_CONDITIONS]


@PROPERTY
@given(valid_answers())
def test_compiled_conditions_mean_what_the_reference_evaluator_says(answers):
    assert len(RULE_CONDITIONS) > 100
    for condition, compiled in COMPILED:
        assert compiled(answers) == conditions.evaluate(condition, answers), condition


def test_rules_load_once_and_are_reused():
    assert rules() is rules()


@PROPERTY
@given(valid_answers())
def test_actions_come_by_priority_within_each_horizon(answers):
    result = result_for(answers)
    for horizon in ("now", "quarter", "year", "long_term"):
        priorities = [a["priority"] for a in result["actions"] if a["horizon"] == horizon]
        assert priorities == sorted(priorities)
    assert not {p["id"] for p in result["principles"]} & {a["id"] for a in result["actions"]}


@PROPERTY
@given(valid_answers())
def test_tpe_never_more_than_two_secondary_channels_pme_three(answers):
    secondary = sum(c["role"] == "secondary" for c in result_for(answers)["channels"])
    assert secondary <= (2 if answers["headcount"] in ("solo", "micro") else 3)


def _reasons_in_favour() -> set[str]:
    data = yaml.safe_load((CONTENT_DIR / "channels.yaml").read_text(encoding="utf-8"))
    return {
        " ".join(r["reason"].split())
        for c in data["channels"]
        for r in c.get("rules", [])
        if r["points"] > 0
    }


IN_FAVOUR = _reasons_in_favour()


@PROPERTY
@given(valid_answers())
def test_a_channel_to_avoid_says_why_not_never_why(answers):
    for channel in result_for(answers)["channels"]:
        if channel["role"] == "avoid":
            assert channel["reasons"]
            shown = {
                " ".join(r.replace("\u00a0", " ").replace("\u202f", " ").split())
                for r in channel["reasons"]
            }
            assert not shown & IN_FAVOUR, channel


@PROPERTY
@given(valid_answers())
def test_evidence_is_only_cited_to_businesses_it_applies_to(answers):
    result = result_for(answers)
    cited = [e for a in result["actions"] + result["principles"] for e in a["evidence"]]
    cited += [e for m in result["misconceptions"] for e in m["evidence"]]
    audiences = {e["audience"] for e in cited}
    if answers["customers"] == "b2b":
        assert "b2c" not in audiences  # a consumer study says nothing of a B2B business
    if answers["customers"] == "b2c":
        assert "b2b" not in audiences
    if answers["local_share"] < 40:
        assert "local" not in audiences
    assert all(m["evidence"] for m in result["misconceptions"])


@PROPERTY
@given(valid_answers())
def test_an_account_already_running_on_a_recommended_network_is_never_paused(answers):
    result = result_for(answers)
    cadence = result["cadence"]
    running = set(answers["current_channels"]) & set(cadence["channels"])
    publishing = [a for a in result["actions"] if a["id"] == cadence["action_id"]]
    if running and cadence["posts_per_week"]:
        assert cadence["active"] and publishing[0]["horizon"] == "now"
    if running and answers["hours_per_week"] >= 3:
        assert cadence["posts_per_week"] >= 1, cadence
