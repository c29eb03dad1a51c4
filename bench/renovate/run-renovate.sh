#!/usr/bin/env bash
# Run Renovate's extraction (no lookups) over each corpus repository and keep its JSON report.
#
#   bash bench/renovate/run-renovate.sh [repo-name ...]
#
# Renovate is NOT a dependency of this project: it is installed into $PEER_DIR (default /work/peer)
# together with the `node@24` npm package, whose Node 24 binary runs it (Renovate 44 needs Node 24).
#
# Environment:
#   PEER_DIR     where Renovate lives (default /work/peer)
#   CORPUS_DIR   corpus root (default <project>/../shared/corpus)
#   OUT_DIR      output folder (default <project>/bench/.out)
#   ITERATIONS   runs per repository (default 1); every run is timed, the last run's report is kept
#
# Writes, per repository <name>:
#   $OUT_DIR/renovate-<name>.json        Renovate's report (repositories.local.packageFiles)
#   $OUT_DIR/renovate-<name>.log.<i>.jsonl  Renovate's debug log (LOG_FORMAT=json) of run i
#   $OUT_DIR/renovate-<name>.log.jsonl   the same, of the last run
#   $OUT_DIR/renovate-<name>.time.<i>    `/usr/bin/time -v` output of run i (when /usr/bin/time exists)
#   $OUT_DIR/renovate-<name>.wall.<i>    wall time of run i in milliseconds (always)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/../.." && pwd)"
PEER_DIR="${PEER_DIR:-/work/peer}"
CORPUS_DIR="${CORPUS_DIR:-$project/../shared/corpus}"
OUT_DIR="${OUT_DIR:-$project/bench/.out}"
ITERATIONS="${ITERATIONS:-1}"
RENOVATE_VERSION="${RENOVATE_VERSION:-44}"
NODE_VERSION="${NODE_VERSION:-24}"

# The managers we support. Renovate has no zarf or uds manager.
# nvm (.nvmrc), nodenv (.node-version) and pyenv (.python-version) are the runtime-version files we read too.
ENABLED_MANAGERS='["npm","nvm","nodenv","pip_requirements","pep621","poetry","pipenv","pyenv","cargo","gomod","dockerfile","docker-compose","github-actions","helmv3","helm-values"]'

if [ ! -d "$CORPUS_DIR/repos" ]; then
  echo "run-renovate: corpus not found at $CORPUS_DIR/repos (set CORPUS_DIR)" >&2
  exit 2
fi

node_bin="$PEER_DIR/node_modules/node/bin/node"
renovate_js="$PEER_DIR/node_modules/renovate/dist/renovate.js"
if [ ! -x "$node_bin" ] || [ ! -f "$renovate_js" ]; then
  echo "run-renovate: installing renovate@$RENOVATE_VERSION and node@$NODE_VERSION into $PEER_DIR" >&2
  mkdir -p "$PEER_DIR"
  (
    cd "$PEER_DIR"
    [ -f package.json ] || npm init -y >/dev/null
    npm install --no-audit --no-fund "renovate@$RENOVATE_VERSION" "node@$NODE_VERSION" >&2
  )
fi
if [ ! -x "$node_bin" ]; then
  # Some npm versions skip node@24's preinstall script; its platform package carries the binary.
  alt="$(ls "$PEER_DIR"/node_modules/node/node_modules/node-linux-*/bin/node 2>/dev/null | head -n1 || true)"
  if [ -n "$alt" ]; then node_bin="$alt"; else
    echo "run-renovate: no Node 24 binary under $PEER_DIR/node_modules/node" >&2
    exit 2
  fi
fi
echo "run-renovate: $("$node_bin" --version) / renovate $("$node_bin" -p "require('$PEER_DIR/node_modules/renovate/package.json').version")" >&2

time_bin=""
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then time_bin=/usr/bin/time; fi
[ -n "$time_bin" ] || echo "run-renovate: /usr/bin/time -v unavailable (apt-get install time); peak RSS not recorded" >&2

mkdir -p "$OUT_DIR"
work="$(mktemp -d "${TMPDIR:-/tmp}/cowabunga-renovate.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if [ "$#" -gt 0 ]; then repos=("$@"); else
  repos=()
  for d in "$CORPUS_DIR"/repos/*/; do repos+=("$(basename "$d")"); done
fi

for name in "${repos[@]}"; do
  src="$CORPUS_DIR/repos/$name"
  if [ ! -d "$src" ]; then echo "run-renovate: no repository $src" >&2; exit 2; fi
  # The corpus is read-only; Renovate's local platform lists files with git, so work in a committed copy.
  repo="$work/$name"
  cp -R "$src" "$repo"
  chmod -R u+w "$repo"
  (
    cd "$repo"
    git init -q
    git add -A
    git -c user.email=bench@localhost -c user.name=bench -c commit.gpgsign=false commit -qm corpus
  )
  rm -f "$OUT_DIR/renovate-$name".wall.* "$OUT_DIR/renovate-$name".time.* "$OUT_DIR/renovate-$name".log.*
  for ((i = 1; i <= ITERATIONS; i++)); do
    rc=0
    base="$work/base-$name-$i" # fresh cache dir: no run profits from an earlier one
    report="$OUT_DIR/renovate-$name.json"
    log="$OUT_DIR/renovate-$name.log.$i.jsonl"
    rm -f "$report"
    cmd=(env -i PATH="$PATH" HOME="$work" TMPDIR="$work"
      LOG_LEVEL=debug LOG_FORMAT=json
      RENOVATE_PLATFORM=local
      RENOVATE_DRY_RUN=extract
      RENOVATE_ONBOARDING=false
      RENOVATE_REQUIRE_CONFIG=optional
      RENOVATE_ENABLED_MANAGERS="$ENABLED_MANAGERS"
      RENOVATE_REPORT_TYPE=file
      RENOVATE_REPORT_PATH="$report"
      RENOVATE_BASE_DIR="$base"
      RENOVATE_PERSIST_REPO_DATA=false
      "$node_bin" "$renovate_js")
    start=$(date +%s%N)
    if [ -n "$time_bin" ]; then
      (cd "$repo" && "$time_bin" -v -o "$OUT_DIR/renovate-$name.time.$i" "${cmd[@]}" >"$log" 2>&1) || rc=$?
    else
      (cd "$repo" && "${cmd[@]}" >"$log" 2>&1) || rc=$?
    fi
    end=$(date +%s%N)
    echo $(((end - start) / 1000000)) >"$OUT_DIR/renovate-$name.wall.$i"
    if [ "$rc" -ne 0 ] || [ ! -s "$report" ]; then
      echo "run-renovate: renovate failed on $name (exit $rc); see $log" >&2
      exit 1
    fi
    rm -rf "$base"
    cp "$log" "$OUT_DIR/renovate-$name.log.jsonl"
    echo "run-renovate: $name run $i: $(cat "$OUT_DIR/renovate-$name.wall.$i") ms -> $report" >&2
  done
done
