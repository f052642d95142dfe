#!/usr/bin/env bash
# The reproduction: executes the question's notebooks headless under the tslab kernel,
# training every run they read (the published archive is not read for them; the user's cache
# is, so a second run is fast), and publishes them: executed notebooks and self-contained HTML
# in the output folder, their key tables, then each run's numbers next to the published
# archive's and the question's (all of it also in summary.md there, with the run's duration).
#
#   bash scripts/reproduce.sh [--quick] [--all] [--output DIR]
#
# Full fidelity by default (the question's 10 epochs × 60,000 images); --quick, or
# LOSSLENS_PROFILE=quick, runs the smoke-test profile defined in scripts/profiles.json.
# Notebooks whose metadata marks them as a study beyond the question ("losslens":
# {"study": true}: 04's sweep, 05's 35 runs) take hours of training; --all runs them too.
# The terminal shows each notebook, cell and training (bar, rate, ETA) as it runs;
# DIR/reproduce.log keeps every line.
# Expects scripts/setup.sh to have run (`npm run reproduce` runs it first).
set -euo pipefail
cd "$(dirname "$0")/.."

profile="${LOSSLENS_PROFILE:-full}"
output="output"
all=false
usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) profile=quick ;;
    --all) all=true ;;
    --output) [ $# -ge 2 ] || { echo "--output needs a folder" >&2; exit 2; }; output="$2"; shift ;;
    --output=*) output="${1#--output=}" ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

# The studies stay out of the main job unless asked for: the question and its answer
# take 7 trainings, the studies 34 more.
notebooks=()
for notebook in notebooks/*.ipynb; do
  if ! $all && .venv/bin/python -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["metadata"].get("losslens", {}).get("study") else 1)' "$notebook"; then
    echo "skipping $notebook, a study beyond the question (--all runs it)" >&2
  else
    notebooks+=("$notebook")
  fi
done

# The notebooks import the compiled library from ../dist.
npm run --silent build
echo "running ${#notebooks[@]} notebook(s) with the '$profile' profile into $output/ (log: $output/reproduce.log)" >&2
started=$SECONDS
mkdir -p "$output"
# The key tables go to the terminal and, with the run's duration, to summary.md.
LOSSLENS_ARCHIVE=off .venv/bin/python scripts/run_notebooks.py "${notebooks[@]}" --output "$output" --profile "$profile" \
  --html --summary --log "$output/reproduce.log" |
  tee "$output/summary.md"
# The comparison reads the runs just trained from the cache, and the published archive.
{ echo; node bin/losslens.js archive compare "${notebooks[@]}" --profile "$profile" 2>/dev/null; } | tee -a "$output/summary.md"
echo "Total: $((SECONDS - started)) s on $(date -u '+%Y-%m-%d %H:%M UTC')." | tee -a "$output/summary.md"
echo "open $output/*.html to read the results" >&2
