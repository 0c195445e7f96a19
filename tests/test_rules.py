"""The rules: golden cases, loader validation and specific behaviour."""

import copy
import json
import os
import re
from pathlib import Path

import pytest
import yaml
from rules_helpers import (
    copy_rule_files,
    describe,
    load_cases,
    questionnaire,
    rank,
    result_for,
    rules,
    unmet,
)

from readiness import conditions
from readiness.content import ContentError
from readiness.rules import Rules, evaluate, load_rules
from readiness.rules.predicates import compile_condition

CASES = load_cases()


def _seeds() -> Path | None:
    """The source articles: shared/seeds beside the repo (or beside a worktree's parent)."""
    for parent in Path(__file__).resolve().parents[1:]:
        if (parent / "shared" / "seeds").is_dir():
            return parent / "shared" / "seeds"
    return None


SEEDS = _seeds()


def plain(text: str) -> str:
    """Texts are typeset with no-break spaces; compare them with ordinary ones."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def case_answers(name: str) -> dict:
    return copy.deepcopy(dict(CASES)[name]["answers"])


# --- golden cases ---------------------------------------------------------------------------
def test_there_are_enough_contrasting_cases():
    assert len(CASES) >= 12
    assert len({c["expect"].get("verdict", "") for _, c in CASES}) >= 4


@pytest.mark.parametrize(("name", "case"), CASES, ids=[n for n, _ in CASES])
def test_golden_case(name, case):
    q = questionnaire()
    assert q.relevant_answers(case["answers"]) == case["answers"], "answers must all apply"
    assert set(q.questions) - set(case["answers"]) <= {"website_tracking"}
    result = result_for(case["answers"])
    assert unmet(result, case["expect"]) == [], describe(result)


# --- loader ---------------------------------------------------------------------------------
def test_loads_and_exposes_version():
    loaded = rules()
    assert isinstance(loaded, Rules)
    assert re.fullmatch(r"1\+[0-9a-f]{8}", loaded.version)  # declared version + content digest


def _break(tmp_path, name: str, old: str, new: str) -> Path:
    directory = copy_rule_files(tmp_path)
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        (
            "actions.yaml",
            "when: {q: promise_kept, eq: rarely}",
            "when: {q: promise_keep, eq: rarely}",
            r"actions\.yaml: action 'fix_broken_promise', when: unknown question 'promise_keep'",
        ),
        (
            "actions.yaml",
            "when: {q: website, eq: outdated}",
            "when: {q: website, eq: old}",
            r"actions\.yaml: action 'refresh_website', when: "
            r"question 'website' has no option 'old'",
        ),
        (
            "actions.yaml",
            "evidence: [keep_the_promise, odoxa_disappointed]",
            "evidence: [keep_the_promise, odoxa_disapointed]",
            r"actions\.yaml: action 'write_promise': unknown evidence 'odoxa_disapointed'",
        ),
        (
            "misconceptions.yaml",
            "evidence: [adobe_trust]",
            "evidence: [adobe_trusts]",
            r"misconceptions\.yaml: misconception 'brand_posts_trusted': unknown evidence",
        ),
        (
            "evidence.yaml",
            "evidence:\n",
            "evidence:\n  - {id: orphan, kind: article, audience: any, geography: null, "
            "figure: null, text: t, source: s, year: null, article: b2b}\n",
            r"evidence\.yaml: evidence 'orphan': not cited by any action or misconception",
        ),
        (
            "scoring.yaml",
            "points: {none: 0, outdated: 5, current: 12, ecommerce: 15}",
            "points: {none: 0, outdated: 5, current: 12, e_commerce: 15}",
            r"scoring\.yaml: dimension 'readiness', question 'website': no option 'e_commerce'",
        ),
        (
            "scoring.yaml",
            "cap: start_small\n    message: \"Vous n'avez pas de site",
            "cap: later\n    message: \"Vous n'avez pas de site",
            r"scoring\.yaml: blocker 'no_website', cap: Input should be",
        ),
        (
            "scoring.yaml",
            "when: {q: criticism_handling, eq: delete}",
            "when: {q: criticism_handling, eq: remove}",
            r"scoring\.yaml: blocker 'deletes_criticism', when: question 'criticism_handling'",
        ),
        (
            "channels.yaml",
            'when: {q: visual_offer, eq: "yes"}\n        points: 30',
            'when: {q: visual_offers, eq: "yes"}\n        points: 30',
            r"channels\.yaml: channel 'instagram', rule 'visual', when: unknown question",
        ),
        (
            "channels.yaml",
            "  - id: tiktok\n",
            "  - id: tik_tok\n",
            r"channels\.yaml: channels: expected each of",
        ),
        (
            "actions.yaml",
            'horizon: year\n    title: "Reliez',
            'horizon: next_year\n    title: "Reliez',
            r"actions\.yaml: action 'integrate_digital', horizon: Input should be",
        ),
        (
            "actions.yaml",
            "  - id: refresh_website\n",
            "  - id: create_website\n",
            r"actions\.yaml: action 'create_website': duplicate id",
        ),
        (
            "actions.yaml",
            "requires: {q: hours_per_week, gte: 1}",
            "requires: {q: hours_per_week, gte: one}",
            r"actions\.yaml: action 'google_profile', requires, when: question 'hours_per_week': "
            r"operator 'gte' needs a number",
        ),
        (
            "scoring.yaml",
            "points: {low: 0, medium: 5, high: 8}",
            "points: {low: 0, medium: 5}",
            r"scoring\.yaml: dimension 'resources', question 'digital_comfort': no points for "
            r"option 'high'",
        ),
        (
            "actions.yaml",
            'title: "Publiez {posts} fois par semaine {scope}"',
            'title: "Publiez {posts.real} fois par semaine"',
            r"actions\.yaml: publishing 'publish_regularly', title: unknown placeholder",
        ),
        (
            "actions.yaml",
            "hours_per_week: 0.5\n    eur_per_month: 0\n    kpi: \"Taux d'ouverture, clics et cl",
            "hours_per_week: 0.4\n    eur_per_month: 0\n    kpi: \"Taux d'ouverture, clics et cl",
            r"actions\.yaml: action 'email_customers', hours_per_week: Input should be a multiple",
        ),
    ],
)
def test_a_typo_fails_at_load_naming_file_item_and_problem(tmp_path, name, old, new, expected):
    directory = _break(tmp_path, name, old, new)
    with pytest.raises(ContentError, match=expected):
        load_rules(questionnaire(), directory)


def test_an_unreadable_file_is_named(tmp_path):
    directory = copy_rule_files(tmp_path)
    (directory / "channels.yaml").write_text("channels: [unclosed", encoding="utf-8")
    with pytest.raises(ContentError, match=r"^channels\.yaml: cannot be read"):
        load_rules(questionnaire(), directory)


def test_every_evidence_item_has_a_source_and_an_honest_year():
    data = yaml.safe_load(Path(rules_dir(), "evidence.yaml").read_text(encoding="utf-8"))
    for item in data["evidence"]:
        assert item["source"] and item["text"]
        assert item["year"] in (None, 2012, 2013, 2015), item["id"]


def _norm(text: str) -> str:
    """Compare texts whatever their spaces, apostrophes and case."""
    text = text.replace("\u2019", "'").replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"\s+", "", text).lower()


# Studies the articles name without the product citing them: they end a passage too.
OTHER_SOURCES = ("Concentric", "Pitney Bowes", "Forrester", "Exact Target", "Deloitte")
GEOGRAPHY_WORDS = {
    "États-Unis": ("améric",),
    "Europe": ("europ",),
    "Royaume-Uni": ("royaume-uni", "britanni"),
    "plusieurs pays": ("international",),
}


def _names(source: str) -> list[str]:
    return [n.strip() for n in re.split(r" et | / |, ", source) if n.strip()]


def _evidence_data() -> dict:
    return yaml.safe_load(Path(rules_dir(), "evidence.yaml").read_text(encoding="utf-8"))


def _seed_paragraphs() -> dict[str, list[str]]:
    """Each article of the evidence file, found by its title, as a list of paragraphs."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    found = {}
    for key, title in _evidence_data()["articles"].items():
        matches = [t for t in texts if _norm(title) in _norm(t)]
        assert len(matches) == 1, f"article {key!r}: {title!r} is not in exactly one seed"
        found[key] = [p for p in re.split(r"\n\s*\n", matches[0]) if p.strip()]
    return found


@pytest.mark.skipif(
    SEEDS is None and not os.environ.get("CI"), reason="source articles not available"
)
def test_each_citation_stands_in_its_article_with_its_figure_year_and_source():
    """The figure is in the passage quoted, and the study named is the one that passage
    cites (the nearest paragraph naming a study, going back): a misattribution fails."""
    assert SEEDS is not None, "the source articles (shared/seeds) are needed in CI"
    data = _evidence_data()
    articles = _seed_paragraphs()
    studies = {n for e in data["evidence"] if e["kind"] == "study" for n in _names(e["source"])}
    known = [_norm(n) for n in sorted(studies) + list(OTHER_SOURCES)]
    checked = 0
    for item in data["evidence"]:
        paragraphs = [_norm(p) for p in articles[item["article"]]]
        whole = "".join(paragraphs)
        if not item.get("quote"):
            continue
        where = [i for i, p in enumerate(paragraphs) if _norm(item["quote"]) in p]
        assert len(where) == 1, (item["id"], "quote not found once in its article")
        here = where[0]
        numbers = [_norm(n) for n in re.findall(r"\d+(?:[ ,]\d+)*", item["figure"] or "")]
        if item["kind"] == "study":
            cited_by = next(
                (i for i in range(here, -1, -1) if any(k in paragraphs[i] for k in known)), None
            )
            assert cited_by is not None, (item["id"], "no study named before the figure")
            for name in _names(item["source"]):
                assert _norm(name) in paragraphs[cited_by], (item["id"], name, "not its source")
            span = "".join(paragraphs[cited_by : here + 1])
            assert all(n in span for n in numbers), (item["id"], item["figure"])
            if item["geography"]:
                words = GEOGRAPHY_WORDS[item["geography"]]
                assert any(w in span for w in words), (item["id"], item["geography"])
        else:
            assert all(n in paragraphs[here] for n in numbers), (item["id"], item["figure"])
        assert not numbers or any(n in paragraphs[here] for n in numbers), item["id"]
        if item["year"]:
            assert str(item["year"]) in whole, (item["id"], item["year"])
        checked += 1
    assert checked >= 20


@pytest.mark.skipif(SEEDS is None, reason="source articles not available")
@pytest.mark.parametrize(
    ("item_id", "wrong_source"),
    [("posting_frequency", "B2Bmarketing.net"), ("fan_engagement_drop", "B2Bmarketing.net")],
)
def test_a_misattributed_figure_is_caught(item_id, wrong_source):
    articles = _seed_paragraphs()
    item = next(e for e in _evidence_data()["evidence"] if e["id"] == item_id)
    paragraphs = [_norm(p) for p in articles[item["article"]]]
    here = next(i for i, p in enumerate(paragraphs) if _norm(item["quote"]) in p)
    assert _norm(wrong_source) not in "".join(paragraphs[here - 1 : here + 1])
    assert _norm(item["source"]) in "".join(paragraphs[here - 1 : here + 1])


def test_no_consumer_study_is_cited_to_a_b2b_business():
    answers = case_answers("b2b_consultancy")
    assert answers["customers"] == "b2b"
    result = result_for(answers)
    cited = [e for a in result["actions"] for e in a["evidence"]]
    cited += [e for m in result["misconceptions"] for e in m["evidence"]]
    assert cited and all(e["audience"] in ("b2b", "any") for e in cited)
    sources = {e["source"] for e in cited}
    assert not sources & {"Kentico", "L2", "PwC", "YouGov", "Adobe"}


def rules_dir() -> Path:
    from readiness.content import CONTENT_DIR

    return CONTENT_DIR


# --- behaviour ------------------------------------------------------------------------------
def test_nobody_and_no_hour_means_not_now_whatever_the_rest():
    answers = case_answers("prepared_retailer")
    answers.update(who="nobody", hours_per_week=0)
    result = result_for(answers)
    assert result["verdict"] == "not_now"
    assert {"no_time", "nobody_in_charge"} <= {b["id"] for b in result["blockers"]}
    assert plain(result["verdict_label"]) == "Pas maintenant : d'autres leviers d'abord"


def test_slow_answers_without_complaint_process_caps_at_prepare_first():
    answers = case_answers("prepared_retailer")
    answers.update(response_time="days", complaint_process="none")
    result = result_for(answers)
    assert rank(result["verdict"]) >= rank("prepare_first")
    assert "no_customer_service" in {b["id"] for b in result["blockers"]}
    assert result["verdict_sentence"].startswith("Préparez-vous d'abord")


def test_zero_hours_plan_takes_no_time_and_points_to_other_levers():
    result = result_for(case_answers("nobody_no_time"))
    load = result["plan_load"]
    assert load["hours_per_week"] == 0
    assert result["cadence"]["posts_per_week"] == 0
    assert "e-mail" in load["advice"] and "bouche-à-oreille" in load["advice"]
    soon = [a for a in result["actions"] if a["horizon"] in ("now", "quarter")]
    assert soon and all(a["hours_per_week"] == 0 for a in soon)


def test_actions_that_do_not_fit_move_to_year_and_are_named_in_the_advice():
    result = result_for(case_answers("hairdresser_one_hour"))
    load = result["plan_load"]
    assert load["hours_per_week"] <= 1 and load["eur_per_month"] == 0
    assert not load["fits"]
    website = next(a for a in result["actions"] if a["id"] == "create_website")
    assert website["horizon"] == "year" and website["deferred"]
    assert "create_website" in load["dropped"]
    assert "Créez un site simple" in load["advice"] and "de plus par mois" in load["advice"]


def test_because_names_the_answers_that_triggered_the_action():
    result = result_for(case_answers("baker_no_website"))
    website = next(a for a in result["actions"] if a["id"] == "create_website")
    (because,) = website["because"]
    assert because["question"] == "website" and because["answer"] == "none"
    assert plain(because["label"]) == "Avez-vous un site web ? — Non, pas de site"
    assert all(e["source"] for a in result["actions"] for e in a["evidence"])


def test_because_quotes_only_the_ticked_options_a_rule_looked_at():
    answers = case_answers("fashion_eshop")
    result = result_for(answers)
    focus = next(a for a in result["actions"] if a["id"] == "focus_channels")
    assert focus["because"][0]["answer"] == answers["current_channels"]
    labels = [
        b["label"] for b in result_for(case_answers("nobody_no_time"))["actions"][0]["because"]
    ]
    assert labels and all(" — " in label for label in labels)


def test_tpe_gets_two_primary_channels_at_most_and_pme_three():
    answers = case_answers("agency_pme")
    answers.update(hours_per_week=20)
    pme = result_for(answers)
    answers.update(headcount="micro")
    tpe = result_for(answers)
    assert sum(c["role"] == "primary" for c in pme["channels"]) == 3
    assert sum(c["role"] == "primary" for c in tpe["channels"]) == 2


def test_cadence_never_above_seven_even_with_a_full_time_person():
    answers = case_answers("prepared_retailer")
    answers.update(hours_per_week=40, monthly_budget=5000)
    result = result_for(answers)
    assert result["verdict"] == "go"
    assert result["cadence"]["posts_per_week"] == 7
    assert "au-delà" in result["cadence"]["reason"]


def test_cadence_is_limited_by_the_hours_left():
    answers = case_answers("prepared_retailer")
    answers.update(hours_per_week=2)
    result = result_for(answers)
    cadence, load = result["cadence"], result["plan_load"]
    assert cadence["posts_per_week"] * cadence["hours_per_post"] <= 2
    assert load["hours_per_week"] <= 2


def test_result_is_json_and_does_not_share_state_with_the_rules():
    answers = case_answers("b2b_consultancy")
    first = result_for(answers)
    json.dumps(first)
    first["actions"][0]["evidence"][0]["text"] = "changed"
    first["misconceptions"] and first["misconceptions"][0]["evidence"].clear()
    assert result_for(answers) == result_for(case_answers("b2b_consultancy"))
    assert result_for(answers)["actions"][0]["evidence"][0]["text"] != "changed"


def test_evaluate_does_not_modify_the_answers():
    answers = case_answers("fashion_eshop")
    before = copy.deepcopy(answers)
    evaluate(rules(), answers)
    assert answers == before


def test_fired_lists_every_rule_that_fired():
    result = result_for(case_answers("deletes_criticism_quick_sales"))
    fired = result["fired"]
    assert "blocker:deletes_criticism" in fired
    assert "action:answer_every_comment" in fired
    assert "misconception:delete_protects_reputation" in fired
    assert any(f.startswith("channel:instagram.") for f in fired)
    assert result["rules_version"] == rules().version


def test_misconceptions_carry_their_correcting_evidence():
    result = result_for(case_answers("deletes_criticism_quick_sales"))
    quick = next(m for m in result["misconceptions"] if m["id"] == "quick_direct_sales")
    assert {e["id"] for e in quick["evidence"]} >= {"kentico_never_bought", "l2_new_customers"}
    likes = next(m for m in result["misconceptions"] if m["id"] == "likes_are_customers")
    assert any("800" in (e["figure"] or "") for e in likes["evidence"])


@pytest.mark.parametrize(
    "condition",
    [
        {"q": "website", "eq": "current"},
        {"q": "website", "ne": "current"},
        {"q": "website", "in": ["none", "outdated"]},
        {"q": "website", "not_in": ["none"]},
        {"q": "hours_per_week", "gt": 4},
        {"q": "hours_per_week", "lte": 4},
        {"q": "goals", "contains": "sales"},
        {"q": "goals", "contains_any": ["recruiting", "partners"]},
        {"q": "goals", "contains_all": ["sales", "loyalty"]},
        {"q": "goals", "count_gte": 2},
        {"q": "goals", "count_lte": 1},
        {"q": "website_tracking", "eq": "yes"},
        {"q": "website_tracking", "answered": False},
        {"q": "website", "answered": True},
        {"all": [{"q": "website", "eq": "current"}, {"q": "hours_per_week", "gt": 10}]},
        {"all": [{"q": "website", "eq": "current"}]},
        {
            "any": [
                {"q": "website", "eq": "none"},
                {"q": "goals", "count_gte": 3},
                {"q": "hours_per_week", "gte": 10},
            ]
        },
        {"not": {"q": "website", "eq": "none"}},
    ],
)
@pytest.mark.parametrize(
    "answers",
    [
        {"website": "current", "hours_per_week": 4, "goals": ["sales", "loyalty"]},
        {"website": "none", "hours_per_week": 12, "goals": ["recruiting"]},
        {"website": "current", "website_tracking": "yes", "hours_per_week": 0, "goals": []},
    ],
)
def test_compiled_conditions_agree_with_the_reference_evaluator(condition, answers):
    assert compile_condition(condition)(answers) == conditions.evaluate(condition, answers)


def test_guards_are_checked_but_not_quoted():
    result = result_for(case_answers("baker_no_website"))
    google = next(a for a in result["actions"] if a["id"] == "google_profile")
    quoted = {b["question"] for b in google["because"]}
    assert "local_share" in quoted and quoted <= {"local_share", "sector", "premises"}
    assert "hours_per_week" not in quoted  # the guard
    answers = case_answers("baker_no_website")
    answers.update(hours_per_week=0)
    ids = {a["id"] for a in result_for(answers)["actions"]}
    assert "google_profile" not in ids and "google_profile_delegated" in ids


def test_go_is_capped_when_preparation_leaves_no_hour_to_publish():
    from tests.conftest import SAMPLE_ANSWERS

    # 2 h a week, all taken by preparation this quarter (one-off work is charged once, so
    # the 3 h of the sample leave room to publish).
    busy = result_for(dict(SAMPLE_ANSWERS, hours_per_week=2))
    assert busy["cadence"]["posts_per_week"] == 0
    assert busy["verdict"] == "start_small"
    assert "no_time_to_publish" in [b["id"] for b in busy["blockers"]]
    roomy = result_for(dict(SAMPLE_ANSWERS, hours_per_week=3))
    assert roomy["verdict"] == "go"
    assert roomy["cadence"]["posts_per_week"] >= 1


def test_editing_a_rule_file_changes_the_version(tmp_path):
    directory = copy_rule_files(tmp_path)
    same = load_rules(questionnaire(), directory)
    path = directory / "actions.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Publiez", "Postez", 1), "utf-8")
    edited = load_rules(questionnaire(), directory)
    assert same.version == rules().version
    assert edited.version != same.version


def test_ids_and_labels_have_one_home():
    from readiness import clients, community, exports, radar
    from readiness.rules.schema import DIMENSIONS, SCORES, VERDICTS

    report = yaml.safe_load(Path(rules_dir(), "report.yaml").read_text(encoding="utf-8"))
    assert "verdicts" not in report  # verdict labels: scoring.yaml only
    assert [d for d, _ in radar.dimensions()] == list(DIMENSIONS)
    assert [label for _, label in radar.dimensions()] == [
        report["dimensions"][d] for d in DIMENSIONS
    ]
    assert tuple(exports.DIMENSIONS) == SCORES
    assert list(clients.VERDICT_ORDER) == list(VERDICTS)
    assert set(community.DIMENSIONS) == set(SCORES) and community.VERDICTS == VERDICTS


def test_the_rules_require_the_company_name_question(tmp_path):
    from readiness.content import load_questionnaire

    path = tmp_path / "questionnaire.yaml"
    text = Path(rules_dir(), "questionnaire.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("id: company_name", "id: company", 1), encoding="utf-8")
    with pytest.raises(ContentError, match="company_name"):
        load_rules(load_questionnaire(path))


@pytest.mark.parametrize("hours", [0.5, 1.5, 2.5, 3.75])
def test_half_hours_are_planned_like_any_other_amount(hours):
    result = result_for(dict(case_answers("prepared_retailer"), hours_per_week=hours))
    load = result["plan_load"]
    assert load["declared_hours_per_week"] == hours
    assert load["hours_per_week"] <= hours
    assert load["hours_per_week"] * load["weeks"] + load["one_off_hours"] <= hours * load["weeks"]
    publishing = [a for a in result["actions"] if a["id"] == "publish_regularly"]
    for action in publishing:
        label = action["because"][0]["label"]
        assert plain(label).endswith(f"{str(hours).replace('.', ',')} h / semaine")
