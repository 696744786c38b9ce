"""The preview's HTTP side, in this process on 127.0.0.1: the page with the mock crowd wrapper
(and the reload script only with --watch), task_config.json, the router's routes, the bundle's
files and nothing outside it, and the server-sent events of a rebuild."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from buildtools.deploy.preview.hub import Hub
from buildtools.deploy.preview.router import Router
from buildtools.deploy.preview.server import Site, make_preview_server, url_of


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    folder = tmp_path / "dist" / "bundle"
    folder.mkdir(parents=True)
    (folder / "bundle.js").write_text("console.log('task')\n")
    (folder / "task_config.json").write_text('{"task_title": "Rate it", "block_mobile": true}')
    (tmp_path / "secret.txt").write_text("no")
    modules = tmp_path / "webapp" / "node_modules" / "mephisto-task"
    modules.mkdir(parents=True)
    (modules / "package.json").write_text('{"name": "mephisto-task", "version": "2.0.4"}')
    return folder


def start(site: Site) -> Iterator[str]:
    server = make_preview_server(site, 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield url_of(server)
    finally:
        if site.hub is not None:
            site.hub.close()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def served(bundle: Path, tmp_path: Path) -> Iterator[str]:
    site = Site(bundle, tmp_path / "webapp", "Rate it", Router([{"text": "hi"}],
                                                               tmp_path / "s.jsonl"))
    yield from start(site)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def post(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_a_bundle_js_task_gets_the_shell_page_with_the_mock_wrapper_first(served: str) -> None:
    status, page = get(served)
    assert status == 200
    assert page.index('src="wrap_crowd_source.js"') < page.index('src="bundle.js"')
    assert "<title>Rate it</title>" in page
    assert "__preview" not in page  # no reload script without --watch
    status, wrapper = get(served + "wrap_crowd_source.js")
    assert status == 200 and "function getAgentRegistration" in wrapper
    assert get(served + "__preview/events")[0] == 404


def test_task_config_says_the_installed_mephisto_task_version(served: str) -> None:
    config = json.loads(get(served + "task_config.json?mephisto_task_version=2.0.4")[1])
    assert config == {"task_title": "Rate it", "block_mobile": True,
                      "mephisto_task_version": "2.0.4"}


def test_the_router_routes_answer_as_mephistos_router(served: str, tmp_path: Path) -> None:
    details = post(served + "request_agent", {"provider_data": {
        "worker_name": "w", "assignment_id": "1", "agent_registration_id": "1-w"}})
    assert details["data"]["init_task_data"] == {"text": "hi"}
    agent = details["data"]["agent_id"]
    assert post(served + "submit_task", {"USED_AGENT_ID": agent, "final_data": {"r": 1}}) == {
        "status": "Submitted!"}
    assert post(served + "submit_metadata", {"USED_AGENT_ID": agent, "metadata": {}}) == {
        "status": "Submitted Metadata!"}
    assert post(served + "log_error", {"USED_AGENT_ID": agent, "error_data": "x"}) == {
        "status": "Error log sent!"}
    lines = (tmp_path / "s.jsonl").read_text().splitlines()
    assert [json.loads(line)["kind"] for line in lines] == ["task", "metadata"]


def test_a_multipart_submission_with_a_file_is_recorded_with_the_files_name(
        served: str, tmp_path: Path) -> None:
    boundary = "XyZ"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"USED_AGENT_ID\"\r\n\r\n7"
            f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"final_string_data\""
            f"\r\n\r\n{{\"r\": 2}}\r\n--{boundary}\r\nContent-Disposition: form-data; "
            f"name=\"upload\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello"
            f"\r\n--{boundary}--\r\n").encode()
    request = urllib.request.Request(served + "submit_task", data=body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.loads(response.read()) == {"status": "Submitted!"}
    line = json.loads((tmp_path / "s.jsonl").read_text())
    assert line["agent_id"] == "7"
    assert line["data"] == {"r": 2, "files": [
        {"fieldname": "upload", "filename": "a.txt", "size": 5}]}


def test_only_the_bundles_files_are_served(served: str) -> None:
    assert get(served + "bundle.js") == (200, "console.log('task')\n")
    assert get(served + "../secret.txt")[0] == 404
    assert get(served + "%2e%2e/secret.txt")[0] == 404
    assert get(served + "missing.js")[0] == 404


def test_with_watch_the_page_gets_the_reload_script_and_the_events(
        bundle: Path, tmp_path: Path) -> None:
    (bundle / "index.html").write_text(
        "<html><head><title>t</title></head><body><script type=module src=x.js></script>"
        "</body></html>")
    hub = Hub()
    site = Site(bundle, tmp_path / "webapp", "t", Router([{}]), hub)
    for url in start(site):
        page = get(url)[1]
        assert page.startswith('<html><head><script src="wrap_crowd_source.js"></script>')
        assert '<script src="/__preview/reload.js"></script></head>' in page
        assert "EventSource" in get(url + "__preview/reload.js")[1]
        hub.failed("npm run build failed\nsrc/App.jsx: Unexpected token")
        with urllib.request.urlopen(url + "__preview/events", timeout=5) as events:
            assert events.readline() == b"retry: 500\n"
            events.readline()
            # a page that connects while the build is failed hears why at once
            assert events.readline() == b"event: build-error\n"
            assert events.readline() == b"data: npm run build failed\n"
            assert events.readline() == b"data: src/App.jsx: Unexpected token\n"
            events.readline()
            hub.reload()
            assert events.readline() == b"event: reload\n"
        assert hub.error is None
