"""The ORM model (SQLAlchemy 2, typed). Table and column names are the domain's Swedish nouns.

Every change to these rows is written to `handelse` (the audit log) by finsam.audit, with
the actor and use case the session carries.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    LargeBinary,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from finsam.domain.identity import identity_key
from finsam.domain.enums import (
    Bedomning,
    BeslutTyp,
    BeslutUtfall,
    DeadlineStatus,
    DeadlineTillstand,
    Inriktning,
    MoteTyp,
    RapportTyp,
    Roll,
    Tillstand,
    UtskickTillstand,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _enum(cls: type) -> Enum:
    # Stored as plain strings (no native ENUM type) so SQLite and PostgreSQL behave alike.
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e], validate_strings=True)


def _key_of(value: str | None, limit: int) -> str | None:
    return identity_key(value)[:limit] if value is not None else None


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    namn: Mapped[str] = mapped_column(String(200), unique=True)
    namn_nyckel: Mapped[str | None] = mapped_column(String(200), index=True)  # finsam.domain.identity: what is compared

    @validates("namn")
    def _keep_key(self, _key: str, value: str) -> str:
        self.namn_nyckel = _key_of(value, 200)
        return value


class Kontaktperson(Base):
    __tablename__ = "kontaktperson"

    id: Mapped[int] = mapped_column(primary_key=True)
    namn: Mapped[str] = mapped_column(String(200))
    epost: Mapped[str] = mapped_column(String(320), unique=True)
    telefon: Mapped[str | None] = mapped_column(String(40))


class InsatsOrganisation(Base):
    """An organisation's part in an insats: huvudman (runs it) or samverkanspart."""

    __tablename__ = "insats_organisation"

    insats_id: Mapped[int] = mapped_column(ForeignKey("insats.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    roll: Mapped[Roll] = mapped_column(_enum(Roll), primary_key=True)
    ordning: Mapped[int] = mapped_column(Integer, default=0)
    # A huvudman's share of the insats's money (percent), as the import says; None: shared equally.
    andel_procent: Mapped[int | None] = mapped_column(Integer)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Insats(Base):
    __tablename__ = "insats"

    id: Mapped[int] = mapped_column(primary_key=True)
    namn: Mapped[str] = mapped_column(String(300))
    diarienummer: Mapped[str | None] = mapped_column(String(50), unique=True)
    # The forms every door compares (finsam.domain.identity), kept with the values as written.
    namn_nyckel: Mapped[str | None] = mapped_column(String(300), index=True)
    diarienummer_nyckel: Mapped[str | None] = mapped_column(String(50), index=True)
    inriktning: Mapped[Inriktning] = mapped_column(_enum(Inriktning))
    tillstand: Mapped[Tillstand] = mapped_column(_enum(Tillstand))
    start: Mapped[date | None] = mapped_column(Date)
    slut: Mapped[date | None] = mapped_column(Date)
    beviljade_medel_kr: Mapped[int | None] = mapped_column(BigInteger)
    kontaktperson_id: Mapped[int | None] = mapped_column(ForeignKey("kontaktperson.id"))
    # The insats's own report schedule, agreed with the kansli; None follows the förbund's rules.
    rapportschema: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    avbruten: Mapped[bool] = mapped_column(Boolean, default=False)
    # Run by the förbund itself (Mysam, förstudier, …): followed, never chased; its money is the kansli's.
    egen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # What the annual report's Bilaga 1 says of it where the förbund wrote it (import, ansökan); None: the
    # ansökan's, the reports' or the rules file's default per inriktning (finsam.services.arsredovisning).
    syfte: Mapped[str | None] = mapped_column(Text)
    mal: Mapped[str | None] = mapped_column(Text)
    deltagarregistrering: Mapped[str | None] = mapped_column(String(200))
    specifik_malgrupp: Mapped[str | None] = mapped_column(String(200))
    ordning: Mapped[int | None] = mapped_column(Integer)  # its place in the förbund's list of insatser

    kontaktperson: Mapped[Kontaktperson | None] = relationship(lazy="joined")
    parter: Mapped[list[InsatsOrganisation]] = relationship(
        cascade="all, delete-orphan", order_by="InsatsOrganisation.ordning", lazy="selectin"
    )
    deadlines: Mapped[list[Deadline]] = relationship(
        back_populates="insats", order_by="(Deadline.period_slut, Deadline.typ)", cascade="all, delete-orphan"
    )
    ekonomi: Mapped[list[InsatsEkonomi]] = relationship(cascade="all, delete-orphan", order_by="InsatsEkonomi.ar")
    anslag: Mapped[list[Anslag]] = relationship(cascade="all, delete-orphan", order_by="(Anslag.ar, Anslag.id)")
    utbetalningar: Mapped[list[Utbetalning]] = relationship(
        cascade="all, delete-orphan", order_by="(Utbetalning.ar, Utbetalning.datum, Utbetalning.id)"
    )

    @validates("namn", "diarienummer")
    def _keep_keys(self, key: str, value: str | None) -> str | None:
        setattr(self, f"{key}_nyckel", _key_of(value, 300 if key == "namn" else 50))
        return value

    def organisationer(self, roll: Roll) -> list[str]:
        return [p.organisation.namn for p in self.parter if p.roll is roll]

    @property
    def huvudman(self) -> list[str]:
        return self.organisationer(Roll.HUVUDMAN)

    @property
    def samverkansparter(self) -> list[str]:
        return self.organisationer(Roll.SAMVERKANSPART)

    @property
    def ref(self) -> str:
        """How the insats is named to users: its diarienummer where it has one."""
        return f"{self.namn} ({self.diarienummer})" if self.diarienummer else self.namn


class InsatsEkonomi(Base):
    """A year's budget and outcome (utfall) for an insats, in kronor."""

    __tablename__ = "insats_ekonomi"
    __table_args__ = (UniqueConstraint("insats_id", "ar"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    insats_id: Mapped[int] = mapped_column(ForeignKey("insats.id", ondelete="CASCADE"))
    ar: Mapped[int] = mapped_column(Integer)
    budget_kr: Mapped[int | None] = mapped_column(BigInteger)
    utfall_kr: Mapped[int | None] = mapped_column(BigInteger)


class Anslag(Base):
    """Money granted for one year of an insats, as a decision (or the import) states it per year.

    `slag` is `beviljat` (the grant of the ansökan's beslut, or of the import) or `tillaggsanslag`. A grant
    known only as a total has no rows: it is spread over the insatstid by days when read, marked estimated.
    """

    __tablename__ = "anslag"

    id: Mapped[int] = mapped_column(primary_key=True)
    insats_id: Mapped[int] = mapped_column(ForeignKey("insats.id", ondelete="CASCADE"), index=True)
    beslut_id: Mapped[int | None] = mapped_column(ForeignKey("beslut.id", ondelete="CASCADE"))
    slag: Mapped[str] = mapped_column(String(20))
    ar: Mapped[int] = mapped_column(Integer)
    belopp_kr: Mapped[int] = mapped_column(BigInteger)

    beslut: Mapped[Beslut | None] = relationship(back_populates="anslag")


class Utbetalning(Base):
    """Money the förbund paid out to an insats: registered with its date, or imported for a year."""

    __tablename__ = "utbetalning"

    id: Mapped[int] = mapped_column(primary_key=True)
    insats_id: Mapped[int] = mapped_column(ForeignKey("insats.id", ondelete="CASCADE"), index=True)
    datum: Mapped[date | None] = mapped_column(Date)
    ar: Mapped[int] = mapped_column(Integer)
    belopp_kr: Mapped[int] = mapped_column(BigInteger)
    kalla: Mapped[str] = mapped_column(String(20))  # registrerad / import
    registrerad_av: Mapped[str | None] = mapped_column(String(200))


class Sammantrade(Base):
    """A meeting of the styrelse, the beredningsgrupp or the arbetsutskott (Europe/Stockholm time)."""

    __tablename__ = "sammantrade"
    __table_args__ = (UniqueConstraint("typ", "datum"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    typ: Mapped[MoteTyp] = mapped_column(_enum(MoteTyp))
    datum: Mapped[date] = mapped_column(Date)
    tid: Mapped[time | None] = mapped_column(Time)
    plats: Mapped[str | None] = mapped_column(String(200))
    handlingar_senast: Mapped[date] = mapped_column(Date)
    installt: Mapped[bool] = mapped_column(Boolean, default=False)
    # Calendars: SEQUENCE rises with each change of date, time, place or cancellation; `andrad` is DTSTAMP.
    sekvens: Mapped[int] = mapped_column(Integer, default=0)
    andrad: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def rubrik(self) -> str:
        return f"{self.typ.label} {self.datum.isoformat()}"


class Ansokan(Base):
    __tablename__ = "ansokan"

    id: Mapped[int] = mapped_column(primary_key=True)
    insats_id: Mapped[int] = mapped_column(ForeignKey("insats.id", ondelete="CASCADE"), unique=True)
    ankomstdatum: Mapped[date] = mapped_column(Date)
    sokt_belopp_kr: Mapped[int | None] = mapped_column(BigInteger)
    sokt_start: Mapped[date | None] = mapped_column(Date)
    sokt_slut: Mapped[date | None] = mapped_column(Date)
    # What the insats is for and aims at, as the ansökan says; the årsredovisning's Bilaga 1 prints them.
    syfte: Mapped[str | None] = mapped_column(Text)
    mal: Mapped[str | None] = mapped_column(Text)
    beredningsmote_id: Mapped[int | None] = mapped_column(ForeignKey("sammantrade.id"))
    styrelsemote_id: Mapped[int | None] = mapped_column(ForeignKey("sammantrade.id"))
    # The beredningsgrupp asked for a komplettering: the ansökan waits for it, not for a meeting.
    komplettering_begard: Mapped[date | None] = mapped_column(Date)
    komplettering_inkom: Mapped[date | None] = mapped_column(Date)

    @property
    def vantar_komplettering(self) -> bool:
        return self.komplettering_begard is not None and self.komplettering_inkom is None

    insats: Mapped[Insats] = relationship()
    beredningsmote: Mapped[Sammantrade | None] = relationship(foreign_keys=[beredningsmote_id])
    styrelsemote: Mapped[Sammantrade | None] = relationship(foreign_keys=[styrelsemote_id])


class Yttrande(Base):
    __tablename__ = "yttrande"

    id: Mapped[int] = mapped_column(primary_key=True)
    insats_id: Mapped[int] = mapped_column(ForeignKey("insats.id", ondelete="CASCADE"))
    sammantrade_id: Mapped[int | None] = mapped_column(ForeignKey("sammantrade.id"))
    datum: Mapped[date] = mapped_column(Date)
    bedomning: Mapped[Bedomning] = mapped_column(_enum(Bedomning))
    motivering: Mapped[str | None] = mapped_column(Text)


class Beslut(Base):
    """A decision on an insats: on its ansökan, or a change (förlängning, tilläggsanslag, avbrott, anstånd).

    For a change `utfall` is beviljas; `slut` is the new end date (förlängning, avbrott), `belopp_kr`
    and `ar` the tilläggsanslag and the year it is for; for an anstånd `deadline_id` is the report and
    `slut` its new due date.
    """

    __tablename__ = "beslut"

    id: Mapped[int] = mapped_column(primary_key=True)
    insats_id: Mapped[int] = mapped_column(ForeignKey("insats.id", ondelete="CASCADE"), index=True)
    sammantrade_id: Mapped[int | None] = mapped_column(ForeignKey("sammantrade.id"))
    typ: Mapped[BeslutTyp] = mapped_column(_enum(BeslutTyp), default=BeslutTyp.ANSOKAN, server_default="ansokan")
    datum: Mapped[date] = mapped_column(Date)
    utfall: Mapped[BeslutUtfall] = mapped_column(_enum(BeslutUtfall))
    belopp_kr: Mapped[int | None] = mapped_column(BigInteger)
    ar: Mapped[int | None] = mapped_column(Integer)
    start: Mapped[date | None] = mapped_column(Date)
    slut: Mapped[date | None] = mapped_column(Date)
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadline.id", ondelete="SET NULL"))
    anteckning: Mapped[str | None] = mapped_column(Text)

    sammantrade: Mapped[Sammantrade | None] = relationship()
    # The amounts per year the decision states (a beviljas or a tilläggsanslag); none: a total only.
    anslag: Mapped[list[Anslag]] = relationship(back_populates="beslut", order_by="Anslag.ar")


class Deadline(Base):
    """A report the insats owes (a delrapport for a period, or the slutrapport), or an återbetalning."""

    __tablename__ = "deadline"
    __table_args__ = (
        UniqueConstraint("insats_id", "typ", "nr"),
        Index("ix_deadline_bevakning", "tillstand", "bevakas", "forfaller"),  # the daily scan
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    insats_id: Mapped[int] = mapped_column(ForeignKey("insats.id", ondelete="CASCADE"), index=True)
    typ: Mapped[RapportTyp] = mapped_column(_enum(RapportTyp))
    nr: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[date] = mapped_column(Date)
    period_slut: Mapped[date] = mapped_column(Date)
    # The due date in force (after any anstånd) and the one the rules gave.
    forfaller: Mapped[date] = mapped_column(Date, index=True)
    regel_forfaller: Mapped[date] = mapped_column(Date)
    tillstand: Mapped[DeadlineTillstand] = mapped_column(_enum(DeadlineTillstand), default=DeadlineTillstand.OPPEN)
    inkom: Mapped[date | None] = mapped_column(Date)
    # False for deadlines already past when the insats was imported: listed, not chased.
    bevakas: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when the last escalation step put it on the styrelse's follow-up list.
    flaggad_styrelse: Mapped[date | None] = mapped_column(Date)

    insats: Mapped[Insats] = relationship(back_populates="deadlines")
    historik: Mapped[list[DeadlineAndring]] = relationship(
        order_by="DeadlineAndring.id", cascade="all, delete-orphan", back_populates="deadline"
    )

    # An återbetalning deadline: the amount owed and its payment.
    aterbetalning: Mapped[Aterbetalning | None] = relationship(back_populates="deadline", uselist=False)

    @property
    def rubrik(self) -> str:
        return self.typ.rubrik(self.nr)

    def status(self, as_of: date) -> DeadlineStatus:
        if self.tillstand is DeadlineTillstand.INKOMMEN:
            return DeadlineStatus.INKOMMEN
        if self.tillstand is DeadlineTillstand.MAKULERAD:
            return DeadlineStatus.MAKULERAD
        if self.tillstand is DeadlineTillstand.EJ_INKOMMEN:
            return DeadlineStatus.EJ_INKOMMEN
        return DeadlineStatus.FORFALLEN if as_of > self.forfaller else DeadlineStatus.KOMMANDE


class DeadlineAndring(Base):
    """One change to a deadline: what changed, from what to what, why and by whom."""

    __tablename__ = "deadline_andring"

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadline.id", ondelete="CASCADE"), index=True)
    tid: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    falt: Mapped[str] = mapped_column(String(40))
    fore: Mapped[str | None] = mapped_column(String(100))
    efter: Mapped[str | None] = mapped_column(String(100))
    orsak: Mapped[str] = mapped_column(Text)
    aktor: Mapped[str] = mapped_column(String(200))

    deadline: Mapped[Deadline] = relationship(back_populates="historik")


class Anstand(Base):
    """An extension of one deadline, granted by the kansli."""

    __tablename__ = "anstand"

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadline.id", ondelete="CASCADE"), index=True)
    tidigare_forfaller: Mapped[date] = mapped_column(Date)
    nytt_forfaller: Mapped[date] = mapped_column(Date)
    skal: Mapped[str] = mapped_column(Text)
    beviljat_av: Mapped[str] = mapped_column(String(200))
    tid: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    deadline: Mapped[Deadline] = relationship()


class InkommenRapport(Base):
    """A report that arrived: when, what, and which deadline it fulfils."""

    __tablename__ = "inkommen_rapport"

    id: Mapped[int] = mapped_column(primary_key=True)
    insats_id: Mapped[int] = mapped_column(ForeignKey("insats.id", ondelete="CASCADE"), index=True)
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadline.id"))
    typ: Mapped[RapportTyp] = mapped_column(_enum(RapportTyp))
    inkom: Mapped[date] = mapped_column(Date)
    filnamn: Mapped[str | None] = mapped_column(String(300))
    sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    registrerad_av: Mapped[str] = mapped_column(String(200))
    tid: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The money as the report states it (read by finsam.intake.economics; None where it says nothing).
    beviljade_medel_kr: Mapped[int | None] = mapped_column(BigInteger)
    utnyttjade_medel_kr: Mapped[int | None] = mapped_column(BigInteger)  # slutrapport
    aterbetalning_kr: Mapped[int | None] = mapped_column(BigInteger)  # slutrapport: beviljade less utnyttjade
    medel_helt_utnyttjade: Mapped[bool | None] = mapped_column(Boolean)  # slutrapport 7.1 / 7.2
    summa_budget_kr: Mapped[int | None] = mapped_column(BigInteger)  # delrapport 4.6, the report's own Summa
    summa_utfall_kr: Mapped[int | None] = mapped_column(BigInteger)
    ekonomi_sakerhet: Mapped[str | None] = mapped_column(String(16))  # säker / trolig / osäker (rows ≠ Summa)
    avvikelser: Mapped[str | None] = mapped_column(Text)  # 4.3 Avvikelser från planering
    styrgruppens_analys: Mapped[str | None] = mapped_column(Text)  # 4.7 Styrgruppens analys av utfall
    varningar: Mapped[list[str] | None] = mapped_column(JSON)  # what the figures contradict, as shown on reading
    # The report's numbered sections ({"4.4": "…"}), its checklist line by line ([{"avsnitt", "rad", "svar"}]) and
    # what in it the kansli should look at (unanswered lines, a Nej without its comment), as read.
    sektioner: Mapped[dict[str, str] | None] = mapped_column(JSON)
    checklista: Mapped[list[dict[str, str | None]] | None] = mapped_column(JSON)
    checklista_flaggor: Mapped[list[str] | None] = mapped_column(JSON)
    # What the report lacks to be complete (None: complete); until it is, or the kansli accepts it as it is
    # (`godkand`), a komplettering is chased and a slutrapport does not close the insats.
    ofullstandig: Mapped[list[str] | None] = mapped_column(JSON)
    godkand_av: Mapped[str | None] = mapped_column(String(200))
    godkand: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    deadline: Mapped[Deadline | None] = relationship()
    ekonomirader: Mapped[list[RapportEkonomiRad]] = relationship(
        cascade="all, delete-orphan", order_by="RapportEkonomiRad.ordning", lazy="selectin"
    )


class RapportEkonomiRad(Base):
    """One used row of a delrapport's economic table (4.6): kostnadsslag, the row's own label, budget and utfall."""

    __tablename__ = "rapport_ekonomi_rad"

    id: Mapped[int] = mapped_column(primary_key=True)
    rapport_id: Mapped[int] = mapped_column(ForeignKey("inkommen_rapport.id", ondelete="CASCADE"), index=True)
    ordning: Mapped[int] = mapped_column(Integer)
    kostnadsslag: Mapped[str] = mapped_column(String(40))
    benamning: Mapped[str | None] = mapped_column(String(300))
    budget_kr: Mapped[int | None] = mapped_column(BigInteger)
    utfall_kr: Mapped[int | None] = mapped_column(BigInteger)
    sakerhet: Mapped[str] = mapped_column(String(16))


class Aterbetalning(Base):
    """Unused funds a slutrapport reports, owed back to the förbund by the huvudman: chased as a deadline
    (typ aterbetalning) until the kansli registers the payment."""

    __tablename__ = "aterbetalning"

    id: Mapped[int] = mapped_column(primary_key=True)
    insats_id: Mapped[int] = mapped_column(ForeignKey("insats.id", ondelete="CASCADE"), index=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadline.id", ondelete="CASCADE"), unique=True)
    rapport_id: Mapped[int | None] = mapped_column(ForeignKey("inkommen_rapport.id", ondelete="SET NULL"))
    belopp_kr: Mapped[int] = mapped_column(BigInteger)  # paid out (else beviljade) less utnyttjade
    # What it was counted from: `utbetalt` (the payments known) or `beviljat` (none known: the report's beviljade).
    grund: Mapped[str | None] = mapped_column(String(20))
    utbetalt_kr: Mapped[int | None] = mapped_column(BigInteger)
    betald: Mapped[date | None] = mapped_column(Date)
    betalt_kr: Mapped[int | None] = mapped_column(BigInteger)
    registrerad_av: Mapped[str | None] = mapped_column(String(200))  # who registered the payment

    deadline: Mapped[Deadline] = relationship(back_populates="aterbetalning")
    rapport: Mapped[InkommenRapport | None] = relationship()


class RapportKo(Base):
    """The kansli's queue: a document that could not be matched to one insats and deadline, and why."""

    __tablename__ = "rapport_ko"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filnamn: Mapped[str] = mapped_column(String(300))
    skal: Mapped[str] = mapped_column(Text)
    extraherat: Mapped[dict[str, Any]] = mapped_column(JSON)
    inkom: Mapped[date | None] = mapped_column(Date)
    skapad: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    hanterad: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Utskick(Base):
    """The outbox: one row per message and recipient, rendered in full, sent exactly once.

    `nyckel` is unique: (deadline, due date, step, recipient) for the ladder, or the like for
    other kinds. A row is claimed (`skickar`) before sending; a claim older than the timeout
    is taken to belong to a run that died and is sent again, with the same Message-ID.
    """

    __tablename__ = "utskick"
    __table_args__ = (
        # The daily scan's steps already sent, read from the index alone: in the table, `tillstand` lies
        # behind the whole message, and reading it walked the message's overflow pages.
        Index("ix_utskick_ladder", "deadline_id", "forfaller", "steg", "tillstand"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nyckel: Mapped[str] = mapped_column(String(400), unique=True)
    typ: Mapped[str] = mapped_column(String(40))
    steg: Mapped[str | None] = mapped_column(String(40))
    insats_id: Mapped[int | None] = mapped_column(ForeignKey("insats.id", ondelete="SET NULL"), index=True)
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadline.id", ondelete="SET NULL"), index=True)
    forfaller: Mapped[date | None] = mapped_column(Date)  # the due date the message was about
    planerad: Mapped[date] = mapped_column(Date)  # the day (as-of) it was planned for
    mottagare: Mapped[str] = mapped_column(String(320))
    kopia: Mapped[list[str]] = mapped_column(JSON, default=list)
    amne: Mapped[str] = mapped_column(String(300))
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    meddelande: Mapped[bytes] = mapped_column(LargeBinary)  # the whole RFC 5322 message
    tillstand: Mapped[UtskickTillstand] = mapped_column(_enum(UtskickTillstand), index=True)
    forsok: Mapped[int] = mapped_column(Integer, default=0)
    nasta_forsok: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claim: Mapped[str | None] = mapped_column(String(40))
    claimed: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    skickad: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    senaste_fel: Mapped[str | None] = mapped_column(Text)
    skapad: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Each recipient's last answer, {address: {"status": levererad|vantar|avvisad|osaker, "svar": text}}: a
    # retry goes to those still owed it, never again to one who has it (finsam.services.delivery).
    mottagarstatus: Mapped[dict[str, dict[str, str]] | None] = mapped_column(JSON)
    # How often the relay took the message without a final answer (timeout or lost connection after DATA):
    # it may have been delivered, so it is retried once, after a wait, and then left `osaker` for the kansli.
    osakra: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class KalenderToken(Base):
    """A secret feed address: one insats's deadlines for its insatsägare, or everything for the kansli.

    Only a hash of the token is stored; the token itself is shown once, when it is created.
    """

    __tablename__ = "kalender_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    insats_id: Mapped[int | None] = mapped_column(ForeignKey("insats.id", ondelete="CASCADE"), index=True)
    beskrivning: Mapped[str | None] = mapped_column(String(200))
    skapad: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    aterkallad: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    insats: Mapped[Insats | None] = relationship()

    @property
    def for_kansli(self) -> bool:
        return self.insats_id is None


class Installning(Base):
    """A value the engine keeps between runs, e.g. the fingerprint of the rules its deadlines were planned by."""

    __tablename__ = "installning"

    nyckel: Mapped[str] = mapped_column(String(100), primary_key=True)
    varde: Mapped[str] = mapped_column(Text)
    andrad: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class KalenderStand(Base):
    """One row: how many changes the calendars have seen. Database triggers (migration 0009) count every
    insert, update and delete of a deadline, its history or a meeting, and a new name or diarienummer of an
    insats, in the transaction that makes it; whichever process wrote it. A feed built at one count is kept
    until the count moves (finsam.services.calendars.FeedCache). `sedan` is new whenever the row is made
    again, so a count that starts over is never taken for an old one."""

    __tablename__ = "kalender_stand"

    id: Mapped[int] = mapped_column(primary_key=True)
    sedan: Mapped[str] = mapped_column(String(40))
    andringar: Mapped[int] = mapped_column(BigInteger)


class Handelse(Base):
    """The audit log: every change to the rows above, when, by whom or which flow, in which use case."""

    __tablename__ = "handelse"

    id: Mapped[int] = mapped_column(primary_key=True)
    tid: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    aktor: Mapped[str] = mapped_column(String(200))
    atgard: Mapped[str] = mapped_column(String(200))
    andring: Mapped[str] = mapped_column(String(20))  # skapad / andrad / borttagen
    objekt: Mapped[str] = mapped_column(String(50))
    objekt_id: Mapped[str | None] = mapped_column(String(100))
    insats_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detaljer: Mapped[dict[str, Any]] = mapped_column(JSON)


class Dokument(Base):
    """A document finsam wrote for the kansli (Bilaga 1 as Word) behind a secret address: `finsam serve` hands it
    out at /dokument/{token}/{namn}, the link the run's page shows. Only a hash of the token is stored."""

    __tablename__ = "dokument"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    namn: Mapped[str] = mapped_column(String(200))
    innehall: Mapped[bytes] = mapped_column(LargeBinary)
    skapad: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    skapad_av: Mapped[str] = mapped_column(String(200))
