"""meetings: dates of a diagnostic's meeting and the next one, client e-mail, action
follow-up between meetings, and the history of e-mails sent to a client

Revision ID: 8e41c07d2a95
Revises: 404fdb9ff504
Create Date: 2026-11-22 16:10:00.000000

Existing rows are kept: the new columns are empty (no e-mail, no meeting date).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e41c07d2a95'
down_revision = '404fdb9ff504'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('email', sa.String(length=254), nullable=False, server_default='')
        )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('next_meeting_on', sa.Date(), nullable=True))
    op.create_table('action_follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False, server_default=''),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('assessment_id', 'action_id', name='uq_action_follow_up')
    )
    with op.batch_alter_table('action_follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_follow_ups_assessment_id'), ['assessment_id'], unique=False)
    op.create_table('client_sendings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('what', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('client_sendings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_sendings_client_id'), ['client_id'], unique=False)


def downgrade():
    with op.batch_alter_table('client_sendings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_sendings_client_id'))
    op.drop_table('client_sendings')
    with op.batch_alter_table('action_follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_follow_ups_assessment_id'))
    op.drop_table('action_follow_ups')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('next_meeting_on')
        batch_op.drop_column('meeting_on')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('email')
