"""`buildtools deploy`'s reporter: the build's closing line is not a second final line."""

from __future__ import annotations

import io

from buildtools.ui.commands.deploy import DeployReporter


def test_quiet_deploy_prints_only_its_own_final_line() -> None:
    out = io.StringIO()
    reporter = DeployReporter(out=out, quiet=True)
    reporter.up_to_date("bundle", "dist/bundle")
    reporter.final("build is up to date (0.01 s): /p/dist/bundle")  # what the build ends with
    reporter.conclude("deployed in 0.1 s: local: dist/local")
    assert out.getvalue() == "deployed in 0.1 s: local: dist/local\n"


def test_deploy_still_shows_the_build_line_when_not_quiet() -> None:
    out = io.StringIO()
    reporter = DeployReporter(out=out)
    reporter.final("build is up to date (0.01 s): /p/dist/bundle")
    reporter.conclude("deployed in 0.1 s: local: dist/local")
    assert out.getvalue().splitlines() == [
        "build is up to date (0.01 s): /p/dist/bundle", "deployed in 0.1 s: local: dist/local"]
