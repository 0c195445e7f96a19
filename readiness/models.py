"""Database models: consultants, their clients, diagnostics (Assessment) and saved steps."""

from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from readiness.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class Consultant(UserMixin, db.Model):
    """A consultant account; created from the command line."""

    __tablename__ = "consultants"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(120))
    firm: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Re-encoded PNG, never the uploaded bytes.
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Part of the session id: incrementing it ends every session (see readiness/sessions.py).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    clients: Mapped[list["Client"]] = relationship(
        back_populates="consultant", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """Flask-Login's session id: the account and its session version."""
        return f"{self.id}:{self.session_version}"


class Client(db.Model):
    """A consultant's client company, with its diagnostics over time."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultant_id: Mapped[int] = mapped_column(
        ForeignKey("consultants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    contact: Mapped[str] = mapped_column(String(200), default="")
    # Where the plan and the private link are sent; optional.
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Kept up to date when a diagnostic is created or scored, to sort the list cheaply.
    last_assessment_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), default=None, index=True
    )
    last_verdict: Mapped[str | None] = mapped_column(String(20), default=None)

    consultant: Mapped[Consultant] = relationship(back_populates="clients")
    assessments: Mapped[list["Assessment"]] = relationship(
        back_populates="client", cascade="all, delete-orphan", passive_deletes=True
    )


class Assessment(db.Model):
    """One diagnostic, reached by its private token."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("start_nonce", name="uq_assessments_start_nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    questionnaire_version: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Snapshot of the last computed result, with the rules version that made it.
    result: Mapped[dict | None] = mapped_column(JSON, default=None)
    rules_version: Mapped[str | None] = mapped_column(String(20), default=None)
    # Hash of the answers and rules version the snapshot was computed from.
    result_key: Mapped[str | None] = mapped_column(String(64), default=None)
    client_id: Mapped[int | None] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), index=True, default=None
    )
    # A revoked private link answers 404; the consultant still reaches the diagnostic.
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # Answers of the previous diagnostic, shown pre-filled until each step is saved again.
    prefill: Mapped[dict | None] = mapped_column(JSON, default=None)
    # The owner erased it: answers, result, notes and PDFs are gone; the row tells the
    # consultant so (a tombstone), and statistics leave it out.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # The one-time value of the start form: pressing « Commencer » twice starts one diagnostic.
    start_nonce: Mapped[str | None] = mapped_column(String(32), default=None)
    # The consultant's meeting this diagnostic was made in, and the next one if planned.
    meeting_on: Mapped[date | None] = mapped_column(Date, default=None)
    next_meeting_on: Mapped[date | None] = mapped_column(Date, default=None)

    client: Mapped["Client | None"] = relationship(back_populates="assessments")

    steps: Mapped[list["AssessmentStep"]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )


class AssessmentStep(db.Model):
    """The answers of one wizard step; one row per step so steps never overwrite each other."""

    __tablename__ = "assessment_steps"
    __table_args__ = (UniqueConstraint("assessment_id", "step_id", name="uq_assessment_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    step_id: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict] = mapped_column(JSON)
    # The consultant's private note on this step (meeting mode); never shown to the client.
    note: Mapped[str | None] = mapped_column(Text, default=None)
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="steps")


# Saving a step moves its diagnostic's updated_at (retention and exports count from it). The
# database does it, in the statement that saves the step: one statement per save, not two.
# Migration 2f6c0e9b7a13 creates the same triggers; a later migration that recreates
# assessment_steps (SQLite batch mode) must create them again (test_migrations checks).
STEP_TOUCH_TRIGGERS = {
    "sqlite": [
        f"CREATE TRIGGER assessment_steps_touch_{event_name} AFTER {event_name.upper()} "
        "ON assessment_steps BEGIN UPDATE assessments SET updated_at = NEW.completed_at "
        "WHERE id = NEW.assessment_id AND NEW.completed_at IS NOT NULL; END"
        for event_name in ("insert", "update")
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION assessment_steps_touch() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN UPDATE assessments SET updated_at = NEW.completed_at "
        "WHERE id = NEW.assessment_id AND NEW.completed_at IS NOT NULL; RETURN NULL; END $$",
        "CREATE TRIGGER assessment_steps_touch AFTER INSERT OR UPDATE ON assessment_steps "
        "FOR EACH ROW EXECUTE FUNCTION assessment_steps_touch()",
    ],
}
for _dialect, _statements in STEP_TOUCH_TRIGGERS.items():
    for _statement in _statements:  # tables made by create_all (tests, benchmarks)
        event.listen(
            AssessmentStep.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect)
        )


class ActionFollowUp(db.Model):
    """Between two meetings: where the client stands on one action of a diagnostic's plan."""

    __tablename__ = "action_follow_ups"
    __table_args__ = (UniqueConstraint("assessment_id", "action_id", name="uq_action_follow_up"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    action_id: Mapped[str] = mapped_column(String(64))
    # An id of report.yaml's follow_up labels.
    status: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ClientSending(db.Model):
    """One e-mail sent to a client (the client's history): when, to whom, what."""

    __tablename__ = "client_sendings"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    address: Mapped[str] = mapped_column(String(254))
    what: Mapped[str] = mapped_column(String(200))
