#!/usr/bin/env bash
# Runs .ci/run on a fresh clone of this repository's HEAD, as CI does, optionally under a bounded
# busy loop that moves from core to core, and prints the duration and the outcome of each run.
#
#   scripts/ci-fresh-clone.sh [--runs N] [--busy none|rotate|<cpu>] [--switch-seconds S] [--max-minutes M]
#
# --busy rotate pins one busy loop to each core in turn (S seconds each, default 20): the load
# generator's core and the servers' core both get a competitor during the suite. The loop is
# bounded by the run and by --max-minutes (default 30), and is ended by its process id.
set -euo pipefail
runs=1 busy=none switch=20 max_minutes=30
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --busy) busy=$2; shift 2 ;;
    --switch-seconds) switch=$2; shift 2 ;;
    --max-minutes) max_minutes=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--busy none|rotate|<cpu>] [--switch-seconds S] [--max-minutes M]" >&2; exit 2 ;;
  esac
done
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
cpus=$(nproc)
busy_pid='' mover_pid='' clone=''

cleanup() {
  [ -n "$mover_pid" ] && kill "$mover_pid" 2>/dev/null || true
  [ -n "$busy_pid" ] && kill "$busy_pid" 2>/dev/null || true
  [ -n "$clone" ] && rm -rf "$clone"
  busy_pid='' mover_pid='' clone=''
}
trap cleanup EXIT INT TERM

start_busy() {
  [ "$busy" = none ] && return
  local first=0
  [ "$busy" != rotate ] && first=$busy
  # Bounded: the loop ends by itself after --max-minutes even if nothing kills it.
  timeout "${max_minutes}m" taskset -c "$first" sh -c 'while :; do :; done' &
  busy_pid=$!
  if [ "$busy" = rotate ]; then
    (
      cpu=0 deadline=$(( $(date +%s) + max_minutes * 60 ))
      while kill -0 "$busy_pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do
        sleep "$switch"
        cpu=$(( (cpu + 1) % cpus ))
        # timeout's child is the loop: move both.
        for p in $busy_pid $(pgrep -P "$busy_pid" || true); do taskset -pc "$cpu" "$p" >/dev/null 2>&1 || true; done
      done
    ) &
    mover_pid=$!
  fi
}

for run in $(seq 1 "$runs"); do
  clone=$(mktemp -d /tmp/flask-perf-ci-XXXXXX)
  log="$clone.log"
  git clone -q "$repo" "$clone"
  echo "run $run/$runs: $(git -C "$clone" rev-parse --short HEAD), busy loop: $busy, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  start_busy
  start=$(date +%s)
  set +e
  (cd "$clone" && bash .ci/run) > "$log" 2>&1
  rc=$?
  set -e
  seconds=$(( $(date +%s) - start ))
  cleanup
  summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ *Tests +[0-9]' | tail -1 | tr -s ' ' || true)
  echo "run $run/$runs: rc $rc in ${seconds}s;${summary} (log: $log)"
done
