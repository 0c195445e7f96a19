"""The rendered PDFs of each diagnostic, kept in the database so they are not rendered twice.

A diagnostic keeps its ``KEEP`` latest PDFs (the consultant's copy with notes and the
client's without); older keys are pruned on each store, so the table never grows unbounded.
"""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, UniqueConstraint, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from readiness.extensions import db
from readiness.models import Assessment, utcnow

KEEP = 2


class PdfCache(db.Model):
    """One rendered PDF of a diagnostic, under the key of what it was rendered from."""

    __tablename__ = "pdf_cache"
    __table_args__ = (UniqueConstraint("assessment_id", "key", name="uq_pdf_cache_assessment_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Deleting a diagnostic deletes its PDFs: they hold the client's answers.
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def load(token: str, key: str) -> bytes | None:
    """The stored PDF of the diagnostic ``token`` if it was rendered for ``key``."""
    return db.session.scalar(
        select(PdfCache.pdf)
        .join(Assessment, Assessment.id == PdfCache.assessment_id)
        .where(Assessment.token == token, PdfCache.key == key)
    )


def exists(token: str, key: str) -> bool:
    """Whether the PDF of the diagnostic ``token`` for ``key`` is stored (its bytes unread)."""
    found = db.session.scalar(
        select(PdfCache.id)
        .join(Assessment, Assessment.id == PdfCache.assessment_id)
        .where(Assessment.token == token, PdfCache.key == key)
    )
    return found is not None


def load_latest(token: str, prefix: str) -> bytes | None:
    """The newest stored PDF of the diagnostic whose key starts with ``prefix``."""
    return db.session.scalar(
        select(PdfCache.pdf)
        .join(Assessment, Assessment.id == PdfCache.assessment_id)
        .where(Assessment.token == token, PdfCache.key.startswith(prefix, autoescape=True))
        .order_by(PdfCache.created_at.desc(), PdfCache.id.desc())
        .limit(1)
    )


def store(token: str, key: str, pdf: bytes) -> bool:
    """Store ``pdf`` and prune the diagnostic's older ones; False when there is no diagnostic."""
    assessment_id = db.session.scalar(select(Assessment.id).where(Assessment.token == token))
    if assessment_id is None:
        return False
    now = utcnow()
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(PdfCache).values(
        assessment_id=assessment_id, key=key, pdf=pdf, created_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["assessment_id", "key"],
        set_={"pdf": statement.excluded.pdf, "created_at": now},
    )
    newest = (
        select(PdfCache.id)
        .where(PdfCache.assessment_id == assessment_id)
        .order_by(PdfCache.created_at.desc(), PdfCache.id.desc())
        .limit(KEEP)
    )
    try:
        db.session.execute(statement)
        db.session.execute(
            delete(PdfCache).where(
                PdfCache.assessment_id == assessment_id,
                PdfCache.id.not_in(newest.scalar_subquery()),
            )
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return True
