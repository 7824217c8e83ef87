"""verify_signature: what a receiver runs on every request."""

from __future__ import annotations

from banshi.webhooks.signing import signature, verify_signature

SECRET = "shared-secret"
BODY = b'{"event":"case.accept","data":{"case":"BS-20250303-000001-01"}}'
NOW = 1_767_225_600


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    import hashlib
    import hmac

    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert signature(SECRET, NOW, BODY) == f"sha256={expected}"


def test_a_genuine_request_verifies():
    header = signature(SECRET, NOW, BODY)
    assert verify_signature(SECRET, str(NOW), BODY, header, now=NOW + 10)


def test_a_changed_body_fails():
    header = signature(SECRET, NOW, BODY)
    assert not verify_signature(SECRET, str(NOW), BODY + b" ", header, now=NOW)


def test_another_secret_fails():
    header = signature("another", NOW, BODY)
    assert not verify_signature(SECRET, str(NOW), BODY, header, now=NOW)


def test_an_old_timestamp_is_refused_as_a_replay():
    header = signature(SECRET, NOW, BODY)
    assert not verify_signature(SECRET, str(NOW), BODY, header, now=NOW + 301)
    assert verify_signature(SECRET, str(NOW), BODY, header, now=NOW + 301, tolerance=None)


def test_missing_or_malformed_headers_fail():
    header = signature(SECRET, NOW, BODY)
    assert not verify_signature(SECRET, None, BODY, header, now=NOW)
    assert not verify_signature(SECRET, "yesterday", BODY, header, now=NOW)
    assert not verify_signature(SECRET, str(NOW), BODY, None, now=NOW)
    assert not verify_signature(SECRET, str(NOW), BODY, "md5=abc", now=NOW)
