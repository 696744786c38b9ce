"""`buildtools preview`: build the task, then serve it as Mephisto's router serves a static task,
with units from a data file, until Ctrl-C; with --watch, rebuild on a save and reload the page.
Its terminal lines: where the preview is, each agent handed out, each submission, each error
the page logs, and with --watch each rebuild."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

from buildtools.config.model import Config
from buildtools.core import pipeline
from buildtools.deploy.preview.hub import Hub
from buildtools.deploy.preview.router import Agent, Router, Submission
from buildtools.deploy.preview.scope import out_of_scope
from buildtools.deploy.preview.server import Site, make_preview_server, url_of
from buildtools.deploy.preview.units import SUFFIXES, load_units
from buildtools.deploy.preview.watch import Watcher, content_digest, watch
from buildtools.errors import CommandFailed, UserError
from buildtools.ui.common import config_here, terminal_reporter
from buildtools.util.paths import shown

SAMPLE_DATA = "sample_data"  # sample_data.json, .jsonl or .csv beside the configuration
SUBMISSIONS = "preview-submissions.jsonl"  # in the state folder unless --submissions
LINE_MAX = 240


class TerminalListener:
    """One line per event of the router, on stdout."""

    def agent_assigned(self, agent: Agent, units: int, reconnected: bool) -> None:
        again = " again" if reconnected else ""
        _say(f"unit {agent.unit + 1} of {units} to worker {agent.worker_name}{again} "
             f"(agent {agent.agent_id}, assignment {agent.assignment_id})")

    def submitted(self, submission: Submission) -> None:
        agent = submission.agent
        who = (f"unit {agent.unit + 1}, worker {agent.worker_name}, agent {agent.agent_id}"
               if agent else f"unknown agent {submission.agent_id}")
        data = json.dumps(submission.data, ensure_ascii=False, default=str)
        _say(_clip(f"submitted {submission.kind} ({who}): {data}"))

    def frontend_error(self, agent_id: str, data: Any) -> None:
        text = json.dumps(data, ensure_ascii=False, default=str)
        _say(_clip(f"page error (agent {agent_id}): {text}"))


def run_preview(data: Path | None, submissions: Path | None, port: int, watching: bool) -> None:
    config = config_here()
    scope = out_of_scope(config)
    if scope is not None:
        raise UserError(scope)
    data_file = data if data is not None else sample_data(config)
    units = load_units(data_file) if data_file is not None else [{}]
    result = pipeline.run_stale_stages(config, reporter=terminal_reporter())
    record = submissions if submissions is not None else config.state_dir / SUBMISSIONS
    router = Router(units, record, TerminalListener())
    hub = Hub() if watching else None
    title = str(config.task.get("task_title") or config.task.get("task_name") or "task")
    site = Site(result.bundle_dir, config.webapp.source, title, router, hub)
    server = make_preview_server(site, port)
    url = url_of(server)
    where = Path.cwd()
    source = shown(data_file.resolve(), where) if data_file else "no data file: each unit is {}"
    _say(f"preview of {title!r} at {url} (Ctrl-C to stop)")
    _say(f"    a unit: {url}?worker_id=worker1&assignment_id=1 (units: {len(units)}, {source})")
    _say(f"    submissions go to {shown(record.resolve(), where)}")
    stop = threading.Event()
    if hub is not None:
        threading.Thread(target=watch, args=(_watcher(config), _rebuilder(site, config), stop),
                         daemon=True, name="preview-watch").start()
        _say("    watching the sources: a save rebuilds, and the page reloads")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        if hub is not None:
            hub.close()
        server.server_close()


def sample_data(config: Config) -> Path | None:
    for suffix in SUFFIXES:
        path = config.root / f"{SAMPLE_DATA}{suffix}"
        if path.is_file():
            return path
    return None


def _watcher(config: Config) -> Watcher:
    webapp = config.webapp
    roots = [webapp.source, config.path, *webapp.inputs]
    if webapp.extra_source_dir is not None:
        roots.append(webapp.extra_source_dir)
    if webapp.template is not None:
        roots.append(webapp.template)
    outputs = [webapp.source / webapp.output] if webapp.output else [
        webapp.source / "build", webapp.source / "dist"]
    return Watcher(roots, [*outputs, config.deploy.out, config.state_dir])


def _rebuilder(site: Site, config: Config) -> Any:
    """What a save runs: the build (the configuration read again when it was saved), then a
    reload of the open pages when the bundle they are served changed."""
    hub = site.hub
    assert hub is not None
    current = [config]

    def rebuild(changed: list[str]) -> None:
        config = current[0]
        before = content_digest(site.bundle)
        names = ", ".join(shown(Path(path), config.root) for path in changed[:3])
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        _say(f"changed: {names}{more}")
        try:
            if str(config.path) in changed:
                config = current[0] = config_here()
                site.bundle = config.bundle_dir
            pipeline.run_stale_stages(config, reporter=terminal_reporter())
        except UserError as exc:
            lines = [str(exc), *(exc.tail[-20:] if isinstance(exc, CommandFailed) else [])]
            sys.stderr.write(f"error: {exc}\n")
            sys.stderr.flush()
            _say("    the page keeps the last good bundle; save again to retry")
            hub.failed("\n".join(lines))
            return
        if content_digest(site.bundle) != before:
            hub.reload()
            _say(f"    reloading {hub.listeners} open page(s)")
        else:
            hub.recovered()

    return rebuild


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _clip(text: str) -> str:
    return text if len(text) <= LINE_MAX else text[: LINE_MAX - 1] + "…"
