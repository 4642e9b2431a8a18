# shellcheck shell=bash
# Shared by scripts/test and scripts/bench (sourced, not run).
# Makes sure the Debian packages the build and the OpenCL tests need are there.

# shellcheck disable=SC2034 # used by the scripts that source this file
CNNCL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Build tools, the OpenCL headers and ICD loader to link against, and PoCL as a
# CPU OpenCL device so the OpenCL tests run on any machine. clinfo shows which
# devices the loader sees, the first thing to check when a device is missing. libpng-dev and
# libstb-dev: libpng and stb_image, which cnnfilter reads and writes images with;
# pkg-config: the downstream test builds against the installed library with it; doxygen: the
# ci preset builds the API reference with its warnings as errors.
CNNCL_PACKAGES=(cmake gcc make pkg-config ocl-icd-opencl-dev opencl-headers pocl-opencl-icd clinfo
  libpng-dev libstb-dev doxygen)
# Peers of cnnbench --vs (CLBlast on the same OpenCL device, oneDNN natively on the CPU):
# optional, installed when we can, so that CI also compiles the peer code.
CNNCL_OPTIONAL_PACKAGES=(libclblast-dev libdnnl-dev)

# Prints the packages from "$@" that are not installed, one a line.
cnncl_missing_packages() {
  local pkg
  for pkg in "$@"; do
    # db:Status-Status is "installed" only when fully installed (not half-configured or config-files).
    if [[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) != installed ]]; then
      echo "$pkg"
    fi
  done
}

# Installs missing packages when root; otherwise prints the command to run and fails.
cnncl_ensure_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "setup: dpkg-query not found (not Debian?); not checking packages." >&2
    echo "setup: needs the equivalents of: ${CNNCL_PACKAGES[*]}" >&2
    return 0
  fi
  local missing optional
  mapfile -t missing < <(cnncl_missing_packages "${CNNCL_PACKAGES[@]}")
  mapfile -t optional < <(cnncl_missing_packages "${CNNCL_OPTIONAL_PACKAGES[@]}")
  if ((${#optional[@]} > 0)); then
    if ((EUID == 0)); then
      missing+=("${optional[@]}")
    else
      echo "setup: optional (cnnbench --vs peers): sudo apt-get install -y ${optional[*]}" >&2
    fi
  fi
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  if ((EUID == 0)); then
    echo "setup: installing ${missing[*]}" >&2
    # A fresh machine may have no package lists yet, so always update first.
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
  else
    echo "setup: missing packages: ${missing[*]}" >&2
    echo "setup: install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
}

# Says which OpenCL devices the tests will see; PoCL's CPU device at least.
cnncl_show_devices() {
  echo "OpenCL devices (clinfo -l):" >&2
  clinfo -l >&2 || echo "  (clinfo failed; OpenCL tests will be skipped)" >&2
}

# Parallel build jobs: every core (the tests themselves run one at a time).
cnncl_jobs() {
  nproc 2>/dev/null || echo 2
}
