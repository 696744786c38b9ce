"""The doit tasks, for a project's dodo.py: `from buildtools.tasks import *`."""

from buildtools.ui.tasks import DOIT_CONFIG, task_build, task_deploy, task_serve

__all__ = ["DOIT_CONFIG", "task_build", "task_deploy", "task_serve"]
