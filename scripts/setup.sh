#!/usr/bin/env bash
# Installs everything onyx needs to build, test and benchmark on Debian 12, idempotently:
# Debian packages (apt) and the pinned npm reference tools (tools/node: ONNX Runtime, HF tokenizers).
# Run as root (or with sudo available). Safe to re-run: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# ocl-icd-opencl-dev: oneDNN's CMake config (dnnl-config.cmake) calls find_package(OpenCL); it is only a
# Recommends of libdnnl-dev, which --no-install-recommends skips, so a fresh machine failed to configure.
APT_PACKAGES=(
  build-essential cmake pkg-config git
  libprotobuf-dev protobuf-compiler libonnx-dev libonnx-testdata
  libdnnl-dev ocl-icd-opencl-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  libutf8proc-dev libre2-dev libsentencepiece-dev
  nodejs npm
  python3-torch python3-onnx python3-numpy libopenblas0-openmp
)

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs may come from another source than Debian (e.g. a preinstalled Node 20): accept any working node+npm.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [ "$p" = nodejs ] || [ "$p" = npm ] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: Debian packages already installed"
fi

# Pinned npm reference systems. ONNXRUNTIME_NODE_INSTALL=skip: its post-install would try to download CUDA
# files; the CPU build ships inside the package.
if [ ! -f tools/node/node_modules/.onyx-installed ] || [ tools/node/package-lock.json -nt tools/node/node_modules/.onyx-installed ]; then
  echo "setup: installing npm reference tools (tools/node)"
  (cd tools/node && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch tools/node/node_modules/.onyx-installed
else
  echo "setup: npm reference tools already installed"
fi
echo "setup: done"
