"""consultants, clients, notes, revocation, prefill

Revision ID: 5b91638f1cd1
Revises: 7c3e9a1d5f20
Create Date: 2026-11-22 04:49:55.083100

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b91638f1cd1'
down_revision = '7c3e9a1d5f20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('consultants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('firm', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('logo_png', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consultants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultants_email'), ['email'], unique=True)

    op.create_table('clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultant_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_assessment_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_verdict', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['consultant_id'], ['consultants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clients_consultant_id'), ['consultant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clients_last_assessment_at'), ['last_assessment_at'], unique=False)

    with op.batch_alter_table('assessment_steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))

    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('prefill', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_assessments_client_id'), ['client_id'], unique=False)
        batch_op.create_foreign_key('fk_assessments_client_id', 'clients', ['client_id'], ['id'], ondelete='CASCADE')



def downgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_constraint('fk_assessments_client_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_assessments_client_id'))
        batch_op.drop_column('prefill')
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('client_id')

    with op.batch_alter_table('assessment_steps', schema=None) as batch_op:
        batch_op.drop_column('note')

    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clients_last_assessment_at'))
        batch_op.drop_index(batch_op.f('ix_clients_consultant_id'))

    op.drop_table('clients')
    with op.batch_alter_table('consultants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultants_email'))

    op.drop_table('consultants')
