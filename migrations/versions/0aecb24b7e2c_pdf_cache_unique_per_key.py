"""pdf cache: one row per (assessment, key), also on databases migrated with the first 7c3e9a1d5f20

7c3e9a1d5f20 was edited after it was committed: it first created
UNIQUE (assessment_id) named uq_pdf_cache_assessment, then
UNIQUE (assessment_id, key) named uq_pdf_cache_assessment_key. A database migrated with the
first version cannot hold the two PDFs of a diagnostic (and the cache's upsert finds no
matching constraint), so this migration replaces the old constraint. It looks at the
constraints first: on a database created with the current 7c3e9a1d5f20 it does nothing.
Rows are kept: UNIQUE (assessment_id) is stricter than the new one, so none can clash.

Revision ID: 0aecb24b7e2c
Revises: 5b91638f1cd1
Create Date: 2026-11-22 15:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0aecb24b7e2c'
down_revision = '5b91638f1cd1'
branch_labels = None
depends_on = None

NEW_NAME = 'uq_pdf_cache_assessment_key'
NEW_COLUMNS = ['assessment_id', 'key']


def upgrade():
    uniques = sa.inspect(op.get_bind()).get_unique_constraints('pdf_cache')
    old = [u['name'] for u in uniques if u['column_names'] == ['assessment_id']]
    has_new = any(sorted(u['column_names']) == sorted(NEW_COLUMNS) for u in uniques)
    if not old and has_new:
        return
    if None in old:
        raise RuntimeError('pdf_cache has an unnamed UNIQUE (assessment_id): drop it by hand')
    with op.batch_alter_table('pdf_cache', schema=None) as batch_op:
        for name in old:
            batch_op.drop_constraint(name, type_='unique')
        if not has_new:
            batch_op.create_unique_constraint(NEW_NAME, NEW_COLUMNS)


def downgrade():
    # Nothing to undo: 7c3e9a1d5f20 as committed today already creates the new constraint,
    # and bringing back the old one would break the PDF cache.
    pass
