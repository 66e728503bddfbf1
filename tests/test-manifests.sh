#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Runs tests/test-manifests.mjs (TAP) with its npm packages (tests/manifests/package.json and
# its lock: kubernetes-models, yaml), installed with `npm ci` under BUILDDIR/manifests-test, not
# in the source tree; again only when the lock changes.  Needs kubectl (its kustomize, v5 or
# later: components and replacements), node and npm.
# Arguments: SRCDIR BUILDDIR.  Under CI=true a missing tool or a failed install fails;
# elsewhere it skips.
set -u
src=$(realpath "$1")
build=$(realpath "$2")
state="$build/manifests-test"

cannot() {
  if [ "${CI:-}" = true ]; then
    echo "1..1"; echo "not ok 1 - the manifests test: $*"; exit 1
  fi
  echo "1..0 # SKIP $*"; exit 0
}
for tool in kubectl node npm; do
  command -v $tool >/dev/null || cannot "needs $tool"
done
kustomize=$(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\)\..*/\1/p')
[ -n "$kustomize" ] && [ "$kustomize" -ge 5 ] ||
  cannot "kubectl's kustomize is older than v5 ($(kubectl version --client 2>&1 | tr '\n' ' '))"

mkdir -p "$state"
if ! cmp -s "$src/tests/manifests/package-lock.json" "$state/package-lock.json" || [ ! -d "$state/node_modules" ]; then
  cp "$src/tests/manifests/package.json" "$src/tests/manifests/package-lock.json" "$state/"
  (cd "$state" && npm ci --no-audit --no-fund --loglevel=error) > "$state/npm.log" 2>&1 ||
    { cat "$state/npm.log"; rm -f "$state/package-lock.json"; cannot "npm ci failed"; }
fi
# Beside its node_modules, where node looks for the packages it imports.
cp "$src/tests/test-manifests.mjs" "$state/"
exec node "$state/test-manifests.mjs" "$src" "$build/src/ctl/dpu-gatewayctl" "$build/tests/dpugw-mock-sysfs"
