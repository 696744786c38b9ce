"""A fake Node installation: its node is a shell script that prints a version and counts its
runs (for the toolchain's tests, which find and ask a Node but never build with it)."""

from __future__ import annotations

from pathlib import Path


class FakeNode:
    """A Node prefix whose node is a shell script that prints a version and counts its runs."""

    @staticmethod
    def make(prefix: Path, version: str, npm_version: str = "9.9.9", npm: bool = True) -> Path:
        """<prefix>/bin/node printing v<version>; npm at <prefix>/lib/node_modules/npm.
        Returns <prefix>/bin."""
        bin_dir = prefix / "bin"
        bin_dir.mkdir(parents=True)
        runs = prefix / "runs"
        node = bin_dir / "node"
        node.write_text(f'#!/bin/sh\necho x >> "{runs}"\necho v{version}\n')
        node.chmod(0o755)
        if npm:
            npm_dir = prefix / "lib" / "node_modules" / "npm"
            (npm_dir / "bin").mkdir(parents=True)
            (npm_dir / "package.json").write_text(
                f'{{"name": "npm", "version": "{npm_version}"}}')
            cli = npm_dir / "bin" / "npm-cli.js"
            cli.write_text("#!/usr/bin/env node\n")
            cli.chmod(0o755)
            (bin_dir / "npm").symlink_to("../lib/node_modules/npm/bin/npm-cli.js")
        return bin_dir

    @staticmethod
    def runs(bin_dir: Path) -> int:
        """How many times the node of `bin_dir` ran."""
        runs = bin_dir.parent / "runs"
        return len(runs.read_text().splitlines()) if runs.exists() else 0
