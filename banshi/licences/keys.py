"""Private signing keys as files in ``BANSHI_LICENCE_KEY_DIR`` (never in the database).

One file per key, named ``<fingerprint>.key`` (mode 0600, directory 0700), holding JSON
``{"algorithm", "department", "public_key", "private_key"}`` in hex. Loading a key re-derives its
public key and refuses a file that does not match its name (a swapped or corrupted file).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings

from banshi.licences import signing


class KeyMissing(Exception):
    """The private key of a signing key is not in the key directory."""

    def __init__(self, fingerprint: str, directory: Path):
        self.fingerprint = fingerprint
        super().__init__(
            f"签章私钥文件不存在：{directory}/{fingerprint}.key，请运行 banshi licences keygen / "
            f"the private signing key {fingerprint[:16]}… is not in {directory}: "
            "run `banshi licences keygen`"
        )


def key_dir() -> Path:
    return Path(settings.BANSHI_LICENCE_KEY_DIR)


def path_of(fingerprint: str) -> Path:
    return key_dir() / f"{fingerprint}.key"


def write(pair: signing.KeyPair, department: str) -> Path:
    """Write the private key file (0600) and return its path; never overwrites."""
    directory = key_dir()
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    path = path_of(pair.fingerprint)
    body = json.dumps(
        {
            "algorithm": pair.algorithm,
            "department": department,
            "public_key": pair.public_hex,
            "private_key": pair.private_hex,
        }
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(body)
    return path


def load(fingerprint: str) -> signing.KeyPair:
    """The key pair named ``fingerprint``; KeyMissing without its file, SigningError when the
    file does not hold that key."""
    path = path_of(fingerprint)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as error:
        raise KeyMissing(fingerprint, key_dir()) from error
    except ValueError as error:
        raise signing.SigningError(f"密钥文件损坏 / key file {path} is corrupt") from error
    algorithm, private_hex = data.get("algorithm", ""), data.get("private_key", "")
    public_hex = signing.derive_public(algorithm, private_hex)
    if signing.fingerprint(algorithm, public_hex) != fingerprint:
        raise signing.SigningError(
            f"密钥文件与其名称不符 / key file {path} does not hold the key it is named after"
        )
    return signing.KeyPair(algorithm, private_hex, public_hex)
