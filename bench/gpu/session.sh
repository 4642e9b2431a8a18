#!/usr/bin/env bash
# Usage: bench/gpu/session.sh TARBALL [BUDGET_S [DEVICE]]
#
# A whole GPU session in one call of a lent machine (whose time is short and whose disk is lost
# after it), every output packed into TARBALL (.tgz) even when a step fails or runs out of time:
#   1. bench/gpu/run.sh (probe, build, ctest on the GPU, cuDNN baseline + cnnbench), batch 32
#      first: resnet50:32, vgg16:32, then resnet50:1, vgg16:1, deepbench while the budget lasts
#   2. cnnbench --tune on the ResNet-50 and VGG-16 shapes at batch 32, in one run (one suite
#      file), with CNNCL_LOG=debug: every candidate's time and each layer's winner (tune.log)
#   3. ResNet-50 and VGG-16 at batch 32 again, now served by the tuned disk cache, against the
#      same cuDNN baseline files as step 1
# The disk cache (XDG_CACHE_HOME) lives in the work folder and is packed too (tuned entries).
# BUDGET_S (default 540): seconds for the whole script; run.sh gets about 55% of it, the tuner
# about 25%, the reruns the rest. DEVICE: cnnbench's selector (default gpu; cpu tries it on PoCL).
set -uo pipefail

case ${1:-} in -h | --help) sed -n '2,15s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
TARBALL=${1:?usage: bench/gpu/session.sh TARBALL [BUDGET_S [DEVICE]]}
BUDGET=${2:-540}
DEVICE=${3:-gpu}
[[ $BUDGET =~ ^[0-9]+$ ]] || { echo "session.sh: '$BUDGET' is not a whole number" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d /tmp/cnncl-gpu-session.XXXXXX)
START=$(date +%s)
left() { echo $((START + BUDGET - $(date +%s) - 15)); }   # 15 s kept for packing

export XDG_CACHE_HOME=$WORK/cache
mkdir -p "$XDG_CACHE_HOME"
# Everything but the disk cache's program binaries (large; rebuilt anywhere): its find and
# tuning entries are the small files.
pack() {
  (cd "$WORK" && find . -type f ! \( -path './cache/*' -size +16k \) -print0 |
    tar -czf "$TARBALL" --null -T -)
  echo "session.sh: packed $(du -h "$TARBALL" | cut -f 1) into $TARBALL after $(($(date +%s) - START)) s"
}
trap pack EXIT

# 1. The prepared run.
"$ROOT/bench/gpu/run.sh" "$WORK/run" --device "$DEVICE" --budget $((BUDGET * 55 / 100)) --tests-timeout 110 \
  --run-timeout 90 --runs resnet50:32,vgg16:32,resnet50:1,vgg16:1,deepbench
echo "run.sh: exit $?"
# shellcheck disable=SC1091 # written by run.sh
[[ -f $WORK/run/env.sh ]] && source "$WORK/run/env.sh"
BENCH=$ROOT/build/gpu-release/bench/cnnbench
[[ -x $BENCH ]] || { echo "session.sh: no cnnbench was built; stopping" >&2; exit 1; }

# 2. Tuning: one suite of both networks' layers.
cat "$ROOT/bench/suites/resnet50.txt" "$ROOT/bench/suites/vgg16.txt" >"$WORK/resnet50-vgg16.txt"
t=$(( $(left) - BUDGET * 20 / 100 ))
if ((t > 20)); then
  echo "[$(($(date +%s) - START))s] tune (limit ${t}s)"
  CNNCL_LOG=debug timeout -k 5 "$t" "$BENCH" --device "$DEVICE" --suite "$WORK/resnet50-vgg16.txt" \
    --batch 32 --tune --reps 3 --json "$WORK/tune.json" >"$WORK/tune.txt" 2>"$WORK/tune.log"
  echo "tune: exit $? ($(grep -c 'is the fastest' "$WORK/tune.log") winners)"
  grep -E '^summary' "$WORK/tune.txt"
else
  echo "tune: skipped, out of time"
fi

# 3. Again with the tuned cache.
for suite in resnet50 vgg16; do
  t=$(left)
  ((t > 15)) || { echo "rerun $suite: skipped, out of time"; continue; }
  vs=()
  [[ -s $WORK/run/cudnn-$suite-b32.json ]] && vs=(--vs-json "$WORK/run/cudnn-$suite-b32.json")
  timeout -k 5 "$t" "$BENCH" --device "$DEVICE" --suite "$suite" --batch 32 --reps 10 "${vs[@]}" \
    --json "$WORK/tuned-$suite-b32.json" >"$WORK/tuned-$suite-b32.txt" 2>&1
  echo "rerun $suite b32 (tuned): exit $?"
  grep -E '^(summary|vs) ' "$WORK/tuned-$suite-b32.txt"
done
