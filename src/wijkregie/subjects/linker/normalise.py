"""Dutch normalisation, on distinct values only, and the columnar record table.

Records are held column by column as integer codes into lists of distinct raw values
(:class:`RecordTable`), so a million records cost a few arrays, and every normaliser below runs
once per distinct value, never per record. :meth:`RecordTable.features` turns the raw codes into
codes of normalised values (:class:`Features`), 0 meaning "missing".

Normalisation rules:

* text: Unicode NFKD without diacritics, case-folded, "ij" -> "y" (Dijk, Dyk, Dĳk are equal);
* surname: inverted "Veen, van der" turned round; tussenvoegsels (separate, embedded,
  capitalised or dropped) removed for the *core* ("veen"); joined forms ("Vanderveen") lose a
  leading van/vander/vanden/vande/van't/ter/ten/der/den; double names keep both parts
  ("jansen-vries"); the *full* form keeps the tussenvoegsels without spaces ("vanderveen");
* first names: dots and hyphens are separators; one-letter tokens are initials; kept are the
  full names, the first name and the initials;
* birth date: ISO, d-m-yyyy with - / . or space, yyyymmdd, ddmmyyyy, Dutch month names and
  abbreviations, two-digit years (00-25 -> 20xx, else 19xx); an impossible date is missing;
* address: postcode "1234AB" (else missing); house number digits with a letter suffix moved to
  the toevoeging; toevoeging alphanumeric lower case; street abbreviations "str." -> "straat".
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from wijkregie.subjects.linker.api import PersonRecord

INPUT_FIELDS: tuple[str, ...] = (
    "source",
    "bsn_token",
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

_TUSSENVOEGSEL_WORDS = (
    "van de der den het ter ten te t 's d' in op aan bij uit voor onder over la le l' du des di "
    "da del della dos el lo von vom zu zum zur am auf"
)
TUSSENVOEGSELS = frozenset(_TUSSENVOEGSEL_WORDS.split())
# Joined prefixes stripped from a one-word surname ("Vanderveen" -> "veen"); longest first.
_JOINED_PREFIXES = ("vander", "vanden", "vande", "vant", "van", "ter", "ten", "der", "den")

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NON_NAME = re.compile(r"[^a-z ,\-']+")
_NON_LETTER = re.compile(r"[^a-z]+")


# --------------------------------------------------------------------------- text


def fold(text: str) -> str:
    """Lower case, no diacritics, "ij" -> "y", whitespace collapsed."""
    if not text:
        return ""
    if text.isascii():
        plain = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = plain.replace("ij", "y").replace("ĳ", "y").replace("ß", "ss")
    return " ".join(plain.split())


def _strip_joined(word: str) -> str:
    for prefix in _JOINED_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix) :]
    return word


def _name_part_core(part: str) -> str:
    if " " not in part and "'" not in part:
        return _strip_joined(part)  # one word: the common case
    tokens = part.replace("'", "' ").split()
    while len(tokens) > 1 and tokens[0] in TUSSENVOEGSELS:
        tokens.pop(0)
    if len(tokens) > 1 and tokens[-1] in TUSSENVOEGSELS:
        tokens = [t for t in tokens if t not in TUSSENVOEGSELS] or tokens
    word = "".join(tokens).replace("'", "")
    return _strip_joined(word) if len(tokens) == 1 else word


def surname_forms(tussenvoegsel: str, achternaam: str) -> tuple[str, str]:
    """(core, full) of a surname; ('', '') when missing.

    >>> surname_forms("van der", "Veen"), surname_forms("", "Veen, van der")
    (('veen', 'vanderveen'), ('veen', 'vanderveen'))
    """
    last = fold(achternaam)
    prefix = fold(tussenvoegsel)
    if "," in last:
        head, _, tail = last.partition(",")
        last = f"{tail.strip()} {head.strip()}".strip()
    text = " ".join(_NON_NAME.sub(" ", f"{prefix} {last}").replace(",", " ").split()).strip(" -")
    if not text:
        return "", ""
    if "-" in text:
        parts = [p.strip() for p in text.split("-") if p.strip()]
        core = "-".join(c for c in map(_name_part_core, parts) if c)
    else:
        core = _name_part_core(text)
    return core, _NON_LETTER.sub("", text)


@dataclass(frozen=True, slots=True)
class GivenNames:
    full: str  # "jan willem" ('' when only initials)
    first: str  # "jan" ('' when the first token is an initial)
    initials: str  # "jw"

    @property
    def present(self) -> bool:
        return bool(self.initials)


def given_names(voornamen: str) -> GivenNames:
    text = fold(voornamen).replace(".", " ").replace("-", " ")
    text = _NON_NAME.sub(" ", text).replace(",", " ").replace("'", "")
    tokens = text.split()
    if not tokens:
        return GivenNames("", "", "")
    initials = "".join(t[0] for t in tokens)
    if all(len(t) == 1 for t in tokens):
        return GivenNames("", "", initials)
    first = tokens[0] if len(tokens[0]) > 1 else ""
    return GivenNames(" ".join(tokens), first, initials)


# --------------------------------------------------------------------------- dates

_MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "mar": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "augustus": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10,
    "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_DATE_NUMERIC = re.compile(r"^(\d{1,4})[-/. ](\d{1,2})[-/. ](\d{1,4})$")
_DATE_WORDS = re.compile(r"^(\d{1,2})[-/. ]?([a-z]+)\.?[-/. ]?(\d{2,4})$")
TWO_DIGIT_PIVOT = 25  # 00..25 -> 2000..2025, 26..99 -> 1926..1999


def _ymd(year: int, month: int, day: int) -> int:
    if year < 100:
        year += 2000 if year <= TWO_DIGIT_PIVOT else 1900
    if not (1850 <= year <= 2100):
        return 0
    try:
        dt.date(year, month, day)
    except ValueError:
        return 0
    return year * 10000 + month * 100 + day


def parse_date(value: object) -> int:
    """yyyymmdd as an int, 0 when missing or not a real date."""
    if value is None or value == "":
        return 0
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.year * 10000 + value.month * 100 + value.day
    if isinstance(value, str) and len(value) == 10 and value.isascii():
        # Fast paths for the two common forms: 1985-03-12 and 12-03-1985 (also / and .).
        if value[4] == value[7] == "-" and value[:4].isdigit():
            a, b, c = value[:4], value[5:7], value[8:]
            if b.isdigit() and c.isdigit():
                return _ymd(int(a), int(b), int(c))
        elif value[2] == value[5] and value[2] in "-/." and value[6:].isdigit():
            a, b, c = value[:2], value[3:5], value[6:]
            if a.isdigit() and b.isdigit():
                return _ymd(int(c), int(b), int(a))
    text = fold(str(value))
    if not text:
        return 0
    text = text.split("t")[0].strip() if re.match(r"^\d{4}-\d\d-\d\dt", text) else text
    if text.isdigit():
        if len(text) == 8:
            first = _ymd(int(text[:4]), int(text[4:6]), int(text[6:]))
            if first and text[:2] in ("18", "19", "20"):
                return first
            return _ymd(int(text[4:]), int(text[2:4]), int(text[:2]))
        if len(text) == 6:
            return _ymd(int(text[4:]), int(text[2:4]), int(text[:2]))
        return 0
    match = _DATE_NUMERIC.match(text)
    if match:
        a, b, c = match.groups()
        if len(a) == 4:
            return _ymd(int(a), int(b), int(c))
        if len(c) in (2, 4):
            return _ymd(int(c), int(b), int(a))
        return 0
    match = _DATE_WORDS.match(text)
    if match:
        day, month_name, year = match.groups()
        month = _MONTHS.get(month_name)
        if month is None or len(year) == 3:
            return 0
        return _ymd(int(year), month, int(day))
    return 0


# --------------------------------------------------------------------------- address

_POSTCODE = re.compile(r"^([1-9]\d{3})([A-Z]{2})$")
_HOUSE = re.compile(r"^(\d{1,6})\s*[-/]?\s*([a-z0-9 ]*)$")


def postcode(value: str) -> str:
    text = fold(value).upper().replace(" ", "")
    return text if _POSTCODE.match(text) else ""


def house_number(huisnummer: object, toevoeging: str) -> tuple[int, str]:
    """(number, toevoeging) with a suffix in the number moved to the toevoeging."""
    text = fold("" if huisnummer is None else str(huisnummer))
    number, extra = 0, ""
    match = _HOUSE.match(text)
    if match:
        number, extra = int(match.group(1)), match.group(2)
    suffix = _NON_ALNUM.sub("", fold(toevoeging) or extra)
    return number, suffix


def street(value: str) -> str:
    text = _NON_ALNUM.sub("", fold(value).replace("str.", "straat "))
    if text.endswith("str"):
        text += "aat"
    return text


def town(value: str) -> str:
    text = fold(value)
    if text.startswith("'s "):
        text = "s" + text[3:]
    return _NON_ALNUM.sub("", text)


# --------------------------------------------------------------------------- columns


class Factoriser:
    """Distinct values get codes 0, 1, 2 ... in order of first appearance."""

    __slots__ = ("codes", "index", "values")

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.values: list[str] = []
        self.codes: list[int] = []

    def add(self, value: str) -> None:
        code = self.index.get(value)
        if code is None:
            code = len(self.values)
            self.index[value] = code
            self.values.append(value)
        self.codes.append(code)


@dataclass
class Features:
    """Normalised features of n records (canonical order), int codes, 0 = missing."""

    n: int
    bsn: np.ndarray
    sur_core: np.ndarray
    sur_full: np.ndarray
    sur_values: list[str]  # sur_core code -> core string ('' at 0)
    fn: np.ndarray  # code of the normalised GivenNames
    fn_values: list[GivenNames]
    fn_first: np.ndarray  # code of the first given name ('' -> 0)
    fn_second: np.ndarray  # code of the second given name, same table ('' -> 0)
    fn_first_values: list[str]
    fn_inits: np.ndarray  # code of the initials string
    fn_init_values: list[str]
    fn_initial: np.ndarray  # first letter as 1..26 (0 missing)
    dob: np.ndarray  # yyyymmdd
    addr_full: np.ndarray  # postcode + number + toevoeging
    addr_pc: np.ndarray  # postcode + number
    addr_st: np.ndarray  # street + number + town
    pc: np.ndarray  # postcode only
    st: np.ndarray  # street + town
    sur_bags: np.ndarray  # letter counts per sur_core code (codes x 27)
    first_bags: np.ndarray  # letter counts per first-name code
    sur_hyphen: np.ndarray  # bool per sur_core code: a double name

    @property
    def thin(self) -> np.ndarray:
        """No BSN token, no first name (initials do not count) and no birth date."""
        return (self.bsn == 0) & (self.fn_first == 0) & (self.dob == 0)

    def subset(self, index: np.ndarray) -> Features:
        arrays = {
            name: getattr(self, name)[index]
            for name in (
                "bsn", "sur_core", "sur_full", "fn", "fn_first", "fn_second", "fn_inits",
                "fn_initial", "dob", "addr_full", "addr_pc", "addr_st", "pc", "st",
            )
        }  # fmt: skip
        return Features(
            n=int(index.size),
            sur_values=self.sur_values,
            fn_values=self.fn_values,
            fn_first_values=self.fn_first_values,
            fn_init_values=self.fn_init_values,
            sur_bags=self.sur_bags,
            first_bags=self.first_bags,
            sur_hyphen=self.sur_hyphen,
            **arrays,
        )


def letter_bags(values: Sequence[str]) -> np.ndarray:
    """Counts of a..z (and one slot for anything else) per value: (len(values), 27) int16.

    Edit distance d between two strings implies an L1 distance of at most 2d between their
    bags, so the bags filter pairs before the exact (slow) edit distance.
    """
    encoded = [v.encode("utf-8") for v in values]
    lengths = np.fromiter((len(e) for e in encoded), dtype=np.int64, count=len(encoded))
    buffer = np.frombuffer(b"".join(encoded), dtype=np.uint8).astype(np.int64) - 97
    buffer[(buffer < 0) | (buffer > 25)] = 26
    owner = np.repeat(np.arange(len(encoded), dtype=np.int64), lengths)
    counts = np.bincount(owner * 27 + buffer, minlength=len(encoded) * 27)
    return counts.reshape(len(encoded), 27).astype(np.int16)


def _encode(values: Iterable[object]) -> tuple[np.ndarray, list[object]]:
    """Codes of hashable values with 0 reserved for the missing value ('' / 0 / None)."""
    index: dict[object, int] = {}
    table: list[object] = [""]
    codes: list[int] = []
    for value in values:
        if not value:
            codes.append(0)
            continue
        code = index.get(value)
        if code is None:
            code = len(table)
            index[value] = code
            table.append(value)
        codes.append(code)
    return np.asarray(codes, dtype=np.int64), table


def _map_distinct(
    codes: np.ndarray, values: Sequence[str], fn: Callable[[str], object]
) -> list[object]:
    """fn applied to each distinct raw value that occurs; result list indexed by raw code."""
    return [fn(value) for value in values]


def _combine(*codes: np.ndarray) -> np.ndarray:
    """Code of a tuple of codes (0 if the first part is missing), compact 0..k."""
    stacked = np.zeros(codes[0].size, dtype=np.int64)
    for part in codes:
        width = int(part.max()) + 1 if part.size else 1
        stacked = stacked * width + part
    stacked[codes[0] == 0] = 0
    _, inverse = np.unique(stacked, return_inverse=True)
    out = inverse.astype(np.int64)
    if (stacked == 0).any():
        return out  # the zero stays code 0 (it sorts first)
    return out + 1


class RecordTable:
    """Records as columns of codes into distinct raw values, in canonical (record id) order."""

    def __init__(self, record_ids: list[str], columns: dict[str, tuple[np.ndarray, list[str]]]):
        if len(set(record_ids)) != len(record_ids):
            raise ValueError("record ids must be unique")
        ids = np.asarray(record_ids, dtype=str)
        order = np.argsort(ids, kind="stable") if len(record_ids) else np.zeros(0, np.int64)
        self.order = order  # canonical position -> input position
        self.record_ids: list[str] = [record_ids[i] for i in order.tolist()]
        self.columns = {
            name: (np.asarray(codes, dtype=np.int64)[order], values)
            for name, (codes, values) in columns.items()
        }
        self._features: Features | None = None

    @property
    def n(self) -> int:
        return len(self.record_ids)

    @classmethod
    def from_records(cls, records: Sequence[PersonRecord]) -> RecordTable:
        factorisers = {name: Factoriser() for name in INPUT_FIELDS}
        for record in records:
            for name, fac in factorisers.items():
                value = getattr(record, name)
                if value is None:
                    value = ""
                elif isinstance(value, dt.date):
                    value = value.isoformat()
                fac.add(str(value))
        return cls(
            [str(r.record_id) for r in records],
            {name: (np.asarray(f.codes, np.int64), f.values) for name, f in factorisers.items()},
        )

    def raw(self, name: str, i: int) -> str:
        codes, values = self.columns[name]
        return values[int(codes[i])]

    def features(self) -> Features:
        if self._features is None:
            self._features = self._compute_features()
        return self._features

    def _compute_features(self) -> Features:
        col = self.columns

        def norm(name: str, fn: Callable[[str], object]) -> np.ndarray:
            codes, values = col[name]
            mapped = _map_distinct(codes, values, fn)
            out, _ = _encode(mapped[c] for c in range(len(values)))
            return out[codes] if codes.size else np.zeros(0, np.int64)

        bsn = norm("bsn_token", lambda v: v.strip().lower())

        # Surname: distinct (tussenvoegsel, achternaam) pairs.
        tv_codes, tv_values = col["tussenvoegsel"]
        an_codes, an_values = col["achternaam"]
        pair = tv_codes * (len(an_values) + 1) + an_codes
        uniq, inverse = np.unique(pair, return_inverse=True)
        forms = [
            surname_forms(tv_values[p // (len(an_values) + 1)], an_values[p % (len(an_values) + 1)])
            for p in uniq.tolist()
        ]
        core_codes, core_table = _encode(f[0] for f in forms)
        full_codes, _ = _encode(f[1] for f in forms)
        sur_core = core_codes[inverse] if uniq.size else np.zeros(0, np.int64)
        sur_full = full_codes[inverse] if uniq.size else np.zeros(0, np.int64)

        # Given names.
        fn_raw, fn_raw_values = col["voornamen"]
        given = [given_names(value) for value in fn_raw_values]
        gn_codes, gn_table = _encode(g if g.present else None for g in given)
        fn = gn_codes[fn_raw] if fn_raw.size else np.zeros(0, np.int64)
        vocabulary: dict[str, int] = {"": 0}
        first_of: list[int] = []
        second_of: list[int] = []
        initials_vocabulary: dict[str, int] = {"": 0}
        initials_of: list[int] = []
        for g in gn_table:
            if not isinstance(g, GivenNames):
                first_of.append(0)
                second_of.append(0)
                initials_of.append(0)
                continue
            tokens = g.full.split()
            second = tokens[1] if len(tokens) > 1 and len(tokens[1]) > 1 else ""
            first_of.append(vocabulary.setdefault(g.first, len(vocabulary)))
            second_of.append(vocabulary.setdefault(second, len(vocabulary)))
            initials_of.append(initials_vocabulary.setdefault(g.initials, len(initials_vocabulary)))
        first_table = list(vocabulary)
        fn_first = np.asarray(first_of, dtype=np.int64)[fn] if fn.size else fn
        fn_second = np.asarray(second_of, dtype=np.int64)[fn] if fn.size else fn
        fn_inits = np.asarray(initials_of, dtype=np.int64)[fn] if fn.size else fn
        letters = np.array(
            [
                max(0, min(27, ord(g.initials[0]) - 96)) if isinstance(g, GivenNames) else 0
                for g in gn_table
            ],
            dtype=np.int64,
        )
        fn_initial = letters[fn] if fn.size else np.zeros(0, np.int64)

        dob_codes, dob_values = col["geboortedatum"]
        dob_map = np.asarray(
            [0 if v is None else v for v in _map_distinct(dob_codes, dob_values, parse_date)],
            dtype=np.int64,
        )
        dob = dob_map[dob_codes] if dob_codes.size else np.zeros(0, np.int64)

        pc = norm("postcode", postcode)
        hn_codes, hn_values = col["huisnummer"]
        tv2_codes, tv2_values = col["toevoeging"]
        hpair = hn_codes * (len(tv2_values) + 1) + tv2_codes
        huniq, hinv = np.unique(hpair, return_inverse=True)
        houses = [
            house_number(
                hn_values[p // (len(tv2_values) + 1)], tv2_values[p % (len(tv2_values) + 1)]
            )
            for p in huniq.tolist()
        ]
        number = np.asarray([h[0] for h in houses], dtype=np.int64)[hinv] if huniq.size else pc
        suffix_codes, _ = _encode(h[1] for h in houses)
        suffix = suffix_codes[hinv] if huniq.size else pc
        st_name = norm("straat", street)
        town_code = norm("woonplaats", town)

        has_number = number > 0
        addr_pc = _combine(np.where(has_number, pc, 0), number)
        addr_full = _combine(addr_pc, suffix)
        st = _combine(st_name, town_code)
        addr_st = _combine(np.where(has_number, st_name, 0), number, town_code)

        return Features(
            n=self.n,
            bsn=bsn,
            sur_core=sur_core,
            sur_full=sur_full,
            sur_values=[str(v) for v in core_table],
            fn=fn,
            fn_values=[
                g if isinstance(g, GivenNames) else GivenNames("", "", "") for g in gn_table
            ],
            fn_first=fn_first,
            fn_second=fn_second,
            fn_first_values=first_table,
            fn_inits=fn_inits,
            fn_init_values=list(initials_vocabulary),
            fn_initial=fn_initial,
            dob=dob,
            addr_full=addr_full,
            addr_pc=addr_pc,
            addr_st=addr_st,
            pc=pc,
            st=st,
            sur_bags=letter_bags([str(v) for v in core_table]),
            first_bags=letter_bags(first_table),
            sur_hyphen=np.asarray(["-" in str(v) for v in core_table], dtype=bool),
        )
