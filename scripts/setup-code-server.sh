#!/usr/bin/env bash
# Finishes the install of the code-server devDependency (VS Code 1.100.3 as a server) so that the
# tests can run the extension inside a real VS Code, offline: code-server's own postinstall wants
# --unsafe-perm as root and downloads ripgrep, node headers and prebuilt binaries, so package.json
# turns it off ("allowScripts": {"code-server": false, "argon2": false}) and this script does its
# work with local tools: node headers from /usr, Debian's ripgrep, native modules built here.
# Idempotent: a marker inside node_modules/code-server (wiped by every `npm ci`) makes a second
# run a no-op. Needs the Debian packages of scripts/system-deps.sh (build-essential python3
# libkrb5-dev ripgrep) and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cs=$root/node_modules/code-server
want_version=4.100.3
marker=$cs/.image-rebase-setup
# What the marker vouches for: the code-server version, the Node ABI and this script's contents.
stamp="$want_version $(node -p 'process.versions.modules') $(cksum <"$root/scripts/setup-code-server.sh" | cut -d' ' -f1)"

if [ -f "$marker" ] && [ "$(cat "$marker")" = "$stamp" ]; then
  exit 0
fi

if [ ! -f "$cs/package.json" ]; then
  echo "setup-code-server: $cs is missing: run 'npm ci' first" >&2
  exit 1
fi
have_version=$(node -p "require('$cs/package.json').version")
if [ "$have_version" != "$want_version" ]; then
  echo "setup-code-server: code-server $have_version installed, $want_version expected" >&2
  exit 1
fi
for bin in cc c++ make python3 rg; do
  command -v "$bin" >/dev/null || { echo "setup-code-server: '$bin' missing: run scripts/system-deps.sh" >&2; exit 1; }
done
if [ ! -f /usr/include/node/node_api.h ] && [ -z "${npm_config_nodedir:-}" ]; then
  echo "setup-code-server: node headers not in /usr/include/node; set npm_config_nodedir" >&2
  exit 1
fi

echo "setup-code-server: finishing code-server $want_version (offline native builds)"
start=$(date +%s)
# node-gyp takes the headers of the installed node instead of downloading them; node-pty's
# install script runs `npx node-gyp`, which must not stop to ask.
export npm_config_nodedir=${npm_config_nodedir:-/usr}
export npm_config_yes=true
# node-gyp compiles with this many jobs (@vscode/spdlog takes most of the time).
export JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
# The project's allowScripts denies code-server and argon2 so that `npm ci` never runs them; the
# rebuilds below name exactly the packages to build, so the policy is bypassed for them only.
rebuild=(npm rebuild --dangerously-allow-all-scripts)
quiet() { # run quietly, show the output when it fails
  local log; log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    grep -v 'Unknown user config' "$log" | tail -40 >&2
    rm -f "$log"
    echo "setup-code-server: failed: $*" >&2
    return 1
  fi
  rm -f "$log"
}

rm -f "$marker"

# 1. argon2 (code-server loads it even with --auth none). Its node-pre-gyp download fails
#    offline and falls back to a local build.
quiet "${rebuild[@]}" argon2
node -e "require(require.resolve('argon2', { paths: ['$cs'] }))"

# 2. VS Code's own server dependencies, scripts off, then the native ones built locally.
cd "$cs/lib/vscode"
quiet npm install --omit=dev --ignore-scripts --no-save
mkdir -p node_modules/@vscode/ripgrep/bin
cp -f "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
quiet "${rebuild[@]}" kerberos @parcel/watcher @vscode/spdlog native-watchdog node-pty @vscode/deviceid

# 3. What code-server's postinstall links.
ln -sfn node_modules node_modules.asar
ln -sfn code-linux.sh bin/remote-cli/code-server
ln -sfn browser-linux.sh bin/helpers/browser.sh

# 4. The built-in extensions' dependencies.
cd extensions
quiet npm install --omit=dev --no-save

cd "$root"
# Smoke check: every native module loads in this node.
node -e "
  const base = '$cs/lib/vscode/node_modules/';
  for (const m of ['@parcel/watcher', '@vscode/spdlog', 'node-pty', 'kerberos', 'native-watchdog', '@vscode/deviceid'])
    require(base + m);
"
echo "$stamp" >"$marker"
echo "setup-code-server: done in $(( $(date +%s) - start ))s"
