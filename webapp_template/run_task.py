#!/usr/bin/env python3
"""Launch this task with Mephisto (`pip install mephisto`, on Python 3.10):

    python run_task.py                       # the local architect and the mock provider
    python run_task.py conf=example mephisto.provider.requester_name=...

The units are the task data dicts of sample_data.json (one {"text": ...} per sentence); put
your own there, or load them here. `buildtools preview --watch` shows the same page with the
same data and no Mephisto: see the README of buildtools.
"""

import json
import os

from mephisto.abstractions.blueprints.abstract.static_task.static_blueprint import (
    SharedStaticTaskState,
)
from mephisto.operations.operator import Operator
from mephisto.tools.scripts import task_script
from omegaconf import DictConfig

from buildtools.mephisto import build_custom_bundle

TASK_DIRECTORY = os.path.dirname(os.path.abspath(__file__))


def load_units() -> list:
    with open(os.path.join(TASK_DIRECTORY, "sample_data.json"), encoding="utf-8") as handle:
        return json.load(handle)


@task_script(default_config_file="example")
def main(operator: Operator, cfg: DictConfig) -> None:
    # webapp/build/bundle.js, built only when a source changed (the page for Mephisto's router)
    build_custom_bundle(
        cfg.task_dir,
        force_rebuild=cfg.mephisto.task.force_rebuild,
        post_install_script=cfg.mephisto.task.post_install_script,
        webapp_name="webapp",
        build_command="build:mephisto",
    )
    # What the page reads from task_config.json (buildtools writes the same keys there)
    page_config = {"task_title": cfg.mephisto.task.task_title,
                   "task_description": cfg.mephisto.task.task_description}
    shared_state = SharedStaticTaskState(static_task_data=load_units(), task_config=page_config)
    operator.launch_task_run(cfg.mephisto, shared_state)
    operator.wait_for_runs_then_shutdown(skip_input=True, log_rate=30)


if __name__ == "__main__":
    main()
