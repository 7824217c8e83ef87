"""Signatures of licences (SM2 with SM3, Ed25519) and the identifier (GB/T 36904, reference §6.3)."""

from __future__ import annotations

import pytest

from banshi.licences import canonical, signing
from banshi.licences.services import build_identifier
from banshi.people.identifiers import validate_licence_identifier

METADATA = {"identifier": "X", "holder_name": "张三", "valid_to": None, "remark": ""}


def test_sm3_matches_the_gb_t_32905_example():
    assert signing.sm3_hex(b"abc").startswith("66c7f0f4") and signing.sm3_hex(b"abc").endswith(
        "8f4ba8e0"
    )


@pytest.mark.parametrize("algorithm", signing.ALGORITHMS)
def test_a_signature_verifies_under_its_own_key_only(algorithm):
    pair = signing.generate(algorithm)
    other = signing.generate(algorithm)
    data = canonical.signed_bytes(METADATA)
    signature = signing.sign(algorithm, pair.private_hex, pair.public_hex, data)
    assert signing.verify(algorithm, pair.public_hex, data, signature)
    assert not signing.verify(algorithm, other.public_hex, data, signature)


@pytest.mark.parametrize("algorithm", signing.ALGORITHMS)
def test_altered_metadata_fails_the_signature(algorithm):
    pair = signing.generate(algorithm)
    signature = signing.sign(
        algorithm, pair.private_hex, pair.public_hex, canonical.signed_bytes(METADATA)
    )
    altered = canonical.signed_bytes({**METADATA, "holder_name": "李四"})
    assert not signing.verify(algorithm, pair.public_hex, altered, signature)


@pytest.mark.parametrize("algorithm", signing.ALGORITHMS)
@pytest.mark.parametrize("forged", ["", "zz", "00" * 64, "ff" * 64, "01" * 63])
def test_a_forged_or_malformed_signature_is_simply_invalid(algorithm, forged):
    pair = signing.generate(algorithm)
    assert not signing.verify(algorithm, pair.public_hex, b"data", forged)


@pytest.mark.parametrize("algorithm", signing.ALGORITHMS)
def test_the_public_key_is_derived_from_the_private_key(algorithm):
    pair = signing.generate(algorithm)
    assert signing.derive_public(algorithm, pair.private_hex) == pair.public_hex
    assert len(pair.fingerprint) == 64


def test_sm2_signatures_use_a_fresh_nonce_each_time():
    pair = signing.generate(signing.SM2)
    one = signing.sign(signing.SM2, pair.private_hex, pair.public_hex, b"x")
    two = signing.sign(signing.SM2, pair.private_hex, pair.public_hex, b"x")
    assert one != two


def test_an_unknown_algorithm_is_refused_in_both_languages():
    with pytest.raises(signing.SigningError, match=r"未知的签名算法.*unknown signature algorithm"):
        signing.generate("rsa")


def test_canonical_bytes_are_sorted_compact_utf8_with_every_signed_key():
    data = canonical.signed_bytes({"holder_name": "张三", "extra": "ignored"})
    assert data.startswith(b'banshi-licence-v1\n{"algorithm":""')
    assert "张三".encode() in data and b"extra" not in data
    assert data.count(b'":') == len(canonical.SIGNED_FIELDS)


# --- GB/T 36904 identifiers: the verified examples of reference standards §6.3 ----------------


@pytest.mark.parametrize(
    ("parts", "check"),
    [
        (("11100000000013338W011", "11430000006122244L", "20230000403", "001"), "U"),
        (("11100000000013338W009", "11330105002500287C", "2025052201", "002"), "0"),
    ],
)
def test_identifier_check_character_matches_the_verified_examples(parts, check):
    identifier = build_identifier(*parts)
    assert identifier == f"1.2.156.3005.2.{'.'.join(parts)}.{check}"
    assert validate_licence_identifier(identifier).check == check


# --- SM2 known answer: GB/T 32918.5-2017 (GM/T 0003.5) Appendix A, recommended curve -------------
KAT_PRIVATE = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8"
KAT_PUBLIC = (
    "09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020"
    "ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13"
)
KAT_NONCE = "59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21"
KAT_SIGNATURE = (
    "f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3"
    "b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa"
)


def test_sm2_reproduces_the_standard_example_key_and_signature():
    assert signing.derive_public(signing.SM2, KAT_PRIVATE) == KAT_PUBLIC
    crypt = signing._sm2(KAT_PRIVATE, KAT_PUBLIC)
    assert crypt.sign_with_sm3(b"message digest", KAT_NONCE) == KAT_SIGNATURE
    assert signing.verify(signing.SM2, KAT_PUBLIC, b"message digest", KAT_SIGNATURE)
    assert not signing.verify(signing.SM2, KAT_PUBLIC, b"message digesT", KAT_SIGNATURE)
