"""Service: a consultant's meetings with a client, the follow-up of the plan between two of
them, what changed since the previous diagnostic, and the e-mails sent to the client."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from readiness import assessments, clients
from readiness.content import Questionnaire
from readiness.extensions import db
from readiness.formatting import PARIS
from readiness.models import ActionFollowUp, Assessment, Client, ClientSending, utcnow
from readiness.safe_input import NUL_MESSAGE, has_nul

DEFAULT_STATUS = "not_started"
COMMENT_MAX_LENGTH = 300


def today() -> date:
    """The day in France: a meeting's date by default."""
    return datetime.now(PARIS).date()


def latest_completed(history: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The last row of ``results.history`` that has a result: the plan being followed up."""
    return next((row for row in reversed(history) if row["result"]), None)


def read_follow_up(form, actions: list[dict[str, Any]], labels: dict[str, str]):
    """``({action_id: (status, comment)}, {field: error})`` from the posted follow-up form."""
    entries, errors = {}, {}
    for action in actions:
        status = form.get(f"statut-{action['id']}", DEFAULT_STATUS)
        comment = form.get(f"commentaire-{action['id']}", "").strip()
        if status not in labels:
            errors[f"statut-{action['id']}"] = "Choisissez un état dans la liste."
        if len(comment) > COMMENT_MAX_LENGTH:
            errors[f"commentaire-{action['id']}"] = f"{COMMENT_MAX_LENGTH} caractères au maximum."
        elif has_nul(comment):
            errors[f"commentaire-{action['id']}"] = NUL_MESSAGE
        entries[action["id"]] = (status, comment)
    return entries, errors


def set_meeting_dates(assessment: Assessment, meeting_on: date | None, next_on: date | None):
    assessment.meeting_on, assessment.next_meeting_on = meeting_on, next_on
    db.session.commit()


def follow_up_of(assessment: Assessment) -> dict[str, dict[str, str]]:
    """``{action_id: {status, comment}}`` of the actions marked so far."""
    rows = db.session.scalars(
        select(ActionFollowUp).where(ActionFollowUp.assessment_id == assessment.id)
    )
    return {row.action_id: {"status": row.status, "comment": row.comment} for row in rows}


def save_follow_up(assessment: Assessment, entries: dict[str, tuple[str, str]]) -> None:
    """Store each action's ``(status, comment)``, replacing what was marked before."""
    existing = {
        row.action_id: row
        for row in db.session.scalars(
            select(ActionFollowUp).where(ActionFollowUp.assessment_id == assessment.id)
        )
    }
    for action_id, (status, comment) in entries.items():
        row = existing.get(action_id) or ActionFollowUp(
            assessment_id=assessment.id, action_id=action_id
        )
        row.status, row.comment, row.updated_at = status, comment, utcnow()
        db.session.add(row)
    db.session.commit()


def previous_completed(assessment: Assessment, questionnaire: Questionnaire):
    """The client's latest completed diagnostic before this one, with its answers, or None."""
    if assessment.client_id is None:
        return None
    earlier = [
        a
        for a in clients.client_assessments(assessment.client)
        if (a.created_at, a.id) < (assessment.created_at, assessment.id)
    ]
    for candidate in reversed(earlier):
        steps = assessments.saved_steps(candidate)
        if all(assessments.step_completion(questionnaire, steps).values()):
            merged = assessments.merged_answers(questionnaire, steps)
            return candidate, questionnaire.relevant_answers(merged)
    return None


def changed_answers(
    questionnaire: Questionnaire, before: dict[str, Any], after: dict[str, Any]
) -> list[dict[str, str]]:
    """The answers that changed between two diagnostics: ``{label, before, after}``."""
    from readiness.results import display_value

    changes = []
    for question_id, question in questionnaire.questions.items():
        old, new = before.get(question_id), after.get(question_id)
        if old == new or (old is None and new is None):
            continue
        changes.append(
            {
                "label": question.label,
                "before": "—" if old is None else display_value(question, old),
                "after": "—" if new is None else display_value(question, new),
            }
        )
    return changes


def since_previous(
    assessment: Assessment, questionnaire: Questionnaire, answers: dict[str, Any], texts
) -> dict[str, Any] | None:
    """What was done of the previous plan, the answers and scores that changed."""
    found = previous_completed(assessment, questionnaire)
    if found is None:
        return None
    previous, previous_answers = found
    labels = texts.follow_up
    before = (previous.result or {}).get("scores", {})
    after = (assessment.result or {}).get("scores", {})
    scores = [
        {"label": label, "before": before[d], "after": after[d], "delta": after[d] - before[d]}
        for d, label in texts.dimensions.items()
        if d in before and d in after
    ]
    marks = follow_up_of(previous)
    plan = (previous.result or {}).get("actions", [])
    actions = [
        {
            "id": a["id"],
            "title": a["title"],
            "status": marks.get(a["id"], {}).get("status", DEFAULT_STATUS),
            "status_label": labels[marks.get(a["id"], {}).get("status", DEFAULT_STATUS)],
            "comment": marks.get(a["id"], {}).get("comment", ""),
        }
        for a in plan
        if marks.get(a["id"], {}).get("status", DEFAULT_STATUS) != DEFAULT_STATUS
    ]
    return {
        "date": previous.meeting_on or previous.updated_at,
        "actions": actions,
        "done_ids": sorted(a["id"] for a in actions if a["status"] == "done"),
        "changed": changed_answers(questionnaire, previous_answers, answers),
        "scores": scores,
    }


def record_sending(client: Client, address: str, what: str) -> None:
    db.session.add(ClientSending(client_id=client.id, address=address, what=what))
    db.session.commit()


def sendings(client: Client) -> list[ClientSending]:
    """The e-mails sent to the client, newest first."""
    return list(
        db.session.scalars(
            select(ClientSending)
            .where(ClientSending.client_id == client.id)
            .order_by(ClientSending.sent_at.desc(), ClientSending.id.desc())
        )
    )
