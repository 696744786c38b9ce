"""Publish a folder to an S3-compatible bucket with boto3, incrementally (see plan.py).

Credentials come from the usual AWS environment variables or profile (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE). A custom endpoint_url (R2, MinIO, a
local test server) is addressed path-style. A failure midway leaves the site serving what it
served: new files go first, the pages last, deletions after them; the record of what was sent
is kept for what did go.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buildtools.config.assets import StaticSettings
from buildtools.core.events import Reporter
from buildtools.deploy.publish.plan import (
    DEFAULT_CACHE_CONTROL,
    LocalObject,
    Plan,
    RemoteObject,
    drift,
    in_sending_order,
    local_objects,
    plan_publish,
    published_files,
)
from buildtools.errors import UserError
from buildtools.util import atomic
from buildtools.util.hashing import digest
from buildtools.util.jsonfile import read_object

INSTALL_HINT = "pip install 'buildtools[s3]'"


@dataclass(frozen=True)
class Published:
    sent: int
    unchanged: int
    deleted: int
    kept_hashed: int
    seconds: float
    foreign: int = 0

    def summary(self) -> str:
        kept = f", {self.kept_hashed} hashed file(s) of earlier deploys kept" * bool(
            self.kept_hashed)
        foreign = f", {self.foreign} object(s) not published by this project left alone" * bool(
            self.foreign)
        counts = f"{self.sent} sent, {self.unchanged} unchanged, {self.deleted} deleted"
        return counts + kept + foreign


def target_of(static: StaticSettings, prefix: str | None = None) -> str:
    return f"s3://{static.bucket}/{static.prefix if prefix is None else prefix}"


def make_client(static: StaticSettings, environ: Mapping[str, str]) -> Any:
    """A boto3 S3 client for the [deploy.static] settings."""
    try:
        import boto3
        from botocore.config import Config as BotoConfig
    except ImportError:
        raise UserError(
            f"[deploy.static] bucket is set: publishing needs boto3; {INSTALL_HINT}"
        ) from None
    from botocore.exceptions import BotoCoreError

    try:
        session = boto3.session.Session(
            aws_access_key_id=environ.get("AWS_ACCESS_KEY_ID") or None,
            aws_secret_access_key=environ.get("AWS_SECRET_ACCESS_KEY") or None,
            aws_session_token=environ.get("AWS_SESSION_TOKEN") or None,
            region_name=static.region or environ.get("AWS_REGION")
            or environ.get("AWS_DEFAULT_REGION") or None,
            profile_name=environ.get("AWS_PROFILE") or None,
        )
        config = BotoConfig(
            s3={"addressing_style": "path"} if static.endpoint_url else {},
            signature_version="s3v4",
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=10,
            read_timeout=60,
        )
        return session.client("s3", endpoint_url=static.endpoint_url or None, config=config)
    except BotoCoreError as exc:
        raise UserError(f"[deploy.static]: cannot make an S3 client: {exc}") from None


def list_objects(client: Any, bucket: str, prefix: str) -> dict[str, RemoteObject]:
    found: dict[str, RemoteObject] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            found[item["Key"]] = RemoteObject(
                key=item["Key"], etag=str(item.get("ETag", "")).strip('"'), size=int(item["Size"])
            )
    return found


def record_path(state_dir: Path, static: StaticSettings, prefix: str) -> Path:
    """Where this machine keeps what it sent to one bucket and prefix."""
    name = digest(static.endpoint_url, static.bucket, prefix)[:16]
    return state_dir / "publish" / f"s3-{name}.json"


def _read_record(path: Path) -> dict[str, dict[str, str]]:
    return read_object(path) or {}


def publish_folder(
    folder: Path,
    static: StaticSettings,
    *,
    prefix: str,
    state_dir: Path,
    reporter: Reporter,
    environ: Mapping[str, str],
    mime_type: Callable[[str], str],
    is_hashed: Callable[[str], bool],
    keep_prefixes: Iterable[str] = (),
    skip: Iterable[str] = (),
    files: Mapping[str, Path] | None = None,
    default_cache: str = DEFAULT_CACHE_CONTROL,
    client: Any = None,
) -> Published:
    """Make `s3://bucket/prefix` hold the files of `folder`, sending only what changed."""
    started = time.monotonic()
    client = client or make_client(static, environ)  # first: it says when boto3 is missing
    from botocore.exceptions import BotoCoreError, ClientError

    where = target_of(static, prefix)
    record_file = record_path(state_dir, static, prefix)
    record = _read_record(record_file)
    local = local_objects(folder, prefix, mime_type, skip, files=files,
                          default_cache=default_cache)
    try:
        remote = list_objects(client, static.bucket, prefix)
        plan = plan_publish(local, remote, record, prefix=prefix, is_hashed=is_hashed,
                            keep_prefixes=keep_prefixes)
        etags = {key: obj.etag for key, obj in remote.items()}
        _verify(client, static.bucket, plan, record, etags, prefix)
        try:
            _send(client, static.bucket, plan, record, reporter)
            for key in plan.delete:
                client.delete_object(Bucket=static.bucket, Key=key)
                record.pop(key, None)
        finally:
            atomic.write_json(record_file, record)
    except (BotoCoreError, ClientError) as exc:
        raise UserError(f"publish to {where} failed: {reason(exc)}") from None
    return Published(
        sent=len(plan.send), unchanged=len(plan.unchanged), deleted=len(plan.delete),
        kept_hashed=len(plan.kept_hashed), seconds=time.monotonic() - started,
        foreign=len(plan.foreign),
    )


def bucket_drift(
    folder: Path,
    static: StaticSettings,
    *,
    prefix: str,
    state_dir: Path,
    environ: Mapping[str, str],
    skip: Iterable[str] = (),
    files: Mapping[str, Path] | None = None,
    client: Any = None,
) -> str:
    """Why `s3://bucket/prefix` no longer holds the files of `folder` as the last publish left
    them ("" when it does); one listing, read before a publish is called up to date."""
    client = client or make_client(static, environ)
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        remote = list_objects(client, static.bucket, prefix)
    except (BotoCoreError, ClientError) as exc:
        raise UserError(f"cannot list {target_of(static, prefix)}: {reason(exc)}") from None
    record = _read_record(record_path(state_dir, static, prefix))
    return drift(published_files(folder, skip, files), remote, record, prefix)


def _entry(item: LocalObject, etag: str) -> dict[str, str]:
    return {"md5": item.md5, "etag": etag, **item.headers()}


def _verify(client: Any, bucket: str, plan: Plan, record: dict[str, dict[str, str]],
            etags: Mapping[str, str], prefix: str) -> None:
    """Objects with the right bytes but unknown headers: ask for them (once; then recorded)."""
    for item in plan.verify:
        head = client.head_object(Bucket=bucket, Key=item.key)
        if head.get("ContentType") == item.content_type and (
            head.get("CacheControl") == item.cache_control
        ):
            plan.unchanged.append(item)
            record[item.key] = _entry(item, etags[item.key])
        else:
            plan.send.append(item)
    plan.send = in_sending_order(plan.send, prefix)
    plan.verify = []


def _send(client: Any, bucket: str, plan: Plan, record: dict[str, dict[str, str]],
          reporter: Reporter) -> None:
    bar = reporter.progress(len(plan.send), "uploading")
    try:
        for item in plan.send:
            with item.path.open("rb") as body:
                answer = client.put_object(
                    Bucket=bucket, Key=item.key, Body=body, ContentType=item.content_type,
                    CacheControl=item.cache_control, ContentMD5=_content_md5(item.md5),
                )
            record[item.key] = _entry(item, str(answer.get("ETag", "")).strip('"'))
            bar.advance()
    finally:
        bar.close()


def _content_md5(hex_digest: str) -> str:
    import base64

    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")


def reason(exc: Exception) -> str:
    """What went wrong with an S3 call, in one line (with what to do when we know it)."""
    from botocore.exceptions import NoCredentialsError

    if isinstance(exc, NoCredentialsError):
        return (f"{exc}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE "
                "(a profile of ~/.aws/credentials)")
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {})
        code, message = error.get("Code", ""), error.get("Message", "")
        if code or message:
            return f"{code}: {message}".strip(": ")
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
