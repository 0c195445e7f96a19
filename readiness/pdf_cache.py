"""The rendered PDFs of each diagnostic, kept in the database so they are not rendered twice.

A diagnostic keeps the newest PDF of each copy: the client's plan and the consultant's
internal copy with notes. Storing one copy prunes that copy's older PDFs only, so a client
plan rendered again (new answers, new community figures) never evicts the internal copy,
and the table never grows unbounded.
"""

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    UniqueConstraint,
    delete,
    false,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from readiness.extensions import db
from readiness.models import Assessment, utcnow


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
    # The consultant's copy with the notes (plan-interne.pdf), else the client's plan.
    internal: Mapped[bool] = mapped_column(default=False, server_default=false())


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


def store(token: str, key: str, pdf: bytes, internal: bool = False) -> bool:
    """Store ``pdf`` and prune the older PDFs of the same copy (``internal``: the consultant's
    copy with notes); False when there is no diagnostic."""
    assessment_id = db.session.scalar(select(Assessment.id).where(Assessment.token == token))
    if assessment_id is None:
        return False
    now = utcnow()
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(PdfCache).values(
        assessment_id=assessment_id, key=key, pdf=pdf, created_at=now, internal=internal
    )
    statement = statement.on_conflict_do_update(
        index_elements=["assessment_id", "key"],
        set_={"pdf": statement.excluded.pdf, "created_at": now, "internal": internal},
    )
    try:
        db.session.execute(statement)
        # The PDF just stored is its copy's newest: the copy's others go, the other copy stays.
        db.session.execute(
            delete(PdfCache).where(
                PdfCache.assessment_id == assessment_id,
                PdfCache.internal == internal,
                PdfCache.key != key,
            )
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return True
