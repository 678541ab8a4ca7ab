#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo run for real: a registry, image tools,
# containerd, and what a real VS Code (code-server) and headless Chromium need.
# Idempotent and quick when everything is there; needs root (or sudo) otherwise.
set -euo pipefail

declare -A need=(
  [docker-registry]=docker-registry
  [skopeo]=skopeo
  [umoci]=umoci
  [containerd]=containerd
  [ctr]=containerd
  [htpasswd]=apache2-utils
  [openssl]=openssl
  # zstd-compressed layers for the package-comparison tests.
  [zstd]=zstd
  # A real VS Code for the extension tests (scripts/setup-code-server.sh builds its native
  # modules, uses Debian's ripgrep; Playwright drives Debian's Chromium).
  [make]=build-essential
  [g++]=build-essential
  [python3]=python3
  [krb5-config]=libkrb5-dev
  [rg]=ripgrep
  [chromium]=chromium
)
missing=()
for bin in "${!need[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("${need[$bin]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
echo "Installing Debian packages: $pkgs"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
