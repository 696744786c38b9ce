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
(buildtools.core.cache_content) before it enters the local cache.

Whatever goes wrong with the server (down, slow beyond [cache] remote_timeout_s, an HTTP error)
costs a warning and a local build, never a failed build.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import json
import os
import shutil
import tarfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from buildtools.config.load import Config
from buildtools.core import cache
from buildtools.core.cache_content import verify_entry
from buildtools.core.events import Reporter
from buildtools.util.archive import pack_bytes

API = "/v8/artifacts/"
MAX_ARTIFACT_BYTES = 1 << 30


class RemoteError(Exception):
    """The remote cache could not be used (said in a warning, never raised to the user)."""


def sign(secret: bytes, key: str, team: str, body: bytes) -> str:
    """Turborepo's x-artifact-tag: base64(HMAC-SHA256(secret, hash + team id + body))."""
    mac = hmac.new(secret, key.encode("utf-8") + team.encode("utf-8"), hashlib.sha256)
    mac.update(body)
    return base64.b64encode(mac.digest()).decode("ascii")


def verify(secret: bytes, key: str, team: str, body: bytes, tag: str | None) -> bool:
    if not tag:
        return False
    try:
        given = base64.b64decode(tag.strip() + "=" * (-len(tag.strip()) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = base64.b64decode(sign(secret, key, team, body))
    return hmac.compare_digest(given, expected)


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


def _request(config: Config, method: str, key: str, token: str, body: bytes | None = None,
             headers: Mapping[str, str] | None = None) -> tuple[int, bytes, Mapping[str, str]]:
    request = urllib.request.Request(_url(config, key), data=body, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=config.cache.remote_timeout_s) as response:
            data = response.read(MAX_ARTIFACT_BYTES + 1) if method == "GET" else b""
            if len(data) > MAX_ARTIFACT_BYTES:
                raise RemoteError("artifact larger than 1 GiB")
            return response.status, data, dict(response.headers.items())
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return 404, b"", {}
        raise RemoteError(f"HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RemoteError(str(reason) or type(exc).__name__) from None


def fetch(
    config: Config, key: str, reporter: Reporter, environ: Mapping[str, str]
) -> cache.Entry | None:
    """The entry for `key` from the remote cache, checked and put in the local cache; None
    (after a warning when something is wrong) otherwise."""
    credentials = _credentials(config, environ)
    if credentials is None:
        reporter.warn(f"remote cache {config.cache.remote_url} not used: set "
                      f"{config.cache.signature_key_env} to the team's signing key")
        return None
    token, secret = credentials
    try:
        status, body, headers = _request(config, "GET", key, token)
    except RemoteError as exc:
        reporter.warn(f"remote cache {config.cache.remote_url}: cannot fetch the build "
                      f"({exc}); building locally")
        return None
    if status == 404:
        return None
    tag = {name.lower(): value for name, value in headers.items()}.get("x-artifact-tag")
    if not verify(secret, key, config.cache.remote_team, body, tag):
        why = "it is not signed" if not tag else "its signature does not match"
        reporter.warn(f"remote cache {config.cache.remote_url}: artifact {key} refused: {why} "
                      f"with the key in {config.cache.signature_key_env}; building locally")
        return None
    try:
        return _unpack(config, key, body)
    except (OSError, tarfile.TarError, EOFError, RemoteError) as exc:
        reporter.warn(f"remote cache: artifact {key} is damaged ({exc}); building locally")
        return None


def upload(
    config: Config, entry: cache.Entry, reporter: Reporter, environ: Mapping[str, str]
) -> bool:
    """Send a local entry to the remote cache, signed; a warning (and False) on failure."""
    credentials = _credentials(config, environ)
    if credentials is None:
        reporter.warn(f"remote cache {config.cache.remote_url}: not uploaded, "
                      f"{config.cache.signature_key_env} (the signing key) is not set")
        return False
    token, secret = credentials
    body = pack(entry.path)
    headers = {"Content-Type": "application/octet-stream",
               "x-artifact-tag": sign(secret, entry.key, config.cache.remote_team, body)}
    try:
        _request(config, "PUT", entry.key, token, body, headers)
    except RemoteError as exc:
        reporter.warn(f"remote cache {config.cache.remote_url}: cannot upload the build "
                      f"({exc})")
        return False
    return True


def pack(folder: Path) -> bytes:
    """A deterministic tar.gz of `folder`: sorted names, no owners, fixed times and modes."""
    return pack_bytes(folder)


def _unpack(config: Config, key: str, body: bytes) -> cache.Entry | None:
    scratch = cache._scratch(config.cache)
    try:
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
            members = archive.getmembers()
            for member in members:
                _check_member(member)
            if hasattr(tarfile, "data_filter"):
                archive.extractall(scratch, members=members, filter="data")
            else:  # Python < 3.10.12 / 3.11.4: the members were checked above
                archive.extractall(scratch, members=members)
        try:
            meta = json.loads((scratch / cache.META).read_text("utf-8"))
        except (OSError, ValueError):
            meta = None
        if not isinstance(meta, dict) or meta.get("key") != key:
            raise RemoteError("its meta.json is not for this key")
        damaged = verify_entry(scratch)  # signed, and also whole?
        if damaged:
            raise RemoteError(damaged)
        return cache.adopt(config.cache, key, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _check_member(member: tarfile.TarInfo) -> None:
    """Regular files, folders and links that stay inside the entry; nothing else."""
    parts = Path(member.name).parts
    if member.name.startswith("/") or ".." in parts:
        raise RemoteError(f"unsafe path {member.name!r}")
    if member.issym():
        target = Path(member.name).parent / member.linkname
        if member.linkname.startswith("/") or ".." in Path(os.path.normpath(target)).parts:
            raise RemoteError(f"link {member.name!r} leaves the entry")
    elif not (member.isreg() or member.isdir()):
        raise RemoteError(f"unexpected member {member.name!r}")
    member.mode = (member.mode or 0o644) & 0o755
    member.uid = member.gid = 0
    member.uname = member.gname = ""
