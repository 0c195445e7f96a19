"""pdf cache: the latest rendered PDFs of each assessment

Revision ID: 7c3e9a1d5f20
Revises: 51a59b0babaa
Create Date: 2026-11-22 05:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3e9a1d5f20'
down_revision = '51a59b0babaa'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pdf_cache',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('assessment_id', 'key', name='uq_pdf_cache_assessment_key')
    )


def downgrade():
    op.drop_table('pdf_cache')
