"""Signing keys and signatures of electronic licences (pure: no Django import).

Two algorithms behind one narrow interface, so that a certified signing service (密评) can replace
it later without touching the callers:

* ``sm2`` (default): SM2 with SM3 (GB/T 32918, GB/T 32905; user ID ``1234567812345678``) through
  the pure-Python ``gmssl`` package (reference libraries.md §5). ``gmssl`` has no key generation and
  draws its signing nonce with :mod:`random`; here the private key AND the per-signature nonce are
  drawn with :mod:`secrets`, and a signature's ``r``/``s`` are range-checked before verifying.
  Private key: 64 hex digits; public key: 128 hex digits ``x || y`` (uncompressed, no ``04``).
  Signature: 128 hex digits ``r || s``.
* ``ed25519`` (configured alternative): ``cryptography``. Private key: 64 hex digits (raw 32
  bytes); public key: 64 hex digits (raw); signature: 128 hex digits.

A key's fingerprint is the SM3 digest (``cryptography``'s ``hashes.SM3``) of
``"<algorithm>:<public key hex>"``, in hex: it names the key in the database and on the licence.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519
from gmssl import sm2

SM2 = "sm2"
ED25519 = "ed25519"
ALGORITHMS = (SM2, ED25519)
ALGORITHM_LABELS = {SM2: "SM2/SM3", ED25519: "Ed25519"}

_N = int(sm2.default_ecc_table["n"], 16)


class SigningError(ValueError):
    """A key or an algorithm cannot be used (unknown algorithm, malformed key)."""


@dataclass(frozen=True)
class KeyPair:
    algorithm: str
    private_hex: str
    public_hex: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.algorithm, self.public_hex)


def sm3_hex(data: bytes) -> str:
    """SM3 digest of ``data`` in hex (GB/T 32905)."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def fingerprint(algorithm: str, public_hex: str) -> str:
    """The key's name: SM3 of ``"<algorithm>:<public key hex>"`` (lower-case hex)."""
    return sm3_hex(f"{_algorithm(algorithm)}:{public_hex.lower()}".encode())


def _algorithm(algorithm: str) -> str:
    if algorithm not in ALGORITHMS:
        raise SigningError(
            f"未知的签名算法“{algorithm}”(可选 sm2、ed25519) / unknown signature algorithm "
            f"{algorithm!r} (sm2 or ed25519)"
        )
    return algorithm


def _sm2(private_hex: str, public_hex: str) -> sm2.CryptSM2:
    crypt = sm2.CryptSM2(private_key=private_hex, public_key="00")
    # Set after construction: CryptSM2 would lstrip("04") the key, eating leading 0/4 digits.
    crypt.public_key = public_hex
    return crypt


def generate(algorithm: str = SM2) -> KeyPair:
    """A new key pair drawn with :mod:`secrets`."""
    if _algorithm(algorithm) == SM2:
        d = secrets.randbelow(_N - 1) + 1  # [1, n-1]
        private_hex = f"{d:064x}"
        public_hex = _sm2(private_hex, "")._kg(d, sm2.default_ecc_table["g"])
        return KeyPair(SM2, private_hex, public_hex.lower())
    private = ed25519.Ed25519PrivateKey.generate()
    return KeyPair(ED25519, private.private_bytes_raw().hex(), public_of(ED25519, private))


def public_of(algorithm: str, private: object) -> str:
    if algorithm == ED25519 and isinstance(private, ed25519.Ed25519PrivateKey):
        return private.public_key().public_bytes_raw().hex()
    raise SigningError("unsupported key object")


def derive_public(algorithm: str, private_hex: str) -> str:
    """The public key (hex) of a private key (hex): used to check a key file on load."""
    try:
        if _algorithm(algorithm) == SM2:
            d = int(private_hex, 16)
            if not 1 <= d < _N:
                raise SigningError("SM2 私钥超出范围 / SM2 private key out of range")
            return _sm2(private_hex, "")._kg(d, sm2.default_ecc_table["g"]).lower()
        private = ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex))
        return public_of(ED25519, private)
    except ValueError as error:
        if isinstance(error, SigningError):
            raise
        raise SigningError(f"私钥格式错误 / malformed private key: {error}") from error


def sign(algorithm: str, private_hex: str, public_hex: str, data: bytes) -> str:
    """Sign ``data``; returns the signature in hex."""
    if _algorithm(algorithm) == SM2:
        crypt = _sm2(private_hex, public_hex)
        while True:  # a zero r or s (probability ~2^-256) asks for another nonce
            nonce = f"{secrets.randbelow(_N - 1) + 1:064x}"
            signature = crypt.sign_with_sm3(data, nonce)
            if signature:
                return signature
    private = ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex))
    return private.sign(data).hex()


def verify(algorithm: str, public_hex: str, data: bytes, signature_hex: str) -> bool:
    """Whether ``signature_hex`` is a valid signature of ``data`` under ``public_hex``. Malformed
    input (wrong length, not hex, r or s out of range) is simply not valid."""
    try:
        signature = bytes.fromhex(signature_hex or "")
        if _algorithm(algorithm) == SM2:
            if len(signature) != 64 or len(bytes.fromhex(public_hex)) != 64:
                return False
            r, s = int(signature_hex[:64], 16), int(signature_hex[64:], 16)
            if not (1 <= r < _N and 1 <= s < _N):
                return False
            return bool(_sm2("00", public_hex.lower()).verify_with_sm3(signature_hex.lower(), data))
        public = ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
        public.verify(signature, data)
        return True
    except (ValueError, InvalidSignature, ZeroDivisionError):
        return False
