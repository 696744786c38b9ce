"""Signed asset URLs in nginx's secure_link format, shared by every architect that enforces them.

A signed URL is `<path>?md5=<token>&expires=<unix time>`, where the token is the MD5 of
`<expires><path> <secret>` in URL-safe base64 without padding: exactly what nginx computes for
`secure_link $arg_md5,$arg_expires;` with `secure_link_md5 "$secure_link_expires$uri <secret>";`,
so nginx checks the token with its own module. The heroku server (server.js) and
`buildtools serve` check the same token. The secret comes from BUILDTOOLS_ASSET_SECRET only and
is never written into an artifact.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from enum import Enum
from urllib.parse import quote, unquote

from buildtools.errors import UserError

SECRET_ENV = "BUILDTOOLS_ASSET_SECRET"
MIN_SECRET_LENGTH = 16
# Characters that stand in an nginx string and a shell variable without quoting trouble.
_SECRET_CHARACTERS = re.compile(r"[A-Za-z0-9_.~+/=-]+")
TOKEN_PARAM = "md5"
EXPIRES_PARAM = "expires"
SECRET_HINT = "make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class Verdict(Enum):
    VALID = "valid"
    EXPIRED = "expired"  # a genuine token past its time: nginx answers 410
    REFUSED = "refused"  # missing, malformed or wrong: 403


def secret_problem(secret: str) -> str:
    """Why `secret` cannot be used, or ""."""
    if len(secret) < MIN_SECRET_LENGTH:
        return f"is {len(secret)} characters long; use at least {MIN_SECRET_LENGTH}"
    if not _SECRET_CHARACTERS.fullmatch(secret):
        return "may hold only letters, digits and _ . ~ + / = -"
    return ""


def asset_secret(environ: Mapping[str, str]) -> str:
    secret = environ.get(SECRET_ENV, "")
    if not secret:
        raise UserError(f"signed asset URLs need the secret in {SECRET_ENV}; {SECRET_HINT}")
    problem = secret_problem(secret)
    if problem:
        raise UserError(f"{SECRET_ENV} {problem}; {SECRET_HINT}")
    return secret


def asset_uri(path: str) -> str:
    """The decoded URI path nginx sees as $uri for an asset path: `/` + the path, normalised."""
    parts = [part for part in path.replace("\\", "/").split("/") if part not in ("", ".")]
    if not parts or ".." in parts:
        raise UserError(f"signed_url: {path!r} is not a file path inside extra_source_dir")
    return "/" + "/".join(parts)


def token(uri: str, expires: int, secret: str) -> str:
    digest = hashlib.md5(f"{expires}{uri} {secret}".encode(), usedforsecurity=False).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def sign(path: str, ttl: int, secret: str, now: float | None = None) -> str:
    """`/TestImg.png?md5=...&expires=...` for `path`, valid for `ttl` seconds."""
    check_ttl(ttl)
    uri = asset_uri(path)
    expires = int(time.time() if now is None else now) + ttl
    return f"{quote(uri)}?{TOKEN_PARAM}={token(uri, expires, secret)}&{EXPIRES_PARAM}={expires}"


def check_ttl(ttl: object) -> None:
    if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl <= 0:
        raise UserError(f"signed_url: ttl must be a positive number of seconds, got {ttl!r}")


def check(uri: str, params: Mapping[str, str], secret: str, now: float | None = None) -> Verdict:
    """Judge a request for a signed file: `uri` decoded (as nginx's $uri), `params` its query."""
    given = params.get(TOKEN_PARAM, "")
    expires_text = params.get(EXPIRES_PARAM, "")
    if not given or not expires_text.isdigit() or int(expires_text) <= 0:
        return Verdict.REFUSED
    expected = token(uri, int(expires_text), secret)
    if not hmac.compare_digest(given.rstrip("=").encode(), expected.encode()):
        return Verdict.REFUSED
    current = time.time() if now is None else now
    return Verdict.EXPIRED if int(expires_text) < current else Verdict.VALID


def decoded_uri(raw_path: str) -> str:
    """A request path as nginx's $uri: percent-decoded, repeated slashes merged."""
    return re.sub(r"/{2,}", "/", unquote(raw_path))
