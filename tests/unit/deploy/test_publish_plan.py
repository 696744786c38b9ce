"""The incremental publish plan: pure, no network."""

from __future__ import annotations

from pathlib import Path

from buildtools.deploy.cache_policy import is_hashed
from buildtools.deploy.publish.plan import (
    LocalObject,
    RemoteObject,
    drift,
    headers_for,
    parse_headers_file,
    plan_publish,
    published_files,
)

HEADERS = """\
# comment
/*
  X-Robots-Tag: noindex, nofollow

/index.html
  Cache-Control: no-cache

/assets/*
  Cache-Control: public, max-age=31536000, immutable
"""


def _local(key: str, md5: str = "aa", cache: str = "no-cache") -> LocalObject:
    return LocalObject(key=key, path=Path("/dev/null"), md5=md5, size=2,
                       content_type="text/plain", cache_control=cache)


def _sent(md5: str = "aa", cache: str = "no-cache", etag: str = "aa") -> dict[str, str]:
    return {"md5": md5, "etag": etag, "content_type": "text/plain", "cache_control": cache}


def test_headers_file_rules_merge_in_order() -> None:
    rules = parse_headers_file(HEADERS)
    assert [pattern for pattern, _ in rules] == ["/*", "/index.html", "/assets/*"]
    assert headers_for("/index.html", rules) == {
        "X-Robots-Tag": "noindex, nofollow", "Cache-Control": "no-cache"}
    assert headers_for("/assets/a-B9jXQm3a.js", rules)["Cache-Control"].endswith("immutable")
    assert "Cache-Control" not in headers_for("/TestImg.png", rules)


def test_new_objects_go_first_and_the_pages_last() -> None:
    local = [_local(f"p/{name}") for name in
             ("task_config.json", "index.html", "a.png", "sub/index.html")]
    plan = plan_publish(local, {}, {}, prefix="p/", is_hashed=is_hashed)
    assert [item.key for item in plan.send] == [
        "p/a.png", "p/sub/index.html", "p/index.html", "p/task_config.json"]


def test_unchanged_changed_and_unknown_headers() -> None:
    local = [_local("same"), _local("edited", md5="bb"), _local("recached", cache="x"),
             _local("foreign"), _local("resized")]
    remote = {key: RemoteObject(key, "aa", 2) for key in
              ("same", "edited", "recached", "foreign")}
    remote["resized"] = RemoteObject("resized", "aa", 3)
    record = {"same": _sent(), "edited": _sent(), "recached": _sent(), "resized": _sent()}
    plan = plan_publish(local, remote, record, prefix="", is_hashed=is_hashed)
    assert [item.key for item in plan.unchanged] == ["same"]
    assert sorted(item.key for item in plan.send) == ["edited", "recached", "resized"]
    assert [item.key for item in plan.verify] == ["foreign"]  # same bytes, not sent by us


def test_a_bucket_copy_changed_behind_our_back_is_sent_again() -> None:
    plan = plan_publish([_local("a.txt")], {"a.txt": RemoteObject("a.txt", "cc", 2)},
                        {"a.txt": _sent()}, prefix="", is_hashed=is_hashed)
    assert [item.key for item in plan.send] == ["a.txt"]


def test_removed_files_are_deleted_but_hashed_and_kept_prefixes_stay() -> None:
    remote = {key: RemoteObject(key, "aa", 2) for key in (
        "site/old.txt", "site/assets/index-B9jXQm3a.js", "site/index.html",
        "other/x.txt", "buildtools-assets/0123/TestImg.png")}
    ours = {key: _sent() for key in remote}
    plan = plan_publish([_local("site/index.html")], remote, ours, prefix="site/",
                        is_hashed=is_hashed, keep_prefixes=("buildtools-assets/",))
    assert plan.delete == ["site/old.txt"]
    assert plan.kept_hashed == ["site/assets/index-B9jXQm3a.js"]
    root = plan_publish([_local("index.html")], remote, ours, prefix="", is_hashed=is_hashed,
                        keep_prefixes=("buildtools-assets/",))
    assert root.delete == ["other/x.txt", "site/index.html", "site/old.txt"]


def test_only_objects_an_earlier_publish_recorded_are_deleted() -> None:
    remote = {key: RemoteObject(key, "aa", 2) for key in (
        "old.txt", "other-team/report.txt", "assets/index-B9jXQm3a.js")}
    plan = plan_publish([_local("index.html")], remote, {"old.txt": _sent()}, prefix="",
                        is_hashed=is_hashed)
    assert plan.delete == ["old.txt"]
    assert plan.foreign == ["assets/index-B9jXQm3a.js", "other-team/report.txt"]
    assert plan.kept_hashed == []


def test_drift_sees_objects_deleted_or_replaced_by_hand(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"aa")
    (tmp_path / "b.txt").write_bytes(b"bb")
    files = published_files(tmp_path)
    sent = {"p/a.txt": _sent(etag="e1"), "p/b.txt": _sent(etag="e2")}
    whole = {key: RemoteObject(key, f"e{n}", 2) for n, key in enumerate(sent, 1)}
    assert drift(files, whole, sent, "p/") == ""
    assert drift(files, {"p/a.txt": whole["p/a.txt"]}, sent, "p/") == (
        "the bucket lacks 1 object(s) it was sent: p/b.txt")
    replaced = {**whole, "p/a.txt": RemoteObject("p/a.txt", "e9", 2)}
    assert drift(files, replaced, sent, "p/") == (
        "1 object(s) were changed in the bucket: p/a.txt")
    assert drift(files, replaced, {}, "p/") == ""  # sent by someone else: same size, unknown
