#!/usr/bin/env bash
# Installs what tensorplug needs from outside npm on Debian/Ubuntu: the Fashion-MNIST files, the
# build packages of the optional `gl` module (gpu.js's GPU path in Node), a virtual display for
# it, and pnpm. Run it as root, or as a user who may sudo. Safe to run again.
set -euo pipefail
PNPM_VERSION=10.34.9
export DEBIAN_FRONTEND=noninteractive

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo --preserve-env=DEBIAN_FRONTEND "$@"; fi
}

as_root apt-get update -qq
as_root apt-get install -y -qq --no-install-recommends \
  dataset-fashion-mnist \
  libxi-dev libxext-dev libx11-dev libgl1-mesa-dev pkg-config \
  xvfb xauth >/dev/null
echo "Fashion-MNIST: $(ls /usr/share/datasets/fashion-mnist | tr '\n' ' ')"

if [ "$(pnpm --version 2>/dev/null || true)" != "${PNPM_VERSION}" ]; then
  as_root npm install -g --no-fund --no-audit "pnpm@${PNPM_VERSION}"
fi
echo "node $(node --version), pnpm $(pnpm --version)"
