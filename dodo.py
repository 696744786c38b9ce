"""This repository's tasks: build and deploy the default task webapp (see buildtools.toml)."""

from buildtools.tasks import *  # noqa: F403
