"""Migrations keep every row, on SQLite and PostgreSQL, from every revision to head.

ADDING A MIGRATION? Add its fill to ``FILL`` below (the tests fail until you do):

    def fill_<rev>(conn):
        fill_<previous rev>(conn)          # everything the earlier revisions hold
        insert(conn, "new_table", [...])   # plus realistic rows using what <rev> adds
        ...

    FILL = {..., "<rev>": fill_<rev>}

A fill writes through SQL (``insert``/``update`` below work on the tables as they exist at
that revision, never through today's models). After the fill, every table must hold rows
and every column at least one non-NULL value, so a new table or column cannot go untested.
The test then upgrades to head and checks that every row and value is still there; then it
downgrades one step at a time back to the filled revision (at least one step), checking the
rows each time, upgrades again and checks again. Also add your migration file
to ``migrations/manifest.sha256`` (see ``test_committed_migrations_are_never_edited``).
"""

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    inspect,
    select,
    text,
)

from readiness import MIGRATIONS_DIR
from readiness.extensions import db

SCRIPTS = ScriptDirectory(MIGRATIONS_DIR)
# Base first, head last.
REVISIONS = [script.revision for script in reversed(list(SCRIPTS.walk_revisions()))]
MANIFEST = Path(MIGRATIONS_DIR) / "manifest.sha256"


# --- SQL helpers for the fills ---------------------------------------------------------------


def table(conn, name: str) -> Table:
    """The table as it exists in the database now (reflected, not today's model)."""
    return Table(name, MetaData(), autoload_with=conn)


def insert(conn, name: str, rows: list[dict]) -> None:
    """Rows with explicit ids; PostgreSQL's id sequence moves past them, as the app's would."""
    conn.execute(table(conn, name).insert(), rows)
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) FROM {name}")
        )


def update(conn, name: str, row_id: int, **values) -> None:
    t = table(conn, name)
    conn.execute(t.update().where(t.c.id == row_id).values(**values))


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 10, day, hour, 15, 30, 123456, tzinfo=UTC)


RESULT = {
    "verdict": "start_small",
    "score": 61,
    "channels": [{"id": "facebook", "label": "Facebook", "hours": 1.5}],
    "reasons": ["Vous avez peu de temps : commencez par un seul réseau."],
}
PDF_BYTES = b"%PDF-1.7\n\x00\xff\xfe binaire \xe9\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


# --- One fill per revision (cumulative: each calls the previous one) -------------------------


def fill_51a59b0babaa(conn):
    """Assessments and their steps: two diagnostics, one finished, one half done."""
    insert(
        conn,
        "assessments",
        [
            {
                "id": 1,
                "token": "tok-" + "a" * 40,
                "questionnaire_version": "2026.1",
                "created_at": at(1),
                "updated_at": at(2),
                "result": RESULT,
                "rules_version": "2026.1-ab12",
                "result_key": "f" * 64,
            },
            {
                "id": 2,
                "token": "tok-" + "b" * 40,
                "questionnaire_version": "2026.1",
                "created_at": at(3),
                "updated_at": at(3, 11),
                "result": None,
                "rules_version": None,
                "result_key": None,
            },
        ],
    )
    insert(
        conn,
        "assessment_steps",
        [
            {
                "id": 1,
                "assessment_id": 1,
                "step_id": "profile",
                "answers": {"company_name": "Boulangerie Martin – l’épi d’or", "local_share": 70},
                "completed_at": at(1, 12),
            },
            {
                "id": 2,
                "assessment_id": 1,
                "step_id": "goals",
                "answers": {"goals": ["loyalty", "awareness"]},
                "completed_at": at(1, 13),
            },
            {
                "id": 3,
                "assessment_id": 2,
                "step_id": "profile",
                "answers": {"company_name": "Garage Dupuis", "headcount": "micro"},
                "completed_at": at(3, 12),
            },
        ],
    )


def fill_7c3e9a1d5f20(conn):
    """Plus the PDF cache: the consultant's and the client's copy of one diagnostic."""
    fill_51a59b0babaa(conn)
    insert(
        conn,
        "pdf_cache",
        [
            {"id": 1, "assessment_id": 1, "key": "k" * 64, "pdf": PDF_BYTES, "created_at": at(4)},
            {"id": 2, "assessment_id": 2, "key": "m" * 64, "pdf": PDF_BYTES, "created_at": at(5)},
        ],
    )


def fill_5b91638f1cd1(conn):
    """Plus consultants, their clients, notes, a revoked link and a prefilled re-assessment."""
    fill_7c3e9a1d5f20(conn)
    insert(
        conn,
        "consultants",
        [
            {
                "id": 1,
                "email": "claire@conseil.fr",
                "name": "Claire Durand",
                "firm": "CCI de l’Hérault",
                "phone": "04 67 00 00 00",
                "contact_email": "contact@conseil.fr",
                "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
                "active": True,
                "logo_png": PNG_BYTES,
                "created_at": at(1, 8),
            },
            {
                "id": 2,
                "email": "paul@cci.fr",
                "name": "Paul Martin",
                "firm": "",
                "phone": "",
                "contact_email": "",
                "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2VsMg$aGFzaDI",
                "active": False,
                "logo_png": None,
                "created_at": at(2, 8),
            },
        ],
    )
    insert(
        conn,
        "clients",
        [
            {
                "id": 1,
                "consultant_id": 1,
                "name": "Boulangerie Martin",
                "contact": "M. Martin, 06 00 00 00 00",
                "created_at": at(1, 9),
                "last_assessment_at": at(6),
                "last_verdict": "start_small",
            },
            {
                "id": 2,
                "consultant_id": 2,
                "name": "Garage Dupuis",
                "contact": "",
                "created_at": at(2, 9),
                "last_assessment_at": None,
                "last_verdict": None,
            },
        ],
    )
    update(conn, "assessments", 1, client_id=1, revoked_at=at(6, 9))
    insert(
        conn,
        "assessments",
        [
            {
                "id": 3,
                "token": "tok-" + "c" * 40,
                "questionnaire_version": "2026.1",
                "created_at": at(6),
                "updated_at": at(6),
                "client_id": 1,
                "prefill": {"profile": {"company_name": "Boulangerie Martin"}},
            }
        ],
    )
    update(conn, "assessment_steps", 2, note="Veut surtout fidéliser ; revoir le budget.")


def fill_0aecb24b7e2c(conn):
    """Only a constraint changed (pdf_cache unique per key): a second PDF for diagnostic 1."""
    fill_5b91638f1cd1(conn)
    insert(
        conn,
        "pdf_cache",
        [{"id": 3, "assessment_id": 1, "key": "n" * 64, "pdf": b"%PDF", "created_at": at(7)}],
    )


def fill_3d8f2b6c9e41(conn):
    """Plus the community: one finished diagnostic's scores and two groups' aggregates."""
    fill_0aecb24b7e2c(conn)
    scores = {"overall": 62, "interest": 70, "readiness": 55, "philosophy": 80}
    insert(
        conn,
        "peer_scores",
        [
            {
                "id": 1,
                "assessment_id": 3,
                "sector": "food_retail",
                "headcount": "micro",
                "verdict": "start_small",
                **scores,
                "resources": 40,
                "channels": 65,
                "recorded_at": at(7, 11),
            }
        ],
    )
    quartiles = {"median": 62.0, "q1": 50.5, "q3": 71.0}
    insert(
        conn,
        "peer_group_stats",
        [
            {
                "id": 1,
                "group_key": "food_retail|micro",
                "n": 1,
                "stats": None,
                "updated_at": at(7, 11),
            },
            {
                "id": 2,
                "group_key": "all",
                "n": 12,
                "stats": {"overall": quartiles, "verdicts": {"go": 25, "start_small": 75}},
                "updated_at": at(7, 12),
            },
        ],
    )


def fill_404fdb9ff504(conn):
    """Plus a session version: Claire has signed out twice since the column came."""
    fill_3d8f2b6c9e41(conn)
    update(conn, "consultants", 1, session_version=3)


def fill_8e41c07d2a95(conn):
    """Plus meeting dates, a client's e-mail, an action's follow-up and an e-mail sent."""
    fill_404fdb9ff504(conn)
    update(conn, "clients", 1, email="contact@boulangerie-martin.fr")
    update(conn, "assessments", 3, meeting_on=date(2026, 8, 20), next_meeting_on=date(2026, 11, 20))
    insert(
        conn,
        "action_follow_ups",
        [
            {
                "id": 1,
                "assessment_id": 3,
                "action_id": "write_promise",
                "status": "done",
                "comment": "Affichée en boutique",
                "updated_at": at(8),
            }
        ],
    )
    insert(
        conn,
        "client_sendings",
        [
            {
                "id": 1,
                "client_id": 1,
                "sent_at": at(8, 11),
                "address": "contact@boulangerie-martin.fr",
                "what": "Plan pour le client (PDF) et lien privé",
            }
        ],
    )


def fill_e5a7d1c3b9f2(conn):
    """Plus a diagnostic its owner erased (a tombstone) and one started from a start form."""
    fill_8e41c07d2a95(conn)
    insert(
        conn,
        "assessments",
        [
            {
                "id": 4,
                "token": "tok-" + "d" * 40,
                "questionnaire_version": "2026.1",
                "created_at": at(8),
                "updated_at": at(8),
                "client_id": 1,
                "erased_at": at(9),
            }
        ],
    )
    update(conn, "assessments", 2, start_nonce="n" * 22)


def fill_cd8d05ec364e(conn):
    """Plus the copy of each cached PDF: diagnostic 1 keeps the client's and the internal."""
    fill_e5a7d1c3b9f2(conn)
    update(conn, "pdf_cache", 3, internal=True)


def fill_2f6c0e9b7a13(conn):
    """No new column (triggers only); the steps written here move their diagnostic's date."""
    fill_cd8d05ec364e(conn)


FILL = {
    "51a59b0babaa": fill_51a59b0babaa,
    "7c3e9a1d5f20": fill_7c3e9a1d5f20,
    "5b91638f1cd1": fill_5b91638f1cd1,
    "0aecb24b7e2c": fill_0aecb24b7e2c,
    "3d8f2b6c9e41": fill_3d8f2b6c9e41,
    "404fdb9ff504": fill_404fdb9ff504,
    "8e41c07d2a95": fill_8e41c07d2a95,
    "e5a7d1c3b9f2": fill_e5a7d1c3b9f2,
    "cd8d05ec364e": fill_cd8d05ec364e,
    "2f6c0e9b7a13": fill_2f6c0e9b7a13,
}


# --- Snapshots and comparison -----------------------------------------------------------------


def wipe(engine) -> None:
    """Drop every table, alembic_version included."""
    metadata = MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)


def snapshot(engine) -> dict[str, dict[int, dict]]:
    """Every row of every table: {table: {id: {column: value}}}."""
    metadata = MetaData()
    metadata.reflect(engine)
    dump = {}
    with engine.connect() as conn:
        for name, t in metadata.tables.items():
            if name == "alembic_version":
                continue
            rows = conn.execute(select(t).order_by(t.c.id)).mappings()
            dump[name] = {row["id"]: dict(row) for row in rows}
    return dump


def assert_kept(before: dict, after: dict) -> None:
    """Every table, row and value of ``before`` is in ``after`` (new columns may be added)."""
    for name, rows in before.items():
        assert name in after, f"table {name} disappeared"
        assert set(after[name]) == set(rows), f"{name}: rows {set(rows)} became {set(after[name])}"
        for row_id, row in rows.items():
            kept = {column: after[name][row_id].get(column) for column in row}
            assert kept == row, f"{name} row {row_id} changed"


def common(dump: dict, columns: dict[str, set]) -> dict:
    """``dump`` restricted to the tables and columns in ``columns``."""
    return {
        name: {i: {c: v for c, v in row.items() if c in columns[name]} for i, row in rows.items()}
        for name, rows in dump.items()
        if name in columns
    }


def columns_of(engine) -> dict[str, set]:
    inspector = inspect(engine)
    return {t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names()}


# --- Tests --------------------------------------------------------------------------------------


def test_every_revision_has_a_fill():
    missing = [revision for revision in REVISIONS if revision not in FILL]
    assert not missing, (
        f"Add a fill for {missing} to FILL in tests/test_migrations.py (see the module docstring)."
    )


@pytest.mark.parametrize("revision", REVISIONS)
def test_rows_filled_at_a_revision_survive_upgrade_and_a_step_back(app, revision):
    if revision not in FILL:
        pytest.fail(f"no fill for revision {revision}: add one to FILL (see the module docstring)")
    with app.app_context():
        engine = db.engine
        wipe(engine)
        try:
            upgrade(revision=revision)
            with engine.begin() as conn:
                FILL[revision](conn)
            filled = snapshot(engine)
            for name, rows in filled.items():
                assert rows, f"the fill of {revision} leaves table {name} empty"
                for column in next(iter(rows.values())):
                    assert any(row[column] is not None for row in rows.values()), (
                        f"the fill of {revision} leaves {name}.{column} NULL in every row"
                    )

            upgrade()
            assert_kept(filled, snapshot(engine))

            # Step back one revision at a time down to the filled one (at least one step).
            lowest = min(REVISIONS.index(revision), len(REVISIONS) - 2)
            for _ in range(len(REVISIONS) - 1 - lowest):
                downgrade(revision="-1")
                assert_kept(common(filled, columns_of(engine)), snapshot(engine))
            stepped_back = columns_of(engine)
            upgrade()
            assert_kept(common(filled, stepped_back), snapshot(engine))
        finally:
            db.session.remove()
            wipe(engine)


def test_upgrade_from_empty_matches_the_models_and_downgrades(app):
    with app.app_context():
        wipe(db.engine)
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == []
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()


def test_a_database_with_the_first_pdf_cache_constraint_stores_two_pdfs_per_diagnostic(app):
    """7c3e9a1d5f20 first had UNIQUE (assessment_id); databases migrated then are repaired."""
    from readiness import pdf_cache

    with app.app_context():
        engine = db.engine
        wipe(engine)
        try:
            upgrade(revision="7c3e9a1d5f20")
            with engine.begin() as conn:
                table(conn, "pdf_cache").drop(conn)
                old = MetaData()
                Table("assessments", old, autoload_with=conn)
                Table(
                    "pdf_cache",
                    old,
                    Column("id", Integer(), primary_key=True),
                    Column(
                        "assessment_id",
                        Integer(),
                        ForeignKey("assessments.id", ondelete="CASCADE"),
                        nullable=False,
                    ),
                    Column("key", String(64), nullable=False),
                    Column("pdf", LargeBinary(), nullable=False),
                    Column("created_at", DateTime(timezone=True), nullable=False),
                    UniqueConstraint("assessment_id", name="uq_pdf_cache_assessment"),
                ).create(conn)
                fill_7c3e9a1d5f20(conn)
            filled = snapshot(engine)
            upgrade()
            assert_kept(filled, snapshot(engine))
            uniques = inspect(engine).get_unique_constraints("pdf_cache")
            assert [u["column_names"] for u in uniques] == [["assessment_id", "key"]]

            token = "tok-" + "a" * 40
            assert pdf_cache.store(token, "n" * 64, b"%PDF client")
            assert pdf_cache.store(token, "p" * 64, b"%PDF consultant", internal=True)
            assert pdf_cache.load(token, "n" * 64) == b"%PDF client"
            assert pdf_cache.load(token, "p" * 64) == b"%PDF consultant"
        finally:
            db.session.remove()
            wipe(engine)


def test_sqlite_migrations_run_without_foreign_keys_and_restore_them(app):
    """Batch mode rebuilds tables; with foreign keys on, the drop would cascade."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        wipe(db.engine)
        try:
            upgrade()
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        finally:
            wipe(db.engine)


def test_sqlite_migration_fails_loudly_on_a_dangling_foreign_key(app, capsys):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        wipe(db.engine)
        try:
            upgrade(revision=REVISIONS[0])
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.commit()
                fill_51a59b0babaa(conn)
                update(conn, "assessment_steps", 3, assessment_id=99)
                conn.commit()
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()
            with pytest.raises(SystemExit):
                upgrade()
            error = capsys.readouterr().err
            assert "foreign key points at nothing" in error
            assert "('assessment_steps', 3, 'assessments', 0)" in error
        finally:
            db.session.remove()
            wipe(db.engine)


def manifest() -> dict[str, str]:
    lines = MANIFEST.read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines if line)}


def test_committed_migrations_are_never_edited():
    """migrations/manifest.sha256 pins each migration file that has landed on main."""
    listed = manifest()
    folder = Path(MIGRATIONS_DIR)
    for name, digest in listed.items():
        actual = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert actual == digest, (
            f"migrations/{name} changed after it was committed. A landed migration is never "
            f"edited: restore it (git checkout main -- migrations/{name}) and write a new "
            "migration that brings existing databases where you want them."
        )
    for path in sorted((folder / "versions").glob("*.py")):
        name = f"versions/{path.name}"
        assert name in listed, (
            f"migrations/{name} is not in migrations/manifest.sha256. When your migration is "
            f"final, add it: (cd migrations && sha256sum {name} >> manifest.sha256). "
            "Never change a line that is already there."
        )


def test_offline_sql_turns_sqlite_foreign_keys_off_around_the_migrations(app):
    """``flask db upgrade --sql`` prints the script a DBA runs: on SQLite, like online mode,
    foreign keys off first, then checked and back on after the last migration."""
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    # Later revisions read the live database (batch mode reflects the tables it rebuilds;
    # 0aecb24b7e2c inspects constraints), so an offline script can only cover the first two.
    target = "base:" + REVISIONS[1]
    result = app.test_cli_runner().invoke(args=["db", "upgrade", "--sql", target])
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines() if line.strip()]
    statements = [line for line in lines if not line.startswith(("INFO", "--"))]
    first_migration = next(i for i, line in enumerate(lines) if "CREATE TABLE" in line)
    last_migration = max(i for i, line in enumerate(lines) if "alembic_version" in line)
    if not sqlite:
        assert not any("PRAGMA" in line for line in lines)
        return
    assert statements[0] == "PRAGMA foreign_keys=OFF;"
    assert lines.index("PRAGMA foreign_keys=OFF;") < first_migration
    assert statements[-2:] == ["PRAGMA foreign_key_check;", "PRAGMA foreign_keys=ON;"]
    assert lines.index("PRAGMA foreign_key_check;") > last_migration
    assert [line for line in lines if "PRAGMA" in line] == [
        "PRAGMA foreign_keys=OFF;",
        "PRAGMA foreign_key_check;",
        "PRAGMA foreign_keys=ON;",
    ]


def diagnostic_date(conn) -> datetime:
    """Diagnostic 1's updated_at (SQLite gives it back without its time zone)."""
    assessments = table(conn, "assessments")
    date_ = conn.execute(select(assessments.c.updated_at).where(assessments.c.id == 1)).scalar()
    return date_.replace(tzinfo=UTC)


def resave_profile(conn, day: int) -> datetime:
    """Save diagnostic 1's step « profile » again at ``day``; its updated_at afterwards."""
    steps = table(conn, "assessment_steps")
    where = (steps.c.assessment_id == 1) & (steps.c.step_id == "profile")
    conn.execute(steps.update().where(where).values(completed_at=at(day)))
    return diagnostic_date(conn)


def test_at_head_saving_a_step_moves_its_diagnostic_date_and_a_step_back_stops_it(app):
    """2f6c0e9b7a13's triggers. A later migration that rebuilds assessment_steps (SQLite
    batch mode drops a table's triggers) must create them again, or this test fails."""
    with app.app_context():
        engine = db.engine
        wipe(engine)
        try:
            upgrade()
            with engine.begin() as conn:
                fill_2f6c0e9b7a13(conn)
                assert resave_profile(conn, 20) == at(20)
                steps = table(conn, "assessment_steps")
                new_step = {"assessment_id": 1, "step_id": "extra", "answers": {}}
                conn.execute(steps.insert().values(id=99, completed_at=at(21), **new_step))
                assert diagnostic_date(conn) == at(21)
            downgrade(revision="-1")
            with engine.begin() as conn:
                assert resave_profile(conn, 25) == at(21)  # no trigger one step back
            upgrade()
            with engine.begin() as conn:
                assert resave_profile(conn, 26) == at(26)
        finally:
            db.session.remove()
            wipe(engine)
