"""Service: the result of a completed diagnostic, and the report handed to the views."""

import hashlib
import json
from typing import Any

from flask import current_app

from readiness import assessments
from readiness.content import Questionnaire
from readiness.extensions import db
from readiness.formatting import fr_number
from readiness.models import Assessment
from readiness.radar import radar_svg
from readiness.rules import evaluate


def content():
    return current_app.extensions["readiness"]


def result_key(answers: dict[str, Any], rules_version: str) -> str:
    """A fingerprint of what a result depends on: the answers and the rules version."""
    payload = json.dumps([answers, rules_version], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def completed_answers(assessment: Assessment) -> dict[str, Any] | None:
    """The applicable answers of a completed diagnostic, or None while steps remain."""
    q = content().questionnaire
    steps = assessments.saved_steps(assessment)
    if not all(assessments.step_completion(q, steps).values()):
        return None
    return q.relevant_answers(assessments.merged_answers(q, steps))


def result_for(assessment: Assessment, answers: dict[str, Any]) -> dict[str, Any]:
    """The stored result snapshot, recomputed and stored only when answers or rules changed."""
    rules = content().rules
    key = result_key(answers, rules.version)
    if assessment.result_key != key:
        assessment.result = evaluate(rules, answers)
        assessment.rules_version = rules.version
        assessment.result_key = key
        db.session.commit()
    return assessment.result


def evaluate_scenario(answers: dict[str, Any]) -> dict[str, Any]:
    """The result of answers that are not stored ("Et si… ?", the API)."""
    return evaluate(content().rules, answers)


def labelled_answers(q: Questionnaire, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Answers as display text, grouped by step, for the summary, the PDF and exports."""
    return [
        {
            "step": step.title,
            "step_id": step.id,
            "items": [
                {"label": question.label, "value": display_value(question, answers[question.id])}
                for question in step.questions
                if question.id in answers
            ],
        }
        for step in q.steps
    ]


def display_value(question, value: Any) -> str:
    if question.type == "multiple":
        return ", ".join(question.option_label(v) for v in value)
    if question.type == "single":
        return question.option_label(value)
    if question.type == "integer":
        return f"{fr_number(value)} {question.unit or ''}".strip()
    return str(value)


def build_report(assessment: Assessment, answers: dict[str, Any]) -> dict[str, Any]:
    """Everything the result page and the PDF show, as plain data (no database objects)."""
    result = result_for(assessment, answers)
    return {
        "company_name": answers["company_name"],
        "date": assessment.updated_at,
        "token": assessment.token,
        "answers": labelled_answers(content().questionnaire, answers),
        "declared": {
            "hours_per_week": answers.get("hours_per_week", 0),
            "monthly_budget": answers.get("monthly_budget", 0),
        },
        "result": result,
        "radar_svg": str(radar_svg(result["scores"])),
        "consultant": None,
        "notes": [],
        "previous": None,
        "cache_key": assessment.result_key,
    }
