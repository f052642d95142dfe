#!/usr/bin/env bash
# Takes a bare machine (Node 20 + npm, Python 3.10-3.13 + pip, and the npm registry, PyPI
# and Debian's packages as the only network) to a working losslens checkout.
#
# Each step keeps a stamp of its inputs next to what it produced, so deleting .venv or
# node_modules redoes exactly that step and a second run only checks stamps.
#
#   scripts/setup.sh                 Python env, npm packages, native TensorFlow, tslab kernel, build
#   scripts/setup.sh --with-browser  the same, plus Debian's Chromium for the browser tests
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
TFJS=$ROOT/node_modules/@tensorflow/tfjs-node
WITH_BROWSER=no
for arg in "$@"; do
  case "$arg" in
    --with-browser) WITH_BROWSER=yes ;;
    *) echo "usage: scripts/setup.sh [--with-browser]" >&2; exit 2 ;;
  esac
done

log() { printf '[setup] %s\n' "$*" >&2; }
fail() {
  printf '\n[setup] ERROR: %s\n' "$1" >&2
  [ $# -gt 1 ] && printf '[setup] fix: %s\n' "$2" >&2
  exit 1
}
digest() { sha256sum "$@" | sha256sum | cut -c1-64; }
stamp_matches() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

ensure_chromium() {
  [ -x /usr/bin/chromium ] && return
  [ "$(id -u)" = 0 ] || fail "Chromium is not installed (the browser tests drive /usr/bin/chromium)." \
    "sudo apt-get update && sudo apt-get install -y chromium"
  log "installing Debian's chromium for the browser tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
}

ensure_python_env() {
  local want
  want=$(digest environment.yml scripts/env_requirements.py)
  stamp_matches "$VENV/.losslens-stamp" "$want" && return
  command -v python3 >/dev/null || fail "python3 was not found." "install Python 3.11 with pip"
  python3 -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))' ||
    fail "tensorflow-cpu 2.21.0 needs Python 3.10 to 3.13; python3 is $(python3 --version 2>&1)." \
      "put a Python 3.11 first on PATH"
  log "creating .venv from environment.yml (first run: a few minutes, ~2 GB of wheels)"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" ||
    fail "python3 -m venv failed." "on Debian: apt-get install python3-venv"
  "$VENV/bin/pip" install --disable-pip-version-check --quiet pyyaml==6.0.3
  "$VENV/bin/python" scripts/env_requirements.py environment.yml >"$VENV/requirements.txt"
  "$VENV/bin/pip" install --disable-pip-version-check --progress-bar off -r "$VENV/requirements.txt" |
    grep -E '^Successfully' >&2 || true
  "$VENV/bin/python" -c 'import tensorflow, jupyterlab, nbclient' 2>/dev/null ||
    fail "the Python packages of environment.yml did not install (see pip's output above)."
  echo "$want" >"$VENV/.losslens-stamp"
}

ensure_node_modules() {
  local want
  want=$(digest package-lock.json patches/*.patch)
  stamp_matches "$ROOT/node_modules/.losslens-stamp" "$want" && return
  # tfjs-node's own install script downloads libtensorflow from a host that is not
  # reachable here, so install scripts are run one by one below instead of by npm.
  if [ -d "$ROOT/node_modules" ]; then
    # Updating in place keeps the native binding when its package did not change.
    log "updating npm packages to package-lock.json"
    npm install --ignore-scripts --no-audit --no-fund --loglevel=error
  else
    log "installing npm packages (npm ci)"
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  fi
  # tslab talks to Jupyter through zeromq, whose install script picks its bundled prebuild.
  npm rebuild zeromq --foreground-scripts --loglevel=error
  # Our fixes to dependencies (patches/, e.g. tslab printing a stack on every kernel interrupt).
  "$ROOT/node_modules/.bin/patch-package" --error-on-fail >/dev/null
  echo "$want" >"$ROOT/node_modules/.losslens-stamp"
}

# The TensorFlow wheel ships libtensorflow_cc.so.2 (the whole C API, no Python in it)
# with its headers; tfjs-node's binding is compiled against those instead of the
# libtensorflow tarball its installer would download.
ensure_tfjs_binding() {
  local tf_dir node_include want binding
  # LOSSLENS_TENSORFLOW_DIR points at another installed `tensorflow` package folder (a conda env's, say).
  tf_dir=${LOSSLENS_TENSORFLOW_DIR:-$("$VENV/bin/python" -c 'import importlib.util as u; s = u.find_spec("tensorflow"); print(s.submodule_search_locations[0] if s else "")')}
  [ -n "$tf_dir" ] || fail "the TensorFlow wheel is not installed in .venv." \
    "rm -rf .venv && scripts/setup.sh (environment.yml lists tensorflow-cpu)"
  for needed in libtensorflow_cc.so.2 libtensorflow_framework.so.2 include/tensorflow/c/c_api.h include/tensorflow/c/eager/c_api.h; do
    [ -e "$tf_dir/$needed" ] || fail "the TensorFlow wheel at $tf_dir has no $needed." \
      "reinstall it: rm -rf .venv && scripts/setup.sh"
  done
  node_include=$(dirname "$(dirname "$(command -v node)")")
  [ -f "$node_include/include/node/node_api.h" ] ||
    fail "Node's C headers are missing ($node_include/include/node/node_api.h); node-gyp cannot fetch them here." \
      "install Node 20 from a package that ships its headers (Debian/NodeSource nodejs)"
  want=$(printf '%s\n%s\n%s\n' "$tf_dir" "$(node -p 'process.versions.modules')" "$(cat "$TFJS/package.json" | sha256sum)" | sha256sum | cut -c1-64)
  binding=$(ls "$TFJS"/lib/napi-v*/tfjs_binding.node 2>/dev/null | head -1 || true)
  stamp_matches "$TFJS/deps/.losslens-stamp" "$want" && [ -n "$binding" ] && return
  log "building tfjs-node's native binding against $tf_dir"
  rm -rf "$TFJS/deps"
  mkdir -p "$TFJS/deps/lib"
  ln -s "$tf_dir/include" "$TFJS/deps/include"
  ln -s "$tf_dir/libtensorflow_cc.so.2" "$TFJS/deps/lib/libtensorflow_cc.so.2"
  ln -s "$tf_dir/libtensorflow_framework.so.2" "$TFJS/deps/lib/libtensorflow_framework.so.2"
  ln -s libtensorflow_cc.so.2 "$TFJS/deps/lib/libtensorflow.so"
  ln -s libtensorflow_framework.so.2 "$TFJS/deps/lib/libtensorflow_framework.so"
  # The name tfjs-node's installer checks before it would download libtensorflow.
  ln -s libtensorflow_cc.so.2 "$TFJS/deps/lib/libtensorflow.so.2.9.1"
  (cd "$TFJS" && npm_config_nodedir="$node_include" "$ROOT/node_modules/.bin/node-pre-gyp" install \
    --build-from-source --loglevel=error >"$TFJS/deps/build.log" 2>&1) ||
    fail "compiling tfjs-node's binding failed; the compiler output is in $TFJS/deps/build.log." \
      "install a C++ toolchain (apt-get install g++ make python3) and run scripts/setup.sh again"
  node -e 'require("@tensorflow/tfjs-node")' 2>"$TFJS/deps/load.log" ||
    fail "the binding was built but does not load; see $TFJS/deps/load.log."
  echo "$want" >"$TFJS/deps/.losslens-stamp"
}

ensure_tslab_kernel() {
  local spec=$VENV/share/jupyter/kernels/tslab/kernel.json
  [ -f "$spec" ] && grep -qF "\"$ROOT/node_modules/.bin/tslab\"" "$spec" && return
  log "registering the tslab kernel in .venv"
  "$ROOT/node_modules/.bin/tslab" install --python "$VENV/bin/python" --sys-prefix \
    --binary "$ROOT/node_modules/.bin/tslab" >/dev/null
}

# The JupyterLab extension, built from the workspace's node_modules (no network) and
# installed into .venv as a Python package carrying the prebuilt labextension. Keyed on
# everything that goes into the bundle: its sources, the protocol package, the lockfile.
ensure_extension() {
  local ext=$ROOT/extension want log=$VENV/losslens-extension-build.log
  want=$(digest package-lock.json $(find extension/package.json extension/tsconfig.json extension/pyproject.toml \
    extension/install.json extension/losslens_extension/__init__.py extension/src extension/style \
    packages/protocol/package.json packages/protocol/tsconfig.json packages/protocol/src -type f | sort))
  stamp_matches "$VENV/.losslens-extension-stamp" "$want" &&
    [ -f "$VENV/share/jupyter/labextensions/losslens-extension/package.json" ] && return
  log "building the JupyterLab extension (log: .venv/losslens-extension-build.log)"
  rm -rf "$ext/lib" "$ext/losslens_extension/labextension"
  (cd "$ext" && PATH="$VENV/bin:$PATH" npm run build >"$log" 2>&1) ||
    fail "building the JupyterLab extension failed; see $log." "fix the error there and run scripts/setup.sh again"
  # The labextension is built already, so pip needs neither npm nor build isolation.
  HATCH_JUPYTER_BUILDER_SKIP_NPM=1 "$VENV/bin/pip" install --disable-pip-version-check --quiet \
    --no-deps --no-build-isolation "$ext" >>"$log" 2>&1 ||
    fail "installing the JupyterLab extension into .venv failed; see $log."
  "$VENV/bin/jupyter" labextension list 2>&1 | grep -q 'losslens-extension.*enabled.*OK' ||
    fail "JupyterLab does not list losslens-extension as enabled after installing it." \
      "run .venv/bin/jupyter labextension list to see why"
  echo "$want" >"$VENV/.losslens-extension-stamp"
}

started=$(date +%s)
[ "$WITH_BROWSER" = yes ] && ensure_chromium
ensure_python_env
ensure_node_modules
ensure_tfjs_binding
ensure_tslab_kernel
# The one build command (tsc -b: the library and, by project reference, the protocol package the
# extension builds against; then dist/build-info.json, which says which sources dist/ holds).
npm run --silent build
# This build's results identity (what its code computes, which keys every cached and archived
# run): computed once per build, about 10 s, so that no notebook waits for it.
log "results identity: $(node bin/losslens.js identity 2>/dev/null)"
ensure_extension
log "ready in $(($(date +%s) - started)) s"
