"""What every command of the ui shares: the configuration of this folder, the terminal."""

from __future__ import annotations

import os

from buildtools.config.load import Config
from buildtools.core.run import find_config
from buildtools.ui.terminal import Reporter

PROG = "buildtools"


def config_here() -> Config:
    """The configuration found from the current folder, as every command finds it
    (buildtools.core.run.find_config): its warnings printed once per process."""
    return find_config(os.getcwd(), Reporter())


def terminal_reporter(quiet: bool = False, verbose: bool = False) -> Reporter:
    return Reporter(quiet=quiet, verbose=verbose)
