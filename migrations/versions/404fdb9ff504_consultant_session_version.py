"""consultants.session_version: incrementing it ends every session of the consultant

Revision ID: 404fdb9ff504
Revises: 3d8f2b6c9e41
Create Date: 2026-11-22 15:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '404fdb9ff504'
down_revision = '3d8f2b6c9e41'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consultants', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_version', sa.Integer(), server_default='1', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('consultants', schema=None) as batch_op:
        batch_op.drop_column('session_version')
