"""Money granted to an insats, year by year: what a decision states per year, and what a total spreads to.

A beviljas-beslut (or the import) may state its amount per year; a tilläggsanslag too. What is known only
as a total is spread over the insatstid by days, and each year it reaches is marked as estimated. Pure
functions: the services read the rows and the ekonomi figures from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Anslag.slag: the grant's own amount for a year (of the ansökan's beslut, or the import), or a tilläggsanslag.
SLAG_BEVILJAT, SLAG_TILLAGGSANSLAG = "beviljat", "tillaggsanslag"

BESLUT = "beslut"  # stated per year by the decision (or the import)
UPPSKATTAT = "uppskattat"  # a total spread by days


@dataclass(frozen=True)
class Arsanslag:
    """One year's grant: the amount, and whether any part of it is a spread total (`uppskattat`)."""

    ar: int
    belopp_kr: int
    uppskattat: bool

    @property
    def kalla(self) -> str:
        return UPPSKATTAT if self.uppskattat else BESLUT


def days_in(first: date, last: date, year: int) -> int:
    """How many days of `first`–`last` (both included) fall in `year`."""
    start, end = max(first, date(year, 1, 1)), min(last, date(year, 12, 31))
    return max((end - start).days + 1, 0)


def spread_by_days(total: int, first: date, last: date, *, skip: frozenset[int] = frozenset()) -> dict[int, int]:
    """`total` over the days of `first`–`last`, leaving out the years in `skip`; whole kronor that add up to
    `total` exactly (the largest remainders get the odd kronor). Empty where no day is left."""
    days = {y: days_in(first, last, y) for y in range(first.year, last.year + 1) if y not in skip}
    days = {y: d for y, d in days.items() if d}
    whole = sum(days.values())
    if not whole:
        return {}
    parts = {y: total * d // whole for y, d in days.items()}
    rest = total - sum(parts.values())
    for y in sorted(days, key=lambda y: (-(total * days[y] % whole), y))[:rest]:
        parts[y] += 1
    return parts


def yearly(total: int | None, stated: dict[int, int], tillagg: dict[int, int], first: date | None,
           last: date | None) -> dict[int, Arsanslag]:
    """Every year's grant. `total` is the beviljade medel with the tilläggsanslag in it; `stated` the grant's
    amounts the decision gives per year; `tillagg` the tilläggsanslag per year. The rest of the total, beyond
    what is stated and added, is spread by days over the years of `first`–`last` not stated (estimated)."""
    years: dict[int, list[int | bool]] = {}

    def add(year: int, amount: int, estimated: bool) -> None:
        entry = years.setdefault(year, [0, False])
        entry[0] += amount  # type: ignore[operator]
        entry[1] = entry[1] or estimated

    for year, amount in stated.items():
        add(year, amount, False)
    rest = (total or 0) - sum(stated.values()) - sum(tillagg.values())
    if rest > 0 and first is not None and last is not None:
        for year, amount in spread_by_days(rest, first, last, skip=frozenset(stated)).items():
            add(year, amount, True)
    for year, amount in tillagg.items():
        add(year, amount, False)
    return {y: Arsanslag(y, int(v[0]), bool(v[1])) for y, v in sorted(years.items())}


def check_stated(stated: dict[int, int], total: int | None, first: date, last: date | None) -> list[str]:
    """What is wrong with a grant stated per year (Swedish, one line each): a year outside the insatstid, a
    negative amount, years that add up to more than the total, or years that cannot hold the rest of it."""
    problems = []
    for year, amount in sorted(stated.items()):
        if amount < 0:
            problems.append(f"{year}: beloppet kan inte vara negativt")
        if year < first.year or (last is not None and year > last.year):
            problems.append(f"{year} ligger utanför insatstiden ({first.isoformat()} – "
                            f"{last.isoformat() if last else 'tills vidare'})")
    if total is not None and stated:
        summa = sum(stated.values())
        left = range(first.year, (last or first).year + 1)
        if summa > total:
            problems.append(f"beloppen per år ({summa} kr) är mer än beviljade medel ({total} kr)")
        elif summa < total and last is not None and all(y in stated for y in left):
            problems.append(f"beloppen per år ({summa} kr) är mindre än beviljade medel ({total} kr) "
                            "och varje år av insatstiden har redan sitt belopp")
    return problems
