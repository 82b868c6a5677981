"""Synthetic Dutch person records with known truth, for the linker's tests and benchmark.

Never real people: names are drawn from lists of common Dutch given names and surnames and
from invented surname syllables, streets and towns are invented, and every BSN comes from this
module's own 11-proof generator (numbers starting with 9, drawn at random). Deterministic by
seed.

Households live at one address: partners (the same or different surnames), children, now and
then twins (same surname, address and birth date; different first names and BSNs) and a
junior who shares his father's given names and address (different birth date). Each person
gets a first record; the extra records (the duplicates) vary the way real registrations do:

* BSN missing, with a typo (fails the 11-proof) or, rarely, a family member's valid BSN;
* first names in full, only the first, as initials ("J.W."), with a typo, ij/y, no diacritics;
* tussenvoegsel separate, embedded ("van der Veen"), capitalised, dropped, joined
  ("Vanderveen") or inverted ("Veen, van der"); surname typo, ij/y, half of a double name;
* birth date in other formats ("12-03-1985", "12 maart 1985", "19850312", "3/12/85"), day and
  month swapped, a typo, or missing;
* postcode with or without space or in lower case, toevoeging in the house number ("12a",
  "12-A") or missing, postcode missing, or a new address (moved);
* thin records: only a surname and an address.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

import numpy as np


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


HEADER = (
    "record_id",
    "bron",
    "bsn",
    "voornamen",
    "tussenvoegsel",
    "achternaam",
    "geboortedatum",
    "straat",
    "huisnummer",
    "toevoeging",
    "postcode",
    "woonplaats",
)

MALE = _words(
    "Jan Pieter Kees Henk Willem Gerrit Johannes Cornelis Hendrik Jacobus Thijs Daan Sem Lucas "
    "Finn Bram Ruben Jesse Milan Stijn Lars Sander Tim Bas Joost Maarten Niels Wouter Erik Mark "
    "Dirk Teun Gijs Koen Luuk Mees Siem Job Guus Floris Jurre Hidde Wessel Pim Tijmen Rijk "
    "Arjen Bart Chris Dennis Frank Gert Hans Ivo Jeroen Kevin Leon Marco Olaf Patrick Rob "
    "Sjoerd Ties Vincent Wim Youssef Mohamed Ahmed Emre Mehmet Ricardo René André José Noël"
)
FEMALE = _words(
    "Maria Anna Johanna Cornelia Elisabeth Wilhelmina Geertruida Emma Julia Sophie Tess Zoë "
    "Sara Eva Anna Lisa Fleur Noor Saar Lotte Femke Roos Isa Mila Yara Nina Evi Lieke Anouk "
    "Ilse Marieke Sanne Esther Petra Ingrid Karin Monique Linda Wendy Mirjam Ellen Hanneke "
    "Bregje Dieuwke Ineke Joke Kim Laura Manon Nienke Renske Suzanne Tineke Vera Yvonne "
    "Fatima Samira Ayse Elif Chloë Inès Anaïs Mijntje Marijke Rianne Desiree Hélène Lieve"
)
SURNAMES = [
    "Jansen:",
    "Vries:de",
    "Bakker:",
    "Visser:",
    "Smit:",
    "Meijer:",
    "Boer:de",
    "Mulder:",
    "Groot:de",
    "Bos:",
    "Vos:",
    "Peters:",
    "Hendriks:",
    "Leeuwen:van",
    "Dekker:",
    "Brouwer:",
    "Wit:de",
    "Dijkstra:",
    "Smits:",
    "Graaf:de",
    "Linden:van der",
    "Kok:",
    "Jacobs:",
    "Haan:de",
    "Vermeulen:",
    "Heuvel:van den",
    "Veen:van der",
    "Broek:van den",
    "Bruijn:de",
    "Berg:van den",
    "Schouten:",
    "Beek:van",
    "Willems:",
    "Vliet:van",
    "Ven:van de",
    "Hoekstra:",
    "Maas:",
    "Verhoeven:",
    "Koster:",
    "Dam:van",
    "Wal:van der",
    "Prins:",
    "Blom:",
    "Huisman:",
    "Peeters:",
    "Kuipers:",
    "Veenstra:",
    "Kramer:",
    "Wijk:van",
    "Postma:",
    "Brink:van den",
    "Meer:van der",
    "Vink:",
    "Timmermans:",
    "Groen:",
    "Gerritsen:",
    "Jong:de",
    "Laan:van der",
    "Kuijpers:",
    "Bosch:van den",
    "Boom:",
    "Hoek:",
    "Kort:ter",
    "Horst:ter",
    "Velde:van de",
    "Wolf:de",
    "Zanten:van",
    "Bijl:",
    "Çelik:",
    "Yılmaz:",
    "El Amrani:",
    "Kaya:",
]
SYLLABLE_A = _words(
    "Hoog Laag Ber Wester Ooster Noor Zuider Breed Smal Hout Steen Kamp Water Zand Dal Veld "
    "Hei Kerk Molen Brug Dijk Hof Rijn Eik Bos Linde Berk Wil Vlier Hage"
)
SYLLABLE_B = _words(
    "erwerf kamp veld hout sma stra man mans ink ing huis land dijk hoven beek broek horst "
    "rink enga ema ens ers elink haar meer stein burg"
)
SYLLABLE_M = (
    "",
    "",
    "",
    "en",
    "er",
    "el",
    "ing",
    "ke",
    "ter",
    "de",
    "ven",
    "hol",
    "mer",
    "sel",
    "ber",
)
TUSSEN_FOR_INVENTED = ("", "", "", "", "van", "van de", "van der", "de", "ter", "van den")
STREET_A = _words(
    "Linde Eiken Beuken Kastanje Meidoorn Vlier Kerk Molen School Dorps Haven Markt Spoor "
    "Tulp Roos Anjer Iris Lelie Wilgen Populieren Berken Esdoorn Hazel Kwartel Merel Lijster "
    "Vink Zwaluw Reiger Ooievaar"
)
STREET_B = _words("straat laan weg plein hof singel kade dreef pad")
TOWNS = _words(
    "Wijkerveen Oosterbroek Hazelhorst Lindendam Molenwaard Bergendijk Zandhoven Veldkamp "
    "Heikamp Waterland-Noord 's-Heerenburg Eikenrode"
)
_COMMON_WEIGHTS = list(accumulate(1.0 / (k + 5) for k in range(len(SURNAMES))))  # Zipf-like
SOURCES = ("gemeente", "politie", "corporatie", "ggd", "wijkteam", "school")
MONTHS_NL = _words(
    "januari februari maart april mei juni juli augustus september oktober november december"
)
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)


def valid_bsn(rng: random.Random) -> str:
    """A random nine-digit number starting with 9 that passes the 11-proof."""
    while True:
        digits = [9, *map(int, f"{rng.randrange(10_000_000):07d}")]
        total = sum(w * d for w, d in zip(_WEIGHTS, digits, strict=True))
        check = total % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)


def bsn_typo(rng: random.Random, bsn: str) -> str:
    """One digit changed: never 11-proof (the proof catches every single-digit error)."""
    pos = rng.randrange(9)
    new = str((int(bsn[pos]) + rng.randrange(1, 10)) % 10)
    return bsn[:pos] + new + bsn[pos + 1 :]


@dataclass
class Person:
    pid: int
    bsn: str
    given: list[str]
    tussen: str
    surname: str
    birth: dt.date
    address: tuple[str, int, str, str, str]  # street, number, toevoeging, postcode, town
    household: list[int]


@dataclass
class GeneratedSet:
    """CSV rows (HEADER order, clear fictional BSNs) and the true person per row."""

    rows: list[tuple[str, ...]]
    truth: np.ndarray  # person number per row
    hard_cases: dict[str, list[tuple[int, ...]]]  # kind -> tuples of person numbers

    def write_csv(self, path: Path, *, order_seed: int | None = None) -> None:
        rows = self.rows
        if order_seed is not None:
            rows = list(rows)
            random.Random(order_seed).shuffle(rows)
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(HEADER)
            writer.writerows(rows)


class _World:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used_bsn: set[str] = set()
        self.used_addresses: set[tuple[str, int, str]] = set()
        self.postcodes: dict[tuple[str, str], str] = {}

    def bsn(self) -> str:
        while True:
            value = valid_bsn(self.rng)
            if value not in self.used_bsn:
                self.used_bsn.add(value)
                return value

    def surname(self) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.15:
            # The common names (about 15 % of the Dutch, the first ones most).
            name, tussen = rng.choices(SURNAMES, cum_weights=_COMMON_WEIGHTS)[0].split(":")
            return tussen, name
        name = rng.choice(SYLLABLE_A) + rng.choice(SYLLABLE_M) + rng.choice(SYLLABLE_B)
        name += rng.choice(("", "", "", "s", "a", "e"))
        return rng.choice(TUSSEN_FOR_INVENTED), name

    def given(self, male: bool) -> list[str]:
        pool = MALE if male else FEMALE
        count = self.rng.choices((1, 2, 3), (0.55, 0.35, 0.10))[0]
        names: list[str] = []
        while len(names) < count:
            name = self.rng.choice(pool)
            if name not in names:
                names.append(name)
        return names

    def address(self) -> tuple[str, int, str, str, str]:
        rng = self.rng
        while True:
            town = rng.choice(TOWNS)
            street = rng.choice(STREET_A) + rng.choice(STREET_B)
            number = int(rng.paretovariate(1.3) * 3)
            toevoeging = (
                rng.choice(("A", "B", "1", "2", "bis", "hs")) if rng.random() < 0.12 else ""
            )
            if (street + town, number, toevoeging) in self.used_addresses:
                continue
            self.used_addresses.add((street + town, number, toevoeging))
            key = (street + town, str(number // 40))
            if key not in self.postcodes:
                letters = rng.choice("ABCDEGHJKLMNPRTVWXZ") + rng.choice("ABCDEGHJKLMNPRTVWXZ")
                self.postcodes[key] = f"{rng.randrange(1000, 10000)}{letters}"
            return street, number, toevoeging, self.postcodes[key], town


def _birth(rng: random.Random, start: int, end: int) -> dt.date:
    return dt.date(start, 1, 1) + dt.timedelta(days=rng.randrange((end - start) * 365))


def _people(world: _World, n_persons: int) -> tuple[list[Person], dict[str, list[tuple[int, ...]]]]:
    rng = world.rng
    people: list[Person] = []
    hard: dict[str, list[tuple[int, ...]]] = {"twins": [], "junior_senior": [], "partners": []}

    def add(given: list[str], tussen: str, surname: str, birth: dt.date, address, household) -> int:  # type: ignore[no-untyped-def]
        pid = len(people)
        bsn = world.bsn() if rng.random() < 0.97 else ""
        people.append(Person(pid, bsn, given, tussen, surname, birth, address, household))
        household.append(pid)
        return pid

    while len(people) < n_persons:
        address = world.address()
        household: list[int] = []
        tussen, surname = world.surname()
        if rng.random() < 0.03:  # a double surname
            other_t, other = world.surname()
            surname = f"{surname}-{other_t + ' ' if other_t else ''}{other}"
        male = rng.random() < 0.5
        parent_birth = _birth(rng, 1940, 1996)
        first = add(world.given(male), tussen, surname, parent_birth, address, household)
        if rng.random() < 0.55 and len(people) < n_persons:
            # Partner: own surname, or the same one (married name in use).
            p_tussen, p_surname = (tussen, surname) if rng.random() < 0.3 else world.surname()
            birth = parent_birth + dt.timedelta(days=rng.randrange(-2000, 2000))
            partner = add(world.given(not male), p_tussen, p_surname, birth, address, household)
            hard["partners"].append((first, partner))
        kids = rng.choices((0, 1, 2, 3), (0.45, 0.2, 0.25, 0.1))[0]
        for _ in range(kids):
            if len(people) >= n_persons:
                break
            start = min(parent_birth.year + 20, 2020)
            birth = _birth(rng, start, min(start + 15, 2024))
            roll = rng.random()
            if roll < 0.05 and len(people) + 1 < n_persons:
                a = add(world.given(rng.random() < 0.5), tussen, surname, birth, address, household)
                names = world.given(rng.random() < 0.5)
                while names[0] == people[a].given[0]:
                    names = world.given(rng.random() < 0.5)
                b = add(names, tussen, surname, birth, address, household)
                hard["twins"].append((a, b))
            elif roll < 0.10 and male:
                junior = add(list(people[first].given), tussen, surname, birth, address, household)
                hard["junior_senior"].append((first, junior))
            else:
                add(world.given(rng.random() < 0.5), tussen, surname, birth, address, household)
    return people[:n_persons], hard


# ------------------------------------------------------------------ variations of one record


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    pos = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.35:  # swap two adjacent letters
        return text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
    if kind < 0.65:  # drop a letter
        return text[:pos] + text[pos + 1 :]
    if kind < 0.85:  # double a letter
        return text[:pos] + text[pos] + text[pos:]
    return text[:pos] + rng.choice("aeioulnrst") + text[pos + 1 :]


def _strip_accents(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _ij(text: str) -> str:
    return text.replace("ij", "y").replace("IJ", "Y").replace("Ij", "Y")


def _given_text(rng: random.Random, given: list[str], variant: bool) -> str:
    if not variant:
        return " ".join(given)
    roll = rng.random()
    if roll < 0.3:
        return given[0]
    if roll < 0.5:
        return ".".join(g[0] for g in given) + "."
    if roll < 0.6:
        return given[0][0] + "."
    if roll < 0.75:
        return " ".join([_typo(rng, given[0]), *given[1:]])
    if roll < 0.9:
        return _strip_accents(_ij(" ".join(given)))
    return " ".join(given).upper()


def _surname_text(rng: random.Random, tussen: str, surname: str, variant: bool) -> tuple[str, str]:
    if not variant:
        return tussen, surname
    roll = rng.random()
    if tussen and roll < 0.5:
        style = rng.randrange(5)
        if style == 0:
            return "", f"{tussen} {surname}"  # embedded
        if style == 1:
            return "", f"{tussen.capitalize()} {surname}"  # capitalised
        if style == 2:
            return "", surname  # dropped
        if style == 3:
            return "", (tussen.replace(" ", "") + surname.lower()).capitalize()  # joined
        return "", f"{surname}, {tussen}"  # inverted
    if "-" in surname and roll < 0.6:
        part = surname.split("-")[rng.randrange(2)]
        bits = part.split(" ")
        if len(bits) > 1 and bits[0] in ("de", "van", "ter"):
            return " ".join(bits[:-1]), bits[-1]
        return "", part
    if roll < 0.7:
        return tussen, _typo(rng, surname)
    if roll < 0.85:
        return tussen, _strip_accents(_ij(surname))
    return tussen.upper(), surname.upper()


def _date_text(rng: random.Random, birth: dt.date, variant: bool) -> str:
    d, m, y = birth.day, birth.month, birth.year
    if variant:
        roll = rng.random()
        if roll < 0.12:
            return ""
        if roll < 0.22 and d <= 12 and d != m:
            d, m = m, d  # day and month swapped
        elif roll < 0.30:
            d = d + 1 if d < 28 else d - 1  # a typo in the day
    style = rng.randrange(6) if variant else 0
    if style == 0:
        return f"{y:04d}-{m:02d}-{d:02d}"
    if style == 1:
        return f"{d:02d}-{m:02d}-{y:04d}"
    if style == 2:
        return f"{d}-{m}-{y}"
    if style == 3:
        return f"{d} {MONTHS_NL[m - 1]} {y}"
    if style == 4:
        return f"{y:04d}{m:02d}{d:02d}"
    return f"{d:02d}/{m:02d}/{y:04d}"


def _address_fields(
    rng: random.Random, address: tuple[str, int, str, str, str], variant: bool
) -> tuple[str, str, str, str, str]:
    street, number, toevoeging, code, town = address
    if not variant:
        return street, str(number), toevoeging, f"{code[:4]} {code[4:]}", town
    roll = rng.random()
    house, suffix = str(number), toevoeging
    if toevoeging and roll < 0.4:
        house, suffix = rng.choice((f"{number}{toevoeging.lower()}", f"{number}-{toevoeging}")), ""
    elif toevoeging and roll < 0.5:
        suffix = ""
    code_text = rng.choice((code, f"{code[:4]} {code[4:]}", code.lower()))
    if rng.random() < 0.06:
        code_text = ""
    if street.endswith("straat") and rng.random() < 0.2:
        street = street[: -len("straat")] + "str."
    return street, house, suffix, code_text, town


def generate(
    n_records: int, *, duplicate_share: float = 0.3, seed: int = 1, thin_share: float = 0.02
) -> GeneratedSet:
    """n_records rows, duplicate_share of them extra records of persons already present.

    ``thin_share``: the share of those extra records that are thin (surname and address only).
    """
    rng = random.Random(seed)
    world = _World(rng)
    n_persons = max(1, round(n_records * (1 - duplicate_share)))
    people, hard = _people(world, n_persons)
    rows: list[tuple[str, ...]] = []
    truth: list[int] = []

    def row(person: Person, variant: bool) -> tuple[str, ...]:
        bsn = person.bsn
        if variant:
            roll = rng.random()
            if roll < 0.35:
                bsn = ""
            elif roll < 0.38 and bsn:
                bsn = bsn_typo(rng, bsn)
            elif roll < 0.385:
                relatives = [p for p in person.household if p != person.pid and people[p].bsn]
                if relatives:
                    bsn = people[rng.choice(relatives)].bsn
        address = person.address
        if variant and rng.random() < 0.12:
            address = world.address()  # moved
        source = rng.choice(SOURCES)
        record_id = f"R{len(rows) + 1:08d}"
        if variant and rng.random() < thin_share:
            street, house, suffix, code, town = _address_fields(rng, address, True)
            return (record_id, source, "", "", person.tussen, person.surname, "",
                    street, house, suffix, code, town)  # fmt: skip
        given = _given_text(rng, person.given, variant and rng.random() < 0.45)
        tussen, surname = _surname_text(
            rng, person.tussen, person.surname, variant and rng.random() < 0.4
        )
        birth = _date_text(rng, person.birth, variant)
        street, house, suffix, code, town = _address_fields(rng, address, variant)
        return (
            record_id,
            source,
            bsn,
            given,
            tussen,
            surname,
            birth,
            street,
            house,
            suffix,
            code,
            town,
        )

    for person in people:
        rows.append(row(person, False))
        truth.append(person.pid)
    extra = n_records - len(rows)
    weights = [1.0] * len(people)
    for pid in rng.choices(range(len(people)), weights=weights, k=max(0, extra)):
        rows.append(row(people[pid], True))
        truth.append(pid)
    # Shuffle rows and renumber so record ids say nothing about the truth.
    order = list(range(len(rows)))
    rng.shuffle(order)
    shuffled = [rows[i] for i in order]
    rows = [(f"R{k + 1:08d}", *r[1:]) for k, r in enumerate(shuffled)]
    return GeneratedSet(rows, np.asarray([truth[i] for i in order], dtype=np.int64), hard)


def iter_csv_rows(data: GeneratedSet) -> Iterator[tuple[str, ...]]:
    yield HEADER
    yield from data.rows


# ------------------------------------------------------------------ pairwise quality


def _pairs(counts: np.ndarray) -> int:
    counts = counts.astype(np.int64)
    return int((counts * (counts - 1) // 2).sum())


def pairwise_scores(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering against the truth."""
    truth = np.asarray(truth)
    _, t = np.unique(truth, return_inverse=True)
    _, p = np.unique(np.asarray(predicted), return_inverse=True)
    true_pairs = _pairs(np.bincount(t))
    predicted_pairs = _pairs(np.bincount(p))
    joint = t.astype(np.int64) * (int(p.max()) + 1 if p.size else 1) + p
    _, joint_counts = np.unique(joint, return_counts=True)
    both = _pairs(joint_counts)
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_pairs": true_pairs,
        "predicted_pairs": predicted_pairs,
        "correct_pairs": both,
    }
