"""RFC 6238 TOTP (tenants/totp.py): the RFC's own test vectors and the matching rules."""

from __future__ import annotations

import base64
import urllib.parse

from wijkregie.tenants import totp

# RFC 6238 appendix B: the SHA-1 key is the ASCII string "12345678901234567890".
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


def test_the_rfc_6238_sha1_vectors() -> None:
    key = b"12345678901234567890"
    for unix_time, expected in RFC_VECTORS:
        assert totp.hotp(key, totp.time_step(unix_time), digits=8) == expected
        # The 6-digit code apps show is the last six digits of the same number.
        assert totp.code_at(RFC_SECRET, unix_time) == expected[-6:]


def test_rfc_4226_hotp_vectors() -> None:
    key = b"12345678901234567890"
    expected = ["755224", "287082", "359152", "969429", "338314"]
    assert [totp.hotp(key, counter) for counter in range(5)] == expected


def test_a_code_matches_within_one_step_of_drift_only() -> None:
    now = 1_700_000_000.0
    step = totp.time_step(now)
    assert totp.match(RFC_SECRET, totp.code_at(RFC_SECRET, now), now) == step
    assert totp.match(RFC_SECRET, totp.code_at(RFC_SECRET, now - 30), now) == step - 1
    assert totp.match(RFC_SECRET, totp.code_at(RFC_SECRET, now + 30), now) == step + 1
    assert totp.match(RFC_SECRET, totp.code_at(RFC_SECRET, now - 60), now) == -1
    assert totp.match(RFC_SECRET, totp.code_at(RFC_SECRET, now + 90), now) == -1


def test_a_used_step_never_matches_again() -> None:
    now = 1_700_000_000.0
    code = totp.code_at(RFC_SECRET, now)
    step = totp.match(RFC_SECRET, code, now)
    assert totp.match(RFC_SECRET, code, now, after_step=step) == -1
    assert totp.match(RFC_SECRET, code, now, after_step=step - 1) == step


def test_malformed_codes_never_match() -> None:
    now = 1_700_000_000.0
    code = totp.code_at(RFC_SECRET, now)
    assert totp.match(RFC_SECRET, f"{code[:3]} {code[3:]}", now) >= 0  # spaces are allowed
    for bad in ("", "12345", "1234567", "abcdef", code + "0", "-" + code[1:]):
        assert totp.match(RFC_SECRET, bad, now) == -1


def test_new_secrets_are_random_base32_of_160_bits() -> None:
    first, second = totp.new_secret(), totp.new_secret()
    assert first != second
    assert len(base64.b32decode(first + "=" * (-len(first) % 8))) == 20
    assert totp.group("ABCDEFGHIJ") == "ABCD EFGH IJ"
    assert totp.code_at(totp.group(first), 0) == totp.code_at(first, 0)


def test_the_otpauth_uri_follows_the_key_uri_format() -> None:
    uri = totp.otpauth_uri("JBSWY3DPEHPK3PXP", account="regisseur", issuer="Wijkregie Demodam")
    parts = urllib.parse.urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert urllib.parse.unquote(parts.path) == "/Wijkregie Demodam:regisseur"
    query = dict(urllib.parse.parse_qsl(parts.query))
    assert query == {
        "secret": "JBSWY3DPEHPK3PXP",
        "issuer": "Wijkregie Demodam",
        "algorithm": "SHA1",
        "digits": "6",
        "period": "30",
    }
