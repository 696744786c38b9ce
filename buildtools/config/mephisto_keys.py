"""What Mephisto's own configuration defines (read from its dataclasses: TaskRunArgs, the
blueprint, architect and provider args of Mephisto 1.x), so that a Hydra YAML's keys can be told
apart: Mephisto's (accepted), buildtools' (under `buildtools:`), or neither (a warning)."""

from __future__ import annotations

MEPHISTO_SECTIONS = frozenset({"blueprint", "provider", "architect", "task", "database",
                               "log_level"})

TASK_KEYS = frozenset({
    "task_name", "task_title", "task_description", "task_reward", "task_tags",
    "task_lifetime_in_seconds", "assignment_duration_in_seconds", "no_submission_patience",
    "allowed_concurrent", "maximum_units_per_worker", "max_num_concurrent_units",
    "submission_timeout", "post_install_script", "force_rebuild",
})

# The union over Mephisto's blueprints (static_react_task, static_task, remote_procedure,
# parlai_chat, remote_query, mock) and their mixins (onboarding, screening, gold units, tips)
BLUEPRINT_KEYS = frozenset({
    "_blueprint_type", "_group", "block_qualification", "onboarding_qualification",
    "units_per_assignment", "extra_source_dir", "data_json", "data_jsonl", "data_csv",
    "task_source", "task_source_review", "link_task_source", "preview_source",
    "onboarding_source", "world_file", "task_description_file", "custom_source_bundle",
    "custom_source_dir", "context_csv", "context_jsonl", "num_conversations",
    "passed_qualification_name", "max_screening_units", "use_screening_task",
    "gold_qualification_base", "use_golds", "min_golds", "max_incorrect_golds",
    "max_gold_units", "tips_location", "timeout_time", "is_concurrent",
})

ARCHITECT_KEYS = frozenset({
    "_architect_type", "server_type", "server_source_path", "hostname", "port",
    "use_hobby", "heroku_team", "heroku_app_name", "heroku_config_args",
    "instance_type", "subdomain", "profile_name", "should_run_server",
})

# Mephisto's architects and what `doit deploy` packages for each (mock: nothing)
ARCHITECT_TARGETS: dict[str, tuple[str, ...]] = {
    "local": ("local",),
    "heroku": ("heroku",),
    "ec2": ("ec2",),
    "mock": (),
}

DEFAULT_BUILD_COMMAND = "dev"  # what Mephisto's build_custom_bundle runs
