"""Architects: each turns the bundle into a deployable artifact folder for one hosting target.

Every artifact has the same shape: `dist/<name>/public/` holds what is served (the bundle and
any header files), `dist/<name>/DEPLOY.md` says how to put it online, and the rest (server,
nginx configuration, install script) sits beside them.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from buildtools.config.load import KNOWN_ARCHITECTS
from buildtools.deploy.architects.common import PUBLIC, Architect
from buildtools.deploy.architects.context import PackageContext
from buildtools.errors import UserError

# name -> module defining ARCHITECT; imported only when used
_MODULES = {name: f"buildtools.deploy.architects.{name}" for name in KNOWN_ARCHITECTS}

__all__ = ["PUBLIC", "Architect", "PackageContext", "get", "names", "resolve"]


def names() -> tuple[str, ...]:
    return tuple(_MODULES)


def get(name: str) -> Architect:
    if name not in _MODULES:
        raise unknown(name)
    module = importlib.import_module(_MODULES[name])
    architect = module.ARCHITECT
    assert isinstance(architect, Architect)
    return architect


def unknown(name: str) -> UserError:
    return UserError(f"unknown architect '{name}'; known architects: {', '.join(_MODULES)}")


def resolve(requested: Iterable[str]) -> list[str]:
    """The requested names in order, without repeats; an unknown name is a UserError."""
    chosen: list[str] = []
    for name in requested:
        if name not in _MODULES:
            raise unknown(name)
        if name not in chosen:
            chosen.append(name)
    return chosen
