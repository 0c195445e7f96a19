"""The rendered PDF of each diagnostic, kept in the database so it is not rendered twice."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, UniqueConstraint, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from readiness.extensions import db
from readiness.models import Assessment, utcnow


class PdfCache(db.Model):
    """The latest PDF of one diagnostic; one row per diagnostic, replaced when the key changes."""

    __tablename__ = "pdf_cache"
    __table_args__ = (UniqueConstraint("assessment_id", name="uq_pdf_cache_assessment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Deleting a diagnostic deletes its PDF: it holds the client's answers.
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


def store(token: str, key: str, pdf: bytes) -> bool:
    """Keep ``pdf`` as the diagnostic's only PDF; False when there is no such diagnostic."""
    assessment_id = db.session.scalar(select(Assessment.id).where(Assessment.token == token))
    if assessment_id is None:
        return False
    now = utcnow()
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(PdfCache).values(
        assessment_id=assessment_id, key=key, pdf=pdf, created_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["assessment_id"],
        set_={"key": statement.excluded.key, "pdf": statement.excluded.pdf, "created_at": now},
    )
    try:
        db.session.execute(statement)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return True
