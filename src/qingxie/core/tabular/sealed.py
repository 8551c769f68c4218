"""Staged files sealed at rest: an uploaded spreadsheet (names, phone numbers) is kept
between its preview and its confirmation encrypted, never in clear.

AES-256-GCM in 1 MB chunks, so a 30 MB file is sealed and opened streaming. The key is
derived (HMAC-SHA256) from each personal-data key (settings.FIELD_KEYS, the first seals;
any opens, so `qingxie keys rotate` does not strand a staged file). Each chunk authenticates
its position and whether it is the last, so chunks cannot be reordered, dropped or cut off.

Layout: b"QXS1", 8 bytes naming the key, then per chunk: 4-byte length, 12-byte nonce,
ciphertext with its tag.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
from collections.abc import Iterable
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"QXS1"
CHUNK = 1024 * 1024


class SealError(ValueError):
    """The file is not sealed, or not with any configured key, or was tampered with."""


def _keys() -> list[bytes]:
    from django.conf import settings

    keys = []
    for key in settings.FIELD_KEYS:
        raw = base64.urlsafe_b64decode(key.encode())
        keys.append(hmac.new(raw, b"qingxie staged files v1", hashlib.sha256).digest())
    if not keys:
        raise SealError("未配置个人信息加密密钥（QINGXIE_FIELD_KEYS）。")
    return keys


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"id" + key).digest()[:8]


def _aad(index: int, last: bool) -> bytes:
    return struct.pack(">Q?", index, last)


def seal(chunks: Iterable[bytes], out: IO[bytes]) -> None:
    """Write `chunks` (any sizes) to `out` sealed under the current key."""
    key = _keys()[0]
    aead = AESGCM(key)
    out.write(MAGIC + _key_id(key))

    def pieces():
        buffer = b""
        for chunk in chunks:
            buffer += chunk
            while len(buffer) >= CHUNK:
                yield buffer[:CHUNK]
                buffer = buffer[CHUNK:]
        yield buffer  # the last piece (empty when the length is a multiple of CHUNK)

    previous, index = None, 0
    for piece in pieces():
        if previous is not None:
            _write(out, aead, previous, index, last=False)
            index += 1
        previous = piece
    _write(out, aead, previous, index, last=True)


def _write(out, aead, plain: bytes, index: int, *, last: bool) -> None:
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, plain, _aad(index, last))
    out.write(struct.pack(">I", len(sealed)) + nonce + sealed)


def unseal(src: IO[bytes], out: IO[bytes]) -> int:
    """Write the clear content of the sealed `src` to `out`; its length."""
    head = src.read(12)
    if len(head) != 12 or not head.startswith(MAGIC):
        raise SealError("不是加密保存的暂存文件。")
    key = next((k for k in _keys() if _key_id(k) == head[4:]), None)
    if key is None:
        raise SealError("暂存文件的密钥已不在配置中。")
    aead = AESGCM(key)
    index, written = 0, 0
    while True:
        size_bytes = src.read(4)
        if len(size_bytes) != 4:
            raise SealError("暂存文件不完整。")
        (size,) = struct.unpack(">I", size_bytes)
        if size > CHUNK + 16:
            raise SealError("暂存文件已损坏。")
        nonce, sealed = src.read(12), src.read(size)
        for last in (False, True):
            try:
                plain = aead.decrypt(nonce, sealed, _aad(index, last))
            except InvalidTag:
                continue
            break
        else:
            raise SealError("暂存文件已损坏或被改动。")
        out.write(plain)
        written += len(plain)
        index += 1
        if last:
            if src.read(1):
                raise SealError("暂存文件已损坏或被改动。")
            return written
