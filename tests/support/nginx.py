"""nginx run by a test: a main configuration of our own (pid, logs and temp files in its
folder) and a generated server block moved to 127.0.0.1."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def nginx_main_conf(path: Path, include: str) -> Path:
    """`path`, a main nginx.conf whose pid, error log and temp files are in its folder, that
    includes `include` (a file or a glob) in its http block."""
    prefix = path.parent
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = " ".join(f"{kind}_temp_path {prefix / 'tmp' / kind};"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    path.write_text(
        f"{user}worker_processes 1;\npid {prefix / (path.stem + '.pid')};\n"
        f"error_log {prefix / 'error.log'};\nevents {{}}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        f"  access_log {prefix / 'access.log'};\n  {temp}\n  include {include};\n}}\n")
    return path


def loopback(conf: str, port: int, root: Path | None = None) -> str:
    """The generated server block listening on 127.0.0.1:port instead of port 80, serving
    `root` if given; nothing else changed."""
    conf, listens = re.subn(r"^    listen 80;\n    listen \[::\]:80;\n", "", conf, flags=re.M)
    assert listens == 1, conf
    if root is not None:
        conf, roots = re.subn(r'^    root ".*";$', f'    root "{root}";', conf, flags=re.M)
        assert roots == 1, conf
    return conf.replace("server {\n", f"server {{\n    listen 127.0.0.1:{port};\n", 1)
