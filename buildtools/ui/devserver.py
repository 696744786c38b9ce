"""`python -m buildtools.ui.devserver FOLDER [--host H] [--port P]`: serve a folder as
`buildtools serve` does, without a project (no config, no deploy)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from buildtools.deploy.serve import serve
from buildtools.errors import UserError


def announce(folder: Path) -> Callable[[str], None]:
    def ready(url: str) -> None:
        print(f"serving {folder} at {url} (Ctrl-C to stop)", flush=True)

    return ready


def log_request(line: str) -> None:
    sys.stderr.write(f"    {line}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m buildtools.ui.devserver FOLDER [--host H] [--port P]`."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m buildtools.ui.devserver", description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)
    try:
        serve(args.folder, args.host, args.port, ready=announce(args.folder), log=log_request)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
