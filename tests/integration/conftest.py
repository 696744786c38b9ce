"""Fixtures of the integration tests: a tiny real project (real npm, real node, no
dependencies to download) and a runner of the real `buildtools` command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

BUILDTOOLS = str(Path(sys.executable).parent / "buildtools")
TINY_TOML = """\
[webapp]
source = "webapp"
output = "dist"
extra_source_dir = "assets"

[task]
task_title = "Tiny"
task_description = "A tiny task."
task_reward = 0.1
task_tags = "tiny"
"""
# The build: dist/index.html made of src/*.txt, of the `text` of each dependency, and of the
# files that TINY_READ lists (paths relative to the webapp, comma-separated)
TINY_BUILD = """\
const fs = require('fs');
fs.appendFileSync('../counts/build', 'x');
let body = fs.readdirSync('src').sort().map((n) => fs.readFileSync('src/' + n, 'utf8')).join('');
for (const name of Object.keys(require('./package.json').dependencies || {})) {
  body += require(name).text;
}
for (const path of (process.env.TINY_READ || '').split(',').filter(Boolean)) {
  body += fs.readFileSync(path, 'utf8');
}
fs.mkdirSync('dist', {recursive: true});
fs.writeFileSync('dist/index.html', '<p>' + body + '</p>');
"""


COUNT_INSTALL = "node -e \"require('fs').appendFileSync('../counts/install','x')\""


@dataclass
class Tiny:
    root: Path

    @property
    def webapp(self) -> Path:
        return self.root / "webapp"

    @property
    def bundle(self) -> Path:
        return self.root / "dist" / "bundle"

    def count(self, what: str) -> int:
        path = self.root / "counts" / what
        return len(path.read_text()) if path.exists() else 0

    def run(self, *args: str, env: dict[str, str] | None = None, code: int | None = 0,
            command: str = BUILDTOOLS, prefix: tuple[str, ...] = ()
            ) -> subprocess.CompletedProcess[str]:
        """`buildtools ARGS` (or `command ARGS`) in the project; asserts the exit code."""
        full_env = clean_env()
        full_env.update(env or {})
        result = subprocess.run([*prefix, command, *args], cwd=self.root, env=full_env,
                                capture_output=True, text=True, timeout=600)
        if code is not None and result.returncode != code:
            raise AssertionError(f"{command} {' '.join(args)} exited {result.returncode}, "
                                 f"not {code}\n{result.stdout}\n{result.stderr}")
        return result

    def edit_package_json(self, **changes: object) -> None:
        path = self.webapp / "package.json"
        data = json.loads(path.read_text())
        data.update(changes)
        path.write_text(json.dumps(data, indent=2) + "\n")


def clean_env() -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1"}
    for name in ("BUILDTOOLS_FORCE_REBUILD", "BUILDTOOLS_CONFIG"):
        env.pop(name, None)
    return env


def make_tiny(root: Path, toml: str = TINY_TOML, lockfile: bool = True) -> Tiny:
    """A project whose webapp has no dependencies: its build is `node build.cjs`; with the
    package-lock.json that npm would write for it, unless `lockfile` is false."""
    (root / "webapp" / "src").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "counts").mkdir()
    (root / "buildtools.toml").write_text(toml)
    (root / "dodo.py").write_text("from buildtools.tasks import *  # noqa: F403\n")
    (root / "assets" / "note.txt").write_text("an asset\n")
    (root / "webapp" / "src" / "a.txt").write_text("hello")
    (root / "webapp" / "build.cjs").write_text(TINY_BUILD)
    (root / "webapp" / "package.json").write_text(json.dumps(
        {"name": "tiny", "version": "1.0.0", "private": True,
         "scripts": {"build": "node build.cjs", "postinstall": COUNT_INSTALL}}, indent=2) + "\n")
    if lockfile:
        (root / "webapp" / "package-lock.json").write_text(json.dumps(
            {"name": "tiny", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
             "packages": {"": {"name": "tiny", "version": "1.0.0"}}}, indent=2) + "\n")
    return Tiny(root)


@pytest.fixture
def tiny(tmp_path: Path) -> Tiny:
    return make_tiny(tmp_path / "tiny")


def needs(binary: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(shutil.which(binary) is None, reason=f"{binary} is not installed")


# ---------------------------------------------------------------- a real S3-API server

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
        import boto3
        from botocore.config import Config as BotoConfig

        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
            config=BotoConfig(s3={"addressing_style": "path"}))


@pytest.fixture
def s3() -> Iterator[S3Server]:
    """A fresh moto_server per test, stopped afterwards."""
    import re
    import signal

    server = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    if not Path(server).exists():
        pytest.skip("moto_server is not installed: pip install -e '.[test]'")
    proc = subprocess.Popen([server, "-H", "127.0.0.1", "-p", "0"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
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
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
