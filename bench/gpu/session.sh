#!/usr/bin/env bash
# Usage: bench/gpu/session.sh TARBALL [BUDGET_S [DEVICE]]
#
# A whole GPU session in one call of a lent machine (whose time is short and whose disk is lost
# after it), every output packed into TARBALL (.tgz) even when a step fails or runs out of time:
#   1. bench/gpu/run.sh (probe, build, ctest on the GPU, cuDNN baseline + cnnbench), batch 32
#      first: resnet50:32, vgg16:32, then resnet50:1, vgg16:1, deepbench, mobilenet_v2:32 while
#      the budget lasts
#   2. the pooling suite at batch 32 (its % of the copy roofline)
#   3. ResNet-50 and VGG-16 at batch 32 in find mode (every algorithm timed, the fastest kept)
#      against the same cuDNN baseline files: how far the rules of step 1 are from the best
#   4. with what is left, cnnbench --tune on both networks' shapes at batch 32 in one run, with
#      CNNCL_LOG=debug: every candidate's time and each layer's winner (tune.log)
# The disk cache (XDG_CACHE_HOME) lives in the work folder; its small entries (find and tuning
# winners) are packed too. BUDGET_S (default 540): seconds for the whole script; run.sh gets
# about 60% of it. CNNCL_GPU_TESTS_TIMEOUT: run.sh's CTest limit (default 200: the suite took
# more than 230 s on an H200 machine with PoCL beside it). DEVICE: cnnbench's selector (default
# gpu; cpu tries it on PoCL).
set -uo pipefail

case ${1:-} in -h | --help) sed -n '2,18s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
TARBALL=${1:?usage: bench/gpu/session.sh TARBALL [BUDGET_S [DEVICE]]}
BUDGET=${2:-540}
DEVICE=${3:-gpu}
TESTS_TIMEOUT=${CNNCL_GPU_TESTS_TIMEOUT:-200}
for n in "$BUDGET" "$TESTS_TIMEOUT"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "session.sh: '$n' is not a whole number" >&2; exit 2; }
done
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d /tmp/cnncl-gpu-session.XXXXXX)
START=$(date +%s)
left() { echo $((START + BUDGET - $(date +%s) - 15)); }   # 15 s kept for packing
elapsed() { echo $(($(date +%s) - START)); }

export XDG_CACHE_HOME=$WORK/cache
mkdir -p "$XDG_CACHE_HOME"
# Everything but the disk cache's program binaries (large; rebuilt anywhere): its find and
# tuning entries are the small files.
pack() {
  (cd "$WORK" && find . -type f ! \( -path './cache/*' -size +16k \) -print0 |
    tar -czf "$TARBALL" --null -T -)
  echo "session.sh: packed $(du -h "$TARBALL" | cut -f 1) into $TARBALL after $(elapsed) s"
}
trap pack EXIT

# 1. The prepared run.
"$ROOT/bench/gpu/run.sh" "$WORK/run" --device "$DEVICE" --budget $((BUDGET * 60 / 100)) \
  --tests-timeout "$TESTS_TIMEOUT" --run-timeout 90 \
  --runs resnet50:32,vgg16:32,resnet50:1,vgg16:1,deepbench,mobilenet_v2:32
echo "run.sh: exit $?"
# shellcheck disable=SC1091 # written by run.sh
[[ -f $WORK/run/env.sh ]] && source "$WORK/run/env.sh"
BENCH=$ROOT/build/gpu-release/bench/cnnbench
[[ -x $BENCH ]] || { echo "session.sh: no cnnbench was built; stopping" >&2; exit 1; }

# Runs cnnbench with its output in $WORK/NAME.txt (limit: what is left, at most $1 seconds) and
# prints its summary lines.
bench() {
  local limit=$1 name=$2 t
  shift 2
  t=$(left)
  ((t > limit)) && t=$limit
  if ((t < 15)); then
    echo "$name: skipped, out of time"
    return
  fi
  local rc=0
  timeout -k 5 "$t" "$BENCH" --device "$DEVICE" "$@" >"$WORK/$name.txt" 2>&1 || rc=$?
  echo "[$(elapsed)s] $name: exit $rc$( ((rc == 124 || rc == 137)) && echo ", timed out after ${t}s")"
  grep -E '^(summary|vs) ' "$WORK/$name.txt"
}

# 2. Pooling.
bench 40 pool-b32 --suite pooling --batch 32

# 3. Find mode against cuDNN.
for suite in resnet50 vgg16; do
  vs=()
  [[ -s $WORK/run/cudnn-$suite-b32.json ]] && vs=(--vs-json "$WORK/run/cudnn-$suite-b32.json")
  bench 60 "find-$suite-b32" --suite "$suite" --batch 32 --find "${vs[@]}" \
    --json "$WORK/find-$suite-b32.json"
done

# 4. Tuning, one suite of both networks' layers.
cat "$ROOT/bench/suites/resnet50.txt" "$ROOT/bench/suites/vgg16.txt" >"$WORK/resnet50-vgg16.txt"
CNNCL_LOG=debug bench 600 tune-b32 --suite "$WORK/resnet50-vgg16.txt" --batch 32 --tune --reps 3
grep -E 'find: |is the fastest' "$WORK/tune-b32.txt" >"$WORK/tune.log" 2>/dev/null
winners=$(grep -c 'is the fastest' "$WORK/tune.log" 2>/dev/null)
echo "tune: ${winners:-0} winners"
