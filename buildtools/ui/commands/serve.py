"""`buildtools serve`: deploy the local artifact if stale, then serve it on this machine."""

from __future__ import annotations

from buildtools.ui.common import config_here, terminal_reporter


def run_serve(port: int | None, host: str | None) -> None:
    """Deploy the local artifact (a no-op when it is up to date), then serve it."""
    from buildtools.deploy.architects import PUBLIC
    from buildtools.deploy.run import deploy
    from buildtools.deploy.serve import serve
    from buildtools.ui.devserver import announce, log_request

    config = config_here()
    folder = deploy(config, ["local"], reporter=terminal_reporter())["local"]
    public = folder / PUBLIC
    local = config.deploy.local
    served = public if public.is_dir() else folder
    serve(served, host or local.host, local.port if port is None else port,
          ready=announce(served), log=log_request)
