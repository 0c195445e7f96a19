"""assessments: erased_at (the owner erased it) and start_nonce (one diagnostic per start click)

Revision ID: e5a7d1c3b9f2
Revises: 8e41c07d2a95
Create Date: 2026-11-22 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a7d1c3b9f2'
down_revision = '8e41c07d2a95'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('start_nonce', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint('uq_assessments_start_nonce', ['start_nonce'])


def downgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_constraint('uq_assessments_start_nonce', type_='unique')
        batch_op.drop_column('start_nonce')
        batch_op.drop_column('erased_at')
