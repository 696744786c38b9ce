"""What every command of the ui shares: the configuration of this folder, the terminal."""

from __future__ import annotations

from pathlib import Path

from buildtools.config.load import Config, load_config
from buildtools.ui.terminal import Reporter

PROG = "buildtools"


_warned: set[str] = set()


def config_here() -> Config:
    """The configuration found from the current folder; its warnings (keys of a Mephisto YAML
    that nothing reads) are printed once per process."""
    config = load_config(Path.cwd())
    for text in config.warnings:
        if text not in _warned:
            _warned.add(text)
            Reporter().warn(text)
    return config


def terminal_reporter(quiet: bool = False, verbose: bool = False) -> Reporter:
    return Reporter(quiet=quiet, verbose=verbose)
