"""The `buildtools` CLI: arguments, messages and exit codes (fast: click's CliRunner, no npm).
check and status on a really built project: tests/integration/test_check.py."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from buildtools.config.load import load_config
from buildtools.core import record
from buildtools.core.pipeline import BuildResult, Session, StageStatus
from buildtools.core.run import BuildRun, Outcome, Request
from buildtools.core.template import DEFAULT_TASK
from buildtools.ui import cli
from buildtools.ui.app import create_app
from buildtools.ui.commands.new import new_project, run_new
from buildtools.ui.terminal import Progress, Reporter

COMMANDS = ["new", "build", "deploy", "serve", "status", "check", "clean", "doctor"]


def invoke(*args: str, cwd: Path | None = None, monkeypatch: pytest.MonkeyPatch | None = None,
           input: str | None = None) -> Result:
    if cwd is not None:
        assert monkeypatch is not None
        monkeypatch.chdir(cwd)
    return CliRunner().invoke(create_app(), list(args), input=input, prog_name="buildtools")


@pytest.fixture
def made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project from `buildtools new` (not built), as the current folder."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("BUILDTOOLS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("BUILDTOOLS_CONFIG", raising=False)
    monkeypatch.delenv("BUILDTOOLS_FORCE_REBUILD", raising=False)
    root = tmp_path / "task"
    new_project(root, title="Rate the picture")
    monkeypatch.chdir(root)
    return root


def fake_status(monkeypatch: pytest.MonkeyPatch, root: Path, stale: dict[str, str]) -> None:
    """Replace the sessions' status with one where the named stages are stale."""

    def status(session: Session, **kwargs: Any) -> BuildResult:
        stages = [
            StageStatus(name, name not in stale, stale.get(name, ""), detail, f"key-{name}")
            for name, detail in [("node", "system Node 20.1.0, npm 10.0.0"), ("install", "npm"),
                                 ("build", "7 source files"), ("bundle", "dist/bundle")]
        ]
        return BuildResult(bundle_dir=root / "dist" / "bundle", bundle_key="key-bundle",
                           toolchain=None, stages=stages)  # type: ignore[arg-type]

    monkeypatch.setattr(Session, "status", status)


# ---------------------------------------------------------------- help, version, usage


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_shows_an_example(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0, result.output
    assert "Examples:" in result.output
    assert f"buildtools {command}" in result.output.split("Examples:")[1]


def test_top_level_help_lists_every_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert f"  {command} " in result.output


def test_no_command_prints_help_and_succeeds() -> None:
    result = invoke()
    assert result.exit_code == 0
    assert "Usage: buildtools" in result.output


def test_version() -> None:
    result = invoke("--version")
    assert (result.exit_code, result.output) == (0, "buildtools 0.1.0\n")


def test_unknown_command_is_one_error_line() -> None:
    result = invoke("bulid")
    assert result.exit_code == 1
    assert result.output == ("error: buildtools: No such command 'bulid'. Did you mean "
                             "'build'? (see 'buildtools --help')\n")


def test_unknown_architect_is_one_error_line_naming_the_closest() -> None:
    result = invoke("deploy", "herok")
    assert result.exit_code == 1
    assert result.output == (
        "error: buildtools deploy: unknown architect 'herok'; known architects: local, heroku, "
        "ec2, static; did you mean 'heroku'? (see 'buildtools deploy --help')\n"
    )


def test_unknown_architect_far_from_any_names_them_all() -> None:
    result = invoke("deploy", "local", "zzz")
    assert result.exit_code == 1
    assert result.output == (
        "error: buildtools deploy: unknown architect 'zzz'; known architects: local, heroku, "
        "ec2, static (see 'buildtools deploy --help')\n"
    )


@pytest.mark.parametrize(("args", "message"), [
    (["serve", "--port", "70000"],
     "buildtools serve: Invalid value for '-p' / '--port': 70000 is not in the range "
     "0<=x<=65535 (see 'buildtools serve --help')"),
    (["build", "--frce"],
     "buildtools build: No such option '--frce'. Did you mean '--force'? "
     "(see 'buildtools build --help')"),
    (["new"], "buildtools new: Missing argument 'DIRECTORY' (see 'buildtools new --help')"),
])
def test_usage_errors_are_one_error_line(args: list[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 1
    assert result.output == f"error: {message}\n"


# ---------------------------------------------------------------- new


def test_new_renders_the_template_with_the_title(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke("new", "my-task", "--title", "Rate the picture", cwd=tmp_path,
                    monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    root = tmp_path / "my-task"
    assert result.output.splitlines()[0] == (
        "created my-task/ (14 files written): task 'my-task', title 'Rate the picture'"
    )
    assert "  cd my-task\n" in result.output
    for name in ("buildtools.toml", "dodo.py", ".gitignore", "assets/TestImg.png",
                 "webapp/package.json", "webapp/package-lock.json", "webapp/index.html",
                 "webapp/src/App.jsx", "sample_data.json", "run_task.py",
                 "hydra_configs/conf/example.yaml"):
        assert (root / name).is_file(), name
    mephisto_yaml = (root / "hydra_configs/conf/example.yaml").read_text()
    assert 'task_title: "Rate the picture"' in mephisto_yaml
    assert "from buildtools.mephisto import build_custom_bundle" in (
        root / "run_task.py").read_text()
    assert not (root / "gitignore").exists()
    assert "<title>Rate the picture</title>" in (root / "webapp/index.html").read_text()
    config = load_config(root)
    assert config.task["task_title"] == "Rate the picture"
    assert config.task["task_name"] == "my-task"
    assert config.missing_task_keys() == []
    assert json.loads((root / "webapp/package.json").read_text())["name"] == "my-task"


def test_new_without_title_uses_the_defaults_and_never_prompts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # CliRunner's stdin is not a terminal: no prompt even without --no-input
    result = invoke("new", "t", cwd=tmp_path, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert "Task title" not in result.output
    config = load_config(tmp_path / "t")
    assert config.task["task_title"] == DEFAULT_TASK["task_title"]
    assert config.task["task_description"] == DEFAULT_TASK["task_description"]


def test_new_asks_for_title_and_description_when_interactive(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[tuple[str, str]] = []

    def ask(question: str, default: str) -> str:
        asked.append((question, default))
        return f"my {question.split()[-1]}"

    run_new(tmp_path / "t", None, None, False, ask)
    assert asked == [("Task title", DEFAULT_TASK["task_title"]),
                     ("Task description", DEFAULT_TASK["task_description"])]
    config = load_config(tmp_path / "t")
    assert (config.task["task_title"], config.task["task_description"]) == (
        "my title", "my description")

    asked.clear()
    run_new(tmp_path / "u", "Given", None, False, ask)
    assert asked == [("Task description", DEFAULT_TASK["task_description"])]


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "notes.txt").write_text("mine")
    result = invoke("new", "t", cwd=tmp_path, monkeypatch=monkeypatch)
    assert result.exit_code == 1
    assert result.output == (
        "error: t is not empty; choose a new folder, or pass --force to write the template "
        "files into it (files of the same name are overwritten, others are kept)\n"
    )
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == ["notes.txt"]

    result = invoke("new", "t", "--force", "--title", "X", cwd=tmp_path,
                    monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "t" / "notes.txt").read_text() == "mine"
    assert load_config(tmp_path / "t").task["task_title"] == "X"


def test_new_refuses_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t").write_text("")
    result = invoke("new", "t", cwd=tmp_path, monkeypatch=monkeypatch)
    assert result.exit_code == 1
    assert result.output == "error: t exists and is not a folder; choose another name\n"


def test_new_into_an_empty_folder_and_a_nasty_title(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t").mkdir()
    title = 'Say "hi" & <b>wave</b> \\ 😀'
    result = invoke("new", "t", "--title", title, "--no-input", cwd=tmp_path,
                    monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert load_config(tmp_path / "t").task["task_title"] == title


# ---------------------------------------------------------------- errors and exit codes


def test_no_config_is_one_line_and_exit_1(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BUILDTOOLS_CONFIG", raising=False)
    for command in ("build", "status", "check", "deploy", "clean"):
        result = invoke(command, cwd=tmp_path, monkeypatch=monkeypatch)
        assert result.exit_code == 1, (command, result.output)
        assert result.output.startswith(f"error: no buildtools.toml in {tmp_path}")
        assert result.output.count("\n") == 1
        assert "Traceback" not in result.output


def test_invalid_config_fails_check_with_the_key(made: Path) -> None:
    toml = made / "buildtools.toml"
    toml.write_text(toml.read_text().replace("[deploy]", "[deploy]\narchitect = []"))
    result = invoke("check")
    assert result.exit_code == 1
    assert result.output == (
        "error: buildtools.toml: [deploy] unknown key 'architect'; did you mean 'architects'?\n"
    )


def test_a_bug_exits_3_with_traceback(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("buildtools.ui.commands.status.run_status", broken)
    result = invoke("status")
    assert result.exit_code == 3
    assert "Traceback" in result.output
    assert "RuntimeError: boom" in result.output
    assert result.output.endswith("please report it with the traceback above\n")


def test_interrupt_exits_130(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("buildtools.ui.commands.build.build_here", interrupted)
    result = invoke("build")
    assert result.exit_code == 130
    assert result.output.startswith("interrupted")


# ---------------------------------------------------------------- status and check


def test_status_when_everything_is_up_to_date(made: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fake_status(monkeypatch, made, {})
    result = invoke("status")
    assert result.exit_code == 0
    assert result.output == (
        "node           up to date (system Node 20.1.0, npm 10.0.0)\n"
        "install        up to date (npm)\n"
        "build          up to date (7 source files)\n"
        "bundle         up to date (dist/bundle)\n"
        f"everything is up to date: {made / 'dist' / 'bundle'}\n"
    )


def test_status_names_what_changed_and_what_would_run(made: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    fake_status(monkeypatch, made, {"build": "files changed: src/App.jsx",
                                    "bundle": "the build changed"})
    result = invoke("status")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[2] == "build          would run because files changed: src/App.jsx"
    assert lines[3] == "bundle         would run because the build changed"
    assert lines[4] == "2 stages would run (build, bundle): run 'buildtools build'"

    verbose = invoke("status", "-v").output.splitlines()
    assert verbose[1] == f"{'':<14} key key-node"


def test_status_json(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_status(monkeypatch, made, {"install": "package-lock.json changed"})
    result = invoke("status", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["up_to_date"] is False
    assert data["would_run"] == ["install"]
    assert data["config"] == str(made / "buildtools.toml")
    assert data["stages"][1] == {"name": "install", "up_to_date": False,
                                 "reason": "package-lock.json changed", "detail": "npm",
                                 "key": "key-install"}
    assert [stage["name"] for stage in data["stages"]] == ["node", "install", "build", "bundle"]


def test_check_fails_when_stale(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_status(monkeypatch, made, {"build": "files changed: src/App.jsx",
                                    "bundle": "the build changed"})
    result = invoke("check")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "error: the bundle is stale (build, bundle would run); run 'buildtools build'"
    )
    assert "build          would run because files changed: src/App.jsx" in result.output
    quiet = invoke("check", "-q")
    assert quiet.exit_code == 1
    assert quiet.output == (
        "error: the bundle is stale (build, bundle would run); run 'buildtools build'\n"
    )


# ---------------------------------------------------------------- build


def test_build_passes_the_flags(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bool, bool, bool, bool]] = []

    def carry_out(run: BuildRun) -> Outcome:
        reporter = run.reporter
        assert isinstance(reporter, Reporter)
        calls.append((run.request.force, run.request.show_keys, reporter.quiet,
                      reporter.verbose))
        return Outcome(fresh=False)

    monkeypatch.setattr(BuildRun, "carry_out", carry_out)
    assert invoke("build", "--force", "-q").exit_code == 0
    assert invoke("build", "-v").exit_code == 0
    assert calls == [(True, False, True, False), (False, True, False, True)]


def test_verbose_noop_build_shows_the_keys(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_status(monkeypatch, made, {})
    result = invoke("build", "-v")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("node           up to date")
    assert lines[1] == f"{'':<14} key key-node"
    assert lines[-1].startswith("build is up to date (")


# ---------------------------------------------------------------- the fast path of main()


def test_main_builds_when_the_record_does_not_answer(made: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[tuple[bool, bool]] = []

    def execute(run: BuildRun, force: bool | None = None) -> Outcome:
        ran.append((run.request.early_start, run.request.term_interrupts))
        return Outcome(fresh=False)

    monkeypatch.setattr(BuildRun, "execute", execute)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["build"])
    assert exit_info.value.code == 0
    assert ran == [(True, True)]  # npm starts during the check; SIGTERM exits 130


def test_the_fresh_record_answers_build_and_check(made: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    def no_config(*args: Any) -> None:
        raise AssertionError("the config was loaded although the record answered")

    monkeypatch.setattr("buildtools.config.load.load_config", no_config)
    monkeypatch.setattr(record, "check", lambda *a: ([("node", "system Node 20")], "/b"))

    def main(*args: str) -> None:
        with pytest.raises(SystemExit) as exit_info:
            cli.main(list(args))
        assert exit_info.value.code == 0

    main("build", "-q")
    assert capsys.readouterr().out.startswith("build is up to date (0.00 s): /b\n")
    main("check", "-q")
    assert capsys.readouterr().out.startswith("check passed: the bundle is up to date (")
    main("build")
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"{'node':<14} up to date (system Node 20)"
    assert printed[1].startswith("build is up to date (")
    monkeypatch.setattr(record, "check", lambda *a: None)

    def no_reporter() -> Reporter:
        raise AssertionError("a reporter was made for the record's answer")

    assert BuildRun(Request(), no_reporter).answer_from_record() is None
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("args", [["build", "--force"], ["build", "-v"], ["status"], []])
def test_other_commands_take_the_click_path(args: list[str]) -> None:
    assert cli._fast_command(args) is None


def test_fast_path_reports_user_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BUILDTOOLS_CONFIG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["build"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.startswith(f"error: no buildtools.toml in {tmp_path}")


# ---------------------------------------------------------------- clean


def test_clean_removes_outputs_and_keeps_node_modules(made: Path) -> None:
    for folder in ("dist/bundle", "webapp/dist", "webapp/node_modules/x", ".buildtools/stamps"):
        (made / folder).mkdir(parents=True)
    result = invoke("clean")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "removed dist (deploy output)\nremoved webapp/dist (build output)\n"
        "clean: removed 2 items\n"
    )
    assert not (made / "dist").exists() and not (made / "webapp/dist").exists()
    assert (made / "webapp/node_modules/x").is_dir() and (made / ".buildtools").is_dir()
    assert invoke("clean").output == "clean: nothing to remove\n"


def test_clean_all_and_cache(made: Path, tmp_path: Path) -> None:
    def cache_entry(key: str = "abcdef") -> Path:
        entry = tmp_path / "cache" / "cache" / "entries" / key[:2] / key
        entry.mkdir(parents=True)
        (entry / "meta.json").write_text(json.dumps({"key": key}))
        return entry

    entry = cache_entry()
    (made / "webapp/node_modules/x").mkdir(parents=True)
    (made / ".buildtools/stamps").mkdir(parents=True)
    (made / ".doit.db").write_text("")
    result = invoke("clean", "--cache")
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"removed {tmp_path / 'cache' / 'cache'} (build cache, 1 entry)\n"
        "clean: removed 1 item\n"
    )
    assert not entry.exists() and (made / ".buildtools").is_dir()

    # --all: only the entries this project stored or restored; another project's stays
    entry, other = cache_entry(), cache_entry("cdef01")
    (made / ".buildtools" / "cache-keys").write_text("abcdef\n")
    result = invoke("clean", "--all")
    assert result.exit_code == 0, result.output
    for gone in ("webapp/node_modules", ".buildtools", ".doit.db"):
        assert not (made / gone).exists(), gone
    assert not entry.exists() and other.is_dir()
    assert f"removed {tmp_path / 'cache' / 'cache'} (build cache, 1 entry of this project)\n" \
        in result.output
    assert (f"kept 1 build cache entry of other projects in {tmp_path / 'cache' / 'cache'}; "
            "'buildtools clean --cache' clears the whole cache\n") in result.output
    assert (made / "webapp/package.json").is_file() and (made / "assets").is_dir()
    assert invoke("clean", "--all").output == (
        f"kept 1 build cache entry of other projects in {tmp_path / 'cache' / 'cache'}; "
        "'buildtools clean --cache' clears the whole cache\nclean: nothing to remove\n")


def test_clean_never_removes_the_project(made: Path) -> None:
    toml = made / "buildtools.toml"
    toml.write_text(toml.read_text().replace("[deploy]", '[deploy]\nout = "."'))
    result = invoke("clean")
    assert result.exit_code == 0
    assert "warning: kept" in result.output
    assert (made / "buildtools.toml").is_file()


# ---------------------------------------------------------------- the reporter


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_reporter_lines_quiet_and_verbose() -> None:
    out = io.StringIO()
    reporter = Reporter(out=out)
    reporter.up_to_date("install", "npm")
    reporter.runs("build", "files changed: src/App.jsx")
    reporter.key("build", "abc")
    reporter.done("build", 1.234, "webapp/dist/")
    reporter.final("built build in 1.2 s")
    assert out.getvalue() == (
        "install        up to date (npm)\n"
        "build          runs because files changed: src/App.jsx\n"
        "build          done in 1.2 s: webapp/dist/\n"
        "built build in 1.2 s\n"
    )
    quiet = io.StringIO()
    reporter = Reporter(out=quiet, quiet=True, verbose=True)
    reporter.up_to_date("install")
    reporter.runs("build", "x")
    reporter.key("build", "abc")
    reporter.info("x")
    reporter.final("the end")
    assert quiet.getvalue() == "the end\n"
    verbose = io.StringIO()
    Reporter(out=verbose, verbose=True).key("build", "abc")
    assert verbose.getvalue() == f"{'':<14} key abc\n"


def test_colours_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    plain, term = io.StringIO(), Terminal()
    Reporter(out=plain).up_to_date("build")
    Reporter(out=term).up_to_date("build")
    assert "\033[" not in plain.getvalue()
    assert "\033[32mup to date\033[0m" in term.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    term = Terminal()
    Reporter(out=term).up_to_date("build")
    assert "\033[" not in term.getvalue()


def test_warnings_go_to_stderr_even_when_quiet() -> None:
    err = io.StringIO()
    Reporter(out=io.StringIO(), quiet=True, err=err).warn("careful")
    assert err.getvalue() == "warning: careful\n"


def test_progress_draws_only_on_a_terminal_after_the_delay(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Progress, "DELAY", 0.0)
    monkeypatch.setattr(Progress, "INTERVAL", 0.0)
    plain = io.StringIO()
    with Reporter(err=plain).progress(4, "hashing webapp") as bar:
        bar.advance(2)
    assert plain.getvalue() == ""
    term = Terminal()
    with Reporter(err=term).progress(4, "hashing webapp") as bar:
        bar.advance(2)
    assert "\rhashing webapp [###############---------------] 2/4" in term.getvalue()
    assert term.getvalue().endswith("\r\033[K")
    quiet = Terminal()
    with Reporter(err=quiet, quiet=True).progress(4, "x") as bar:
        bar.advance(4)
    assert quiet.getvalue() == ""


def test_progress_waits_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    term = Terminal()
    with Reporter(err=term).progress(1000, "hashing") as bar:
        for _ in range(1000):
            bar.advance()
    assert term.getvalue() == ""  # finished well within the delay
