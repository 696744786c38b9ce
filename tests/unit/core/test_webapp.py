"""Facts read from the webapp's package.json: the output folder, the build script, the
variables that reach the bundler."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from buildtools.config.load import load_config
from buildtools.core.webapp import build_env, checked_package_json, output_folder
from buildtools.errors import UserError
from buildtools.util.reads import Reads

TASK = "[task]\ntask_title='T'\ntask_description='D'\ntask_reward=1\ntask_tags='x'\n"


def project_with(tmp_path: Path, package: dict[str, object], toml: str = "") -> Path:
    (tmp_path / "webapp").mkdir()
    (tmp_path / "webapp" / "package.json").write_text(json.dumps(package))
    (tmp_path / "buildtools.toml").write_text(toml + TASK)
    return tmp_path


@pytest.mark.parametrize(
    ("script", "files", "expected"),
    [
        ("vite build", {}, "dist"),
        ("react-scripts build", {}, "build"),
        ("next build && next export", {}, "out"),
        ("webpack --mode production",
         {"webpack.config.js": "output: { path: path.join(__dirname, 'build'), "
                               "filename: 'bundle.js' }"}, "build"),
        ("webpack", {}, "dist"),
    ],
)
def test_output_folder_detection(
    tmp_path: Path, script: str, files: dict[str, str], expected: str
) -> None:
    root = project_with(tmp_path, {"scripts": {"build": script}})
    for name, text in files.items():
        (root / "webapp" / name).write_text(text)
    config = load_config(root, {})
    assert output_folder(config, checked_package_json(config)) == expected


def test_configured_output_wins(tmp_path: Path) -> None:
    root = project_with(tmp_path, {"scripts": {"build": "vite build"}},
                        "[webapp]\noutput = 'public/build/'\n")
    config = load_config(root, {})
    assert output_folder(config, checked_package_json(config)) == "public/build"


def test_build_command_must_be_defined(tmp_path: Path) -> None:
    root = project_with(tmp_path, {"scripts": {"dev": "vite", "build": "vite build"}},
                        "[webapp]\nbuild_command = 'bundle'\n")
    with pytest.raises(UserError) as info:
        checked_package_json(load_config(root, {}))
    assert str(info.value) == (
        "buildtools.toml: [webapp] build_command: package.json defines no script 'bundle'; "
        "it defines: build, dev"
    )


def test_build_env_selects_bundler_variables() -> None:
    environ = {"VITE_API": "1", "REACT_APP_X": "2", "NODE_ENV": "production", "HOME": "/root",
               "MY_FLAG": "3", "PATH": "/bin"}
    assert build_env(("MY_FLAG",), Reads(environ)) == {
        "MY_FLAG": "3", "NODE_ENV": "production", "REACT_APP_X": "2", "VITE_API": "1"}


def test_a_source_without_package_json_names_the_setting(tmp_path: Path) -> None:
    (tmp_path / "buildtools.toml").write_text("[webapp]\nsource = '/'\n" + TASK)
    config = load_config(tmp_path, {})
    with pytest.raises(UserError) as info:
        checked_package_json(config)
    assert str(info.value) == (
        "buildtools.toml: [webapp] source: no package.json in /; set it to the folder that "
        "holds the webapp's package.json")
