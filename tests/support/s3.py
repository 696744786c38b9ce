"""moto's standalone S3 server on 127.0.0.1: an S3 API the deploy tests publish to."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config as BotoConfig

from support.processes import stop_group

S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@dataclass
class S3Server:
    """moto's standalone S3 server on 127.0.0.1 (port chosen by the OS)."""

    endpoint: str

    @property
    def environ(self) -> dict[str, str]:
        """What a deploy needs: PATH and the (fake) credentials; no AWS profile of this
        machine is read."""
        return {"PATH": os.environ.get("PATH", ""), **S3_CREDENTIALS,
                "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}

    def client(self) -> Any:
        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
            config=BotoConfig(s3={"addressing_style": "path"}))


def moto_server_program() -> str | None:
    """moto_server on PATH or beside this Python, or None."""
    server = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    return server if Path(server).exists() else None


@contextlib.contextmanager
def moto_server() -> Iterator[S3Server]:
    """A fresh moto_server on a port the OS chose, stopped afterwards."""
    server = moto_server_program()
    assert server is not None, "moto_server is not installed: pip install -e '.[test]'"
    proc = subprocess.Popen([server, "-H", "127.0.0.1", "-p", "0"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stderr is not None
        port = None
        for line in proc.stderr:  # werkzeug says where it listens
            found = re.search(r"Running on http://127\.0\.0\.1:(\d+)", line)
            if found:
                port = int(found.group(1))
                break
        assert port is not None, f"moto_server did not start (exit code {proc.poll()})"
        threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep the pipe drained
        yield S3Server(endpoint=f"http://127.0.0.1:{port}")
    finally:
        stop_group(proc)


def public_read(client: Any, bucket: str, prefix: str) -> None:
    """A bucket policy that lets anyone read the objects of `bucket` under `prefix`."""
    client.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": f"arn:aws:s3:::{bucket}/{prefix}*"}],
    }))


def no_aws_credentials(monkeypatch: pytest.MonkeyPatch, nowhere: Path) -> None:
    """From now on in this test, boto3 finds no credentials: none in the environment, the
    files at `nowhere` (which does not exist), no instance metadata to ask."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(nowhere))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(nowhere))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance to ask
