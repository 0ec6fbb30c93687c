"""report intake queue

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 06:15:20.518695
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rapport_ko',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filnamn', sa.String(length=300), nullable=False),
    sa.Column('skal', sa.Text(), nullable=False),
    sa.Column('extraherat', sa.JSON(), nullable=False),
    sa.Column('inkom', sa.Date(), nullable=True),
    sa.Column('skapad', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hanterad', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rapport_ko')),
    sa.UniqueConstraint('sha256', name=op.f('uq_rapport_ko_sha256'))
    )


def downgrade() -> None:
    op.drop_table('rapport_ko')
