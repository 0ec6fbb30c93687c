"""report economics: the 4.6 table's rows, the Summa, the slutrapport's funds and the free texts

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 16:49:09.045316
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rapport_ekonomi_rad',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rapport_id', sa.Integer(), nullable=False),
    sa.Column('ordning', sa.Integer(), nullable=False),
    sa.Column('kostnadsslag', sa.String(length=40), nullable=False),
    sa.Column('benamning', sa.String(length=300), nullable=True),
    sa.Column('budget_kr', sa.BigInteger(), nullable=True),
    sa.Column('utfall_kr', sa.BigInteger(), nullable=True),
    sa.Column('sakerhet', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['rapport_id'], ['inkommen_rapport.id'], name=op.f('fk_rapport_ekonomi_rad_rapport_id_inkommen_rapport'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rapport_ekonomi_rad'))
    )
    with op.batch_alter_table('rapport_ekonomi_rad', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rapport_ekonomi_rad_rapport_id'), ['rapport_id'], unique=False)

    with op.batch_alter_table('inkommen_rapport', schema=None) as batch_op:
        batch_op.add_column(sa.Column('beviljade_medel_kr', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('utnyttjade_medel_kr', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('aterbetalning_kr', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('medel_helt_utnyttjade', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('summa_budget_kr', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('summa_utfall_kr', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('ekonomi_sakerhet', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('avvikelser', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('styrgruppens_analys', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('varningar', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('inkommen_rapport', schema=None) as batch_op:
        batch_op.drop_column('varningar')
        batch_op.drop_column('styrgruppens_analys')
        batch_op.drop_column('avvikelser')
        batch_op.drop_column('ekonomi_sakerhet')
        batch_op.drop_column('summa_utfall_kr')
        batch_op.drop_column('summa_budget_kr')
        batch_op.drop_column('medel_helt_utnyttjade')
        batch_op.drop_column('aterbetalning_kr')
        batch_op.drop_column('utnyttjade_medel_kr')
        batch_op.drop_column('beviljade_medel_kr')

    with op.batch_alter_table('rapport_ekonomi_rad', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rapport_ekonomi_rad_rapport_id'))

    op.drop_table('rapport_ekonomi_rad')
