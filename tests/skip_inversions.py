"""Run by hand: invert each skip condition of the walk and the stages in turn (one edit of the
source, undone after), run the unit tests of tests/unit/core/ against it, and say which tests
fail. A line with 0 failing is a skip that no unit test guards.

    python tests/skip_inversions.py [words of the inversions to run]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = [
    ("record: a path read is not in the trace",
     "buildtools/util/reads.py",
     "        self.paths.setdefault(name, None if found is None else signature(found))\n",
     ""),
    ("record: a variable looked up is not in the trace",
     "buildtools/util/reads.py",
     "        self.reads.names.add(name)\n        return self.raw[name]",
     "        return self.raw[name]"),
    ("record: the variables of a prefix are not in the trace",
     "buildtools/util/reads.py",
     "        self.prefixes.update(prefixes)\n",
     ""),
    ("walk._built_for_these_inputs -> always False",
     "buildtools/core/walk.py",
     "    build_plan, _, output = _plan_build(walk)\n"
     "    if not build_plan.up_to_date:\n"
     "        return False",
     "    return False\n"
     "    build_plan, _, output = _plan_build(walk)\n"
     "    if not build_plan.up_to_date:\n"
     "        return False"),
    ("walk._built_for_these_inputs -> always True",
     "buildtools/core/walk.py",
     "    build_plan, _, output = _plan_build(walk)\n"
     "    if not build_plan.up_to_date:\n"
     "        return False",
     "    return True\n"
     "    build_plan, _, output = _plan_build(walk)\n"
     "    if not build_plan.up_to_date:\n"
     "        return False"),
    ("Walk.settle: every stage fresh",
     "buildtools/core/walk.py",
     "        fresh = plan.up_to_date\n",
     "        fresh = True\n"),
    ("Walk.settle: every stage stale",
     "buildtools/core/walk.py",
     "        fresh = plan.up_to_date\n",
     "        fresh = False\n"),
    ("StagePlan.up_to_date ignores a missing output",
     "buildtools/core/freshness.py",
     "            and not self.missing_output\n",
     ""),
    ("StagePlan.up_to_date ignores force",
     "buildtools/core/freshness.py",
     "            not self.force\n"
     "            and",
     "           "),
    ("StagePlan.up_to_date ignores the key",
     "buildtools/core/freshness.py",
     "            and self.stamp.key == self.key\n",
     ""),
    ("build: the source tree not in the key",
     "buildtools/core/stages/build.py",
     '            "tree": manifest.digest,\n',
     '            "tree": "",\n'),
    ("build: the environment not in the key",
     "buildtools/core/stages/build.py",
     '            "env": env_digests,\n',
     '            "env": {},\n'),
    ("build: a missing output folder not seen",
     "buildtools/core/stages/build.py",
     '        missing_output="" if ctx.reads.present(output_dir) else '
     'output_display(config, output),'
     "\n"
     "        explain={\n"
     '            "tree"',
     '        missing_output="",\n'
     "        explain={\n"
     '            "tree"'),
    ("install: package.json/lockfile not in the key",
     "buildtools/core/stages/install.py",
     "        **hash_files(source, names),\n",
     ""),
    ("install: missing node_modules not seen",
     "buildtools/core/stages/install.py",
     '    missing = "node_modules" if needs_modules and not '
     'reads.present(source / "node_modules") \\\n'
     '        else ""',
     '    missing = ""'),
    ("install: post_install_script not in the key",
     "buildtools/core/stages/install.py",
     '            "content": hash_files(source, [script])[script] if script else None,',
     '            "content": None,'),
    ("install: copied packages not in the key",
     "buildtools/core/stages/install.py",
     "    if copies.files:  #",
     "    if False:  #"),
    ("bundle: extra_source_dir not in the key",
     "buildtools/core/stages/bundle.py",
     '            "extra_source_dir": extra.digest if extra else None,',
     '            "extra_source_dir": None,'),
    ("bundle: a missing bundle not seen",
     "buildtools/core/stages/bundle.py",
     '        missing_output="" if ctx.reads.present(config.bundle_dir) else display(config,\n'
     + ' ' * 76 + 'config.bundle_dir),',
     '        missing_output="",'),
    ("bundle: task settings not in the key",
     "buildtools/core/stages/bundle.py",
     '            "task_config": config.task,',
     '            "task_config": None,'),
    ("page: the page not in the key",
     "buildtools/core/stages/page.py",
     '        inputs={"page": [page.name, content]},',
     '        inputs={"page": [page.name]},'),
    ("render: the template not in the key",
     "buildtools/core/stages/render.py",
     '        inputs={"template": manifest.digest, "context": context},',
     '        inputs={"template": manifest.digest},'),
    ("extra build: not chained on the build",
     "buildtools/core/stages/build.py",
     '        inputs={"build": build_key, "build_command": command,',
     '        inputs={"build_command": command,'),
    ("linked: outside inputs not in the build key",
     "buildtools/core/stages/build.py",
     "    manifest = outside_inputs(ctx, package, copied=False, output=output).joined(manifest)"
     "\n",
     ""),
    ("output: the last output not put back after a failure",
     "buildtools/core/build_output.py",
     "    except BaseException:\n"
     "        _put_back(folder, aside)\n"
     "        raise",
     "    except BaseException:\n"
     "        raise"),
    ("settle: the stamp not cleared before a stage runs",
     "buildtools/core/walk.py",
     "        self.ctx.stamps.clear(plan.name)\n",
     ""),
    ("cache: never restores",
     "buildtools/core/walk.py",
     "    if walk.policy.restores and not ctx.force and _restored(walk):",
     "    if False:"),
    ("recall: a moved file counts whatever its content",
     "buildtools/core/recall/match.py",
     "        if found.looked.content(os.path.join(folder, name), False) != want:",
     "        if False:"),
    ("recall: a moved folder counts whatever it lists",
     "buildtools/core/recall/match.py",
     "        if hashes[2] and looked.listing(folder) == hashes[2]:",
     "        if True:"),
    ("recall: another environment counts",
     "buildtools/core/recall/answer.py",
     "            if record.env_digest(environ, point[1][2]) != point[1][3]:",
     "            if False:"),
    ("recall: stamps put back whatever they hold",
     "buildtools/core/recall/match.py",
     "            if _read(path) != state_files[path] and path not in found.stamps:",
     "            if False:"),
    ("recall: no signature is too recent",
     "buildtools/core/recall/match.py",
     "        return UNSURE if racy(signature[1], signature[3], self.looked.started_ns) else "
     "signature",
     "        return signature"),
    ("recall: the stamps stay while the outputs are swapped",
     "buildtools/core/recall/restore.py",
     "        _mark_running(stamps)\n",
     ""),
    ("recall: the entry is not checked",
     "buildtools/core/recall/restore.py",
     "        if len(data) != want[0] or xxhash.xxh3_128_hexdigest(data) != want[1]:",
     "        if False:"),
]
TESTS = ["tests/unit/core/test_walk.py", "tests/unit/core/test_failures.py",
         "tests/unit/core/test_pipeline.py", "tests/unit/core/test_stages.py",
         "tests/unit/core/test_record.py", "tests/unit/core/test_recall.py"]


def main(only: list[str]) -> None:
    for name, path, old, new in MUTANTS:
        if only and not any(o in name for o in only):
            continue
        file = ROOT / path
        text = file.read_text()
        if old not in text:
            print(f"{name}: the source to invert was not found (update this list)")
            continue
        file.write_text(text.replace(old, new, 1))
        try:
            command = [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
                       *TESTS]
            out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True).stdout
        finally:
            file.write_text(text)
        failed = sorted({line.split("::")[1].split(" ")[0].split("[")[0]
                         for line in out.splitlines() if line.startswith("FAILED")})
        shown = ", ".join(failed[:4]) + (" ..." if len(failed) > 4 else "")
        print(f"{name}: {len(failed)} failing: {shown}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
