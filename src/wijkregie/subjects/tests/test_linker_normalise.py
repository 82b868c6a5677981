"""Dutch normalisation and BSN pseudonyms of the person linker (pure code, no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from wijkregie.privacy.pseudonyms import (
    bsn_is_valid,
    clean_bsn,
    municipality_key,
    pseudonymise_bsn,
)
from wijkregie.subjects.linker.api import PersonRecord, match_one
from wijkregie.subjects.linker.normalise import (
    fold,
    given_names,
    house_number,
    parse_date,
    postcode,
    street,
    surname_forms,
)
from wijkregie.testing.persons import bsn_typo, valid_bsn


@pytest.mark.parametrize(
    ("tussenvoegsel", "achternaam"),
    [
        ("van der", "Veen"),  # separate
        ("", "van der Veen"),  # embedded
        ("", "Van der Veen"),  # capitalised
        ("", "Vanderveen"),  # joined
        ("", "Veen, van der"),  # inverted
        ("VAN DER", "VEEN"),  # upper case
        ("", "Veen"),  # dropped
    ],
)
def test_surname_variants_share_the_core(tussenvoegsel: str, achternaam: str) -> None:
    core, _ = surname_forms(tussenvoegsel, achternaam)
    assert core == "veen"


def test_surname_full_form_keeps_the_tussenvoegsel() -> None:
    assert surname_forms("van der", "Veen")[1] == "vanderveen"
    assert surname_forms("", "Veen, van der")[1] == "vanderveen"
    assert surname_forms("", "Veen")[1] == "veen"


def test_double_surname_keeps_both_parts_without_tussenvoegsels() -> None:
    assert surname_forms("", "Jansen-de Vries")[0] == "jansen-vries"
    assert surname_forms("", "")[0] == ""


def test_ij_y_and_diacritics_fold_to_one_form() -> None:
    assert fold("Dijkstra") == fold("Dykstra") == "dykstra"
    assert fold("Çelik") == "celik"
    assert fold("Zoë") == fold("Zoe")
    assert surname_forms("", "DIJK, van")[0] == surname_forms("van", "Dyk")[0] == "dyk"


def test_given_names_full_first_and_initials() -> None:
    full = given_names("Jan-Willem Pieter")
    assert (full.full, full.first, full.initials) == ("jan willem pieter", "jan", "jwp")
    initials = given_names("J.W.")
    assert (initials.full, initials.first, initials.initials) == ("", "", "jw")
    assert given_names("  ").present is False
    assert given_names("Thijs").first == given_names("THYS").first == "thys"


@pytest.mark.parametrize(
    "text",
    [
        "1985-03-12",
        "12-03-1985",
        "12-3-1985",
        "12/03/1985",
        "12.03.1985",
        "12 maart 1985",
        "12 mrt 1985",
        "19850312",
        "12031985",
        "12-03-85",
        "1985-03-12T00:00:00",
        dt.date(1985, 3, 12),
    ],
)
def test_dutch_date_formats(text: object) -> None:
    assert parse_date(text) == 19850312


@pytest.mark.parametrize("text", ["", "31-02-1985", "maart 1985", "12-13-1985x", "1850-13-01"])
def test_impossible_or_partial_dates_are_missing(text: str) -> None:
    assert parse_date(text) == 0


def test_two_digit_years_pivot() -> None:
    assert parse_date("01-01-20") == 20200101
    assert parse_date("01-01-48") == 19480101


def test_postcode_and_house_number_variants() -> None:
    assert postcode("1234 ab") == postcode("1234AB") == "1234AB"
    assert postcode("0123AB") == ""  # a Dutch postcode never starts with 0
    assert house_number("12a", "") == (12, "a")
    assert house_number("12-A", "") == (12, "a")
    assert house_number("12", "A") == (12, "a")
    assert house_number(12, "") == (12, "")
    assert house_number("", "") == (0, "")
    assert street("Dorpsstr.") == street("Dorpsstraat") == "dorpsstraat"


def test_address_variants_compare_as_the_same_address() -> None:
    base = PersonRecord(
        "a", voornamen="Kees", achternaam="Bakker", geboortedatum="1970-01-01",
        postcode="1234 AB", huisnummer="12", toevoeging="A",
    )  # fmt: skip
    same = PersonRecord(
        "b", voornamen="Kees", achternaam="Bakker", geboortedatum="1970-01-01",
        postcode="1234ab", huisnummer="12a",
    )  # fmt: skip
    other_flat = PersonRecord(
        "c", voornamen="Kees", achternaam="Bakker", geboortedatum="1970-01-01",
        postcode="1234AB", huisnummer="12", toevoeging="B",
    )  # fmt: skip
    levels = {
        m.candidate_id: {f.field: f.level for f in m.explanation.fields}
        for m in match_one(base, [same, other_flat])
    }
    assert levels["b"]["adres"] == "gelijk"
    assert levels["c"]["adres"] == "huisnummer-gelijk"


def test_bsn_eleven_proof() -> None:
    assert bsn_is_valid("111222333")
    assert not bsn_is_valid("111222334")
    assert not bsn_is_valid("000000000")
    assert clean_bsn("1112.22.333") == "111222333"
    assert clean_bsn("11222333") == ""  # eight digits: 011222333 fails the proof
    assert clean_bsn("abc") == ""
    assert clean_bsn(None) == ""


def test_generated_bsns_are_valid_and_typos_never_are() -> None:
    import random

    rng = random.Random(7)
    for _ in range(300):
        bsn = valid_bsn(rng)
        assert bsn_is_valid(bsn) and bsn.startswith("9")
        assert not bsn_is_valid(bsn_typo(rng, bsn))


def test_pseudonym_is_keyed_and_hides_the_bsn() -> None:
    key_a = municipality_key("GM0001", master="master-secret")
    key_b = municipality_key("GM0002", master="master-secret")
    token = pseudonymise_bsn("111222333", key_a)
    assert len(token) == 64 and "111222333" not in token
    assert token == pseudonymise_bsn("111 222 333", key_a)
    assert token != pseudonymise_bsn("111222333", key_b)  # separate per municipality
    assert pseudonymise_bsn("111222334", key_a) == ""  # not 11-proof
    assert pseudonymise_bsn("", key_a) == ""


def test_municipality_key_from_its_own_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PSEUDONYM_KEY_GM0003", "own-key")
    assert municipality_key("gm0003", master="master-secret") == b"own-key"
    monkeypatch.delenv("PSEUDONYM_KEY_GM0003")
    assert municipality_key("GM0003", master="master-secret") != b"own-key"
    with pytest.raises(ValueError):
        municipality_key("", master="x")


def test_municipality_key_defaults_to_the_settings_master(settings: object) -> None:
    settings.PSEUDONYM_KEY = "from-settings"  # type: ignore[attr-defined]
    assert municipality_key("GM0004") == municipality_key("GM0004", master="from-settings")
