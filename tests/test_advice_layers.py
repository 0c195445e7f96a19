"""The three questions in words and « Ce que la loi vous impose »: data, rules, outputs."""

import copy
import io
import re
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from readiness.content import CONTENT_DIR, ContentError
from readiness.rules import evaluate, load_rules
from tests.conftest import SAMPLE_ANSWERS
from tests.rules_helpers import copy_rule_files, load_cases, questionnaire, result_for

CASES = dict(load_cases())
SOURCES = Path("/work/shared/regulations-sources.md")


def case(name: str) -> dict:
    return copy.deepcopy(CASES[name]["answers"])


def broken(tmp_path, name: str, old: str, new: str) -> Path:
    directory = copy_rule_files(tmp_path)
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return directory


# --- loading --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        (
            "regulations.yaml",
            "      tiktok: {effect: avoid",
            "      snapchat: {effect: avoid",
            r"^regulations\.yaml: regulation 'alcohol_where': unknown channel 'snapchat'",
        ),
        (
            "regulations.yaml",
            "when: {q: regulated, contains: alcohol}",
            "when: {q: regulated, contains: wine}",
            r"^regulations\.yaml: regulation 'alcohol_where', when: question 'regulated' has no "
            r"option 'wine'",
        ),
        (
            "regulations.yaml",
            "suggest_when: {q: sector, eq: drinks}",
            "suggest_when: {q: trade, eq: drinks}",
            r"^regulations\.yaml: regulation 'alcohol_where', suggest_when: unknown question",
        ),
        (
            "regulations.yaml",
            "  - id: alcohol_content",
            "  - id: alcohol_where",
            r"^regulations\.yaml: regulation 'alcohol_where': duplicate id",
        ),
        (
            "regulations.yaml",
            "effect: avoid, reason:",
            "effect: ban, reason:",
            r"^regulations\.yaml: .*effect",
        ),
        (
            "three_questions.yaml",
            "{q: customers_online, in: [many, most]}",
            "{q: customers_online, in: [lots]}",
            r"^three_questions\.yaml: question 'interest', strength 0: question 'customers_online' "
            r"has no option 'lots'",
        ),
        (
            "three_questions.yaml",
            'text: "commencez par {primary}"',
            'text: "commencez par {primary.label}"',
            r"^three_questions\.yaml: check 'channels': only the placeholder \{primary\}",
        ),
        (
            "three_questions.yaml",
            "  - id: philosophy\n",
            "  - id: culture\n",
            r"^three_questions\.yaml: questions: expected \['interest', 'readiness', ",
        ),
        (
            "three_questions.yaml",
            "at_most: not_yet}\n    strengths:\n      - {when: {q: customers_online",
            "at_most: maybe}\n    strengths:\n      - {when: {q: customers_online",
            r"^three_questions\.yaml: .*at_most",
        ),
    ],
)
def test_a_broken_rule_file_fails_at_load(tmp_path, name, old, new, expected):
    with pytest.raises(ContentError, match=expected):
        load_rules(questionnaire(), broken(tmp_path, name, old, new))


# --- regulations ----------------------------------------------------------------------------
def test_every_regulation_is_dated_and_sourced():
    data = yaml.safe_load((CONTENT_DIR / "regulations.yaml").read_text(encoding="utf-8"))
    assert data["as_of"] == "novembre 2026"
    for entry in data["regulations"]:
        assert entry["references"], entry["id"]
        assert len(entry["text"]) < 600, f"{entry['id']}: keep each entry short"


def test_no_article_number_the_sources_mark_to_confirm_is_cited():
    """The pharmacists' new code and the ORIAS mention were not confirmed: no article."""
    text = (CONTENT_DIR / "regulations.yaml").read_text(encoding="utf-8")
    assert not re.search(r"R\.?\s?4235", text)
    finance = next(e for e in yaml.safe_load(text)["regulations"] if e["id"] == "finance")
    assert "ORIAS" in finance["check"] and "art" not in finance["check"]
    pharmacy = next(e for e in yaml.safe_load(text)["regulations"] if e["id"] == "pharmacy")
    assert "Ordre national des pharmaciens" in pharmacy["check"]
    assert any("à confirmer" in r for r in pharmacy["references"])


def test_alcohol_excludes_tiktok_with_the_legal_reason():
    result = result_for(case("craft_brewery"))
    tiktok = next(c for c in result["channels"] if c["channel"] == "tiktok")
    assert tiktok["role"] == "avoid" and tiktok["regulation"] == "alcohol_where"
    assert len(tiktok["reasons"]) == 1 and tiktok["reasons"][0].startswith("Loi Évin")
    assert "regulation:alcohol_where" in result["fired"]
    content = next(r for r in result["regulations"] if r["id"] == "alcohol_content")
    assert any("L’abus d’alcool est dangereux pour la santé" in m for m in content["mentions"])
    assert all(r["as_of"] == "novembre 2026" and r["references"] for r in result["regulations"])


def test_the_same_brewery_without_the_alcohol_rule_may_use_tiktok():
    answers = dict(case("craft_brewery"), regulated=["none"])
    result = result_for(answers)
    tiktok = next(c for c in result["channels"] if c["channel"] == "tiktok")
    assert "regulation" not in tiktok
    assert not {r["id"] for r in result["regulations"]} & {"alcohol_where", "alcohol_content"}


def test_old_answers_get_the_sector_rules_only_as_suggestions():
    answers = case("craft_brewery")
    del answers["regulated"], answers["premises"], answers["trigger"]
    result = result_for(answers)
    alcohol = {r["id"]: r for r in result["regulations"] if r["id"].startswith("alcohol")}
    assert set(alcohol) == {"alcohol_where", "alcohol_content"}
    assert all(r["suggested"] and r["note"] and r["channels"] == [] for r in alcohol.values())
    tiktok = next(c for c in result["channels"] if c["channel"] == "tiktok")
    assert "regulation" not in tiktok  # a suggestion is not law applied
    assert result["verdict"] in {"go", "start_small"}


def test_b2b_gets_the_professional_e_mail_rule_and_b2c_the_consent_rule():
    b2b = {r["id"] for r in result_for(case("accounting_firm"))["regulations"]}
    b2c = {r["id"] for r in result_for(case("plumber_creuse"))["regulations"]}
    assert "email_professionals" in b2b and "email_consumers" not in b2b
    assert "email_consumers" in b2c and "email_professionals" not in b2c


# --- three questions ------------------------------------------------------------------------
def test_three_questions_answer_in_words_with_the_answers_behind_them():
    result = result_for(SAMPLE_ANSWERS)
    assert [q["id"] for q in result["three_questions"]] == ["interest", "readiness", "philosophy"]
    assert [q["id"] for q in result["checks"]] == ["resources", "channels"]
    for item in result["three_questions"] + result["checks"]:
        assert item["answer"] in {"yes", "rather_yes", "not_yet", "no"}
        assert item["sentence"].startswith(item["question"])
        assert item["answer_label"] in item["sentence"] and item["sentence"].endswith(".")
        assert "{" not in item["sentence"]
    interest = result["three_questions"][0]
    assert {b["question"] for b in interest["because"]} == {"customers_online", "goals"}


def test_quick_sales_expectations_are_the_limit_of_the_interest_answer():
    answers = dict(SAMPLE_ANSWERS, expect_direct_sales="yes", results_horizon="weeks")
    interest = result_for(answers)["three_questions"][0]
    assert interest["answer"] in {"yes", "rather_yes"}
    assert "mais n’en attendez pas de ventes directes en quelques semaines" in interest["sentence"]
    assert "expect_direct_sales" in {b["question"] for b in interest["because"]}


def test_a_cap_lowers_the_answer_whatever_the_score():
    answers = dict(SAMPLE_ANSWERS, criticism_handling="delete")
    philosophy = result_for(answers)["three_questions"][2]
    assert philosophy["answer"] == "not_yet"
    assert "? Pas encore\u00a0: supprimer une critique" in philosophy["sentence"]
    assert "supprimer une critique" in philosophy["sentence"]


def test_nobody_and_no_hour_answers_no_to_the_resources_check():
    answers = dict(SAMPLE_ANSWERS, who="nobody", hours_per_week=0)
    resources = result_for(answers)["checks"][0]
    assert resources["answer"] == "no"
    assert "aucune heure" in resources["sentence"]


def test_the_channels_check_names_the_primary_channels():
    result = result_for(case("craft_brewery"))
    channels = result["checks"][1]
    assert "commencez par Instagram" in channels["sentence"]
    assert "loi Évin" in channels["sentence"]


# --- page and PDF ---------------------------------------------------------------------------
def test_result_page_shows_the_three_questions_under_the_verdict_and_the_law(wizard, client):
    token = wizard.complete(case("craft_brewery"))
    page = client.get(f"/d/{token}/resultat").get_data(as_text=True)
    verdict, questions, law = (
        page.index('id="verdict-title"'),
        page.index('id="three-questions-title"'),
        page.index('id="regulations-title"'),
    )
    assert verdict < questions < page.index('id="scores-title"') < law
    assert "Est-ce dans l’intérêt de votre entreprise" in page
    assert "Ce que la loi vous impose" in page
    assert "Code de la santé publique, art. L3323-2, 9°" in page
    assert "À jour&nbsp;: novembre 2026" in page


def test_the_pdf_shows_the_three_questions_and_the_law(wizard, client):
    token = wizard.complete(case("pharmacy_lyon"))
    response = client.get(f"/d/{token}/plan.pdf")
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Est-ce dans l’intérêt de votre entreprise" in text
    assert "Avez-vous les moyens de le faire" in text
    assert "Ce que la loi vous impose" in text
    assert "R5125-26" in text and "Ordre national des pharmaciens" in text


def test_a_discouraged_channel_is_never_primary_and_says_why(tmp_path):
    directory = broken(
        tmp_path,
        "regulations.yaml",
        "      tiktok: {effect: avoid",
        "      instagram: {effect: discourage",
    )

    result = evaluate(load_rules(questionnaire(), directory), case("craft_brewery"))
    instagram = next(c for c in result["channels"] if c["channel"] == "instagram")
    assert instagram["role"] == "secondary" and instagram["regulation"] == "alcohol_where"
    assert instagram["reasons"][0].startswith("Loi Évin") and len(instagram["reasons"]) > 1
