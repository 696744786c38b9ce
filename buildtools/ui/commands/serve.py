"""`buildtools serve`: deploy the local artifact if stale, then serve it on this machine."""

from __future__ import annotations

from buildtools.deploy import run as deploy_run
from buildtools.deploy import serve as local_server
from buildtools.deploy.architects import PUBLIC
from buildtools.ui.common import config_here
from buildtools.ui.devserver import announce, log_request
from buildtools.ui.terminal import Reporter

# How deploy's closing line for the local artifact starts: it says how to serve the artifact
# (`buildtools serve`, on [deploy.local]'s port), which is wrong advice while serving it
LOCAL_HINT_PREFIX = "local: "


class ServingReporter(Reporter):
    """The terminal reporter, less the local artifact's how-to-serve-it hint: the line that
    `serve` prints next says where it is served (with --port, not where the hint says)."""

    def info(self, text: str) -> None:
        if not text.startswith(LOCAL_HINT_PREFIX):
            super().info(text)


def run_serve(port: int | None, host: str | None) -> None:
    """Deploy the local artifact (a no-op when it is up to date), then serve it."""
    config = config_here()
    folder = deploy_run.deploy(config, ["local"], reporter=ServingReporter())["local"]
    public = folder / PUBLIC
    local = config.deploy.local
    served = public if public.is_dir() else folder
    local_server.serve(served, host or local.host, local.port if port is None else port,
                       ready=announce(served), log=log_request)
