"""återbetalning: unused funds a slutrapport reports, owed back and chased as a deadline until paid

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # deadline.typ and inkommen_rapport.typ are plain strings (no native enum, no CHECK): the new
    # value 'aterbetalning' needs no change to them.
    op.create_table('aterbetalning',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('insats_id', sa.Integer(), nullable=False),
    sa.Column('deadline_id', sa.Integer(), nullable=False),
    sa.Column('rapport_id', sa.Integer(), nullable=True),
    sa.Column('belopp_kr', sa.BigInteger(), nullable=False),
    sa.Column('betald', sa.Date(), nullable=True),
    sa.Column('betalt_kr', sa.BigInteger(), nullable=True),
    sa.Column('registrerad_av', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadline.id'], name=op.f('fk_aterbetalning_deadline_id_deadline'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['insats_id'], ['insats.id'], name=op.f('fk_aterbetalning_insats_id_insats'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rapport_id'], ['inkommen_rapport.id'], name=op.f('fk_aterbetalning_rapport_id_inkommen_rapport'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aterbetalning')),
    sa.UniqueConstraint('deadline_id', name=op.f('uq_aterbetalning_deadline_id'))
    )
    with op.batch_alter_table('aterbetalning', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aterbetalning_insats_id'), ['insats_id'], unique=False)


def downgrade() -> None:
    # Deadlines of the new kind have no meaning to the older code: they go with the table.
    op.execute("DELETE FROM deadline WHERE typ = 'aterbetalning'")
    with op.batch_alter_table('aterbetalning', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aterbetalning_insats_id'))
    op.drop_table('aterbetalning')
