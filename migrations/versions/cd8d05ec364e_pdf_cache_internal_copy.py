"""pdf_cache: internal, so pruning keeps the newest PDF of each copy (client's, consultant's)

Before, a diagnostic kept its two newest PDFs whatever they were, so two client plans in a
row (new community figures) evicted the consultant's copy with notes. Rows stored before
this revision count as the client's copy: the cache cannot tell them apart, and a wrong
guess costs at most one more render of the consultant's copy.

Revision ID: cd8d05ec364e
Revises: e5a7d1c3b9f2
Create Date: 2026-11-22 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cd8d05ec364e'
down_revision = 'e5a7d1c3b9f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pdf_cache', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('internal', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('pdf_cache', schema=None) as batch_op:
        batch_op.drop_column('internal')
