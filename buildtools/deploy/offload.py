"""Offloaded assets: extra_source_dir in object storage instead of inside every artifact.

With `[assets] offload = true`, `deploy` publishes the files of extra_source_dir to
`[deploy.static] bucket` under `<assets_prefix><content digest>/` (an old page keeps finding its
files: a change makes a new prefix), leaves them out of every architect's artifact, and writes
their base URL into task_config.json as `assets_base_url`. `signed_url` then gives the object
store's presigned URL (access = "signed") or the plain URL.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from buildtools.assets.signing import asset_uri
from buildtools.assets.upload import collect_assets
from buildtools.config.assets import StaticSettings
from buildtools.config.model import Config
from buildtools.core.events import Reporter
from buildtools.core.freshness import StagePlan, StampStore
from buildtools.deploy.cache_policy import IMMUTABLE, is_hashed
from buildtools.deploy.publish.s3 import bucket_drift, publish_folder, target_of
from buildtools.errors import UserError
from buildtools.util.bounded_http import TransferError, request
from buildtools.util.mime import mime_type

BASE_URL_KEY = "assets_base_url"  # in task_config.json
STAGE = "publish/assets"
_DIGEST_LENGTH = 16
CHECK_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Offload:
    folder: Path  # extra_source_dir
    files: Mapping[str, Path]  # relative path -> file, as the bundle has them
    key_prefix: str  # <assets_prefix><digest>/
    base_url: str  # where the files are fetched from, ends with "/"

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.files)


def content_digest(files: Mapping[str, Path]) -> str:
    """A digest of the names and contents of the files."""
    total = hashlib.sha256()
    for relative in sorted(files):
        one = hashlib.sha256()
        with files[relative].open("rb") as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                one.update(chunk)
        total.update(f"{relative}\0{one.hexdigest()}\n".encode())
    return total.hexdigest()[:_DIGEST_LENGTH]


def bucket_url(static: StaticSettings) -> str:
    """The public URL of the bucket's root, ending with "/"."""
    if static.endpoint_url:
        return f"{static.endpoint_url}/{static.bucket}/"
    region = static.region or "us-east-1"
    host = "s3.amazonaws.com" if region == "us-east-1" else f"s3.{region}.amazonaws.com"
    return f"https://{static.bucket}.{host}/"


def offload_of(config: Config) -> Offload | None:
    """The offload of this project's assets, or None when [assets] offload is false."""
    if not config.assets.offload:
        return None
    folder = config.webapp.extra_source_dir
    if folder is None:
        raise UserError(
            f"{config.display_name}: [assets] offload = true but [webapp] extra_source_dir is "
            "not set; set it to the folder of the assets, or set offload = false"
        )
    files = collect_assets(folder, config.webapp.extra_source_allow)
    static = config.deploy.static
    key_prefix = f"{static.assets_prefix}{content_digest(files)}/"
    return Offload(folder, files, key_prefix, bucket_url(static) + key_prefix)


def strip_offloaded(public: Path, offload: Offload) -> None:
    """Remove the offloaded files from a copy of the bundle; tell the page where they are."""
    for relative in offload.files:
        (public / relative).unlink(missing_ok=True)
        parent = (public / relative).parent
        while parent != public and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    config_file = public / "task_config.json"
    if config_file.is_file():
        data = json.loads(config_file.read_text("utf-8"))
        data[BASE_URL_KEY] = offload.base_url
        config_file.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", "utf-8")


def publish_assets(
    config: Config,
    offload: Offload,
    stamps: StampStore,
    *,
    reporter: Reporter,
    environ: Mapping[str, str],
    force: bool,
) -> None:
    """The `publish/assets` stage: the files under their content-addressed prefix."""
    static = config.deploy.static
    target = target_of(static, offload.key_prefix)
    plan = StagePlan(
        name=STAGE,
        inputs={"target": target, "endpoint": static.endpoint_url},
        stamp=stamps.read(STAGE),
        force=force,
    )
    why = plan.reason() if not plan.up_to_date else bucket_drift(
        offload.folder, static, prefix=offload.key_prefix, state_dir=config.state_dir,
        environ=environ, files=offload.files)
    if not why:
        reporter.up_to_date(STAGE, f"{target} has these assets")
        check_signed_only(config, offload)
        return
    reporter.runs(STAGE, why)
    stamps.clear(STAGE)
    started = time.monotonic()
    published = publish_folder(
        offload.folder, static, prefix=offload.key_prefix, state_dir=config.state_dir,
        reporter=reporter, environ=environ, mime_type=mime_type, is_hashed=is_hashed,
        files=offload.files, default_cache=IMMUTABLE,
    )
    check_signed_only(config, offload)  # before the stamp: a public bucket fails every run
    stamps.write(STAGE, plan.key, plan.stamp_info())
    reporter.done(STAGE, time.monotonic() - started, f"{target}: {published.summary()}")


def check_signed_only(config: Config, offload: Offload) -> None:
    """With access = "signed", an unsigned request for an offloaded asset must be refused: a
    site bucket is often public, and a public-read policy over the assets' prefix would serve
    "signed" assets to anyone. Asked of the object store itself, for one offloaded file, at
    every deploy (a bucket policy can change between two deploys)."""
    if not config.assets.signed or not offload.files:
        return
    relative = sorted(offload.files)[0]
    url = offload.base_url + quote(relative)
    try:
        status, _headers = request("GET", url, timeout=CHECK_TIMEOUT_S, any_status=True)
    except TransferError as exc:
        raise UserError(f'[assets] access = "signed": cannot check that {url} is refused '
                        f"without a signature ({exc}); is [deploy.static] endpoint_url right?"
                        ) from None
    if 200 <= status < 300:
        raise UserError(
            f'[assets] access = "signed", but the bucket serves {url} without a signature '
            f"(HTTP {status}): anyone can read s3://{config.deploy.static.bucket}/"
            f"{offload.key_prefix}; take {config.deploy.static.assets_prefix} out of the "
            "bucket's public-read policy or ACL (the site's own prefix may stay public)")


_CLIENTS: dict[tuple[str, ...], Any] = {}
_OFFLOADS: dict[Path, Offload] = {}


def offloaded_url(config: Config, path: str, ttl: int, environ: Mapping[str, str]) -> str:
    """The URL of an offloaded asset: presigned for `ttl` seconds when access is "signed"."""
    offload = _OFFLOADS.get(config.path)
    if offload is None:
        found = offload_of(config)
        assert found is not None
        offload = _OFFLOADS.setdefault(config.path, found)
    relative = asset_uri(path)[1:]
    if relative not in offload.files:
        raise UserError(f"signed_url: '{relative}' is not a file of {offload.folder}")
    if not config.assets.signed:
        return offload.base_url + quote(relative)
    from botocore.exceptions import BotoCoreError

    from buildtools.deploy.publish.s3 import make_client, reason

    static = config.deploy.static
    key = (static.endpoint_url, static.bucket, static.region)
    client = _CLIENTS.get(key) or _CLIENTS.setdefault(key, make_client(static, environ))
    try:
        url: str = client.generate_presigned_url(
            "get_object",
            Params={"Bucket": static.bucket, "Key": offload.key_prefix + relative},
            ExpiresIn=ttl,
        )
    except BotoCoreError as exc:
        raise UserError(f"signed_url: cannot sign the URL of '{relative}': {reason(exc)}"
                        ) from None
    return url
