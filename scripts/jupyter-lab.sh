#!/usr/bin/env bash
# Opens the losslens notebooks in JupyterLab from the project's .venv, with the losslens
# extension and the tslab kernel that scripts/setup.sh installed there.
#
#   scripts/jupyter-lab.sh                  serves notebooks/ on http://127.0.0.1:8888
#   scripts/jupyter-lab.sh --port 9999      any further `jupyter lab` options pass through
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
JUPYTER=$ROOT/.venv/bin/jupyter

[ -x "$JUPYTER" ] || { echo "jupyter-lab: .venv has no jupyter; run scripts/setup.sh first" >&2; exit 1; }
"$JUPYTER" labextension list 2>&1 | grep -q 'losslens-extension.*enabled.*OK' || {
  echo "jupyter-lab: the losslens extension is not installed in .venv; run scripts/setup.sh" >&2
  exit 1
}

# Jupyter refuses to run as root unless told; containers and CI often are root.
as_root=()
[ "$(id -u)" = 0 ] && as_root=(--allow-root)

# Only the package registries are reachable here: don't fetch JupyterLab's news or check for updates.
exec "$JUPYTER" lab --ip=127.0.0.1 --ServerApp.root_dir="$ROOT/notebooks" \
  --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate "${as_root[@]}" "$@"
