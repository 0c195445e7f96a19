"""Service: start a diagnostic, find it by token, save a step, read its answers."""

import re
import secrets
from typing import Any

from sqlalchemy import JSON, bindparam, delete, func, select, type_coerce, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from readiness import community
from readiness.content import Questionnaire
from readiness.extensions import db
from readiness.models import ActionFollowUp, Assessment, AssessmentStep, utcnow
from readiness.pdf_cache import PdfCache

# secrets.token_urlsafe(24) gives 32 characters carrying 192 random bits.
TOKEN_BYTES = 24
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")
NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22}$")


def new_start_nonce() -> str:
    """The one-time value the start form carries (22 characters, 128 random bits)."""
    return secrets.token_urlsafe(16)


def start(questionnaire: Questionnaire, nonce: str | None = None) -> Assessment:
    """Create and store an empty diagnostic with a fresh private token.

    The same start form sent twice (a double click, a reload) gives the same diagnostic.
    """
    assessment = Assessment(
        token=secrets.token_urlsafe(TOKEN_BYTES),
        questionnaire_version=questionnaire.version,
    )
    return add_once(assessment, nonce)


def add_once(assessment: Assessment, nonce: str | None) -> Assessment:
    """Store a new diagnostic, unless its start form (``nonce``) already started one: then
    that one, if it belongs to the same client (a start form is one client's)."""
    nonce = nonce if NONCE_PATTERN.match(nonce or "") else None
    if nonce is not None:
        existing = _started_with(nonce)
        if existing is not None and existing.client_id == assessment.client_id:
            return existing
        if existing is not None:
            nonce = None  # another client's form value: a new diagnostic, without it
    assessment.start_nonce = nonce
    db.session.add(assessment)
    try:
        db.session.commit()
    except IntegrityError:  # the other click won the race: use its diagnostic
        db.session.rollback()
        existing = _started_with(nonce) if nonce else None
        if existing is None or existing.client_id != assessment.client_id:
            raise
        return existing
    return assessment


def _started_with(nonce: str) -> Assessment | None:
    return db.session.scalar(
        select(Assessment).where(Assessment.start_nonce == nonce, Assessment.erased_at.is_(None))
    )


# Built once per database kind: every wizard request runs them. The result snapshot (a large
# JSON document) is loaded only when read (result page, PDF), not on each step.
# The diagnostic comes in one row with its saved steps gathered into one JSON object by the
# database: one round trip, and the diagnostic's columns are read once, not once per step.
_FINDS: dict[str, Any] = {}
_SAVED_STEPS = select(AssessmentStep.step_id, AssessmentStep.answers).where(
    AssessmentStep.assessment_id == bindparam("assessment_id")
)


def _find_statement(dialect: str):
    if dialect not in _FINDS:
        if dialect == "postgresql":
            steps = func.json_object_agg(AssessmentStep.step_id, AssessmentStep.answers)
        else:  # SQLite stores answers as JSON text: json() embeds them as objects
            answers = func.json(AssessmentStep.answers)
            steps = func.json_group_object(AssessmentStep.step_id, answers)
        saved = select(steps).where(AssessmentStep.assessment_id == Assessment.id)
        _FINDS[dialect] = (
            select(Assessment, type_coerce(saved.scalar_subquery(), JSON))
            .where(Assessment.token == bindparam("token"), Assessment.erased_at.is_(None))
            .options(defer(Assessment.result))
        )
    return _FINDS[dialect]


def read_only_request() -> None:
    """Let this request's reads run outside a transaction on PostgreSQL (a GET that only
    reads): no BEGIN before the first query, no ROLLBACK after the last, two round trips
    fewer. Under READ COMMITTED each statement sees the same committed rows either way.

    Call it before the request's first query; after one, it changes nothing. SQLite is
    left as it is: its driver never opens a transaction for a SELECT.
    """
    if not db.session().in_transaction() and db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def find(token: str) -> Assessment | None:
    """The diagnostic behind a token, or None for an unknown, malformed or erased one."""
    if not TOKEN_PATTERN.match(token or ""):
        return None
    statement = _find_statement(db.engine.dialect.name)
    row = db.session.execute(statement, {"token": token}).first()
    if row is None:
        return None
    assessment, steps = row
    # Kept for the next saved_steps() of this request, which uses them once.
    assessment._fresh_steps = steps or {}  # PostgreSQL aggregates no step into NULL
    return assessment


def find_by_id(assessment_id: int | None) -> Assessment | None:
    """The diagnostic with this id, unless erased (a render job holds ids, not tokens)."""
    if assessment_id is None:
        return None
    return db.session.scalar(
        select(Assessment).where(Assessment.id == assessment_id, Assessment.erased_at.is_(None))
    )


def id_of(token: str) -> int | None:
    """The id of the diagnostic behind a token, without loading it."""
    return db.session.scalar(select(Assessment.id).where(Assessment.token == token))


def erase(assessment: Assessment) -> None:
    """The owner's erasure: answers, notes, result and cached PDFs go, the link stops working.

    A consultant's client keeps an empty row (a tombstone) so the consultant sees that the
    client erased it; a diagnostic without a consultant is deleted outright.
    """
    try:
        groups = community.forget([assessment.id])  # out of the peers' statistics too
        db.session.execute(delete(PdfCache).where(PdfCache.assessment_id == assessment.id))
        db.session.execute(
            delete(AssessmentStep).where(AssessmentStep.assessment_id == assessment.id)
        )
        db.session.execute(
            delete(ActionFollowUp).where(ActionFollowUp.assessment_id == assessment.id)
        )
        # The client's list is sorted by its latest diagnostic's verdict: an erased one has none.
        from readiness.clients import record_result  # clients imports this module

        record_result(assessment, None)
        if assessment.client_id is None:
            db.session.execute(delete(Assessment).where(Assessment.id == assessment.id))
        else:
            db.session.execute(
                update(Assessment)
                .where(Assessment.id == assessment.id)
                .values(
                    token=secrets.token_urlsafe(TOKEN_BYTES),
                    erased_at=utcnow(),
                    result=None,
                    result_key=None,
                    rules_version=None,
                    prefill=None,
                    start_nonce=None,
                )
            )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    community.refresh(groups)


def saved_steps(assessment: Assessment) -> dict[str, dict[str, Any]]:
    """The stored answers of each saved step, read fresh from the database.

    Right after ``find`` they come with the diagnostic; any later call reads them again.
    """
    fresh = assessment.__dict__.pop("_fresh_steps", None)
    # Only while nothing was committed, rolled back or expired since (that unloads "id").
    if fresh is not None and "id" in assessment.__dict__:
        return fresh
    # Core on the session's connection: plain rows, none of the ORM's bookkeeping.
    rows = db.session.connection().execute(_SAVED_STEPS, {"assessment_id": assessment.id})
    return {step_id: answers for step_id, answers in rows}


def merged_answers(questionnaire: Questionnaire, steps: dict[str, dict[str, Any]]) -> dict:
    """All saved answers keyed by question id, in questionnaire order."""
    answers: dict[str, Any] = {}
    for step_id in questionnaire.step_ids:
        answers.update(steps.get(step_id, {}))
    return answers


def save_step(
    assessment: Assessment,
    step_id: str,
    answers: dict[str, Any],
    note: str | None = None,
    result: dict[str, Any] | None = None,
) -> None:
    """Replace one step's answers in a single transaction; other steps are untouched.

    ``note`` (meeting mode) replaces the consultant's note; None leaves it as it was.
    ``result``: columns of the diagnostic's new result, written in the same transaction.
    """
    params = {"b_assessment": assessment.id, "b_step": step_id, "answers": answers}
    params["completed_at"] = utcnow()  # the database copies it to the diagnostic's updated_at
    if note is not None:
        params["note"] = note.strip() or None
    try:
        connection = db.session.connection()  # Core statements in the session's transaction
        connection.execute(_upsert_step(connection.dialect.name, note is not None), params)
        if result is not None:
            db.session.execute(
                update(Assessment)
                .where(Assessment.id == assessment.id)
                .values(**result)
                .execution_options(synchronize_session=False)
            )
        db.session.commit()  # expires the diagnostic (expire_on_commit): nothing stale stays
    except Exception:
        db.session.rollback()
        raise
    assessment.__dict__.pop("_fresh_steps", None)


_UPSERTS: dict[tuple[str, bool], Any] = {}


def _upsert_step(dialect: str, with_note: bool):
    """The step's INSERT … ON CONFLICT UPDATE, built once per database kind. A trigger
    (``models.STEP_TOUCH_TRIGGERS``) sets the diagnostic's ``updated_at`` in the same statement.
    """
    key = (dialect, with_note)
    if key not in _UPSERTS:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        columns = ["answers", "completed_at"] + (["note"] if with_note else [])
        binds = {c: bindparam(c, type_=AssessmentStep.__table__.c[c].type) for c in columns}
        statement = insert(AssessmentStep.__table__).values(
            assessment_id=bindparam("b_assessment"), step_id=bindparam("b_step"), **binds
        )
        _UPSERTS[key] = statement.on_conflict_do_update(
            index_elements=["assessment_id", "step_id"],
            set_={c: statement.excluded[c] for c in columns},
        )
    return _UPSERTS[key]


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
            # Answered first: the conditions are evaluated only for unanswered questions.
            q.id in answers
            or not (
                q.required
                and questionnaire.asked_in(q, version)
                and questionnaire.is_relevant(q, answers)
            )
            for q in step.questions
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
