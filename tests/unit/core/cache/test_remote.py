"""The shared remote cache: Turborepo's HTTP protocol, signed artifacts, and a server that is
down, slow or lying costing only a warning (an in-process server here; the real
turborepo-remote-cache: tests/integration/test_remote_cache.py)."""

from __future__ import annotations

import io
import os
import socket
import tarfile
from pathlib import Path

import pytest

from buildtools.core.cache import local, remote, remote_artifact
from support.remote_cache import ENV, KEY, SECRET, TEAM, artifact, config_for, warnings

# ---------------------------------------------------------------- signatures


def test_signature_round_trip_and_refusals() -> None:
    tag = remote.sign(b"k", KEY, TEAM, b"body")
    assert remote.verify(b"k", KEY, TEAM, b"body", tag)
    assert remote.verify(b"k", KEY, TEAM, b"body", tag.rstrip("="))  # unpadded too
    assert not remote.verify(b"k", KEY, TEAM, b"body!", tag)
    assert not remote.verify(b"other", KEY, TEAM, b"body", tag)
    assert not remote.verify(b"k", KEY, "team_other", b"body", tag)
    assert not remote.verify(b"k", KEY, TEAM, b"body", None)
    assert not remote.verify(b"k", KEY, TEAM, b"body", "not base64 !!")


def test_pack_is_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        folder = tmp_path / name
        (folder / "bundle").mkdir(parents=True)
        (folder / "bundle" / "index.html").write_text("x")
        (folder / "meta.json").write_text("{}")
        os.utime(folder / "meta.json", (1, 1 if name == "a" else 99999))
    assert remote.pack(tmp_path / "a") == remote.pack(tmp_path / "b")


# ---------------------------------------------------------------- a misbehaving server


def test_signed_artifact_is_taken_unsigned_or_tampered_refused(
    tmp_path: Path, fake_server: tuple[str, dict[str, object]]
) -> None:
    url, behaviour = fake_server
    config = config_for(tmp_path / "p", url)
    body = artifact(tmp_path, KEY)
    for tag, tampered, why in ((None, False, "it is not signed"),
                               (remote.sign(b"wrong", KEY, TEAM, body), False,
                                "its signature does not match"),
                               (remote.sign(SECRET.encode(), KEY, TEAM, body), True,
                                "its signature does not match")):
        behaviour.update(body=body + b"x" if tampered else body, tag=tag)
        reporter, err = warnings()
        assert remote.fetch(config, KEY, reporter, ENV) is None
        assert f"artifact {KEY} refused: {why}" in err.getvalue()
        assert local.lookup(config, KEY) is None
    behaviour.update(body=body, tag=remote.sign(SECRET.encode(), KEY, TEAM, body))
    reporter, err = warnings()
    entry = remote.fetch(config, KEY, reporter, ENV)
    assert entry is not None and err.getvalue() == ""
    assert (entry.path / "bundle" / "index.html").read_text() == "remote"
    assert local.lookup(config, KEY) == entry  # now in the local cache


@pytest.mark.parametrize(("meta_key", "taken"), [
    (f"{KEY}-0123456789abcdef", True),  # an entry made from these inputs
    (f"{'b2' * 16}-0123456789abcdef", False),  # from other inputs
    (f"{KEY}-../../x", False),  # not a safe folder name
    (f"{KEY}-", False),
])
def test_an_artifact_fetched_by_inputs_key_is_kept_as_the_entry_it_names(
    tmp_path: Path, fake_server: tuple[str, dict[str, object]], meta_key: str, taken: bool
) -> None:
    url, behaviour = fake_server
    config = config_for(tmp_path / "p", url)
    body = artifact(tmp_path, meta_key)
    behaviour.update(body=body, tag=remote.sign(SECRET.encode(), KEY, TEAM, body))
    reporter, err = warnings()
    entry = remote.fetch(config, KEY, reporter, ENV)
    if taken:
        assert entry is not None and entry.key == meta_key, err.getvalue()
        assert local.variants(config, KEY) == [entry]
    else:
        assert entry is None
        assert "its meta.json is not for this key" in err.getvalue()
        assert not (config.cache.dir / "entries").exists() or not any(
            (config.cache.dir / "entries").rglob("meta.json"))


def test_a_signed_artifact_that_is_not_whole_is_refused(
    tmp_path: Path, fake_server: tuple[str, dict[str, object]]
) -> None:
    url, behaviour = fake_server
    config = config_for(tmp_path / "p", url)
    body = artifact(tmp_path, KEY, damaged=True)
    behaviour.update(body=body, tag=remote.sign(SECRET.encode(), KEY, TEAM, body))
    reporter, err = warnings()
    assert remote.fetch(config, KEY, reporter, ENV) is None
    assert err.getvalue().strip() == (
        f"warning: remote cache: artifact {KEY} is damaged (bundle/index.html has 0 bytes, "
        "6 were stored); building locally")
    assert local.lookup(config, KEY) is None


def test_slow_or_down_server_costs_a_warning(
    tmp_path: Path, fake_server: tuple[str, dict[str, object]]
) -> None:
    url, behaviour = fake_server
    behaviour["delay"] = 2.0
    config = config_for(tmp_path / "p", url, timeout=0.3)
    reporter, err = warnings()
    assert remote.fetch(config, KEY, reporter, ENV) is None
    # the timeout, not the answer that comes after 2 s (which would be refused as unsigned)
    assert "cannot fetch the build" in err.getvalue() and "building locally" in err.getvalue()
    assert "refused" not in err.getvalue()

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    config = config_for(tmp_path / "q", f"http://127.0.0.1:{closed}")
    reporter, err = warnings()
    assert remote.fetch(config, KEY, reporter, ENV) is None
    assert "cannot fetch the build" in err.getvalue()


def test_without_signing_key_the_remote_is_not_used(tmp_path: Path) -> None:
    config = config_for(tmp_path / "p", "http://127.0.0.1:9")
    reporter, err = warnings()
    assert remote.fetch(config, KEY, reporter, {"BUILDTOOLS_REMOTE_CACHE_TOKEN": "t"}) \
        is None
    assert "set BUILDTOOLS_REMOTE_CACHE_KEY" in err.getvalue()


def test_unsafe_archive_members_are_refused(tmp_path: Path) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as archive:
        info = tarfile.TarInfo("../escape.txt")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    config = config_for(tmp_path / "p", "http://127.0.0.1:9")
    path = tmp_path / "a.tar.gz"
    path.write_bytes(raw.getvalue())
    with pytest.raises(remote.RemoteError, match="unsafe path"):
        remote_artifact.unpack(config, KEY, path)
    assert not (tmp_path / "p" / "cache" / "escape.txt").exists()


