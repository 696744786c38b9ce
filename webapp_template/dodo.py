"""doit tasks for this task project: `doit build`, `doit deploy` (see buildtools.toml)."""
from buildtools.tasks import *  # noqa: F403
