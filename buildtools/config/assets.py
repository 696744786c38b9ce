"""The [assets] table, the one model of its access mode, and the object storage keys of
[deploy.static].

    [assets]
    access = "unlisted"   # public | unlisted | signed
    offload = false       # extra_source_dir goes to the bucket, not into the artifacts

    [deploy.static]
    bucket = "my-task-site"
    endpoint_url = ""     # for R2, MinIO, a local S3 server; "" means AWS
    prefix = ""           # where the site goes in the bucket, e.g. "tasks/rating/"
    region = ""
    assets_prefix = "buildtools-assets/"   # offloaded and signed assets, per content digest
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from buildtools.config.schema import Field, validate_table
from buildtools.errors import UserError

ACCESS_MODES = ("public", "unlisted", "signed")
DEFAULT_ACCESS = "unlisted"
# What each mode exposes, as `buildtools assets` says it
EXPOSURE = {
    "public": "anyone with a file's URL can fetch it, and search engines may index it",
    "unlisted": "anyone with a file's URL can fetch it; robots.txt and X-Robots-Tag ask "
                "crawlers not to index it, and no listing names it",
    "signed": "only URLs with a valid, unexpired token fetch a file (403 otherwise); the page "
              "and the build's own files stay public",
}
DEFAULT_ASSETS_PREFIX = "buildtools-assets/"
# S3's rules for a bucket name, the part that matters for a clear error early.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def _access(value: str) -> str | None:
    if value in ACCESS_MODES:
        return None
    return f"must be one of {', '.join(ACCESS_MODES)}, got {value!r}"


def _bucket(value: str) -> str | None:
    if not value or _BUCKET.fullmatch(value):
        return None
    return (
        f"must be an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens), "
        f"got {value!r}"
    )


def _endpoint(value: str) -> str | None:
    if not value or re.match(r"https?://[^/\s]+", value):
        return None
    return f"must be an http(s) URL such as https://s3.example.com, got {value!r}"


def _key_prefix(value: str) -> str | None:
    parts = value.strip("/").split("/")
    if value.strip("/") and any(part in ("", ".", "..") for part in parts):
        return f"must be a key prefix such as 'tasks/rating/', got {value!r}"
    return None


ASSETS_FIELDS: dict[str, Field] = {
    "access": Field(str, DEFAULT_ACCESS, check=_access),
    "offload": Field(bool, False),
}

STATIC_FIELDS: dict[str, Field] = {
    "bucket": Field(str, "", check=_bucket),
    "endpoint_url": Field(str, "", check=_endpoint),
    "prefix": Field(str, "", check=_key_prefix),
    "region": Field(str, ""),
    "assets_prefix": Field(str, DEFAULT_ASSETS_PREFIX, check=_key_prefix),
}


@dataclass(frozen=True)
class AccessMode:
    """Who may fetch the task assets ([assets] access), as the config says it and as an
    artifact carries it (buildtools.assets.access.AccessPolicy):

    - public: served like any file;
    - unlisted (the default): no listing, a robots.txt that disallows everything, and
      `X-Robots-Tag: noindex, nofollow` on every response;
    - signed: unlisted, and each file of extra_source_dir is served only with a valid,
      expiring token in its URL (buildtools.assets.signing); the page and the build's own
      files stay public.
    """

    access: str = DEFAULT_ACCESS  # one of ACCESS_MODES

    @property
    def unlisted(self) -> bool:
        """robots.txt and X-Robots-Tag: in every mode but public."""
        return self.access != "public"

    @property
    def signed(self) -> bool:
        return self.access == "signed"

    @property
    def exposure(self) -> str:
        return EXPOSURE[self.access]


@dataclass(frozen=True)
class AssetsConfig(AccessMode):
    offload: bool = False


@dataclass(frozen=True)
class StaticSettings:
    bucket: str = ""
    endpoint_url: str = ""
    prefix: str = ""  # "" or ends with "/"
    region: str = ""
    assets_prefix: str = DEFAULT_ASSETS_PREFIX


def _as_prefix(value: str) -> str:
    stripped = value.strip("/")
    return stripped + "/" if stripped else ""


def static_settings(values: Mapping[str, Any]) -> StaticSettings:
    """StaticSettings from the validated [deploy.static] table."""
    return StaticSettings(
        bucket=values["bucket"],
        endpoint_url=values["endpoint_url"].rstrip("/"),
        prefix=_as_prefix(values["prefix"]),
        region=values["region"],
        assets_prefix=_as_prefix(values["assets_prefix"]) or DEFAULT_ASSETS_PREFIX,
    )


def read_assets(source: str, raw: Any, static: StaticSettings) -> AssetsConfig:
    """The [assets] table, checked against the storage settings it needs."""
    values = validate_table(source, "assets", raw, ASSETS_FIELDS)
    assets = AssetsConfig(access=values["access"], offload=values["offload"])
    if assets.offload and not static.bucket:
        raise UserError(
            f"{source}: [assets] offload = true needs a bucket to put the assets in; set "
            "[deploy.static] bucket (and endpoint_url for a store other than AWS)"
        )
    if static.bucket and static.prefix and static.assets_prefix.startswith(static.prefix):
        raise UserError(
            f"{source}: [deploy.static] assets_prefix '{static.assets_prefix}' lies inside "
            f"prefix '{static.prefix}'; the site's files and the assets need separate prefixes"
        )
    return assets
