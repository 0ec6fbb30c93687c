"""calendar stamp: a count of the changes the calendar feeds show, kept by triggers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 17:15:00

Any write counts, from any process and through any path (the unit of work, bulk inserts, plain SQL):
the feeds' cache (finsam.services.calendars.FeedCache) compares this count, read in the same
transaction as the data, with the one its feed was built at. On PostgreSQL the count is raised once per
transaction, at commit (a deferred constraint trigger), so writers do not queue behind the row while
they work. SQLite writers are one at a time anyway: a plain trigger per row.

Note for later migrations: on SQLite, batch_alter_table copies a table anew and its triggers go with
the old one; a migration that alters one of TABLES must create its triggers again (see _sqlite_triggers).
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# Each table whose rows the calendars show, and the change that counts (a column list: only those columns).
TABLES = {
    "deadline": None,
    "deadline_andring": None,
    "sammantrade": None,
    "insats": ("namn", "diarienummer"),
}

SQLITE_BUMP = (
    "INSERT INTO kalender_stand (id, sedan, andringar) VALUES (1, lower(hex(randomblob(16))), 1) "
    "ON CONFLICT (id) DO UPDATE SET andringar = andringar + 1"
)

POSTGRES_FUNCTION = """
CREATE FUNCTION kalender_andrad() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('finsam.kalender_andrad', true) IS DISTINCT FROM txid_current()::text THEN
        INSERT INTO kalender_stand (id, sedan, andringar)
        VALUES (1, md5(random()::text || clock_timestamp()::text), 1)
        ON CONFLICT (id) DO UPDATE SET andringar = kalender_stand.andringar + 1;
        PERFORM set_config('finsam.kalender_andrad', txid_current()::text, true);
    END IF;
    RETURN NULL;
END
$$
"""


def _sqlite_triggers(table: str, columns: tuple[str, ...] | None) -> None:
    update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
    events = (("insert", "INSERT"), ("update", update), ("delete", "DELETE"))
    for name, event in events:
        if columns and name == "insert":
            continue  # a new insats shows in no calendar before its deadlines do
        op.execute(f"CREATE TRIGGER kalender_{table}_{name} AFTER {event} ON {table} BEGIN {SQLITE_BUMP}; END")


def upgrade() -> None:
    op.create_table('kalender_stand',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sedan', sa.String(length=40), nullable=False),
    sa.Column('andringar', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kalender_stand'))
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        for table, columns in TABLES.items():
            events = f"UPDATE OF {', '.join(columns)} OR DELETE" if columns else "INSERT OR UPDATE OR DELETE"
            op.execute(f"CREATE CONSTRAINT TRIGGER kalender_{table} AFTER {events} ON {table} "
                       "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kalender_andrad()")
            op.execute(f"CREATE TRIGGER kalender_{table}_tomd AFTER TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION kalender_andrad()")
    else:
        for table, columns in TABLES.items():
            _sqlite_triggers(table, columns)
    op.execute("INSERT INTO kalender_stand (id, sedan, andringar) VALUES (1, 'migration 0009', 0)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER kalender_{table} ON {table}")
            op.execute(f"DROP TRIGGER kalender_{table}_tomd ON {table}")
        op.execute("DROP FUNCTION kalender_andrad()")
    else:
        for table in TABLES:
            for name in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS kalender_{table}_{name}")
    op.drop_table('kalender_stand')
