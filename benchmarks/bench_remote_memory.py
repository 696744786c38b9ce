"""Peak memory of a remote cache fetch, before and after the artifact is streamed (by hand).

    python benchmarks/bench_remote_memory.py [--mb 200] [--runs 3] [--peer /path/to/old/tree]

A server in a child process answers one signed artifact holding one incompressible file of
--mb MB; each fetch runs in a fresh Python whose peak RSS is printed, ours (this
tree) and the peer (another checkout's source tree, e.g. main before issue 18) alternating;
the peak is the process's VmHWM (Linux).
Also an unsigned answer of the same size: what anyone who can answer as the server costs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TREE = HERE.parent

SERVER = r"""
import http.server, sys
body = open(sys.argv[1], "rb").read()
tag = sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        if "unsigned" not in self.path:
            self.send_header("x-artifact-tag", tag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
"""

FETCH = r"""
import io, sys, time
from pathlib import Path
from buildtools.config.load import build_config
from buildtools.core.cache import remote
from buildtools.ui.terminal import Reporter
root, url, key = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
(root / "webapp").mkdir(parents=True, exist_ok=True)
raw = {"webapp": {"source": "webapp"},
       "task": {"task_title": "t", "task_description": "d", "task_reward": 0.1, "task_tags": "x"},
       "cache": {"dir": str(root / "cache"), "remote_url": url, "remote_team": "team",
                 "remote_timeout_s": 120}}
config = build_config(raw, path=root / "buildtools.toml", root=root, source="buildtools.toml",
                      env={})
env = {"BUILDTOOLS_REMOTE_CACHE_TOKEN": "t", "BUILDTOOLS_REMOTE_CACHE_KEY": "secret"}
started = time.monotonic()
entry = remote.fetch(config, key, Reporter(out=io.StringIO(), err=io.StringIO()), env)
seconds = time.monotonic() - started
# VmHWM, not getrusage: ru_maxrss survives fork and exec, so it would start at the parent's
peak = next(int(line.split()[1]) for line in open("/proc/self/status")
            if line.startswith("VmHWM:")) // 1024
print(f"{'taken' if entry else 'refused'} {seconds:.2f} s, peak RSS {peak} MB "
      f"({Path(remote.__file__).parents[2].name})")
"""


def make_artifact(work: Path, key: str, megabytes: int) -> tuple[Path, str]:
    sys.path.insert(0, str(TREE))
    from buildtools.core.cache import remote
    from buildtools.core.cache.content import write_content

    folder = work / "entry"
    (folder / "bundle").mkdir(parents=True)
    (folder / "output").mkdir()
    size = megabytes * 1024 * 1024
    with (folder / "bundle" / "big.bin").open("wb") as handle:
        for _ in range(megabytes):
            handle.write(os.urandom(1024 * 1024))
    (folder / "meta.json").write_text(
        f'{{"format": 2, "key": "{key}", "output": "dist", "bytes": {size}, "files": 1}}')
    write_content(folder)
    body = remote.pack(folder)
    path = work / "artifact.tar.gz"
    path.write_bytes(body)
    return path, remote.sign(b"secret", key, "team", body)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--peer", type=Path, required=True)
    args = parser.parse_args()
    key = "ab" * 16
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        artifact, tag = make_artifact(work, key, args.mb)
        server = subprocess.Popen([sys.executable, "-c", SERVER, str(artifact), tag],
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None
            port = int(server.stdout.readline())
            base = f"http://127.0.0.1:{port}"
            for run in range(args.runs):
                for name, tree in (("ours", TREE), ("peer", args.peer)):
                    for what, url in (("signed", base), ("unsigned", base + "/unsigned")):
                        root = work / f"{name}-{what}-{run}"
                        env = {**os.environ, "PYTHONPATH": str(tree)}
                        said = subprocess.run(
                            [sys.executable, "-c", FETCH, str(root), url, key], env=env, cwd=work,
                            capture_output=True, text=True, check=True).stdout.strip()
                        print(f"{name:4} {what:8} run {run}: {said}", flush=True)
                        shutil.rmtree(root, ignore_errors=True)
                        time.sleep(0.2)
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
