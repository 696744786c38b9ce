"""The incremental publish plan: pure, no network."""

from __future__ import annotations

from pathlib import Path

from buildtools.deploy.cache_policy import is_hashed
from buildtools.deploy.publish.plan import (
    LocalObject,
    RemoteObject,
    headers_for,
    parse_headers_file,
    plan_publish,
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
    plan = plan_publish([_local("site/index.html")], remote, {}, prefix="site/",
                        is_hashed=is_hashed, keep_prefixes=("buildtools-assets/",))
    assert plan.delete == ["site/old.txt"]
    assert plan.kept_hashed == ["site/assets/index-B9jXQm3a.js"]
    root = plan_publish([_local("index.html")], remote, {}, prefix="", is_hashed=is_hashed,
                        keep_prefixes=("buildtools-assets/",))
    assert root.delete == ["other/x.txt", "site/index.html", "site/old.txt"]
