"""Database models: a diagnostic (Assessment) and its saved steps."""

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from readiness.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class Assessment(db.Model):
    """One diagnostic, reached by its private token."""

    __tablename__ = "assessments"

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
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="steps")
