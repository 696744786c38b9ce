"""`buildtools serve` around the deploy and the dev server (both tested for real in
tests/integration/test_serve.py): what it prints before serving."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from buildtools.config.load import load_config
from buildtools.core.events import NullReporter
from buildtools.deploy.architects.context import PackageContext
from buildtools.deploy.architects.local import ARCHITECT as LOCAL
from buildtools.ui.commands import serve as serve_command
from buildtools.ui.commands.new import new_project


def test_serve_drops_the_deploy_hint_that_names_another_port(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "task"
    new_project(root, title="Rate the picture")
    monkeypatch.chdir(root)
    config = load_config(root)
    served: dict[str, Any] = {}

    def deploy(config: Any, architects: list[str], *, reporter: Any) -> dict[str, Path]:
        folder = root / "dist" / "local"
        reporter.up_to_date("package/local", "dist/local")
        reporter.info("waiting for another buildtools run")
        # the local architect's own hint, as deploy.run prints it after packaging
        ctx = PackageContext(config=config, bundle_dir=root / "dist" / "bundle", bundle_key="k",
                             node_version="20.0.0", reporter=NullReporter(), environ={})
        reporter.info(f"{LOCAL.name}: {LOCAL.hint(ctx, folder)}")
        return {"local": folder}

    def serve(folder: Path, host: str, port: int, **kwargs: Any) -> None:
        served.update(folder=folder, host=host, port=port)

    import buildtools.deploy.run
    import buildtools.deploy.serve

    monkeypatch.setattr(buildtools.deploy.run, "deploy", deploy)
    monkeypatch.setattr(buildtools.deploy.serve, "serve", serve)
    monkeypatch.setattr(serve_command, "config_here", lambda: config)
    monkeypatch.setenv("NO_COLOR", "1")

    serve_command.run_serve(3918, None)

    out = capsys.readouterr().out
    assert "3000" not in out and "buildtools serve" not in out
    assert "waiting for another buildtools run\n" in out and "package/local" in out
    assert served == {"folder": root / "dist" / "local", "host": "127.0.0.1", "port": 3918}


def test_the_serving_reporter_keeps_every_other_line() -> None:
    out = io.StringIO()
    reporter = serve_command.ServingReporter(out=out)
    reporter.info("heroku: set [deploy.heroku] app")
    reporter.info("local: serve it with `buildtools serve`")
    assert out.getvalue() == "heroku: set [deploy.heroku] app\n"
