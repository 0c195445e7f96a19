"""Service: a consultant's clients and their diagnostics over time."""

import secrets
from datetime import date

from flask import abort
from flask_login import current_user
from sqlalchemy import case, delete, func, select

from readiness import assessments, community
from readiness.content import Questionnaire
from readiness.extensions import db
from readiness.models import (
    ActionFollowUp,
    Assessment,
    AssessmentStep,
    Client,
    ClientSending,
    Consultant,
    utcnow,
)
from readiness.pdf_cache import PdfCache
from readiness.rules.schema import VERDICTS

PAGE_SIZE = 20
VERDICT_ORDER = {verdict: rank for rank, verdict in enumerate(VERDICTS)}
SORTS = ("recent", "name", "verdict")


def search_clients(consultant: Consultant, query: str, sort: str, page: int):
    """One page of the consultant's clients, filtered by name and sorted."""
    statement = select(Client).where(Client.consultant_id == consultant.id)
    if query:
        # autoescape: a « % » or « _ » typed in the search is a character, not a wildcard.
        term = query.strip().lower()
        statement = statement.where(func.lower(Client.name).contains(term, autoescape=True))
    verdict_rank = case(VERDICT_ORDER, value=Client.last_verdict, else_=len(VERDICT_ORDER))
    order = {
        "recent": (Client.last_assessment_at.desc().nulls_last(), Client.id.desc()),
        "name": (func.lower(Client.name), Client.id),
        "verdict": (verdict_rank, Client.last_assessment_at.desc().nulls_last(), Client.id),
    }[sort if sort in SORTS else "recent"]
    return db.paginate(statement.order_by(*order), page=page, per_page=PAGE_SIZE, error_out=False)


def erased_latest(client_ids: list[int]) -> dict[int, object]:
    """For each client whose latest diagnostic its owner erased: when they erased it."""
    if not client_ids:
        return {}
    latest = (
        select(func.max(Assessment.id))
        .where(Assessment.client_id.in_(client_ids))
        .group_by(Assessment.client_id)
    )
    rows = db.session.execute(
        select(Assessment.client_id, Assessment.erased_at).where(
            Assessment.id.in_(latest), Assessment.erased_at.is_not(None)
        )
    )
    return dict(rows.all())


def owned_client(consultant: Consultant, client_id: int) -> Client:
    """The consultant's own client, or 404 for anyone else's or an unknown id."""
    client = db.session.get(Client, client_id)
    if client is None or client.consultant_id != consultant.id:
        abort(404)
    return client


def reachable_or_404(token: str) -> Assessment:
    """The diagnostic behind a private link: anyone holding it, except another consultant.

    A signed-in consultant gets 404 on a diagnostic of a client that is not theirs.
    """
    assessment = assessments.find(token)
    someone_elses = (
        assessment is not None
        and assessment.client_id is not None
        and current_user.is_authenticated
        and not owns(current_user, assessment)
    )
    if assessment is None or someone_elses:
        abort(404)
    return assessment


def owned_assessment(consultant: Consultant, token: str) -> Assessment:
    assessment = assessments.find(token)
    if assessment is None or not owns(consultant, assessment):
        abort(404)
    return assessment


def owns(consultant, assessment: Assessment) -> bool:
    """Whether this (possibly anonymous) user is the consultant of the diagnostic's client."""
    # A diagnostic without a client belongs to no consultant: no need to load the user.
    if assessment.client_id is None or not getattr(consultant, "is_authenticated", False):
        return False
    return (
        db.session.scalar(select(Client.consultant_id).where(Client.id == assessment.client_id))
        == consultant.id
    )


def save_client(client: Client, name: str, contact: str, email: str = "") -> Client:
    client.name, client.contact, client.email = name, contact, email
    db.session.add(client)
    db.session.commit()
    return client


def client_assessments(client: Client) -> list[Assessment]:
    """The client's diagnostics, oldest first."""
    return list(
        db.session.scalars(
            select(Assessment)
            .where(Assessment.client_id == client.id)
            .order_by(Assessment.created_at, Assessment.id)
        )
    )


def start_for_client(
    client: Client,
    questionnaire: Questionnaire,
    meeting_on: date | None = None,
    nonce: str | None = None,
) -> Assessment:
    """A new diagnostic for the client, pre-filled from the previous one when there is one.

    The company name comes from the client record, so it is not typed again. The same start
    form (``nonce``) sent twice gives the same diagnostic.
    """
    previous = next(reversed(client_assessments(client)), None)
    prefill = {}
    if previous is not None:
        steps = assessments.saved_steps(previous)
        prefill = assessments.merged_answers(questionnaire, steps) or previous.prefill or {}
    assessment = Assessment(
        token=secrets.token_urlsafe(assessments.TOKEN_BYTES),
        questionnaire_version=questionnaire.version,
        client_id=client.id,
        prefill={**prefill, "company_name": client.name},
        meeting_on=meeting_on,
    )
    started = assessments.add_once(assessment, nonce)
    if started is assessment:
        client.last_assessment_at = utcnow()
        db.session.commit()
    return started


def revoke_link(assessment: Assessment) -> None:
    """Replace the private link: the old one answers 404 from now on."""
    assessment.token = secrets.token_urlsafe(assessments.TOKEN_BYTES)
    assessment.revoked_at = utcnow()
    db.session.commit()
    community.refresh(community.forget([assessment.id]))


def record_result(assessment: Assessment, verdict: str | None) -> None:
    """Keep the client's sort columns in step with its latest diagnostic."""
    if assessment.client_id is None:
        return
    latest = db.session.scalar(
        select(func.max(Assessment.id)).where(Assessment.client_id == assessment.client_id)
    )
    if latest == assessment.id:
        client = db.session.get(Client, assessment.client_id)
        client.last_verdict = verdict
        client.last_assessment_at = assessment.updated_at


def delete_client(client: Client) -> None:
    """Delete the client with every diagnostic, step, note and cached PDF."""
    ids = select(Assessment.id).where(Assessment.client_id == client.id)
    groups = community.forget(list(db.session.scalars(ids)))
    db.session.execute(delete(PdfCache).where(PdfCache.assessment_id.in_(ids)))
    db.session.execute(delete(ActionFollowUp).where(ActionFollowUp.assessment_id.in_(ids)))
    db.session.execute(delete(ClientSending).where(ClientSending.client_id == client.id))
    db.session.execute(delete(AssessmentStep).where(AssessmentStep.assessment_id.in_(ids)))
    db.session.execute(delete(Assessment).where(Assessment.client_id == client.id))
    db.session.delete(client)
    db.session.commit()
    community.refresh(groups)


def notes_of(assessment: Assessment) -> dict[str, str]:
    rows = db.session.execute(
        select(AssessmentStep.step_id, AssessmentStep.note).where(
            AssessmentStep.assessment_id == assessment.id, AssessmentStep.note.is_not(None)
        )
    )
    return {step_id: note for step_id, note in rows if note}
