"""Signed asset URLs: the token format (nginx's secure_link), checking, the secret's rules."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from buildtools.assets import signed_url
from buildtools.assets.signing import (
    SECRET_ENV,
    Verdict,
    asset_secret,
    asset_uri,
    check,
    decoded_uri,
    sign,
)
from buildtools.errors import UserError

SECRET = "kX9-s3cret_value.with~chars"
NOW = 1_700_000_000


def _parts(url: str) -> tuple[str, dict[str, str]]:
    split = urlsplit(url)
    return split.path, dict(parse_qsl(split.query))


def test_the_token_is_base64url_md5_of_expires_uri_and_secret() -> None:
    url = sign("TestImg.png", 3600, SECRET, now=NOW)
    path, query = _parts(url)
    expires = NOW + 3600
    digest = hashlib.md5(f"{expires}/TestImg.png {SECRET}".encode()).digest()
    assert path == "/TestImg.png"
    assert query == {
        "md5": base64.b64encode(digest).decode().replace("+", "-").replace("/", "_").rstrip("="),
        "expires": str(expires),
    }
    assert url.startswith("/TestImg.png?md5=")


def test_a_signed_url_checks_valid_until_it_expires() -> None:
    path, query = _parts(sign("img/cat photo.jpg", 60, SECRET, now=NOW))
    assert path == "/img/cat%20photo.jpg"
    uri = decoded_uri(path)
    assert uri == "/img/cat photo.jpg"
    assert check(uri, query, SECRET, now=NOW) is Verdict.VALID
    assert check(uri, query, SECRET, now=NOW + 60) is Verdict.VALID
    assert check(uri, query, SECRET, now=NOW + 61) is Verdict.EXPIRED


@pytest.mark.parametrize(
    "change",
    [
        lambda q: {**q, "md5": "A" + q["md5"][1:] if q["md5"][0] != "A" else "B" + q["md5"][1:]},
        lambda q: {**q, "expires": str(int(q["expires"]) + 1)},
        lambda q: {"expires": q["expires"]},
        lambda q: {"md5": q["md5"]},
        lambda q: {},
        lambda q: {**q, "expires": "soon"},
        lambda q: {**q, "expires": "0"},
    ],
    ids=["token", "expires", "no-token", "no-expires", "nothing", "not-a-number", "zero"],
)
def test_a_tampered_or_missing_token_is_refused(change: object) -> None:
    _path, query = _parts(sign("TestImg.png", 60, SECRET, now=NOW))
    assert callable(change)
    assert check("/TestImg.png", change(query), SECRET, now=NOW) is Verdict.REFUSED


def test_a_token_is_for_one_file_and_one_secret() -> None:
    _path, query = _parts(sign("a.png", 60, SECRET, now=NOW))
    assert check("/b.png", query, SECRET, now=NOW) is Verdict.REFUSED
    assert check("/a.png", query, SECRET + "x", now=NOW) is Verdict.REFUSED


def test_an_expired_token_with_a_wrong_hash_is_refused_not_expired() -> None:
    _path, query = _parts(sign("a.png", 60, SECRET, now=NOW))
    assert check("/a.png", query, "another-secret-value", now=NOW + 999) is Verdict.REFUSED


def test_paths_are_normalised_and_must_stay_inside() -> None:
    assert asset_uri("TestImg.png") == asset_uri("/TestImg.png") == "/TestImg.png"
    assert asset_uri("./img//a.png") == "/img/a.png"
    for bad in ("", "/", "../secret.txt", "img/../../x"):
        with pytest.raises(UserError, match="not a file path inside extra_source_dir"):
            asset_uri(bad)


@pytest.mark.parametrize("ttl", [0, -5, 1.5, True, "60"])
def test_ttl_must_be_a_positive_whole_number(ttl: object) -> None:
    with pytest.raises(UserError, match="ttl must be a positive number of seconds"):
        sign("a.png", ttl, SECRET)  # type: ignore[arg-type]


def test_the_secret_comes_from_the_environment_and_is_checked() -> None:
    assert asset_secret({SECRET_ENV: SECRET}) == SECRET
    with pytest.raises(UserError, match=f"need the secret in {SECRET_ENV}; make one with"):
        asset_secret({})
    with pytest.raises(UserError, match="is 5 characters long; use at least 16"):
        asset_secret({SECRET_ENV: "short"})
    with pytest.raises(UserError, match="may hold only letters, digits"):
        asset_secret({SECRET_ENV: 'sixteen chars "quoted"'})


def test_signed_url_reads_the_secret_from_the_given_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path / "project")
    monkeypatch.chdir(tmp_path)  # no project here: the named one counts
    url = signed_url("TestImg.png", ttl=120, project=project, environ={SECRET_ENV: SECRET})
    path, query = _parts(url)
    assert path == "/TestImg.png"
    assert check("/TestImg.png", query, SECRET) is Verdict.VALID
    with pytest.raises(UserError, match=SECRET_ENV):
        signed_url("TestImg.png", project=project, environ={})


def _project(root: Path, offload: bool = False) -> Path:
    (root / "webapp").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "buildtools.toml").write_text(
        '[webapp]\nsource = "webapp"\nextra_source_dir = "assets"\n'
        '[task]\ntask_title = "t"\ntask_description = "d"\ntask_reward = 0.1\n'
        'task_tags = "t"\n'
        + ('[deploy.static]\nbucket = "task-assets"\n[assets]\naccess = "signed"\n'
           "offload = true\n" if offload else ""))
    return root


def test_signed_url_never_depends_on_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offloading = _project(tmp_path / "offloading", offload=True)
    plain = _project(tmp_path / "plain")
    environ = {SECRET_ENV: SECRET}
    for folder in (offloading, plain, tmp_path):
        monkeypatch.chdir(folder)
        with pytest.raises(UserError) as caught:
            signed_url("cat.jpg", environ=environ)
        assert str(caught.value) == (
            "signed_url: name the project the file belongs to: signed_url(path, project=<the "
            "folder of its buildtools.toml>) or config=<a loaded Config>; the current folder "
            "is not used")
        for named in (plain, plain / "buildtools.toml", plain / "webapp"):
            assert signed_url("cat.jpg", project=named, environ=environ).startswith(
                "/cat.jpg?md5=")
    script = plain / "run_task.py"
    script.write_text("")
    assert signed_url("cat.jpg", project=script, environ=environ).startswith("/cat.jpg?md5=")
    with pytest.raises(UserError, match=r"^no buildtools\.toml in "):
        signed_url("cat.jpg", project=tmp_path / "nowhere", environ=environ)
