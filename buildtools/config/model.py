"""The loaded configuration: frozen dataclasses that the rest of buildtools reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from buildtools.config.assets import AssetsConfig, StaticSettings
from buildtools.config.tables import REQUIRED_TASK_KEYS
from buildtools.filenames import STATE_DIR_NAME


@dataclass(frozen=True)
class WebappConfig:
    source: Path
    build_command: str
    output: str  # relative to source; "" means detect
    post_install_script: str  # relative to source; "" means none
    force_rebuild: bool
    extra_source_dir: Path | None
    extra_source_allow: tuple[str, ...]
    node: str
    node_mirror: str
    build_env: tuple[str, ...]
    template: Path | None  # when set, rendered into `source` before install
    # Other files or folders whose content affects the build ([webapp] inputs), absolute
    inputs: tuple[Path, ...] = ()
    extra_build_commands: tuple[str, ...] = ()  # run after build_command, same output
    page: Path | None = None  # an HTML page that is the whole task: no npm at all
    output_allow: tuple[str, ...] = ()  # build output files that look secret, published anyway


@dataclass(frozen=True)
class LocalSettings:
    host: str = "127.0.0.1"
    port: int = 3000


@dataclass(frozen=True)
class HerokuSettings:
    app: str = ""
    max_slug_mb: int = 500


@dataclass(frozen=True)
class Ec2Settings:
    server_name: str = "_"
    host: str = ""
    remote_dir: str = "/var/www/task"


@dataclass(frozen=True)
class DeployConfig:
    architects: tuple[str, ...]
    out: Path
    local: LocalSettings
    heroku: HerokuSettings
    ec2: Ec2Settings
    static: StaticSettings = field(default_factory=StaticSettings)
    crowd_wrapper: Path | None = None  # wrap_crowd_source.js for the index.html shell


@dataclass(frozen=True)
class CacheConfig:
    enabled: bool
    dir: Path
    max_size_mb: int
    max_age_days: int
    remote_url: str
    remote_team: str
    remote_token_env: str
    signature_key_env: str
    remote_timeout_s: float
    remote_max_mb: int = 1024  # the most a remote artifact may weigh, packed or unpacked


@dataclass(frozen=True)
class Config:
    path: Path  # the file the configuration came from
    root: Path  # the folder the relative paths are relative to
    webapp: WebappConfig
    # The task settings, defaults filled: what task_config.json holds (served to workers), so
    # no build setting (force_rebuild, post_install_script) is kept here
    task: dict[str, Any]
    deploy: DeployConfig
    cache: CacheConfig
    assets: AssetsConfig = field(default_factory=AssetsConfig)
    # Where stamps and caches live when not <root>/.buildtools (build_custom_bundle keeps one
    # state per webapp and build command)
    state_override: Path | None = None
    # What the configuration holds that neither buildtools nor Mephisto reads (the UI warns)
    warnings: tuple[str, ...] = ()
    # For the no-op record: the environment variables that loading it looked up, and the stat
    # signature of its file (links followed) taken before it was read
    environ_read: frozenset[str] = frozenset()
    file_signature: tuple[int, int, int, int] | None = None

    @property
    def state_dir(self) -> Path:
        return self.state_override or self.root / STATE_DIR_NAME

    @property
    def bundle_dir(self) -> Path:
        return self.deploy.out / "bundle"

    @property
    def display_name(self) -> str:
        """How error messages name the configuration, as the loader's own errors do."""
        if self.path.name == "pyproject.toml":
            return "pyproject.toml [tool.buildtools]"
        return self.path.name

    @property
    def source_setting(self) -> str:
        """How error messages name the setting that points at the webapp folder."""
        return f"{self.display_name}: [webapp] source"

    def missing_task_keys(self) -> list[str]:
        return [key for key in REQUIRED_TASK_KEYS if self.task.get(key) in (None, "")]
