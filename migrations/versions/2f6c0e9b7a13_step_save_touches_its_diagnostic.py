"""assessment_steps: saving a step moves its diagnostic's updated_at, by a trigger

The application wrote the step, then updated the diagnostic's updated_at: two statements
per save on SQLite. The database now does the second in the first. No row changes here.

A later migration that recreates assessment_steps (SQLite batch mode copies the table and
drops its triggers) must create these triggers again.

Revision ID: 2f6c0e9b7a13
Revises: cd8d05ec364e
Create Date: 2026-11-23 01:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '2f6c0e9b7a13'
down_revision = 'cd8d05ec364e'
branch_labels = None
depends_on = None

TOUCH = (
    "UPDATE assessments SET updated_at = NEW.completed_at "
    "WHERE id = NEW.assessment_id AND NEW.completed_at IS NOT NULL"
)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION assessment_steps_touch() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {TOUCH}; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER assessment_steps_touch AFTER INSERT OR UPDATE ON assessment_steps "
            "FOR EACH ROW EXECUTE FUNCTION assessment_steps_touch()"
        )
    else:
        for event in ("insert", "update"):
            op.execute(
                f"CREATE TRIGGER assessment_steps_touch_{event} AFTER {event.upper()} "
                f"ON assessment_steps BEGIN {TOUCH}; END"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS assessment_steps_touch ON assessment_steps")
        op.execute("DROP FUNCTION IF EXISTS assessment_steps_touch()")
    else:
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS assessment_steps_touch_{event}")
