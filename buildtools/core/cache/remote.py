"""A build cache a team and its CI share, over the Turborepo remote cache HTTP protocol.

    GET  <remote_url>/v8/artifacts/<key>?teamId=<team>    an entry, as a .tar.gz
    PUT  <remote_url>/v8/artifacts/<key>?teamId=<team>    store one (x-artifact-tag: signature)
    Authorization: Bearer <the token in $BUILDTOOLS_REMOTE_CACHE_TOKEN>

so any server that speaks it (Vercel's, or the open-source `turborepo-remote-cache`) will do.
An artifact is a local cache entry (meta.json, bundle/, output/) packed as a deterministic
tar.gz. It is signed as Turborepo signs artifacts: x-artifact-tag is the base64 of
HMAC-SHA256(key, artifact hash + team id + body), the key being read from
$BUILDTOOLS_REMOTE_CACHE_KEY. An artifact without a tag, or whose tag does not verify, is
refused: a cache write from an untrusted branch or machine (which has not the key) cannot
poison a trusted build. Without a signing key the remote cache is not used at all.
(turborepo-remote-cache keeps the tags only when its own TURBO_REMOTE_CACHE_SIGNATURE_KEY is
set, to any value: it stores and returns them, the checking is ours.)

An artifact whose signature verifies is still checked against the content list it carries
(buildtools.core.cache.content) before it enters the local cache.

An artifact is streamed to a file (never held in memory), no further than the size the server
declares nor [cache] remote_max_mb, and its signature is computed on the way; only then is it
unpacked, within the limits of buildtools.core.cache.remote_artifact. [cache]
remote_timeout_s bounds the whole transfer, not each read.

Whatever goes wrong with the server (down, slow, an HTTP error, too large an answer) costs a
warning and a local build, never a failed build.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import shutil
import tarfile
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

from buildtools.config.load import Config
from buildtools.core.cache import local
from buildtools.core.cache.remote_artifact import RemoteError, limit_bytes, unpack
from buildtools.core.events import Reporter
from buildtools.util.archive import pack_bytes
from buildtools.util.bounded_http import TransferError, request

__all__ = ["RemoteError", "fetch", "pack", "sign", "upload", "verify"]

API = "/v8/artifacts/"


def signer(secret: bytes, key: str, team: str) -> hmac.HMAC:
    """Turborepo's x-artifact-tag is base64(HMAC-SHA256(secret, hash + team id + body)): this
    is the HMAC fed with all but the body."""
    return hmac.new(secret, key.encode("utf-8") + team.encode("utf-8"), hashlib.sha256)


def sign(secret: bytes, key: str, team: str, body: bytes) -> str:
    mac = signer(secret, key, team)
    mac.update(body)
    return base64.b64encode(mac.digest()).decode("ascii")


def tag_matches(mac: hmac.HMAC, tag: str | None) -> bool:
    """Whether `tag` is the base64 of the digest of `mac` (fed with the whole body)."""
    if not tag:
        return False
    try:
        given = base64.b64decode(tag.strip() + "=" * (-len(tag.strip()) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return hmac.compare_digest(given, mac.digest())


def verify(secret: bytes, key: str, team: str, body: bytes, tag: str | None) -> bool:
    mac = signer(secret, key, team)
    mac.update(body)
    return tag_matches(mac, tag)


def _url(config: Config, key: str) -> str:
    base = config.cache.remote_url.rstrip("/")
    query = urllib.parse.urlencode({"teamId": config.cache.remote_team}) \
        if config.cache.remote_team else ""
    return f"{base}{API}{urllib.parse.quote(key, safe='')}" + (f"?{query}" if query else "")


def _credentials(config: Config, environ: Mapping[str, str]) -> tuple[str, bytes] | None:
    token = environ.get(config.cache.remote_token_env, "")
    secret = environ.get(config.cache.signature_key_env, "")
    if not secret:
        return None
    return token, os.fsencode(secret)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def fetch(
    config: Config, key: str, reporter: Reporter, environ: Mapping[str, str]
) -> local.Entry | None:
    """The entry stored under the inputs key `key` in the remote cache (the last one uploaded),
    checked and put in the local cache; None (after a warning when something is wrong)
    otherwise."""
    credentials = _credentials(config, environ)
    if credentials is None:
        reporter.warn(f"remote cache {config.cache.remote_url} not used: set "
                      f"{config.cache.signature_key_env} to the team's signing key")
        return None
    token, secret = credentials
    download = local.scratch_dir(config.cache) / "artifact.tar.gz"  # on the entry's disk
    try:
        mac = signer(secret, key, config.cache.remote_team)
        with download.open("wb") as handle:

            def take(chunk: bytes) -> None:
                mac.update(chunk)
                handle.write(chunk)

            try:
                status, headers = request(
                    "GET", _url(config, key), timeout=config.cache.remote_timeout_s,
                    headers=_auth(token), max_bytes=limit_bytes(config), on_chunk=take)
            except TransferError as exc:
                reporter.warn(f"remote cache {config.cache.remote_url}: cannot fetch the build "
                              f"({exc}); building locally")
                return None
        if status == 404:
            return None
        tag = headers.get("x-artifact-tag")
        if not tag_matches(mac, tag):
            why = "it is not signed" if not tag else "its signature does not match"
            reporter.warn(f"remote cache {config.cache.remote_url}: artifact {key} refused: "
                          f"{why} with the key in {config.cache.signature_key_env}; building "
                          "locally")
            return None
        try:
            return unpack(config, key, download)
        except (OSError, EOFError, RemoteError, tarfile.TarError) as exc:
            reporter.warn(f"remote cache: artifact {key} is damaged ({exc}); building locally")
            return None
    finally:
        shutil.rmtree(download.parent, ignore_errors=True)


def upload(
    config: Config, entry: local.Entry, reporter: Reporter, environ: Mapping[str, str]
) -> bool:
    """Send a local entry to the remote cache, signed; a warning (and False) on failure."""
    credentials = _credentials(config, environ)
    if credentials is None:
        reporter.warn(f"remote cache {config.cache.remote_url}: not uploaded, "
                      f"{config.cache.signature_key_env} (the signing key) is not set")
        return False
    token, secret = credentials
    body = pack(entry.path)
    key = local.inputs_key_of(entry.key)  # the server cannot list: one entry per inputs key
    headers = {"Content-Type": "application/octet-stream",
               "x-artifact-tag": sign(secret, key, config.cache.remote_team, body),
               **_auth(token)}
    try:
        request("PUT", _url(config, key), timeout=config.cache.remote_timeout_s,
                headers=headers, body=body)
    except TransferError as exc:
        reporter.warn(f"remote cache {config.cache.remote_url}: cannot upload the build "
                      f"({exc})")
        return False
    return True


def pack(folder: Path) -> bytes:
    """A deterministic tar.gz of `folder`: sorted names, no owners, fixed times and modes."""
    return pack_bytes(folder)
