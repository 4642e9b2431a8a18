#!/usr/bin/env bash
# Usage: bench/gpu/run.sh OUTDIR [options]
#
# Builds, tests and benchmarks cnncl on a (possibly bare, offline) GPU machine and sets up
# NVIDIA's OpenCL driver for it without writing outside the work tree; about 6 minutes on an H100.
#   1. probe (OUTDIR/probe.txt): nvidia-smi and clocks, driver, libnvidia-opencl.so*, the OpenCL
#      loader, headers, ICD files, CUDA + PyTorch. A missing loader or headers come from the
#      .debs in bench/gpu/debs (scripts/fetch-gpu-debs), unpacked into bench/gpu/.sysroot; an
#      unregistered NVIDIA driver gets OUTDIR/icd/nvidia.icd via OCL_ICD_VENDORS. clinfo -l.
#   2. Release build in build/gpu-release (OUTDIR/build.log)
#   3. ctest with CNNCL_DEVICE=<device> (OUTDIR/ctest.log)
#   4+5. per suite and batch (resnet50 and vgg16 at batch 1 and 32, deepbench at its own
#      batches): the cuDNN baseline (bench/gpu/cudnn_baseline.py, when PyTorch sees CUDA) into
#      OUTDIR/cudnn-TAG.json, then cnnbench into OUTDIR/cnncl-TAG.{txt,json,csv}, with
#      --vs-json OUTDIR/cudnn-TAG.json when cnnbench has that option (ratio lines also in
#      OUTDIR/ratio-TAG.txt). TAG: resnet50-b1, resnet50-b32, vgg16-b1, vgg16-b32, deepbench.
#   6. summary table, last on stdout and in OUTDIR/summary.txt; all stdout also in OUTDIR/run.log
#   OUTDIR/env.sh: the loader set-up the probe chose, for later commands (source it)
# Options:
#   --device SEL      cnnbench / CNNCL_DEVICE selector (default gpu; e.g. cpu for PoCL)
#   --quick           resnet50 at batch 1 only
#   --runs LIST       the benchmark runs, in order, comma-separated SUITE:BATCH (SUITE alone: the
#                     suite's own batches), e.g. resnet50:32,vgg16:32 (default resnet50:1,
#                     vgg16:1,deepbench,resnet50:32,vgg16:32); a run that no longer fits the
#                     budget is skipped, so put first what matters most
#   --skip-build      use the existing build (build/gpu-release/bench/cnnbench)
#   --skip-tests      no ctest
#   --tests-regex RE  only the CTest tests matching RE (ctest -R)
#   --force-sysroot   use the unpacked loader, headers and clinfo even when the system has them
#                     (also: CNNCL_GPU_FORCE_SYSROOT=1)
#   --build-dir DIR   default build/gpu-release
#   --reps N          cnnbench and baseline repetitions (default 10)
#   --run-timeout S   limit per benchmark run (default 120)
#   --tests-timeout S limit for the whole ctest run (default 150)
#   --budget S        the whole script's time budget (default 510): each step's limit is cut
#                     to what is left, and steps that no longer fit are skipped and reported
# Exit status: 0 when everything ran and passed; 1 when the OpenCL device was not reachable,
# the build failed, a test failed, or a benchmark run failed, timed out or was skipped; 2 usage.
set -euo pipefail
shopt -s nullglob

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DEBS=$ROOT/bench/gpu/debs
SYSROOT=$ROOT/bench/gpu/.sysroot
BASELINE_PY=$ROOT/bench/gpu/cudnn_baseline.py

usage() { sed -n '2,38s/^# \{0,1\}//p' "$0"; }

OUT=""
DEVICE=gpu
QUICK=0
RUNS_LIST=""
SKIP_BUILD=0
SKIP_TESTS=0
TESTS_REGEX=""
FORCE_SYSROOT=${CNNCL_GPU_FORCE_SYSROOT:-0}
BUILD=$ROOT/build/gpu-release
REPS=10
RUN_TIMEOUT=120
TESTS_TIMEOUT=150
BUDGET=510
while (($# > 0)); do
  case $1 in
    --device) DEVICE=${2:?--device needs a selector}; shift ;;
    --quick) QUICK=1 ;;
    --runs) RUNS_LIST=${2:?--runs needs SUITE:BATCH,...}; shift ;;
    --skip-build) SKIP_BUILD=1 ;;
    --skip-tests) SKIP_TESTS=1 ;;
    --tests-regex) TESTS_REGEX=${2:?--tests-regex needs a regex}; shift ;;
    --force-sysroot) FORCE_SYSROOT=1 ;;
    --build-dir) BUILD=${2:?--build-dir needs a folder}; shift ;;
    --reps) REPS=${2:?--reps needs a number}; shift ;;
    --run-timeout) RUN_TIMEOUT=${2:?--run-timeout needs seconds}; shift ;;
    --tests-timeout) TESTS_TIMEOUT=${2:?--tests-timeout needs seconds}; shift ;;
    --budget) BUDGET=${2:?--budget needs seconds}; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "run.sh: unknown option '$1' (--help lists them)" >&2; exit 2 ;;
    *)
      if [[ -n $OUT ]]; then
        echo "run.sh: one OUTDIR only ('$OUT', then '$1')" >&2
        exit 2
      fi
      OUT=$1 ;;
  esac
  shift
done
if [[ -z $OUT ]]; then
  usage >&2
  exit 2
fi
for n in "$REPS" "$RUN_TIMEOUT" "$TESTS_TIMEOUT" "$BUDGET"; do
  if ! [[ $n =~ ^[0-9]+$ ]]; then
    echo "run.sh: '$n' is not a whole number" >&2
    exit 2
  fi
done
if [[ -n $RUNS_LIST && ! $RUNS_LIST =~ ^[a-z0-9_]+(:[0-9]+)?(,[a-z0-9_]+(:[0-9]+)?)*$ ]]; then
  echo "run.sh: --runs '$RUNS_LIST' is not SUITE[:BATCH],..." >&2
  exit 2
fi
[[ $FORCE_SYSROOT == 0 || $FORCE_SYSROOT == "" ]] && FORCE_SYSROOT=0 || FORCE_SYSROOT=1
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
cd "$ROOT"

# Everything on stdout (and stderr) also goes to OUTDIR/run.log.
exec > >(tee "$OUT/run.log") 2>&1
TEE_PID=$!
# Lets tee write its last lines before the script returns.
# shellcheck disable=SC2317 # called by the EXIT trap
finish() {
  exec >&- 2>&-
  wait "$TEE_PID" 2>/dev/null || true
}
trap finish EXIT

# This script's own outputs from an earlier run into the same folder would be mistaken for new.
rm -rf "$OUT/icd"
rm -f "$OUT"/cnncl-* "$OUT"/cudnn-* "$OUT"/ratio-* "$OUT"/clinfo*.txt "$OUT"/devices.txt \
  "$OUT"/env.sh "$OUT"/build.log "$OUT"/ctest.log "$OUT"/summary.txt
START=$(date +%s)
DEADLINE=$((START + BUDGET))
JOBS=$(nproc 2>/dev/null || echo 2)
PROBE=$OUT/probe.txt
: >"$PROBE"
FAILURES=()   # why the exit status will be 1, one reason an entry

elapsed() { echo $(($(date +%s) - START)); }
# Seconds a step may take: its own limit, cut to what is left of the budget (minus a reserve
# for the summary).
limit() {
  local want=$1 left
  left=$((DEADLINE - $(date +%s) - 10))
  ((left < want)) && want=$left
  ((want < 1)) && want=1   # never 0: timeout 0 means no limit at all
  echo "$want"
}
say() { printf '%s\n' "$*" | tee -a "$PROBE"; }      # stdout and probe.txt
note() { printf '%s\n' "$*" >>"$PROBE"; }             # probe.txt only
section() { printf '\n==== %s ====\n' "$*" >>"$PROBE"; }
step() { printf '\n[%4ss] == %s ==\n' "$(elapsed)" "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
# ", timed out" for timeout's exit statuses; always succeeds (used inside assignments).
timed_out() {
  if [[ $1 == 124 || $1 == 137 ]]; then echo ", timed out"; fi
  return 0
}
# A command's output into probe.txt, limited in time; never fails the script.
probe_cmd() {
  section "$*"
  timeout -k 5 60 "$@" >>"$PROBE" 2>&1 || note "(exit status $?)"
}

FOUND=()
NOT_FOUND=()
found() { FOUND+=("$*"); }
not_found() { NOT_FOUND+=("$*"); }

printf 'cnncl GPU run: %s, out %s, device %s, budget %ss, %s cores\n' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$OUT" "$DEVICE" "$BUDGET" "$JOBS"

# ------------------------------------------------------------------------------------------------
step "1. probe (details: $PROBE)"

section host
{
  uname -a
  sed -n 's/^PRETTY_NAME=//p' /etc/os-release 2>/dev/null | tr -d '"'
  ldd --version 2>&1 | head -n 1
  echo "cores: $JOBS"
  echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "$(git -C "$ROOT" status --porcelain 2>/dev/null | wc -l) changed/untracked paths"
  env | grep -E '^(LD_LIBRARY_PATH|OCL_ICD_[A-Z_]*|OPENCL_VENDOR_PATH|CUDA_[A-Z_]*|NVIDIA_[A-Z_]*|CPATH|C_INCLUDE_PATH)=' | sort
} >>"$PROBE" 2>&1 || true
if [[ $(uname -m) != x86_64 ]]; then
  say "warning: $(uname -m) machine: the carried .debs are amd64 and will not run here"
fi

# --- NVIDIA driver -------------------------------------------------------------------------------
DRIVER=""
if have nvidia-smi; then
  found "nvidia-smi: $(command -v nvidia-smi)"
  probe_cmd nvidia-smi
  probe_cmd nvidia-smi -q -d CLOCK
  gpu_line=$(timeout 30 nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,clocks.mem,power.limit \
    --format=csv,noheader 2>/dev/null | head -n 1) || gpu_line=""
  if [[ -n $gpu_line ]]; then
    say "GPU (nvidia-smi): $gpu_line  [name, driver, memory, SM clock, max SM clock, mem clock, power limit]"
    DRIVER=$(cut -d, -f2 <<<"$gpu_line" | tr -d ' ')
  else
    say "nvidia-smi: present but reported no GPU (see probe.txt)"
    not_found "a GPU in nvidia-smi"
  fi
else
  not_found "nvidia-smi (not on PATH)"
fi
if [[ -z $DRIVER && -r /proc/driver/nvidia/version ]]; then
  probe_cmd cat /proc/driver/nvidia/version
  DRIVER=$(grep -oE 'Kernel Module +[0-9.]+' /proc/driver/nvidia/version | grep -oE '[0-9.]+$' || true)
fi
if [[ -n $DRIVER ]]; then
  found "NVIDIA driver $DRIVER"
else
  not_found "NVIDIA driver version (no nvidia-smi answer, no /proc/driver/nvidia/version)"
fi

# --- where libraries may be ----------------------------------------------------------------------
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
LDCACHE=$("$LDCONFIG" -p 2>/dev/null || true)
LIB_DIRS=(/usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/lib
  /usr/local/nvidia/lib64 /usr/local/nvidia/lib)
CUDA_LIB_DIRS=(/usr/local/cuda*/lib64 /usr/local/cuda*/targets/*/lib /usr/local/cuda*/compat)
IFS=: read -r -a LD_DIRS <<<"${LD_LIBRARY_PATH:-}"
# Prints each existing path matching name pattern $1 in the ld cache and the folders, once.
find_libs() {
  local pattern=$1 dir f
  {
    P=$pattern awk '$1 ~ ENVIRON["P"] { print $NF }' <<<"$LDCACHE"
    for dir in "${LD_DIRS[@]}" "${LIB_DIRS[@]}" "${CUDA_LIB_DIRS[@]}"; do
      [[ -d $dir ]] || continue
      for f in "$dir"/*; do
        [[ ${f##*/} =~ $pattern ]] && echo "$f"
      done
    done
  } | awk 'NF && !seen[$0]++' | while read -r f; do [[ -e $f ]] && echo "$f"; done
}

# --- libnvidia-opencl ----------------------------------------------------------------------------
section "libnvidia-opencl.so* (ld cache, LD_LIBRARY_PATH, ${LIB_DIRS[*]}, /usr/local/cuda*)"
mapfile -t NV_LIBS < <(find_libs '^libnvidia-opencl\.so')
NV_LIB=""
best=-99
for f in "${NV_LIBS[@]}"; do
  real=$(readlink -f "$f")
  note "$f -> $real"
  score=0
  [[ ${f##*/} == libnvidia-opencl.so.1 ]] && score=$((score + 1))
  [[ -n $DRIVER && $real == *".so.$DRIVER" ]] && score=$((score + 2))
  [[ $f == */compat/* ]] && score=$((score - 3))
  if ((score > best)); then
    best=$score
    NV_LIB=$f
  fi
done
if [[ -n $NV_LIB ]]; then
  found "NVIDIA OpenCL driver: $NV_LIB -> $(readlink -f "$NV_LIB") (${#NV_LIBS[@]} candidate(s))"
  if have python3; then
    # dlopen it: a missing dependency (libcuda.so.1, ...) shows here rather than as no platform.
    if ! err=$(timeout 30 python3 -c 'import ctypes, sys; ctypes.CDLL(sys.argv[1])' "$NV_LIB" 2>&1); then
      say "warning: $NV_LIB does not load: $(tail -n 1 <<<"$err")"
      not_found "a loadable $NV_LIB (dlopen failed, see above)"
    fi
  fi
else
  note "(none)"
  not_found "libnvidia-opencl.so* (NVIDIA's OpenCL driver) in the ld cache, LD_LIBRARY_PATH, ${LIB_DIRS[*]}, /usr/local/cuda*"
fi
mapfile -t CUDA_LIBS < <(find_libs '^libcuda\.so\.1$')
if ((${#CUDA_LIBS[@]})); then
  note "libcuda.so.1: ${CUDA_LIBS[*]}"
else
  note "libcuda.so.1: not found"
fi

# --- OpenCL loader, headers, ICD files, clinfo ---------------------------------------------------
section "OpenCL loader (libOpenCL.so*)"
mapfile -t CL_LIBS < <(find_libs '^libOpenCL\.so')
SYS_LOADER="" SYS_LINK="" CUDA_LOADER=""
for f in "${CL_LIBS[@]}"; do
  note "$f -> $(readlink -f "$f")"
  case $f in
    /usr/local/cuda*) [[ -z $CUDA_LOADER && ${f##*/} == libOpenCL.so.1 ]] && CUDA_LOADER=$f ;;
    *)
      [[ -z $SYS_LOADER && ${f##*/} == libOpenCL.so.1 ]] && SYS_LOADER=$f
      [[ -z $SYS_LINK && ${f##*/} == libOpenCL.so ]] && SYS_LINK=$f ;;
  esac
done
# Without the -dev symlink, link against the loader itself (same soname).
[[ -n $SYS_LOADER && -z $SYS_LINK ]] && SYS_LINK=$SYS_LOADER
if [[ -n $SYS_LOADER ]]; then
  found "system OpenCL loader: $SYS_LOADER"
else
  extra=""
  [[ -n $CUDA_LOADER ]] && extra=" (only the CUDA toolkit's $CUDA_LOADER, a last resort)"
  not_found "system OpenCL loader libOpenCL.so.1$extra"
fi

section "OpenCL headers (CL/cl.h)"
SYS_INC="" CUDA_INC=""
IFS=: read -r -a INC_ENV <<<"${CPATH:-}:${C_INCLUDE_PATH:-}"
for dir in "${INC_ENV[@]}" /usr/include /usr/local/include; do
  if [[ -n $dir && -f $dir/CL/cl.h ]]; then
    note "$dir/CL/cl.h"
    [[ -z $SYS_INC ]] && SYS_INC=$dir
  fi
done
for dir in /usr/local/cuda*/include /usr/local/cuda*/targets/*/include; do
  if [[ -f $dir/CL/cl.h ]]; then
    note "$dir/CL/cl.h (CUDA's)"
    [[ -z $CUDA_INC ]] && CUDA_INC=$dir
  fi
done
if [[ -n $SYS_INC ]]; then
  found "system OpenCL headers: $SYS_INC/CL/cl.h"
else
  extra=""
  [[ -n $CUDA_INC ]] && extra=" (only the CUDA toolkit's $CUDA_INC/CL/cl.h, a last resort)"
  not_found "system OpenCL headers CL/cl.h$extra"
fi

section "ICD files"
NV_REGISTERED=""
for f in /etc/OpenCL/vendors/*.icd; do
  note "$f: $(head -c 300 "$f")"
  grep -qi nvidia "$f" && NV_REGISTERED=$f
done
[[ -d /etc/OpenCL/vendors ]] || note "/etc/OpenCL/vendors: no such folder"
if [[ -n $NV_REGISTERED ]]; then
  found "registered NVIDIA ICD: $NV_REGISTERED ($(head -n 1 "$NV_REGISTERED"))"
else
  not_found "nvidia.icd in /etc/OpenCL/vendors"
fi
SYS_CLINFO=$(command -v clinfo || true)
if [[ -n $SYS_CLINFO ]]; then found "system clinfo: $SYS_CLINFO"; else not_found "system clinfo"; fi

# --- the carried .debs ---------------------------------------------------------------------------
# Unpacks bench/gpu/debs/*.deb into bench/gpu/.sysroot (dpkg-deb -x; else ar + tar; else Python),
# once per set of .debs.
unpack_one() {
  local deb=$1 how=${CNNCL_GPU_UNPACK:-auto} tmp data
  UNPACKED_WITH="dpkg-deb -x"
  if [[ $how == auto || $how == dpkg ]] && have dpkg-deb; then
    dpkg-deb -x "$deb" "$SYSROOT" && return 0
  fi
  UNPACKED_WITH="ar x + tar -x"
  if [[ $how == auto || $how == ar ]] && have ar && have tar; then
    tmp=$(mktemp -d)
    if (cd "$tmp" && ar x "$deb"); then
      data=("$tmp"/data.tar*)
      if ((${#data[@]} == 1)); then
        case ${data[0]} in
          *.zst) have zstd && zstd -dc "${data[0]}" | tar -x -C "$SYSROOT" && { rm -rf "$tmp"; return 0; } ;;
          *.xz) have xz && xz -dc "${data[0]}" | tar -x -C "$SYSROOT" && { rm -rf "$tmp"; return 0; } ;;
          *) tar -xf "${data[0]}" -C "$SYSROOT" && { rm -rf "$tmp"; return 0; } ;;
        esac
      fi
    fi
    rm -rf "$tmp"
  fi
  UNPACKED_WITH="python3 (ar reader + tarfile)"
  if have python3; then
    # An ar archive of data.tar.{xz,gz,bz2}; Python's tarfile reads those (not .zst).
    python3 - "$deb" "$SYSROOT" <<'PY' && return 0
import io, sys, tarfile
deb, dest = sys.argv[1], sys.argv[2]
blob = open(deb, "rb").read()
if blob[:8] != b"!<arch>\n":
    sys.exit(deb + ": not an ar archive")
pos = 8
while pos + 60 <= len(blob):
    name = blob[pos:pos + 16].decode().strip().rstrip("/")
    size = int(blob[pos + 48:pos + 58])
    body = blob[pos + 60:pos + 60 + size]
    pos += 60 + size + (size & 1)
    if name.startswith("data.tar"):
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:*") as t:
            if hasattr(tarfile, "tar_filter"):
                t.extractall(dest, filter="tar")
            else:
                t.extractall(dest)
        sys.exit(0)
sys.exit(deb + ": no data.tar member")
PY
  fi
  return 1
}
SYSROOT_OK=0
UNPACKED_WITH=""
SYSROOT_LIB=$SYSROOT/usr/lib/x86_64-linux-gnu
unpack_debs() {
  local debs=("$DEBS"/*.deb) stamp deb
  if ((${#debs[@]} == 0)); then
    not_found "carried .debs in bench/gpu/debs (run scripts/fetch-gpu-debs where there is a network, and carry bench/gpu/debs)"
    return 1
  fi
  stamp=$(for deb in "${debs[@]}"; do echo "${deb##*/} $(stat -c %s "$deb")"; done)
  if [[ -f $SYSROOT/.unpacked && $(cat "$SYSROOT/.unpacked") == "$stamp" ]]; then
    say "sysroot: bench/gpu/.sysroot already holds the ${#debs[@]} carried .debs"
  else
    rm -rf "$SYSROOT"
    mkdir -p "$SYSROOT"
    for deb in "${debs[@]}"; do
      if ! unpack_one "$deb" >>"$PROBE" 2>&1; then
        say "sysroot: could not unpack ${deb##*/} (no dpkg-deb, ar + tar or python3 that could)"
        not_found "a way to unpack ${deb##*/}"
        return 1
      fi
    done
    echo "$stamp" >"$SYSROOT/.unpacked"
    say "sysroot: unpacked ${#debs[@]} .debs into bench/gpu/.sysroot with $UNPACKED_WITH"
  fi
  SYSROOT_OK=1
  # Debian 12's ocl-icd and clinfo need glibc 2.34 or later (Ubuntu 22.04 has 2.35, 20.04 2.31).
  local glibc
  glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{ print $2 }') || glibc=""
  if [[ -n $glibc && $(printf '%s\n' 2.34 "$glibc" | sort -V | head -n 1) != 2.34 ]]; then
    say "warning: glibc $glibc is older than the 2.34 the unpacked ocl-icd and clinfo need"
    not_found "glibc 2.34 or later for the unpacked .debs (have $glibc)"
  fi
  [[ -e $SYSROOT_LIB/libOpenCL.so.1 ]] || { not_found "libOpenCL.so.1 in the unpacked .debs"; SYSROOT_OK=0; }
  [[ -f $SYSROOT/usr/include/CL/cl.h ]] || { not_found "CL/cl.h in the unpacked .debs"; SYSROOT_OK=0; }
  ((SYSROOT_OK)) || return 1
  found "unpacked loader, headers and clinfo in bench/gpu/.sysroot"
}

NEED_SYSROOT=0
if ((FORCE_SYSROOT)); then
  say "sysroot: forced (--force-sysroot / CNNCL_GPU_FORCE_SYSROOT=1)"
  NEED_SYSROOT=1
elif [[ -z $SYS_LOADER || -z $SYS_INC || -z $SYS_CLINFO ]]; then
  NEED_SYSROOT=1
fi
if ((NEED_SYSROOT)); then
  section "unpacking bench/gpu/debs"
  unpack_debs || true
fi

# --- choose: headers, link library, run-time loader ----------------------------------------------
CL_INC="" CL_LIB="" LOADER="" LOADER_KIND=""
use_sysroot_loader() {
  export LD_LIBRARY_PATH="$SYSROOT_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  CL_LIB=$SYSROOT_LIB/libOpenCL.so
  [[ -e $CL_LIB ]] || CL_LIB=$SYSROOT_LIB/libOpenCL.so.1
  LOADER=$SYSROOT_LIB/libOpenCL.so.1
  LOADER_KIND="unpacked ocl-icd"
}
if ((FORCE_SYSROOT || ${#SYS_INC} == 0)) && ((SYSROOT_OK)); then
  CL_INC=$SYSROOT/usr/include
elif [[ -n $SYS_INC ]]; then
  CL_INC=$SYS_INC
elif [[ -n $CUDA_INC ]]; then
  CL_INC=$CUDA_INC
fi
if ((FORCE_SYSROOT || ${#SYS_LOADER} == 0)) && ((SYSROOT_OK)); then
  use_sysroot_loader
elif [[ -n $SYS_LOADER ]]; then
  CL_LIB=$SYS_LINK LOADER=$SYS_LOADER LOADER_KIND=system
elif [[ -n $CUDA_LOADER ]]; then
  export LD_LIBRARY_PATH="${CUDA_LOADER%/*}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  CL_LIB=$CUDA_LOADER LOADER=$CUDA_LOADER LOADER_KIND="CUDA's"
fi
[[ -n $CL_INC ]] || not_found "any OpenCL headers (system, unpacked or CUDA's): the build will fail"
[[ -n $LOADER ]] || not_found "any OpenCL loader (system, unpacked or CUDA's): the build will fail"

# --- ICD for the NVIDIA driver -------------------------------------------------------------------
if [[ -z $NV_REGISTERED && -n $NV_LIB ]]; then
  mkdir -p "$OUT/icd"
  rm -f "$OUT/icd"/*.icd
  # Keep the other registered platforms (PoCL, ...): OCL_ICD_VENDORS replaces the system folder.
  src=/etc/OpenCL/vendors
  [[ -n ${OCL_ICD_VENDORS:-} && -d ${OCL_ICD_VENDORS:-} ]] && src=$OCL_ICD_VENDORS
  for f in "$src"/*.icd; do cp "$f" "$OUT/icd/"; done
  readlink -f "$NV_LIB" >"$OUT/icd/nvidia.icd"
  export OCL_ICD_VENDORS=$OUT/icd
  say "icd: wrote $OUT/icd/nvidia.icd ($(cat "$OUT/icd/nvidia.icd")); OCL_ICD_VENDORS=$OUT/icd"
fi

# --- clinfo --------------------------------------------------------------------------------------
CLINFO=""
if ((FORCE_SYSROOT)) || [[ -z $SYS_CLINFO || $LOADER_KIND == "unpacked ocl-icd" ]]; then
  ((SYSROOT_OK)) && [[ -x $SYSROOT/usr/bin/clinfo ]] && CLINFO=$SYSROOT/usr/bin/clinfo
fi
[[ -z $CLINFO && -n $SYS_CLINFO ]] && CLINFO=$SYS_CLINFO
GPU_COUNT=0
CL_DEVICES=0
run_clinfo() {
  local label=$1
  GPU_COUNT=0 CL_DEVICES=0
  [[ -n $CLINFO ]] || return 0
  section "clinfo -l ($label; $CLINFO; loader $LOADER; OCL_ICD_VENDORS=${OCL_ICD_VENDORS:-})"
  timeout -k 5 60 "$CLINFO" -l >"$OUT/clinfo-l.txt" 2>&1 || true
  cat "$OUT/clinfo-l.txt" >>"$PROBE"
  timeout -k 5 60 "$CLINFO" >"$OUT/clinfo.txt" 2>&1 || true
  GPU_COUNT=$(grep -cE '^ +Device Type +.*GPU' "$OUT/clinfo.txt" || true)
  CL_DEVICES=$(grep -cE '^ +Device Type ' "$OUT/clinfo.txt" || true)
  note "devices: $CL_DEVICES, GPUs: $GPU_COUNT"
}
run_clinfo "as set up"
# Retries when the driver is there but no GPU shows: the unpacked ocl-icd (which reads
# OCL_ICD_VENDORS; an older Khronos loader may not), then OCL_ICD_FILENAMES.
if ((GPU_COUNT == 0)) && [[ -n $NV_LIB && $LOADER_KIND != "unpacked ocl-icd" ]]; then
  if ((SYSROOT_OK == 0)) && ((NEED_SYSROOT == 0)); then
    section "unpacking bench/gpu/debs (retry)"
    unpack_debs || true
  fi
  if ((SYSROOT_OK)); then
    say "retry: no GPU through the $LOADER_KIND loader; trying the unpacked ocl-icd loader"
    use_sysroot_loader
    [[ -x $SYSROOT/usr/bin/clinfo ]] && CLINFO=$SYSROOT/usr/bin/clinfo
    [[ -f $SYSROOT/usr/include/CL/cl.h && -z $SYS_INC ]] && CL_INC=$SYSROOT/usr/include
    run_clinfo "retry with the unpacked loader"
  fi
fi
if ((GPU_COUNT == 0)) && [[ -n $NV_LIB && -z ${OCL_ICD_FILENAMES:-} && -n $CLINFO ]]; then
  OCL_ICD_FILENAMES=$(readlink -f "$NV_LIB")
  export OCL_ICD_FILENAMES
  say "retry: no GPU yet; trying OCL_ICD_FILENAMES=$OCL_ICD_FILENAMES"
  run_clinfo "retry with OCL_ICD_FILENAMES"
  if ((GPU_COUNT == 0)); then unset OCL_ICD_FILENAMES; fi
fi
if ((GPU_COUNT == 0)) && [[ -n $CLINFO && $LOADER_KIND == "unpacked ocl-icd" ]]; then
  section "OCL_ICD_DEBUG=7 clinfo -l (why the loader found what it found)"
  OCL_ICD_DEBUG=7 timeout -k 5 60 "$CLINFO" -l >>"$PROBE" 2>&1 || true
fi
if [[ -n $CLINFO ]]; then
  echo "clinfo -l ($CLINFO):"
  sed 's/^/  /' "$OUT/clinfo-l.txt"
  if ((GPU_COUNT > 0)); then
    found "OpenCL GPU device(s) through the loader: $GPU_COUNT"
  else
    not_found "an OpenCL GPU device through the loader ($CL_DEVICES OpenCL device(s) in all)"
  fi
else
  not_found "clinfo (system or unpacked): the devices are checked with cnnbench --list-devices after the build"
fi

# --- CUDA through PyTorch ------------------------------------------------------------------------
section "CUDA (PyTorch)"
CUDA_OK=0 CUDA_WHY=""
if ! have python3; then
  CUDA_WHY="no python3"
else
  if torch_line=$(timeout -k 5 120 python3 -c 'import torch
assert torch.cuda.is_available(), "torch.cuda.is_available() is False"
print("torch", torch.__version__, "CUDA", torch.version.cuda, "cuDNN", torch.backends.cudnn.version(), "GPU", torch.cuda.get_device_name(0))' 2>&1); then
    CUDA_OK=1
    found "CUDA through PyTorch: $torch_line"
  else
    CUDA_WHY=$(tail -n 1 <<<"$torch_line")
  fi
  note "$torch_line"
fi
((CUDA_OK)) || not_found "CUDA through PyTorch ($CUDA_WHY)"

# --- verdict -------------------------------------------------------------------------------------
echo
say "found:"
for item in "${FOUND[@]}"; do say "  + $item"; done
say "not found:"
((${#NOT_FOUND[@]})) || say "  (nothing missing)"
for item in "${NOT_FOUND[@]}"; do say "  - $item"; done
say "OpenCL build: headers ${CL_INC:-NONE}; library ${CL_LIB:-NONE}; run-time loader ${LOADER:-NONE} (${LOADER_KIND:-none})"
say "environment: LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-} OCL_ICD_VENDORS=${OCL_ICD_VENDORS:-} OCL_ICD_FILENAMES=${OCL_ICD_FILENAMES:-}"
# The same set-up for later commands on this machine: source OUTDIR/env.sh.
for v in LD_LIBRARY_PATH OCL_ICD_VENDORS OCL_ICD_FILENAMES; do
  if [[ -n ${!v:-} ]]; then printf 'export %s=%q\n' "$v" "${!v}"; else echo "unset $v"; fi
done >"$OUT/env.sh"
# For the default device (gpu) the probe needs an OpenCL GPU; for another selector, any device.
DEVICE_OK=1
if [[ $DEVICE == gpu ]]; then
  if [[ -n $CLINFO ]] && ((GPU_COUNT == 0)); then DEVICE_OK=0; fi
elif [[ $DEVICE != ref && -n $CLINFO ]] && ((CL_DEVICES == 0)); then
  DEVICE_OK=0
fi
if ((DEVICE_OK)); then
  PROBE_VERDICT="ok: $([[ -n $CLINFO ]] && echo "$CL_DEVICES OpenCL device(s), $GPU_COUNT GPU(s)" || echo "no clinfo; checked after the build")"
else
  PROBE_VERDICT="FAILED: no OpenCL $([[ $DEVICE == gpu ]] && echo "GPU" || echo "device") reachable"
  FAILURES+=("probe: no OpenCL $([[ $DEVICE == gpu ]] && echo GPU || echo device) reachable")
fi
say "probe: $PROBE_VERDICT"

# ------------------------------------------------------------------------------------------------
step "2. build (Release, $BUILD, log $OUT/build.log)"
BUILD_STATUS="not run"
CNNBENCH=$BUILD/bench/cnnbench
if ((SKIP_BUILD)); then
  BUILD_STATUS="skipped (--skip-build)"
  [[ -x $CNNBENCH ]] || { BUILD_STATUS="skipped, and no $CNNBENCH"; FAILURES+=("build: --skip-build without a build"); }
  echo "$BUILD_STATUS"
else
  cmake_args=(-S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release)
  # Explicit paths, or none: a cached path from an earlier run with other choices must not stay.
  if [[ -n $CL_INC ]]; then cmake_args+=("-DOpenCL_INCLUDE_DIR=$CL_INC"); else cmake_args+=(-UOpenCL_INCLUDE_DIR); fi
  if [[ -n $CL_LIB ]]; then cmake_args+=("-DOpenCL_LIBRARY=$CL_LIB"); else cmake_args+=(-UOpenCL_LIBRARY); fi
  t0=$(date +%s)
  rc=0
  echo "+ cmake ${cmake_args[*]}" >"$OUT/build.log"
  timeout -k 10 "$(limit 120)" cmake "${cmake_args[@]}" >>"$OUT/build.log" 2>&1 || rc=$?
  if ((rc == 0)); then
    echo "+ cmake --build $BUILD --parallel $JOBS" >>"$OUT/build.log"
    timeout -k 10 "$(limit 300)" cmake --build "$BUILD" --parallel "$JOBS" >>"$OUT/build.log" 2>&1 || rc=$?
  fi
  if ((rc == 0)) && [[ -x $CNNBENCH ]]; then
    BUILD_STATUS="ok ($(($(date +%s) - t0)) s)"
  else
    BUILD_STATUS="FAILED (exit $rc$(timed_out "$rc"))"
    FAILURES+=("build: $BUILD_STATUS")
    echo "last lines of build.log:"
    tail -n 25 "$OUT/build.log" | sed 's/^/  /'
  fi
  echo "build: $BUILD_STATUS"
  grep -E 'OpenCL|Found' "$OUT/build.log" | head -n 5 | sed 's/^/  /' || true
fi

# cnnbench's own view of the devices (the check that counts when clinfo was not there).
# The benchmarks use cnnbench only from this run's build (or an existing one with --skip-build),
# never a stale binary left by an earlier build when this one failed.
BENCH_OK=0
if [[ -x $CNNBENCH && ( $BUILD_STATUS == ok* || $SKIP_BUILD == 1 ) ]]; then BENCH_OK=1; fi
VS_JSON=0
DEVICE_NAME=""
# The name column of cnnbench --list-devices for the first device of type $1.
device_name() {
  awk -v type="$1" 'NR == 1 { a = index($0, "name"); b = index($0, "vendor") }
    NR > 1 && $2 == type { s = substr($0, a, b - a); sub(/ +$/, "", s); print s; exit }' "$OUT/devices.txt"
}
if ((BENCH_OK)); then
  section "cnnbench --list-devices"
  timeout -k 5 60 "$CNNBENCH" --list-devices >"$OUT/devices.txt" 2>&1 || true
  cat "$OUT/devices.txt" >>"$PROBE"
  echo "cnnbench --list-devices:"
  sed 's/^/  /' "$OUT/devices.txt"
  if [[ $DEVICE == gpu ]]; then
    DEVICE_NAME=$(device_name gpu)
    if [[ -z $DEVICE_NAME ]] && ((DEVICE_OK)); then
      DEVICE_OK=0
      PROBE_VERDICT="FAILED: cnnbench sees no GPU"
      FAILURES+=("probe: cnnbench --list-devices shows no GPU")
      say "probe: $PROBE_VERDICT"
    elif [[ -n $DEVICE_NAME ]] && ((DEVICE_OK == 0)); then
      DEVICE_OK=1
      PROBE_VERDICT="ok: cnnbench sees a GPU (clinfo did not)"
      FAILURES=("${FAILURES[@]/#probe:*/}")
    fi
  elif [[ $DEVICE == cpu ]]; then
    DEVICE_NAME=$(device_name cpu)
  fi
  if "$CNNBENCH" --help 2>&1 | grep -q -- '--vs-json'; then
    VS_JSON=1
  fi
  note "cnnbench --vs-json: $( ((VS_JSON)) && echo supported || echo 'not supported')"
fi

# ------------------------------------------------------------------------------------------------
step "3. ctest (CNNCL_DEVICE=$DEVICE, log $OUT/ctest.log)"
TESTS="not run"
if ((SKIP_TESTS)); then
  TESTS="skipped (--skip-tests)"
elif ((BENCH_OK == 0)); then
  TESTS="skipped (no build)"
elif ((DEVICE_OK == 0)); then
  TESTS="skipped (no OpenCL $DEVICE device)"
else
  t=$(limit "$TESTS_TIMEOUT")
  if ((t < 20)); then
    TESTS="skipped (out of time budget)"
    FAILURES+=("ctest: out of time budget")
  else
    ctest_args=(--test-dir "$BUILD" --output-on-failure --parallel "$JOBS")
    [[ -n $TESTS_REGEX ]] && ctest_args+=(-R "$TESTS_REGEX")
    t0=$(date +%s)
    rc=0
    CNNCL_DEVICE=$DEVICE timeout -k 10 "$t" ctest "${ctest_args[@]}" >"$OUT/ctest.log" 2>&1 || rc=$?
    line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$OUT/ctest.log" | tail -n 1 || true)
    if [[ $line =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
      failed=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]}
      skipped=$(grep -cE '\*\*\*Skipped|Not Run' "$OUT/ctest.log" || true)
      TESTS="$((total - failed))/$total passed"
      ((skipped == 0)) || TESTS+=", $skipped skipped"
      ((failed == 0)) || FAILURES+=("ctest: $failed failed")
    else
      TESTS="no summary (exit $rc$(timed_out "$rc"))"
      FAILURES+=("ctest: $TESTS")
    fi
    TESTS+=" in $(($(date +%s) - t0)) s"
    ((rc == 0)) || grep -E 'Failed|\*\*\*|Timeout' "$OUT/ctest.log" | head -n 20 | sed 's/^/  /' || true
  fi
fi
echo "ctest: $TESTS"

# ------------------------------------------------------------------------------------------------
step "4-5. benchmarks: cuDNN baseline, then cnnbench --device $DEVICE (reps $REPS, at most ${RUN_TIMEOUT}s a run)"
if [[ -n $RUNS_LIST ]]; then
  RUNS=()
  IFS=, read -r -a run_items <<<"$RUNS_LIST"
  for item in "${run_items[@]}"; do
    [[ $item == *:* ]] && RUNS+=("${item%%:*} ${item#*:}") || RUNS+=("$item -")
  done
elif ((QUICK)); then
  RUNS=("resnet50 1")
else
  RUNS=("resnet50 1" "vgg16 1" "deepbench -" "resnet50 32" "vgg16 32")
fi
BASELINE="not run"
BASELINE_INFO=""
if ((CUDA_OK == 0)); then
  BASELINE="skipped: no CUDA ($CUDA_WHY)"
elif [[ ! -f $BASELINE_PY ]]; then
  BASELINE="skipped: bench/gpu/cudnn_baseline.py not there"
else
  BASELINE="run"
  BASELINE_INFO="PyTorch sees CUDA: $torch_line"
fi
echo "cuDNN baseline: ${BASELINE_INFO:-$BASELINE}"
echo "cnnbench --vs-json: $( ((VS_JSON)) && echo "supported: each cnncl run is compared with its baseline file" || echo "not supported by this cnnbench: no ratio runs")"

declare -A ST_CNNCL ST_CUDNN
for run in "${RUNS[@]}"; do
  read -r suite batch <<<"$run"
  if [[ $batch == - ]]; then tag=$suite; else tag=$suite-b$batch; fi
  batch_args=()
  [[ $batch == - ]] || batch_args=(--batch "$batch")

  # cuDNN first, so that cnnbench can read its file.
  cudnn_json=$OUT/cudnn-$tag.json
  if [[ $BASELINE == run ]]; then
    t=$(limit "$RUN_TIMEOUT")
    if ((t < RUN_TIMEOUT && t < 15)); then
      ST_CUDNN[$tag]="skipped: out of time"
      FAILURES+=("cudnn $tag: out of time budget")
    else
      rc=0
      t0=$(date +%s)
      timeout -k 10 "$t" python3 "$BASELINE_PY" --suite "$suite" "${batch_args[@]}" --reps "$REPS" \
        --out "$cudnn_json" >"$OUT/cudnn-$tag.txt" 2>&1 || rc=$?
      case $rc in
        0) ST_CUDNN[$tag]="ok" ;;
        3) ST_CUDNN[$tag]="no CUDA (exit 3)" ;;
        124 | 137) ST_CUDNN[$tag]="TIMEOUT after ${t}s"; FAILURES+=("cudnn $tag: timed out") ;;
        *) ST_CUDNN[$tag]="FAILED (exit $rc)"; FAILURES+=("cudnn $tag: exit $rc") ;;
      esac
      echo "[$(elapsed)s] cudnn  $tag: ${ST_CUDNN[$tag]} ($(($(date +%s) - t0)) s) -> cudnn-$tag.json, .txt"
      ((rc == 0)) || tail -n 3 "$OUT/cudnn-$tag.txt" | sed 's/^/    /'
    fi
  fi

  if ((BENCH_OK == 0)); then
    ST_CNNCL[$tag]="skipped: no build"
    continue
  fi
  if ((DEVICE_OK == 0)); then
    ST_CNNCL[$tag]="skipped: no OpenCL $DEVICE"
    continue
  fi
  t=$(limit "$RUN_TIMEOUT")
  if ((t < RUN_TIMEOUT && t < 15)); then
    ST_CNNCL[$tag]="skipped: out of time"
    FAILURES+=("cnncl $tag: out of time budget")
    continue
  fi
  args=(--device "$DEVICE" --suite "$suite" "${batch_args[@]}" --reps "$REPS"
    --json "$OUT/cnncl-$tag.json" --csv "$OUT/cnncl-$tag.csv")
  vs=()
  ((VS_JSON)) && [[ -s $cudnn_json ]] && vs=(--vs-json "$cudnn_json")
  rc=0
  t0=$(date +%s)
  timeout -k 10 "$t" "$CNNBENCH" "${args[@]}" "${vs[@]}" >"$OUT/cnncl-$tag.txt" 2>&1 || rc=$?
  if ((rc == 2 && ${#vs[@]})); then
    # A setup error, perhaps the baseline file: once more without it.
    mv "$OUT/cnncl-$tag.txt" "$OUT/cnncl-$tag.vs-json-error.txt"
    echo "    cnnbench --vs-json failed (exit 2: $(tail -n 1 "$OUT/cnncl-$tag.vs-json-error.txt")); again without it"
    rc=0
    timeout -k 10 "$(limit "$RUN_TIMEOUT")" "$CNNBENCH" "${args[@]}" >"$OUT/cnncl-$tag.txt" 2>&1 || rc=$?
  fi
  case $rc in
    0) ST_CNNCL[$tag]="ok" ;;
    1) ST_CNNCL[$tag]="FAILED layers (exit 1)"; FAILURES+=("cnncl $tag: a layer failed") ;;
    124 | 137) ST_CNNCL[$tag]="TIMEOUT after ${t}s"; FAILURES+=("cnncl $tag: timed out") ;;
    *) ST_CNNCL[$tag]="FAILED (exit $rc)"; FAILURES+=("cnncl $tag: exit $rc") ;;
  esac
  grep -E '^vs ' "$OUT/cnncl-$tag.txt" >"$OUT/ratio-$tag.txt" || rm -f "$OUT/ratio-$tag.txt"
  echo "[$(elapsed)s] cnncl  $tag: ${ST_CNNCL[$tag]} ($(($(date +%s) - t0)) s) -> cnncl-$tag.txt, .json, .csv"
  grep -E '^(summary|vs) ' "$OUT/cnncl-$tag.txt" | sed 's/^/    /' || tail -n 3 "$OUT/cnncl-$tag.txt" | sed 's/^/    /'
done

# ------------------------------------------------------------------------------------------------
# cuDNN's geomean GFLOP/s from its JSON (cnnbench's schema: summary.geomean_gflops, else the
# layers' gflops), else from a "geomean ... GFLOP/s" line of its text output.
cudnn_geomean() {
  local tag=$1 v=""
  if [[ -s $OUT/cudnn-$tag.json ]] && have python3; then
    v=$(python3 - "$OUT/cudnn-$tag.json" <<'PY' 2>/dev/null || true
import json, math, sys
d = json.load(open(sys.argv[1]))
s = d.get("summary") or {}
g = s.get("geomean_gflops")
if not g:
    xs = [l["gflops"] for l in d.get("layers", []) if isinstance(l.get("gflops"), (int, float)) and l["gflops"] > 0]
    g = math.exp(sum(map(math.log, xs)) / len(xs)) if xs else None
print("%.2f" % g if g else "")
PY
    )
  fi
  if [[ -z $v && -s $OUT/cudnn-$tag.txt ]]; then
    v=$(grep -oiE 'geomean[^0-9]*[0-9.]+ *GFLOP/s' "$OUT/cudnn-$tag.txt" | tail -n 1 | grep -oE '[0-9.]+ *GFLOP' | grep -oE '[0-9.]+' || true)
  fi
  echo "$v"
}

{
  echo
  echo "==================== summary ($(elapsed) s) ===================="
  machine=$(timeout 10 nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader 2>/dev/null | head -n 1 || true)
  [[ -n $machine ]] || machine="no nvidia-smi; $(hostname 2>/dev/null || true), $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1), $JOBS cores"
  echo "machine:  $machine"
  echo "device:   --device $DEVICE${DEVICE_NAME:+ = $DEVICE_NAME}; OpenCL loader ${LOADER_KIND:-none}"
  echo "probe:    $PROBE_VERDICT"
  echo "build:    $BUILD_STATUS"
  echo "ctest:    $TESTS"
  echo "cuDNN:    ${BASELINE_INFO:-$BASELINE}"
  echo
  printf '%-12s %5s  %13s  %9s  %13s  %-30s  %s\n' suite batch "cnncl GFLOP/s" verified \
    "cuDNN GFLOP/s" "cuDNN ms / cnncl ms" status
  for run in "${RUNS[@]}"; do
    read -r suite batch <<<"$run"
    if [[ $batch == - ]]; then tag=$suite; bshow=suite; else tag=$suite-b$batch; bshow=$batch; fi
    txt=$OUT/cnncl-$tag.txt
    gf="-" ver="-" ratio="-"
    sline=$(grep -m 1 '^summary ' "$txt" 2>/dev/null || true)
    [[ $sline =~ conv\ geomean\ ([0-9.]+)\ GFLOP/s ]] && gf=${BASH_REMATCH[1]}
    [[ $sline =~ ([0-9]+/[0-9]+)\ verified ]] && ver=${BASH_REMATCH[1]}
    cg=$(cudnn_geomean "$tag")
    vline=$(grep -m 1 -E '^vs .* geomean [0-9.]+x' "$txt" 2>/dev/null || true)
    if [[ $vline =~ ^vs\ +([^ ]+)\ +geomean\ ([0-9.]+x)\ over\ ([0-9]+) ]]; then
      ratio="${BASH_REMATCH[2]} (vs ${BASH_REMATCH[1]}, ${BASH_REMATCH[3]} layers)"
    elif grep -qE '^vs .* no layer ran' "$txt" 2>/dev/null; then
      ratio="no layer matched"
    elif [[ $gf != - && -n $cg ]]; then
      ratio="~$(awk -v a="$gf" -v b="$cg" 'BEGIN { printf "%.2fx", a / b }') (geomean ratio)"
    fi
    st="cnncl ${ST_CNNCL[$tag]:-not run}"
    [[ $BASELINE == run ]] && st+="; cudnn ${ST_CUDNN[$tag]:-not run}"
    printf '%-12s %5s  %13s  %9s  %13s  %-30s  %s\n' "$suite" "$bshow" "$gf" "$ver" "${cg:--}" "$ratio" "$st"
  done
  echo "(cuDNN ms / cnncl ms: above 1, cnncl is faster; '~': ratio of the two geomeans, no per-layer match)"
  echo "files: $OUT"
  if ((${#FAILURES[@]})); then
    echo "exit 1:"
    for f in "${FAILURES[@]}"; do [[ -n $f ]] && echo "  - $f"; done
  else
    echo "exit 0: everything ran and passed"
  fi
} | tee "$OUT/summary.txt"

for f in "${FAILURES[@]}"; do [[ -n $f ]] && exit 1; done
exit 0
