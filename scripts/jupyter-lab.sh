#!/usr/bin/env bash
# Opens a folder of notebooks in JupyterLab from the project's .venv, with the losslens
# extension and the tslab kernel that scripts/setup.sh installed there.
#
#   scripts/jupyter-lab.sh                      serves notebooks/ on http://127.0.0.1:8888
#   scripts/jupyter-lab.sh ~/my-what-if         serves that folder instead (it must exist)
#   scripts/jupyter-lab.sh DIR --port 9999      any further `jupyter lab` options pass through
set -euo pipefail

# The folder is the first argument unless that is an option; resolve it before changing directory.
dir=""
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  [ -d "$1" ] || { echo "jupyter-lab: no folder '$1' to serve; create it first (mkdir -p '$1')" >&2; exit 2; }
  dir=$(cd "$1" && pwd)
  shift
fi
for arg in "$@"; do
  case "$arg" in
    --ServerApp.root_dir*|--notebook-dir*) echo "jupyter-lab: give the folder as the first argument instead of $arg" >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.."
ROOT=$PWD
JUPYTER=$ROOT/.venv/bin/jupyter
dir=${dir:-$ROOT/notebooks}

[ -x "$JUPYTER" ] || { echo "jupyter-lab: .venv has no jupyter; run scripts/setup.sh first" >&2; exit 1; }
"$JUPYTER" labextension list 2>&1 | grep -q 'losslens-extension.*enabled.*OK' || {
  echo "jupyter-lab: the losslens extension is not installed in .venv; run scripts/setup.sh" >&2
  exit 1
}

# Jupyter refuses to run as root unless told; containers and CI often are root.
as_root=()
[ "$(id -u)" = 0 ] && as_root=(--allow-root)

# Only the package registries are reachable here: don't fetch JupyterLab's news or check for
# updates. The two LabApp flags stop the server's side; the "Would you like to get notified
# about official Jupyter news?" prompt is the page's, so its settings default to off in .venv's
# overrides.json (defaults for this environment only; a user's own settings still win).
"$ROOT/.venv/bin/python" - "$ROOT/.venv/share/jupyter/lab/settings/overrides.json" <<'PY'
import json, sys
from pathlib import Path
path = Path(sys.argv[1])
overrides = json.loads(path.read_text()) if path.is_file() else {}
plugin = overrides.setdefault("@jupyterlab/apputils-extension:notification", {})
if plugin.get("fetchNews") != "false" or plugin.get("checkForUpdates") is not False:
    plugin.update(fetchNews="false", checkForUpdates=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(overrides, indent=2) + "\n")
PY
exec "$JUPYTER" lab --ip=127.0.0.1 --ServerApp.root_dir="$dir" \
  --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate "${as_root[@]}" "$@"
