"""Where webpack's resolver looked and found nothing (its missingDependencies), from a Node
preload: the one kind of input the build's trace (buildtools.fingerprint.trace) cannot see.

`import "../../lib/mod"` resolves to lib/mod/index.js after trying lib/mod.ts, lib/mod.js, ...;
creating lib/mod.js then changes what the import resolves to. inotify reports no failed open,
and the trace keeps the listing of lib/mod/ (a read file's folder) but not of lib/, from which
the build read nothing. webpack knows these paths (it watches them in watch mode), so the build
runs with NODE_OPTIONS=--require <a preload> that, when webpack loads its Compiler, taps each
compiler's `done` hook and appends `stats.compilation.missingDependencies` to a file, one path
a line. A Node program that never loads webpack (npm itself, Vite, a script) is untouched: the
preload wraps Module._load with one string comparison. Both paths are in the state folder and
never change, so the early npm start (buildtools.core.early) still matches the command it
started. Why a preload and not a listing of every folder the resolver could probe: only the
resolver knows which names it tried (extensions, `browser` fields, aliases, modules folders).

The same tap writes the compilation's fileDependencies to a second file: with webpack's
persistent cache (`cache: { type: "filesystem" }`), a build takes an unchanged module from the
cache after checking its file's mtime, a stat that opens nothing, so the trace does not see
that the build depends on it; webpack's own list does.

The loaders and tools that run in webpack's process look for files webpack never hears of: a
config searched for from each file's folder up (postcss-loader's postcss.config.js,
browserslist's .browserslistrc, Babel's .babelrc). Once webpack's Compiler is loaded, the
preload wraps the fs calls that say a file is not there (stat, lstat, access, readFile, their
Sync and promise forms, existsSync) and appends those paths, outside node_modules, to the
missing file when the process exits: a postcss.config.js created in the task folder above the
webapp then runs the next build.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRELOAD_NAME = "webpack-missing.cjs"
FOUND_NAME = "webpack-missing.txt"  # what the last build's compilers reported
FOUND_ENV = "BUILDTOOLS_WEBPACK_MISSING"
READ_NAME = "webpack-read.txt"  # the files the last build's compilations depend on
READ_ENV = "BUILDTOOLS_WEBPACK_READ"

PRELOAD = r"""'use strict';
// buildtools: webpack's missingDependencies, for the build's discovered inputs
const Module = require('module');
const fs = require('fs');
const path = require('path');
const out = process.env.BUILDTOOLS_WEBPACK_MISSING;
const read = process.env.BUILDTOOLS_WEBPACK_READ;
const webpackJs = /[\\/]webpack[\\/]lib[\\/]webpack\.js$/;
// What the loaders and tools in webpack's process look for and do not find (a config searched
// for from each file's folder up: postcss.config.js, .browserslistrc, .babelrc): noted from the
// fs calls that say so, written with the missing dependencies when the process exits
function noteProbes() {
  const seen = new Set();
  const note = (file) => {
    if (typeof file === 'string' && !file.includes('node_modules')) seen.add(path.resolve(file));
  };
  const absent = (error) => error && (error.code === 'ENOENT' || error.code === 'ENOTDIR');
  for (const name of ['statSync', 'lstatSync', 'accessSync', 'readFileSync', 'existsSync']) {
    const real = fs[name];
    fs[name] = function (file) {
      let result;
      try { result = real.apply(this, arguments); } catch (error) {
        if (absent(error)) note(file);
        throw error;
      }
      if (name === 'existsSync' ? !result : (result === undefined && name !== 'accessSync')) {
        note(file);  // statSync(file, { throwIfNoEntry: false })
      }
      return result;
    };
  }
  for (const name of ['stat', 'lstat', 'access', 'readFile']) {
    const real = fs[name];
    fs[name] = function (file) {
      const args = Array.from(arguments);
      const done = args[args.length - 1];
      if (typeof done === 'function') {
        args[args.length - 1] = function (error) {
          if (absent(error)) note(file);
          return done.apply(this, arguments);
        };
      }
      return real.apply(this, args);
    };
    const promised = fs.promises[name];
    fs.promises[name] = function (file) {
      return promised.apply(this, arguments).catch((error) => {
        if (absent(error)) note(file);
        throw error;
      });
    };
  }
  process.on('exit', () => {
    try { fs.appendFileSync(out, Array.from(seen).join('\n') + '\n'); } catch (error) {}
  });
}
if (out) {
  const load = Module._load;
  Module._load = function (request, parent) {
    const loaded = load.apply(this, arguments);
    if (request === './Compiler' && parent && webpackJs.test(parent.filename || '') &&
        loaded && loaded.prototype && !loaded.prototype.buildtoolsTapped) {
      noteProbes();
      const compile = loaded.prototype.compile;
      loaded.prototype.buildtoolsTapped = true;
      loaded.prototype.compile = function () {
        if (!this.buildtoolsDone) {
          this.buildtoolsDone = true;
          this.hooks.done.tap('buildtools', (stats) => {
            const missing = Array.from(stats.compilation.missingDependencies);
            try { fs.appendFileSync(out, missing.join('\n') + '\n'); } catch (error) {}
            if (read) {
              const files = Array.from(stats.compilation.fileDependencies);
              try { fs.appendFileSync(read, files.join('\n') + '\n'); } catch (error) {}
            }
          });
        }
        return compile.apply(this, arguments);
      };
    }
    return loaded;
  };
}
"""


def build_env(state_dir: Path, env: dict[str, str]) -> dict[str, str]:
    """`env` with the preload added to NODE_OPTIONS (the preload written to the state folder
    first, when it is not there yet)."""
    preload = state_dir / PRELOAD_NAME
    try:
        if preload.read_text("utf-8") != PRELOAD:
            raise OSError
    except OSError:
        try:
            state_dir.mkdir(parents=True, exist_ok=True)
            preload.write_text(PRELOAD, "utf-8")
        except OSError:
            return env  # not tapped: the trace alone
    options = env.get("NODE_OPTIONS", "")
    require = f'--require "{preload}"'
    return {**env, FOUND_ENV: str(state_dir / FOUND_NAME), READ_ENV: str(state_dir / READ_NAME),
            "NODE_OPTIONS": f"{options} {require}".strip()}


def forget(state_dir: Path) -> None:
    """Before a build: what an earlier one reported is not this one's."""
    for name in (FOUND_NAME, READ_NAME):
        with contextlib.suppress(OSError):
            (state_dir / name).unlink()


def reported_outside(state_dir: Path, webapp: Path, top: Path) -> list[str]:
    """The paths the compilers of the last build reported as missing (real paths), inside `top`
    (the traced tree) and outside `webapp`; none when webpack did not run. Left out: the
    package.json files the resolver looks for in every folder up from each module (keeping
    them would tie the no-op record to the listing of the project's top folder, which changes
    with every tool's state file)."""
    inside, tree = str(top.resolve()) + os.sep, str(webapp.resolve()) + os.sep
    return [path for path in _reported(state_dir / FOUND_NAME)
            if path.startswith(inside) and not path.startswith(tree)
            and os.path.basename(path) != "package.json"]


def reported_inside(state_dir: Path, webapp: Path) -> list[str]:
    """The paths reported missing inside `webapp`, from it ("/"-separated), less package.json
    files: the scan sees such a file come, unless .gitignore hides it
    (buildtools.fingerprint.hidden)."""
    tree = str(webapp.resolve()) + os.sep
    return [Path(path[len(tree):]).as_posix() for path in _reported(state_dir / FOUND_NAME)
            if path.startswith(tree) and os.path.basename(path) != "package.json"]


def read_outside(state_dir: Path, webapp: Path) -> list[str]:
    """The files the compilations of the last build depend on (real paths), wherever they lie
    outside `webapp` (whose scan hashes its own); none when webpack did not run. Left out: the
    folders among them (webpack lists each folder up from every module it resolved, to /: their
    mtimes move with any file made in them, and the files they hold are listed themselves)."""
    tree = str(webapp.resolve()) + os.sep
    return [path for path in _reported(state_dir / READ_NAME, leave_modules=True)
            if not path.startswith(tree) and not os.path.isdir(path)]


def _reported(path: Path, leave_modules: bool = False) -> list[str]:
    """The absolute paths written to `path`, as real paths; with `leave_modules`, less those
    under node_modules (the install key covers them; a linked package's own files are found by
    buildtools.fingerprint.linked), left out before each is made real: a big app's list of
    files holds thousands of them."""
    try:
        text = path.read_text("utf-8", errors="surrogateescape")
    except OSError:
        return []
    modules = f"{os.sep}node_modules{os.sep}" if leave_modules else "\0"
    folders: dict[str, str] = {}
    return sorted({_real(os.path.normpath(line), folders) for line in text.splitlines()
                   if os.path.isabs(line) and modules not in line})


def _real(path: str, folders: dict[str, str]) -> str:
    """os.path.realpath(path), with the real path of each folder made once."""
    folder, name = os.path.split(path)
    real_folder = folders.get(folder)
    if real_folder is None:
        real_folder = folders[folder] = os.path.realpath(folder)
    real = os.path.join(real_folder, name)
    return os.path.realpath(real) if os.path.islink(real) else real
