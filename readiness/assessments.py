"""Service: start a diagnostic, find it by token, save a step, read its answers."""

import re
import secrets
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from readiness import community
from readiness.content import Questionnaire
from readiness.extensions import db
from readiness.models import Assessment, AssessmentStep, utcnow

# secrets.token_urlsafe(24) gives 32 characters carrying 192 random bits.
TOKEN_BYTES = 24
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def start(questionnaire: Questionnaire) -> Assessment:
    """Create and store an empty diagnostic with a fresh private token."""
    assessment = Assessment(
        token=secrets.token_urlsafe(TOKEN_BYTES), questionnaire_version=questionnaire.version
    )
    db.session.add(assessment)
    db.session.commit()
    return assessment


def find(token: str) -> Assessment | None:
    """The diagnostic behind a token, or None for an unknown or malformed one."""
    if not TOKEN_PATTERN.match(token or ""):
        return None
    return db.session.scalar(select(Assessment).where(Assessment.token == token))


def saved_steps(assessment: Assessment) -> dict[str, dict[str, Any]]:
    """The stored answers of each saved step, read fresh from the database."""
    rows = db.session.execute(
        select(AssessmentStep.step_id, AssessmentStep.answers).where(
            AssessmentStep.assessment_id == assessment.id
        )
    )
    return {step_id: answers for step_id, answers in rows}


def merged_answers(questionnaire: Questionnaire, steps: dict[str, dict[str, Any]]) -> dict:
    """All saved answers keyed by question id, in questionnaire order."""
    answers: dict[str, Any] = {}
    for step_id in questionnaire.step_ids:
        answers.update(steps.get(step_id, {}))
    return answers


def save_step(
    assessment: Assessment, step_id: str, answers: dict[str, Any], note: str | None = None
) -> None:
    """Replace one step's answers in a single transaction; other steps are untouched.

    ``note`` (meeting mode) replaces the consultant's note; None leaves it as it was.
    """
    now = utcnow()
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = {"answers": answers, "completed_at": now}
    if note is not None:
        values["note"] = note.strip() or None
    statement = insert(AssessmentStep).values(
        assessment_id=assessment.id, step_id=step_id, **values
    )
    statement = statement.on_conflict_do_update(
        index_elements=["assessment_id", "step_id"], set_=values
    )
    try:
        db.session.execute(statement)
        db.session.execute(
            update(Assessment).where(Assessment.id == assessment.id).values(updated_at=now)
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.expire(assessment)


def step_completion(
    questionnaire: Questionnaire, steps: dict[str, dict[str, Any]], version: str | None = None
) -> dict[str, bool]:
    """Whether each step is saved with every applicable required question answered.

    A diagnostic started with an older questionnaire ``version`` stays complete without
    the questions added since.
    """
    answers = merged_answers(questionnaire, steps)
    return {
        step.id: step.id in steps
        and all(
            q.id in answers
            for q in step.questions
            if q.required
            and questionnaire.asked_in(q, version)
            and questionnaire.is_relevant(q, answers)
        )
        for step in questionnaire.steps
    }


def first_unfinished(completion: dict[str, bool]) -> str | None:
    """The id of the first step still to do, or None when all are complete."""
    return next((step_id for step_id, done in completion.items() if not done), None)


def purge_anonymous_before(limit) -> int:
    """Delete diagnostics without a consultant's client, last saved before ``limit``."""
    stale = select(Assessment.id).where(
        Assessment.client_id.is_(None), Assessment.updated_at < limit
    )
    ids = list(db.session.scalars(stale))
    if ids:
        groups = community.forget(ids)
        db.session.execute(delete(AssessmentStep).where(AssessmentStep.assessment_id.in_(ids)))
        db.session.execute(delete(Assessment).where(Assessment.id.in_(ids)))
        db.session.commit()
        community.refresh(groups)
    return len(ids)
