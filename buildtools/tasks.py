"""The doit tasks, for a project's dodo.py: `from buildtools.tasks import *`."""

from buildtools.ui.tasks import (
    DOIT_CONFIG,
    prepare_state_folder,
    task_build,
    task_deploy,
    task_serve,
)

__all__ = ["DOIT_CONFIG", "task_build", "task_deploy", "task_serve"]

prepare_state_folder()  # a dodo.py imports this module in the folder doit runs in
