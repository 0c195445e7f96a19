"""The community comparison: this instance's finished diagnostics, in aggregate only.

Each finished diagnostic leaves one narrow row of scores (``PeerScore``) when its result is
stored; the aggregates of its three groups (sector × size, sector, everyone) are then
recomputed into ``PeerGroupStats``, so a page view reads at most three small rows. A group
shows only when it holds at least ``min_group`` diagnostics; below that nothing but its size
is kept. The table holds exactly the community: a revoked diagnostic's row is removed
(``forget``, and ``record`` never stores one), a deleted one takes its row with it.
"""

import statistics
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from readiness.extensions import db
from readiness.models import Assessment, Client, utcnow
from readiness.rules.schema import DIMENSIONS as RULE_DIMENSIONS
from readiness.rules.schema import VERDICTS

DIMENSIONS = ("overall", *RULE_DIMENSIONS)
ALL = "all"


class PeerScore(db.Model):
    """The scores and verdict of one finished diagnostic, with its sector and size."""

    __tablename__ = "peer_scores"
    __table_args__ = (Index("ix_peer_scores_group", "sector", "headcount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), unique=True
    )
    sector: Mapped[str] = mapped_column(String(32))
    headcount: Mapped[str] = mapped_column(String(16))
    verdict: Mapped[str] = mapped_column(String(20))
    overall: Mapped[int] = mapped_column(Integer)
    interest: Mapped[int] = mapped_column(Integer)
    readiness: Mapped[int] = mapped_column(Integer)
    philosophy: Mapped[int] = mapped_column(Integer)
    resources: Mapped[int] = mapped_column(Integer)
    channels: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PeerGroupStats(db.Model):
    """The aggregate of one group, recomputed whenever one of its diagnostics changes."""

    __tablename__ = "peer_group_stats"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_key: Mapped[str] = mapped_column(String(80), unique=True)
    n: Mapped[int] = mapped_column(Integer)
    # None while the group is smaller than the threshold: nothing is kept about so few.
    stats: Mapped[dict | None] = mapped_column(JSON, default=None)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def min_group() -> int:
    return current_app.extensions["peers"].community.min_group


def group_keys(sector: str, headcount: str) -> list[tuple[str, str]]:
    """(level, key) of the groups a business belongs to, narrowest first."""
    return [
        ("sector_size", f"{sector}|{headcount}"),
        ("sector", sector),
        ("all", ALL),
    ]


def record(
    assessment: Assessment, answers: dict[str, Any], result: dict[str, Any], refresh_now=True
) -> None:
    """Store (or replace) a finished diagnostic's scores and refresh its groups' aggregates.

    An upsert, so two first views of the same result at once cannot collide.
    """
    old = db.session.execute(
        select(PeerScore.sector, PeerScore.headcount).where(
            PeerScore.assessment_id == assessment.id
        )
    ).first()
    # Revoked or erased (the owner's erasure, when the model has it): out of the community.
    if assessment.revoked_at is not None or getattr(assessment, "erased_at", None) is not None:
        db.session.execute(delete(PeerScore).where(PeerScore.assessment_id == assessment.id))
    else:
        values = {d: result["scores"][d] for d in DIMENSIONS}
        values.update(
            sector=answers["sector"],
            headcount=answers["headcount"],
            verdict=result["verdict"],
            recorded_at=utcnow(),
        )
        _upsert(PeerScore, "assessment_id", assessment.id, values)
    db.session.commit()
    if refresh_now:
        groups = {(answers["sector"], answers["headcount"])}
        refresh(groups | ({tuple(old)} if old else set()))


def _upsert(model, key_column: str, key: Any, values: dict[str, Any]) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(model).values({key_column: key, **values})
    db.session.execute(statement.on_conflict_do_update(index_elements=[key_column], set_=values))


def forget(assessment_ids: list[int]) -> set[tuple[str, str]]:
    """Drop diagnostics from the community (before deleting them); returns their groups."""
    if not assessment_ids:
        return set()
    rows = db.session.execute(
        select(PeerScore.sector, PeerScore.headcount).where(
            PeerScore.assessment_id.in_(assessment_ids)
        )
    )
    groups = {tuple(row) for row in rows}
    db.session.execute(delete(PeerScore).where(PeerScore.assessment_id.in_(assessment_ids)))
    return groups


def refresh(groups: set[tuple[str, str]]) -> None:
    """Recompute the aggregates of these (sector, headcount) groups, their sectors and 'all'."""
    keys: dict[str, Any] = {ALL: ()}
    for sector, headcount in groups:
        keys[sector] = (PeerScore.sector == sector,)
        keys[f"{sector}|{headcount}"] = (
            PeerScore.sector == sector,
            PeerScore.headcount == headcount,
        )
    for key, where in keys.items():
        _store(key, *where)
    db.session.commit()


def refresh_all() -> int:
    """Recompute every group from the stored rows (after a bulk change or an upgrade)."""
    db.session.execute(delete(PeerGroupStats))
    rows = db.session.execute(select(PeerScore.sector, PeerScore.headcount).distinct())
    pairs = {tuple(row) for row in rows}
    refresh(pairs)
    return len(pairs)


def _counts(column, where) -> dict:
    """How many diagnostics of the group have each value of ``column`` (scores are 0–100)."""
    statement = select(column, func.count()).where(*where).group_by(column)
    return dict(db.session.execute(statement).all())


def _store(key: str, *where) -> None:
    """Recompute one group from per-value counts: the database sends ≤ 101 rows a dimension."""
    verdicts = _counts(PeerScore.verdict, where)
    n = sum(verdicts.values())
    stats = None
    if n >= min_group():
        stats = {
            d: quartiles_from_counts(_counts(getattr(PeerScore, d), where)) for d in DIMENSIONS
        }
        stats["verdicts"] = {v: round(100 * verdicts.get(v, 0) / n) for v in VERDICTS}
    _upsert(PeerGroupStats, "group_key", key, {"n": n, "stats": stats, "updated_at": utcnow()})


def _group(key: str) -> PeerGroupStats | None:
    return db.session.scalar(select(PeerGroupStats).where(PeerGroupStats.group_key == key))


def quartiles_from_counts(counts: dict[int, int]) -> dict[str, float]:
    """Same figures as ``quartiles`` over the expanded values, without expanding them."""
    values = sorted(counts)
    cumulative, total = [], 0
    for value in values:
        total += counts[value]
        cumulative.append(total)

    def nth(index: int) -> int:  # the index-th smallest value (0-based)
        return values[next(i for i, c in enumerate(cumulative) if c > index)]

    out = {}
    for name, k in (("q1", 1), ("median", 2), ("q3", 3)):
        position, rest = divmod(k * (total - 1), 4)
        low = nth(position)
        high = nth(position + 1) if rest else low
        out[name] = round(low + (high - low) * rest / 4, 1)
    return {"median": out["median"], "q1": out["q1"], "q3": out["q3"]}


def aggregate(rows: list[tuple]) -> dict[str, Any]:
    """Median and quartiles of each dimension, and the share of each verdict (in %)."""
    stats: dict[str, Any] = {d: quartiles([r[i] for r in rows]) for i, d in enumerate(DIMENSIONS)}
    verdicts = [r[-1] for r in rows]
    stats["verdicts"] = {v: round(100 * verdicts.count(v) / len(rows)) for v in VERDICTS}
    return stats


def quartiles(values: list[int]) -> dict[str, float]:
    if len(values) == 1:
        values = values * 2  # one value is its own median and quartiles
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {"median": round(median, 1), "q1": round(q1, 1), "q3": round(q3, 1)}


def comparison(sector: str | None, headcount: str | None, labels: dict[str, str]) -> dict | None:
    """The narrowest group with enough diagnostics, or None when even 'all' has too few."""
    keys = group_keys(sector or "", headcount or "")
    found = {
        row.group_key: row
        for row in db.session.scalars(
            select(PeerGroupStats).where(PeerGroupStats.group_key.in_([k for _, k in keys]))
        )
    }
    texts = current_app.extensions["peers"].community.groups
    for level, key in keys:
        row = found.get(key)
        if row is not None and row.stats is not None and row.n >= min_group():
            return {
                "n": row.n,
                "level": level,
                "group": texts[level].format(**labels),
                **{d: row.stats[d] for d in DIMENSIONS},
                "verdicts": row.stats["verdicts"],
            }
    return None


def everyone() -> dict | None:
    """Every finished diagnostic of this instance, when there are enough of them."""
    row = _group(ALL)
    if row is None or row.stats is None or row.n < min_group():
        return None
    return {"n": row.n, **row.stats}


def portfolio(consultant_id: int) -> dict | None:
    """The consultant's clients, each by its latest finished diagnostic, in aggregate."""
    latest = (
        select(func.max(PeerScore.assessment_id).label("id"))
        .join(Assessment, Assessment.id == PeerScore.assessment_id)
        .join(Client, Client.id == Assessment.client_id)
        .where(Client.consultant_id == consultant_id, Assessment.revoked_at.is_(None))
        .group_by(Client.id)
        .subquery()
    )
    columns = [getattr(PeerScore, d) for d in DIMENSIONS] + [PeerScore.verdict]
    statement = select(*columns).where(PeerScore.assessment_id.in_(select(latest.c.id)))
    rows = [tuple(row) for row in db.session.execute(statement)]
    if not rows:
        return None
    return {"n": len(rows), **aggregate(rows)}
