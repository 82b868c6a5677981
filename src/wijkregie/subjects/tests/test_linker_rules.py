"""Vetoes, hard cases, explanations and the incremental interface of the person linker."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from wijkregie.privacy.pseudonyms import pseudonymise_bsn
from wijkregie.subjects.linker.api import (
    LinkModel,
    PersonRecord,
    blocking_keys,
    estimate_model,
    is_thin,
    link_all,
    match_one,
    person_id_for,
)
from wijkregie.subjects.linker.cluster import cluster
from wijkregie.testing.persons import generate

KEY = b"test-key-for-the-linker"


def token(bsn: str) -> str:
    return pseudonymise_bsn(bsn, KEY)


def person(record_id: str, **fields: str) -> PersonRecord:
    base = {
        "voornamen": "Jan Willem",
        "tussenvoegsel": "van der",
        "achternaam": "Veen",
        "geboortedatum": "1980-05-17",
        "straat": "Lindelaan",
        "huisnummer": "12",
        "postcode": "1234AB",
        "woonplaats": "Wijkerveen",
    }
    base.update(fields)
    return PersonRecord(record_id=record_id, **base)


@pytest.fixture(scope="module")
def model() -> LinkModel:
    """A model estimated from a generated set (as a full relink would)."""
    data = generate(3000, seed=11)
    records = [PersonRecord(r[0], r[1], token(r[2]), *r[3:]) for r in data.rows]
    return estimate_model(records)


def only(matches: list, candidate_id: str):  # type: ignore[no-untyped-def]
    return next(m for m in matches if m.candidate_id == candidate_id)


def levels(match) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {f.field: f.level for f in match.explanation.fields}


def test_variants_of_one_person_link_with_explanation(model: LinkModel) -> None:
    new = person("new", voornamen="J.W.", tussenvoegsel="", achternaam="Vanderveen",
                 geboortedatum="17-05-1980", postcode="1234 ab")  # fmt: skip
    match = only(match_one(new, [person("old")], model), "old")
    assert match.linked and match.veto == ""
    assert match.explanation.rule == "score"
    assert levels(match) == {
        "bsn": "ontbreekt",
        "voornamen": "initialen",
        "achternaam": "gelijk",
        "geboortedatum": "gelijk",
        "adres": "gelijk",
    }
    weights = {f.field: f.weight for f in match.explanation.fields}
    assert weights["bsn"] == 0.0 and weights["geboortedatum"] > 5
    assert match.score == pytest.approx(model.prior_log2 + sum(weights.values()))
    assert 0.5 < match.probability <= 1.0
    assert "achternaam=gelijk" in match.explanation.as_text()
    assert match.explanation.as_dict()["rule"] == "score"


def test_equal_bsn_links_by_rule(model: LinkModel) -> None:
    a = person("a", bsn_token=token("111222333"))
    b = person("b", bsn_token=token("111222333"), voornamen="Jan", straat="", postcode="",
               huisnummer="", achternaam="Veen", tussenvoegsel="")  # fmt: skip
    match = only(match_one(a, [b], model), "b")
    assert match.linked and match.explanation.rule == "bsn"


def test_different_valid_bsns_veto_whatever_the_score(model: LinkModel) -> None:
    a = person("a", bsn_token=token("111222333"))
    b = person("b", bsn_token=token("123456782"))
    match = only(match_one(a, [b], model), "b")
    assert not match.linked
    assert match.veto == "bsn-verschilt" and match.explanation.rule == "veto"


def test_bsn_typo_is_treated_as_missing_and_still_links(model: LinkModel) -> None:
    typo = token("111222334")  # one digit off: fails the 11-proof
    assert typo == ""
    a = person("a", bsn_token=token("111222333"))
    b = person("b", bsn_token=typo)
    match = only(match_one(a, [b], model), "b")
    assert match.linked and levels(match)["bsn"] == "ontbreekt"


def test_twins_do_not_merge(model: LinkModel) -> None:
    jan = person("jan", voornamen="Jan")
    joost = person("joost", voornamen="Joost")
    match = only(match_one(jan, [joost], model), "joost")
    assert not match.linked and match.veto == "voornaam-verschilt"
    with_bsn = [
        dataclasses.replace(jan, bsn_token=token("111222333")),
        dataclasses.replace(joost, bsn_token=token("123456782")),
        dataclasses.replace(jan, record_id="jan2"),
        dataclasses.replace(joost, record_id="joost2", voornamen="JOOST"),
    ]
    result = link_all(with_bsn, model)
    ids = result.as_dict()
    assert ids["jan"] == ids["jan2"] and ids["joost"] == ids["joost2"]
    assert ids["jan"] != ids["joost"]


def test_junior_and_senior_do_not_merge(model: LinkModel) -> None:
    senior = person("senior", geboortedatum="1950-02-03")
    junior = person("junior", geboortedatum="1979-11-23")
    match = only(match_one(senior, [junior], model), "junior")
    assert not match.linked and match.veto == "geboortedatum-verschilt"


def test_partners_at_one_address_do_not_merge(model: LinkModel) -> None:
    him = person("him", voornamen="Pieter", geboortedatum="1971-03-04")
    her = person("her", voornamen="Maria", geboortedatum="1973-08-09")
    match = only(match_one(him, [her], model), "her")
    assert not match.linked and match.veto in ("geboortedatum-verschilt", "voornaam-verschilt")


def test_thin_record_never_links_to_a_person(model: LinkModel) -> None:
    thin = PersonRecord("thin", achternaam="Veen", tussenvoegsel="van der",
                        postcode="1234AB", huisnummer="12")  # fmt: skip
    assert is_thin(thin)
    assert not is_thin(dataclasses.replace(thin, voornamen="Jan"))
    assert not is_thin(dataclasses.replace(thin, geboortedatum="1980-01-01"))
    assert not is_thin(dataclasses.replace(thin, bsn_token=token("111222333")))
    assert is_thin(dataclasses.replace(thin, voornamen="J.", geboortedatum="31-02-1980"))
    matches = match_one(thin, [person("full")], model)
    assert not matches[0].linked and matches[0].explanation.rule == "dun"
    # ... but it keeps its address key, so it can be attached to the address.
    assert any(key.startswith("a:1234AB12") for key in blocking_keys(thin))
    result = link_all([thin, person("full"), person("full2")], model)
    ids = result.as_dict()
    assert ids["full"] == ids["full2"] != ids["thin"]


def test_day_month_swap_and_one_part_typo_are_not_vetoes(model: LinkModel) -> None:
    base = person("base")
    other_format = person("fmt", geboortedatum="17 mei 1980")
    assert levels(only(match_one(base, [other_format], model), "fmt"))["geboortedatum"] == "gelijk"
    swapped = person("swap", geboortedatum="05-12-1980")
    match = only(match_one(person("o", geboortedatum="12-05-1980"), [swapped], model), "swap")
    assert levels(match)["geboortedatum"] == "dag-maand-verwisseld" and match.linked
    typo = person("t", geboortedatum="1980-05-18")
    match = only(match_one(base, [typo], model), "t")
    assert levels(match)["geboortedatum"] == "een-deel-verschilt" and match.veto == ""
    year_typo = person("y", geboortedatum="1981-05-17")
    assert only(match_one(base, [year_typo], model), "y").veto == ""
    far = person("far", geboortedatum="1958-05-17")  # two digits of the year differ
    assert only(match_one(base, [far], model), "far").veto == "geboortedatum-verschilt"


def test_family_members_valid_bsn_does_not_pull_records_together(model: LinkModel) -> None:
    father = person("father", voornamen="Gerrit", geboortedatum="1950-01-01",
                    bsn_token=token("111222333"))  # fmt: skip
    son = person("son", voornamen="Daan", geboortedatum="1985-06-07", bsn_token=token("123456782"))
    # A record of the son carrying the father's valid BSN.
    mixed = person("mixed", voornamen="Daan", geboortedatum="1985-06-07",
                   bsn_token=token("111222333"))  # fmt: skip
    son_again = person("son2", voornamen="Daan", geboortedatum="07-06-1985")
    result = link_all([father, son, mixed, son_again], model)
    ids = result.as_dict()
    assert ids["father"] != ids["son"]
    assert ids["mixed"] != ids["father"]  # first name and birth date veto the BSN link
    # son and mixed carry different valid BSNs (a veto); son2 fits both, so it is ambiguous.
    assert ids["son"] != ids["mixed"]
    assert ids["son2"] not in (ids["son"], ids["mixed"])
    assert ids["father"] not in (ids["son"], ids["mixed"], ids["son2"])


def test_a_vague_record_does_not_bridge_twins() -> None:
    """Guard: clusters never hold a vetoed pair, even when links chain through a vague record."""
    model = LinkModel.default()
    jan = person("a-jan", voornamen="Jan", bsn_token=token("111222333"))
    joost = person("b-joost", voornamen="Joost", bsn_token=token("123456782"))
    vague = person("c-vague", voornamen="J.")
    result = link_all([jan, joost, vague], model)
    ids = result.as_dict()
    assert ids["a-jan"] != ids["b-joost"]
    # "J." fits both twins equally well: ambiguous, so it links to neither.
    assert ids["c-vague"] not in (ids["a-jan"], ids["b-joost"])
    assert result.stats["guarded_components"] == 1
    for link in result.links():
        assert link.explanation.rule in ("bsn", "score")


def test_cluster_guard_caps_giant_components() -> None:
    n = 50
    left = np.arange(n - 1, dtype=np.int64)
    right = left + 1  # one long chain
    strength = np.linspace(10, 1, n - 1)

    def never(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.zeros(a.size, dtype=bool)

    labels, kept, stats = cluster(n, left, right, strength, never, max_size=10)
    sizes = np.bincount(labels)
    assert sizes.max() <= 10
    assert sizes.sum() == n
    assert stats["guarded_components"] == 1
    assert kept.size < n - 1


def test_links_explain_themselves(model: LinkModel) -> None:
    records = [person("x1"), person("x2", voornamen="Jan"), person("y1", voornamen="Maria",
               geboortedatum="1990-01-01")]  # fmt: skip
    result = link_all(records, model)
    links = list(result.links())
    assert [(link.record_a, link.record_b) for link in links] == [("x1", "x2")]
    explanation = links[0].explanation
    assert explanation.rule == "score" and explanation.score >= explanation.threshold
    assert {f.field for f in explanation.fields} == {
        "bsn", "voornamen", "achternaam", "geboortedatum", "adres"
    }  # fmt: skip
    assert result.person_id_of("x1") == person_id_for(["x2", "x1"])


def test_blocking_keys_are_shared_by_variants() -> None:
    a = set(blocking_keys(person("a")))
    b = set(blocking_keys(person("b", tussenvoegsel="", achternaam="Veen, van der",
                                 geboortedatum="17 mei 1980")))  # fmt: skip
    assert a & b
    assert all(":" in key for key in a)
    # The BSN key holds a prefix of the token, never the BSN itself.
    c = blocking_keys(person("c", bsn_token=token("111222333")))
    assert not any("111222333" in key for key in c)


def test_model_round_trips_through_json(model: LinkModel) -> None:
    again = LinkModel.from_json(model.to_json())
    assert again == model
    assert model.estimated_from["records"] == 3000
    assert model.estimated_from["bsn_equal_pairs"] > 100
    weights = model.weight_table()
    assert weights["bsn"][1] > 8  # equal BSN is strong evidence
    assert weights["geboortedatum"][1] > weights["geboortedatum"][3] > 0
    with pytest.raises(ValueError):
        LinkModel.from_json('{"version": 99}')


def test_match_one_orders_best_first_and_skips_the_record_itself(model: LinkModel) -> None:
    data = generate(400, seed=5)
    candidates = [PersonRecord(r[0], r[1], token(r[2]), *r[3:]) for r in data.rows]
    new = person("new")
    matches = match_one(new, [*candidates, person("twin-of-new"), new], model)
    assert len(matches) == 401
    assert matches[0].candidate_id == "twin-of-new" and matches[0].linked
    linked = [m.linked for m in matches]
    assert linked == sorted(linked, reverse=True)
    scores = [m.score for m in matches if not m.linked]
    assert scores == sorted(scores, reverse=True)
