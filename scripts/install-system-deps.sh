#!/usr/bin/env bash
# System packages the tests need, from Debian's archive:
#   - headless-gl (the optional `gl` dependency of the gpu.js backend) builds from source with
#     node-gyp and needs X11/GL headers and pkg-config;
#   - at run time it needs an X server: Xvfb (and xauth for xvfb-run);
#   - the demo's browser test and the conformance suite's Chromium run (Vitest browser mode)
#     drive Debian's Chromium headless (playwright, no browser download), with fonts-liberation so
#     the page renders text the same everywhere.
# Installs what is missing when run as root on a Debian-like system; elsewhere it says what to
# install and carries on (the gpu.js backend then runs in its WebAssembly/CPU modes only).
set -euo pipefail
packages=(libxi-dev libx11-dev libxext-dev libgl1-mesa-dev pkg-config xvfb xauth chromium fonts-liberation)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "install-system-deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-system-deps: WARNING: missing ${missing[*]} (install them with your package manager);" \
       "without them the gpu.js backend cannot build headless-gl and runs without GL." >&2
fi
