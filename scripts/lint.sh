#!/usr/bin/env bash
# The checks `npm test` runs before vitest: formatting, lint, the library's layering, and the type-check of what `npm run build`
# does not compile (tests, bench, scripts). All of them run, so one pass shows every kind of problem; any
# failure fails. `--cache` (npm run check) keeps Prettier's and ESLint's caches for a fast re-run.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=node_modules/.bin
prettier_cache=()
eslint_cache=()
case "${1:-}" in
  --cache) prettier_cache=(--cache) eslint_cache=(--cache --cache-location node_modules/.cache/eslint/) ;;
  '') ;;
  *) echo "usage: scripts/lint.sh [--cache]" >&2; exit 2 ;;
esac

status=0
check() {
  printf '[lint] %s\n' "$1" >&2
  shift
  "$@" || status=1
}
check 'prettier --check' "$bin/prettier" --check --log-level warn "${prettier_cache[@]}" .
check 'eslint' "$bin/eslint" "${eslint_cache[@]}" .
# The library's layers and no import cycles (.dependency-cruiser.cjs).
check 'depcruise src' "$bin/depcruise" src --config .dependency-cruiser.cjs --output-type err
# tslab's TypeScript 5.0 also installs a tsc into node_modules/.bin; this is package.json's.
for project in test bench packages/protocol/scripts; do
  check "tsc --noEmit -p $project" node node_modules/typescript/bin/tsc --noEmit -p "$project"
done
[ "$status" = 0 ] || printf '[lint] failed; `npm run format` fixes the formatting, `npx eslint . --fix` what ESLint can\n' >&2
exit "$status"
