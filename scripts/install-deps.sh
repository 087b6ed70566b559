#!/usr/bin/env bash
# Installs the Debian 12 packages ipsim needs, only those that are missing.
# Idempotent; needs root (or sudo) only when something is missing.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libgsl-dev libcjson-dev libhdf5-dev zlib1g-dev hdf5-tools
      libcriterion-dev libsdl2-dev libsdl2-ttf-dev fonts-dejavu-core)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
