"""peer comparison: one row of scores per finished diagnostic, and each group's aggregate

Revision ID: 3d8f2b6c9e41
Revises: 0aecb24b7e2c
Create Date: 2026-11-22 16:00:00.000000

Existing diagnostics join the community with `flask peers rebuild` (see README).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3d8f2b6c9e41'
down_revision = '0aecb24b7e2c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('peer_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('sector', sa.String(length=32), nullable=False),
    sa.Column('headcount', sa.String(length=16), nullable=False),
    sa.Column('verdict', sa.String(length=20), nullable=False),
    sa.Column('overall', sa.Integer(), nullable=False),
    sa.Column('interest', sa.Integer(), nullable=False),
    sa.Column('readiness', sa.Integer(), nullable=False),
    sa.Column('philosophy', sa.Integer(), nullable=False),
    sa.Column('resources', sa.Integer(), nullable=False),
    sa.Column('channels', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('assessment_id')
    )
    op.create_index('ix_peer_scores_group', 'peer_scores', ['sector', 'headcount'], unique=False)
    op.create_table('peer_group_stats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_key', sa.String(length=80), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('stats', sa.JSON(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('group_key')
    )


def downgrade():
    op.drop_table('peer_group_stats')
    op.drop_index('ix_peer_scores_group', table_name='peer_scores')
    op.drop_table('peer_scores')
