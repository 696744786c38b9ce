"""What every command of the ui shares: the configuration of this folder, the terminal."""

from __future__ import annotations

from pathlib import Path

from buildtools.config.load import Config, load_config
from buildtools.ui.terminal import Reporter

PROG = "buildtools"


def config_here() -> Config:
    """The configuration found from the current folder."""
    return load_config(Path.cwd())


def terminal_reporter(quiet: bool = False, verbose: bool = False) -> Reporter:
    return Reporter(quiet=quiet, verbose=verbose)
