"""core tables: insatser, deadlines, meetings, audit

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 05:20:29.993916
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('handelse',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tid', sa.DateTime(timezone=True), nullable=False),
    sa.Column('aktor', sa.String(length=200), nullable=False),
    sa.Column('atgard', sa.String(length=200), nullable=False),
    sa.Column('andring', sa.String(length=20), nullable=False),
    sa.Column('objekt', sa.String(length=50), nullable=False),
    sa.Column('objekt_id', sa.String(length=100), nullable=True),
    sa.Column('insats_id', sa.Integer(), nullable=True),
    sa.Column('detaljer', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handelse'))
    )
    with op.batch_alter_table('handelse', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handelse_insats_id'), ['insats_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handelse_tid'), ['tid'], unique=False)

    op.create_table('kontaktperson',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('namn', sa.String(length=200), nullable=False),
    sa.Column('epost', sa.String(length=320), nullable=False),
    sa.Column('telefon', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kontaktperson')),
    sa.UniqueConstraint('epost', name=op.f('uq_kontaktperson_epost'))
    )
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('namn', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('namn', name=op.f('uq_organisation_namn'))
    )
    op.create_table('sammantrade',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('typ', sa.Enum('styrelse', 'beredningsgrupp', 'arbetsutskott', name='motetyp', native_enum=False, length=32), nullable=False),
    sa.Column('datum', sa.Date(), nullable=False),
    sa.Column('tid', sa.Time(), nullable=True),
    sa.Column('plats', sa.String(length=200), nullable=True),
    sa.Column('handlingar_senast', sa.Date(), nullable=False),
    sa.Column('installt', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sammantrade')),
    sa.UniqueConstraint('typ', 'datum', name=op.f('uq_sammantrade_typ'))
    )
    op.create_table('insats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('namn', sa.String(length=300), nullable=False),
    sa.Column('diarienummer', sa.String(length=50), nullable=True),
    sa.Column('inriktning', sa.Enum('individ', 'struktur', name='inriktning', native_enum=False, length=32), nullable=False),
    sa.Column('tillstand', sa.Enum('ansokan_inkommen', 'under_beredning', 'yttrande_avgivet', 'beviljad', 'avslagen', 'pagaende', 'avslutad', 'slutredovisad', name='tillstand', native_enum=False, length=32), nullable=False),
    sa.Column('start', sa.Date(), nullable=True),
    sa.Column('slut', sa.Date(), nullable=True),
    sa.Column('beviljade_medel_kr', sa.BigInteger(), nullable=True),
    sa.Column('kontaktperson_id', sa.Integer(), nullable=True),
    sa.Column('rapportschema', sa.JSON(), nullable=True),
    sa.Column('avbruten', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['kontaktperson_id'], ['kontaktperson.id'], name=op.f('fk_insats_kontaktperson_id_kontaktperson')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insats')),
    sa.UniqueConstraint('diarienummer', name=op.f('uq_insats_diarienummer'))
    )
    op.create_table('ansokan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('insats_id', sa.Integer(), nullable=False),
    sa.Column('ankomstdatum', sa.Date(), nullable=False),
    sa.Column('sokt_belopp_kr', sa.BigInteger(), nullable=True),
    sa.Column('sokt_start', sa.Date(), nullable=True),
    sa.Column('sokt_slut', sa.Date(), nullable=True),
    sa.Column('beredningsmote_id', sa.Integer(), nullable=True),
    sa.Column('styrelsemote_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['beredningsmote_id'], ['sammantrade.id'], name=op.f('fk_ansokan_beredningsmote_id_sammantrade')),
    sa.ForeignKeyConstraint(['insats_id'], ['insats.id'], name=op.f('fk_ansokan_insats_id_insats'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['styrelsemote_id'], ['sammantrade.id'], name=op.f('fk_ansokan_styrelsemote_id_sammantrade')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ansokan')),
    sa.UniqueConstraint('insats_id', name=op.f('uq_ansokan_insats_id'))
    )
    op.create_table('beslut',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('insats_id', sa.Integer(), nullable=False),
    sa.Column('sammantrade_id', sa.Integer(), nullable=True),
    sa.Column('datum', sa.Date(), nullable=False),
    sa.Column('utfall', sa.Enum('beviljas', 'avslas', 'aterremitteras', 'bordlaggs', name='beslututfall', native_enum=False, length=32), nullable=False),
    sa.Column('belopp_kr', sa.BigInteger(), nullable=True),
    sa.Column('start', sa.Date(), nullable=True),
    sa.Column('slut', sa.Date(), nullable=True),
    sa.Column('anteckning', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['insats_id'], ['insats.id'], name=op.f('fk_beslut_insats_id_insats'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sammantrade_id'], ['sammantrade.id'], name=op.f('fk_beslut_sammantrade_id_sammantrade')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_beslut'))
    )
    op.create_table('deadline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('insats_id', sa.Integer(), nullable=False),
    sa.Column('typ', sa.Enum('delrapport', 'slutrapport', name='rapporttyp', native_enum=False, length=32), nullable=False),
    sa.Column('nr', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_slut', sa.Date(), nullable=False),
    sa.Column('forfaller', sa.Date(), nullable=False),
    sa.Column('regel_forfaller', sa.Date(), nullable=False),
    sa.Column('tillstand', sa.Enum('oppen', 'inkommen', 'makulerad', name='deadlinetillstand', native_enum=False, length=32), nullable=False),
    sa.Column('inkom', sa.Date(), nullable=True),
    sa.Column('bevakas', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['insats_id'], ['insats.id'], name=op.f('fk_deadline_insats_id_insats'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline')),
    sa.UniqueConstraint('insats_id', 'typ', 'nr', name=op.f('uq_deadline_insats_id'))
    )
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_forfaller'), ['forfaller'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadline_insats_id'), ['insats_id'], unique=False)

    op.create_table('insats_ekonomi',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('insats_id', sa.Integer(), nullable=False),
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('budget_kr', sa.BigInteger(), nullable=True),
    sa.Column('utfall_kr', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['insats_id'], ['insats.id'], name=op.f('fk_insats_ekonomi_insats_id_insats'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insats_ekonomi')),
    sa.UniqueConstraint('insats_id', 'ar', name=op.f('uq_insats_ekonomi_insats_id'))
    )
    op.create_table('insats_organisation',
    sa.Column('insats_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('roll', sa.Enum('huvudman', 'samverkanspart', name='roll', native_enum=False, length=32), nullable=False),
    sa.Column('ordning', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['insats_id'], ['insats.id'], name=op.f('fk_insats_organisation_insats_id_insats'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_insats_organisation_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('insats_id', 'organisation_id', 'roll', name=op.f('pk_insats_organisation'))
    )
    op.create_table('yttrande',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('insats_id', sa.Integer(), nullable=False),
    sa.Column('sammantrade_id', sa.Integer(), nullable=True),
    sa.Column('datum', sa.Date(), nullable=False),
    sa.Column('bedomning', sa.Enum('tillstyrks', 'avstyrks', 'kompletteras', name='bedomning', native_enum=False, length=32), nullable=False),
    sa.Column('motivering', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['insats_id'], ['insats.id'], name=op.f('fk_yttrande_insats_id_insats'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sammantrade_id'], ['sammantrade.id'], name=op.f('fk_yttrande_sammantrade_id_sammantrade')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_yttrande'))
    )
    op.create_table('anstand',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deadline_id', sa.Integer(), nullable=False),
    sa.Column('tidigare_forfaller', sa.Date(), nullable=False),
    sa.Column('nytt_forfaller', sa.Date(), nullable=False),
    sa.Column('skal', sa.Text(), nullable=False),
    sa.Column('beviljat_av', sa.String(length=200), nullable=False),
    sa.Column('tid', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadline.id'], name=op.f('fk_anstand_deadline_id_deadline'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_anstand'))
    )
    with op.batch_alter_table('anstand', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_anstand_deadline_id'), ['deadline_id'], unique=False)

    op.create_table('deadline_andring',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deadline_id', sa.Integer(), nullable=False),
    sa.Column('tid', sa.DateTime(timezone=True), nullable=False),
    sa.Column('falt', sa.String(length=40), nullable=False),
    sa.Column('fore', sa.String(length=100), nullable=True),
    sa.Column('efter', sa.String(length=100), nullable=True),
    sa.Column('orsak', sa.Text(), nullable=False),
    sa.Column('aktor', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadline.id'], name=op.f('fk_deadline_andring_deadline_id_deadline'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_andring'))
    )
    with op.batch_alter_table('deadline_andring', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_andring_deadline_id'), ['deadline_id'], unique=False)

    op.create_table('inkommen_rapport',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('insats_id', sa.Integer(), nullable=False),
    sa.Column('deadline_id', sa.Integer(), nullable=True),
    sa.Column('typ', sa.Enum('delrapport', 'slutrapport', name='rapporttyp', native_enum=False, length=32), nullable=False),
    sa.Column('inkom', sa.Date(), nullable=False),
    sa.Column('filnamn', sa.String(length=300), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('registrerad_av', sa.String(length=200), nullable=False),
    sa.Column('tid', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadline.id'], name=op.f('fk_inkommen_rapport_deadline_id_deadline')),
    sa.ForeignKeyConstraint(['insats_id'], ['insats.id'], name=op.f('fk_inkommen_rapport_insats_id_insats'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inkommen_rapport')),
    sa.UniqueConstraint('sha256', name=op.f('uq_inkommen_rapport_sha256'))
    )
    with op.batch_alter_table('inkommen_rapport', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inkommen_rapport_insats_id'), ['insats_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('inkommen_rapport', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inkommen_rapport_insats_id'))

    op.drop_table('inkommen_rapport')
    with op.batch_alter_table('deadline_andring', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_andring_deadline_id'))

    op.drop_table('deadline_andring')
    with op.batch_alter_table('anstand', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_anstand_deadline_id'))

    op.drop_table('anstand')
    op.drop_table('yttrande')
    op.drop_table('insats_organisation')
    op.drop_table('insats_ekonomi')
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_insats_id'))
        batch_op.drop_index(batch_op.f('ix_deadline_forfaller'))

    op.drop_table('deadline')
    op.drop_table('beslut')
    op.drop_table('ansokan')
    op.drop_table('insats')
    op.drop_table('sammantrade')
    op.drop_table('organisation')
    op.drop_table('kontaktperson')
    with op.batch_alter_table('handelse', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handelse_tid'))
        batch_op.drop_index(batch_op.f('ix_handelse_insats_id'))

    op.drop_table('handelse')
