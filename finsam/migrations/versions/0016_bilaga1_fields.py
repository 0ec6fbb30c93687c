"""the annual report's Bilaga 1: what the förbund writes once per insats (syfte, mål, deltagarregistrering,
specifik målgrupp) and its place in the förbund's list; documents written for the kansli (dokument)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

COLUMNS = (
    ('syfte', sa.Text()),
    ('mal', sa.Text()),
    ('deltagarregistrering', sa.String(200)),
    ('specifik_malgrupp', sa.String(200)),
    ('ordning', sa.Integer()),
)


def upgrade() -> None:
    # Plain ADD COLUMNs: no table is rebuilt, so the calendar stamp's triggers (0009) stay.
    for name, type_ in COLUMNS:
        op.add_column('insats', sa.Column(name, type_, nullable=True))
    op.create_table(
        'dokument',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(64), nullable=False),
        sa.Column('namn', sa.String(200), nullable=False),
        sa.Column('innehall', sa.LargeBinary(), nullable=False),
        sa.Column('skapad', sa.DateTime(timezone=True), nullable=False),
        sa.Column('skapad_av', sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dokument')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_dokument_token_hash')),
    )


def downgrade() -> None:
    op.drop_table('dokument')
    for name, _type in reversed(COLUMNS):
        op.drop_column('insats', name)
