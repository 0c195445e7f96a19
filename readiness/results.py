"""Service: the result of a completed diagnostic, and the report handed to the views."""

import hashlib
import json
import re
from typing import Any

from flask import current_app

from readiness import assessments, clients, community, meetings, peers
from readiness.branding import logo_data_uri
from readiness.content import Questionnaire
from readiness.extensions import db
from readiness.formatting import fr_number
from readiness.models import Assessment, utcnow
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
    return complete_answers(assessment, assessments.saved_steps(assessment))


def complete_answers(
    assessment: Assessment, steps: dict[str, dict[str, Any]]
) -> dict[str, Any] | None:
    """The applicable answers of ``steps`` when every step is complete, else None."""
    q = content().questionnaire
    if not all(assessments.step_completion(q, steps, assessment.questionnaire_version).values()):
        return None
    return q.relevant_answers(assessments.merged_answers(q, steps))


def result_for(assessment: Assessment, answers: dict[str, Any]) -> dict[str, Any]:
    """The stored result of these answers; read-only (a GET never writes).

    The result is stored when a step is saved (``save_step``). A snapshot made by an older
    rules version, or not yet stored, is computed here and returned without being stored.
    """
    if assessment.result_key is not None and assessment.result_key == current_key(answers):
        return assessment.result  # result_key is only ever written with its result
    return evaluate(content().rules, answers)


def current_key(answers: dict[str, Any]) -> str:
    return result_key(answers, content().rules.version)


def save_step(
    assessment: Assessment,
    steps: dict[str, dict[str, Any]],
    step_id: str,
    answers: dict[str, Any],
    note: str | None = None,
) -> dict[str, Any] | None:
    """Save one step; when the diagnostic is then complete and its answers changed, store
    the result in the same transaction, then the client's columns and the community.

    ``steps``: the saved steps read before this one. Returns the stored result, if any.
    """
    complete = complete_answers(assessment, {**steps, step_id: answers})
    stored = None
    if complete is not None:
        rules = content().rules
        key = result_key(complete, rules.version)
        if key != assessment.result_key:
            stored = {
                "result": evaluate(rules, complete),
                "rules_version": rules.version,
                "result_key": key,
            }
    assessments.save_step(assessment, step_id, answers, note, stored)
    if stored is not None:
        record(assessment, complete, stored["result"])
    return stored


def store_result(assessment: Assessment, answers: dict[str, Any]) -> dict[str, Any]:
    """Compute and store the result when the answers or the rules changed (CLI, repairs)."""
    rules = content().rules
    key = result_key(answers, rules.version)
    if assessment.result_key != key or assessment.result is None:
        assessment.result = evaluate(rules, answers)
        assessment.rules_version = rules.version
        assessment.result_key = key
        db.session.commit()
        record(assessment, answers, assessment.result)
    return assessment.result


def record(assessment: Assessment, answers: dict[str, Any], result: dict[str, Any]) -> None:
    """What follows a new result: the client's sort columns and the community figures."""
    clients.record_result(assessment, result["verdict"])
    db.session.commit()
    community.record(assessment, answers, result)


def peers_for(answers: dict[str, Any]) -> dict[str, Any]:
    """Published figures set against the answers, and the community comparison if any.

    Kept outside the pure rules result: the community part changes with this instance's data.
    """
    q = content().questionnaire
    data = peers.published(current_app.extensions["peers"], q, answers)
    # "Commerce alimentaire (boulangerie, épicerie…)" → "Commerce alimentaire" in a group's name.
    labels = {
        key: re.sub(r"\s*\(.*?\)", "", q.questions[key].option_label(answers.get(key, "")))
        for key in ("sector", "headcount")
    }
    sector, headcount = answers.get("sector"), answers.get("headcount")
    data["community"] = community.comparison(sector, headcount, labels)
    data["min_group"] = current_app.extensions["peers"].community.min_group
    return data


def with_peers(result: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """The result as the API gives it: the rules' result plus ``peers``."""
    return {**result, "peers": peers_for(answers)}


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
    if question.is_number:
        number = fr_number(value, 2)  # a no-break space keeps « 70 % » on one line
        return f"{number}\u00a0{question.unit}" if question.unit else number
    return str(value)


def history(client) -> list[dict[str, Any]]:
    """The client's diagnostics, oldest first, each with its result once complete."""
    rows = []
    for number, assessment in enumerate(clients.client_assessments(client), start=1):
        answers = None if assessment.erased_at else completed_answers(assessment)
        rows.append(
            {
                "number": number,
                "token": assessment.token,
                "erased_at": assessment.erased_at,
                "created_at": assessment.created_at,
                "updated_at": assessment.updated_at,
                "meeting_on": assessment.meeting_on,
                "next_meeting_on": assessment.next_meeting_on,
                "result": None if answers is None else result_for(assessment, answers),
            }
        )
    return rows


def progress(rows: list[dict], before: int | None, after: int | None) -> dict | None:
    """Score changes per dimension between two completed diagnostics (default: the last two)."""
    done = {row["number"]: row for row in rows if row["result"]}
    if len(done) < 2:
        return None
    numbers = sorted(done)
    if before not in done or after not in done or before == after:
        before, after = numbers[-2], numbers[-1]
    old, new = done[before]["result"]["scores"], done[after]["result"]["scores"]
    return {
        "before": done[before],
        "after": done[after],
        "choices": numbers,
        "rows": [
            {
                "dimension": key,
                "label": label,
                "before": old[key],
                "after": new[key],
                "delta": new[key] - old[key],
            }
            for key, label in content().texts.dimensions.items()
        ],
        "radar_svg": str(radar_svg(new, old, title="Progrès entre deux diagnostics")),
    }


def previous_scores(assessment: Assessment) -> dict | None:
    """The latest completed diagnostic of the same client before this one."""
    if assessment.client_id is None:
        return None
    earlier = [
        a
        for a in clients.client_assessments(assessment.client)
        if a.created_at < assessment.created_at and a.id != assessment.id
    ]
    for candidate in reversed(earlier):
        answers = completed_answers(candidate)
        if answers is not None:
            return {
                "date": candidate.meeting_on or candidate.updated_at,
                "scores": result_for(candidate, answers)["scores"],
            }
    return None


def consultant_branding(assessment: Assessment) -> dict | None:
    if assessment.client_id is None:
        return None
    consultant = assessment.client.consultant
    return {
        "name": consultant.name,
        "firm": consultant.firm,
        "email": consultant.contact_email or consultant.email,
        "phone": consultant.phone,
        "logo_data_uri": logo_data_uri(consultant.logo_png),
    }


def step_notes(assessment: Assessment) -> list[dict[str, str]]:
    notes = clients.notes_of(assessment)
    q = content().questionnaire
    return [{"step": step.title, "text": notes[step.id]} for step in q.steps if step.id in notes]


def build_report(
    assessment: Assessment, answers: dict[str, Any], internal: bool = False
) -> dict[str, Any]:
    """Everything the PDF shows, as plain data (no database objects).

    ``internal``: the consultant's own copy, with the private notes; the client's copy (the
    default) never holds a note, whoever asks for it.
    """
    result = result_for(assessment, answers)
    consultant = consultant_branding(assessment)
    notes = step_notes(assessment) if internal else []
    previous = previous_scores(assessment)
    since = meetings.since_previous(assessment, content().questionnaire, answers, content().texts)
    meeting = {"meeting_on": assessment.meeting_on, "next_meeting": assessment.next_meeting_on}
    peer_data = peers_for(answers)
    # The community figures change whenever another diagnostic ends: kept apart in the key
    # so that a plan rendered with slightly older figures can be served while a fresh one
    # is rendered (pdf_jobs.fetch).
    published = {k: v for k, v in peer_data.items() if k != "community"}
    extras = json.dumps(
        [consultant, notes, previous, internal, published, since, meeting],
        sort_keys=True,
        default=str,
    )
    community_part = json.dumps(peer_data.get("community"), sort_keys=True, default=str)
    return report_data(
        answers,
        result,
        date=assessment.meeting_on or assessment.updated_at,
        token=assessment.token,
        consultant=consultant,
        notes=notes,
        internal=internal,
        previous=previous,
        since=since,
        **meeting,
        peers=peer_data,
        cache_key=hashlib.sha256(f"{current_key(answers)}|{extras}".encode()).hexdigest(),
        community_key=hashlib.sha256(community_part.encode()).hexdigest(),
    )


def report_data(answers: dict[str, Any], result: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The report of answers that may not be stored (CLI): no branding, notes or cache."""
    report = {
        "company_name": answers["company_name"],
        "date": utcnow(),
        "token": "",
        "answers": labelled_answers(content().questionnaire, answers),
        "declared": {
            "hours_per_week": answers.get("hours_per_week", 0),
            "monthly_budget": answers.get("monthly_budget", 0),
        },
        "result": result,
        "radar_svg": str(radar_svg(result["scores"])),
        "consultant": None,
        "notes": [],
        "internal": False,
        "previous": None,
        "since": None,
        "meeting_on": None,
        "next_meeting": None,
        "cache_key": None,
    }
    report.update(extra)
    if "peers" not in report:
        report["peers"] = peers_for(answers)
    return report
