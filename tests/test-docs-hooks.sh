#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The documentation of the hooks, checked against the code: dpu-gatewayctl(1)
# names every DPU_GATEWAY_* variable the hook runner, the example hook and the
# agent use, the dispatcher script, the agent's unit and the hook directory;
# the README's host section describes both paths; and wherever the pages cite
# OVN-Kubernetes' feature documentation, they name it by its title.  TAP.
#
# Usage: test-docs-hooks.sh SRCDIR
set -u
srcdir=${1:?usage: test-docs-hooks.sh SRCDIR}
page=$srcdir/docs/dpu-gatewayctl.1.scd
readme=$srcdir/README.md
title='DPU Gateway Interface Configuration'

n=0
failed=0
check () {
  local desc=$1
  shift
  n=$((n + 1))
  if "$@"; then
    echo "ok $n - $desc"
  else
    echo "not ok $n - $desc"
    failed=$((failed + 1))
  fi
}

# Every variable of the code, in the page.
variables=$(cat "$srcdir/data/nm-dispatcher/90-dpu-gateway" "$srcdir/data/nm-dispatcher/hooks/50-ovs-bridge-port.example" \
  "$srcdir"/src/ctl/*.c | grep -oE 'DPU_GATEWAY_[A-Z_]+[A-Z]' | sort -u)
[ -n "$variables" ] || { echo "Bail out! no DPU_GATEWAY_ variable found in the code"; exit 1; }
for v in $variables; do
  check "dpu-gatewayctl(1) documents $v" grep -q "\\*$v\\*" "$page"
done
for thing in dpu-gateway-dispatcher 90-dpu-gateway dpu-gateway-hooks.service /etc/dpu-gateway/dispatcher.d \
  /run/dpu-gateway/hooks.state dispatcher.conf 50-ovs-bridge-port.example '# HOOKS'; do
  check "dpu-gatewayctl(1) covers $thing" grep -qF -- "$thing" "$page"
done

# The README's host section: the two paths of the hooks.
host=$(sed -n '/^### On a host/,/^### /p' "$readme")
check "README, On a host: the hooks agent (dpu-gatewayctl hooks, dpu-gateway-hooks)" \
  grep -q 'dpu-gatewayctl hooks.*dpu-gateway-hooks' <<<"$host"
check "README, On a host: NetworkManager's dispatcher path" grep -q "NetworkManager's dispatcher" <<<"$host"
check "README, On a host: the same state runs the hooks once" grep -q "same state never runs them twice" <<<"$host"

# A citation of the feature documentation names it: the title within the
# sentence (the 300 characters before the citation, lines joined).
cited_by_title () {
  local file=$1 text rest before ok=0
  text=$(tr '\n\t' '  ' <"$file" | tr -s ' *"' ' ')
  rest=$text
  while [[ $rest =~ ^(.*)([Ff]eature doc) ]]; do
    before=${BASH_REMATCH[1]}
    rest=$before
    if [[ ${before: -300} != *"$title"* && ${text:${#before}:400} != *"$title"* ]]; then
      echo "# $file: cites the feature documentation without its title: ...${before: -120}feature doc..."
      ok=1
    fi
  done
  return $ok
}
for f in "$srcdir"/docs/*.scd "$srcdir"/docs/*.md "$srcdir/README.md" "$srcdir/dbus/org.ovnk.DpuGateway.xml"; do
  check "${f#"$srcdir"/} names the feature documentation by its title" cited_by_title "$f"
done

echo "1..$n"
[ "$failed" -eq 0 ]
