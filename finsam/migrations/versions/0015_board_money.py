"""the board's money: grants per year (anslag), the förbund's own insatser, each huvudman's share,
payments made (utbetalning), and what an återbetalning was counted from

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs and new tables: no table is rebuilt, so the calendar stamp's triggers (0009) stay.
    op.add_column('insats', sa.Column('egen', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('insats_organisation', sa.Column('andel_procent', sa.Integer(), nullable=True))
    op.add_column('aterbetalning', sa.Column('grund', sa.String(20), nullable=True))
    op.add_column('aterbetalning', sa.Column('utbetalt_kr', sa.BigInteger(), nullable=True))
    op.create_table(
        'anslag',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('insats_id', sa.Integer(), nullable=False),
        sa.Column('beslut_id', sa.Integer(), nullable=True),
        sa.Column('slag', sa.String(20), nullable=False),
        sa.Column('ar', sa.Integer(), nullable=False),
        sa.Column('belopp_kr', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['insats_id'], ['insats.id'], name=op.f('fk_anslag_insats_id_insats'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['beslut_id'], ['beslut.id'], name=op.f('fk_anslag_beslut_id_beslut'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_anslag')),
    )
    op.create_index('ix_anslag_insats_id', 'anslag', ['insats_id'])
    op.create_table(
        'utbetalning',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('insats_id', sa.Integer(), nullable=False),
        sa.Column('datum', sa.Date(), nullable=True),
        sa.Column('ar', sa.Integer(), nullable=False),
        sa.Column('belopp_kr', sa.BigInteger(), nullable=False),
        sa.Column('kalla', sa.String(20), nullable=False),
        sa.Column('registrerad_av', sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(['insats_id'], ['insats.id'], name=op.f('fk_utbetalning_insats_id_insats'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_utbetalning')),
    )
    op.create_index('ix_utbetalning_insats_id', 'utbetalning', ['insats_id'])
    # A tilläggsanslag decided before: its amount in the one year its beslut names.
    op.execute("INSERT INTO anslag (insats_id, beslut_id, slag, ar, belopp_kr) "
               "SELECT insats_id, id, 'tillaggsanslag', ar, belopp_kr FROM beslut "
               "WHERE typ = 'tillaggsanslag' AND ar IS NOT NULL AND belopp_kr IS NOT NULL")


def downgrade() -> None:
    op.drop_index('ix_utbetalning_insats_id', table_name='utbetalning')
    op.drop_table('utbetalning')
    op.drop_index('ix_anslag_insats_id', table_name='anslag')
    op.drop_table('anslag')
    op.drop_column('aterbetalning', 'utbetalt_kr')
    op.drop_column('aterbetalning', 'grund')
    op.drop_column('insats_organisation', 'andel_procent')
    op.drop_column('insats', 'egen')
