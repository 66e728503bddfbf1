#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The bash completion of dpu-gatewayctl, driven as bash drives it: COMP_WORDS
# split at COMP_WORDBREAKS, COMP_CWORD, COMP_LINE, COMP_POINT; then COMPREPLY
# is checked, and whether it asked for nospace.  TAP output.  Argument: the
# completion file.  It needs bash-completion, which is sourced first: a missing
# bash-completion fails the test.
set -u
completion=$1
bash_completion=/usr/share/bash-completion/bash_completion
# Read by bash_completion: not the user's ~/.bash_completion.
# shellcheck disable=SC2034
BASH_COMPLETION_USER_FILE=/dev/null
# shellcheck source=/dev/null
source "$bash_completion" || { echo "Bail out! cannot source $bash_completion (bash-completion)"; exit 1; }
# shellcheck source=/dev/null
source "$completion" || { echo "Bail out! cannot source $completion"; exit 1; }
[[ $(complete -p dpu-gatewayctl 2>/dev/null) == "complete -F _dpu_gatewayctl dpu-gatewayctl" ]] ||
  { echo "Bail out! $completion does not register _dpu_gatewayctl for dpu-gatewayctl"; exit 1; }

# compopt works only in a completion that bash runs; here it records the
# options asked for.
compopt() {
  [[ $1 == -o ]] && compopts+=" $2"
  return 0
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
HOME=$tmp
# A tiny sysfs: VF 0000:01:02.3 (netdev pf0vf0) of PF 0000:01:00.0 (netdev eth0).
mkdir -p "$tmp/sys/bus/pci/devices/0000:01:00.0" "$tmp/sys/bus/pci/devices/0000:01:02.3" "$tmp/sys/class/net"
ln -s ../0000:01:00.0 "$tmp/sys/bus/pci/devices/0000:01:02.3/physfn"
ln -s ../../bus/pci/devices/0000:01:02.3 "$tmp/sys/class/net/pf0vf0"
ln -s ../../bus/pci/devices/0000:01:00.0 "$tmp/sys/class/net/eth0"
touch "$tmp/ovn_k8s.conf"

# Completes LINE with the cursor at its end, splitting it as bash does: at
# blanks, and around runs of the word-break characters '=' and ':'.
complete_line() {
  local line=$1 token rest
  local -a split=()
  for token in $line; do
    rest=$token
    while [[ -n $rest ]]; do
      if [[ $rest =~ ^([=:]+)(.*)$ || $rest =~ ^([^=:]+)(.*)$ ]]; then
        split+=("${BASH_REMATCH[1]}")
        rest=${BASH_REMATCH[2]}
      fi
    done
  done
  [[ $line == *' ' ]] && split+=("")
  COMP_WORDS=("${split[@]}")
  COMP_CWORD=$((${#split[@]} - 1))
  COMP_LINE=$line
  COMP_POINT=${#line}
  COMPREPLY=()
  compopts=
  _dpu_gatewayctl dpu-gatewayctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]-}"
}

n=0
failed=0
# expect LINE WANTED...: COMPREPLY holds every WANTED; "!X" means it must not hold X; "-" alone: empty;
# "+nospace" / "!+nospace": compopt -o nospace was / was not asked for.
expect() {
  local line=$1 want ok=1 reply
  shift
  complete_line "$line"
  reply=" ${COMPREPLY[*]} "
  for want in "$@"; do
    case $want in
      -) [[ ${#COMPREPLY[@]} -eq 0 ]] || ok=0 ;;
      +nospace) [[ $compopts == *" nospace"* ]] || ok=0 ;;
      !+nospace) [[ $compopts != *" nospace"* ]] || ok=0 ;;
      !*) [[ $reply != *" ${want#!} "* ]] || ok=0 ;;
      *) [[ $reply == *" $want "* ]] || ok=0 ;;
    esac
  done
  n=$((n + 1))
  if [[ $ok -eq 1 ]]; then
    echo "ok $n - '$line' offers $*"
  else
    echo "not ok $n - '$line' offers $*"
    echo "# COMPREPLY:${reply% }"
    echo "# compopt -o:$compopts"
    failed=$((failed + 1))
  fi
}

expect "dpu-gatewayctl re" resolve '!status'
expect "dpu-gatewayctl resolve --js" --json
expect "dpu-gatewayctl " resolve diagnose status topology monitor
expect "dpu-gatewayctl d" diagnose
expect "dpu-gatewayctl st" status
expect "dpu-gatewayctl resolve --a" --all --address=
expect "dpu-gatewayctl diagnose --a" --address= '!--all'
expect "dpu-gatewayctl monitor --l" -
expect "dpu-gatewayctl topology --gateway" -
expect "dpu-gatewayctl status --ovnkube-node-mode=dpu" dpu dpu-host '!full'
expect "dpu-gatewayctl resolve --ovnkube-node-mode " full dpu dpu-host
expect "dpu-gatewayctl resolve --gateway-select=uplink,fi" uplink,first
expect "dpu-gatewayctl resolve --gateway-select=up" up uplink '!first'
expect "dpu-gatewayctl resolve --gateway-select=" first uplink up name=
expect "dpu-gatewayctl resolve --config-file=$tmp/ovn" "$tmp/ovn_k8s.conf"
expect "dpu-gatewayctl resolve --config-file $tmp/ovn" "$tmp/ovn_k8s.conf"
expect "dpu-gatewayctl resolve --sysfs-root=$tmp/s" "$tmp/sys"
expect "dpu-gatewayctl resolve --local --sysfs-root=$tmp/sys --gateway-interface=" derive-from-mgmt-port eth0 pf0vf0
expect "dpu-gatewayctl diagnose --sysfs-root=$tmp/sys pf" pf0vf0 '!eth0'
# readline replaces the text after the last ':', so that is what is offered.
expect "dpu-gatewayctl resolve --sysfs-root $tmp/sys 0000:01:0" 02.3 '!0000:01:00.0'
expect "dpu-gatewayctl diagnose --sysfs-root=$tmp/sys 0000:" 01:02.3 '!0000:01:02.3'
expect "dpu-gatewayctl resolve --sysfs-root $tmp/sys --ovnkube-node-mgmt-port-netdev=" eth0 pf0vf0 '!0000:01:02.3'
# A sysfs root under ~ (HOME is $tmp here).
expect "dpu-gatewayctl diagnose --sysfs-root ~/sys pf" pf0vf0
expect "dpu-gatewayctl resolve --sysfs-root=$tmp/" "$tmp/sys" "!$tmp/ovn_k8s.conf"
expect "dpu-gatewayctl resolve --gateway-select=uplink,fi" uplink,first +nospace
# After name=NETDEV, readline replaces only the text after its '='.
expect "dpu-gatewayctl resolve --gateway-select name=eth0,up" eth0,up eth0,uplink '!name=eth0,up'
expect "dpu-gatewayctl resolve --gateway-select=name=" -
expect "dpu-gatewayctl resolve --addr" --address= +nospace
expect "dpu-gatewayctl resolve --jso" --json '!+nospace'
expect "dpu-gatewayctl resolve --address=" -
expect "dpu-gatewayctl status --ovnkube-node-mgmt-port-dp-resource-name " -
expect "dpu-gatewayctl help " -
expect "dpu-gatewayctl --v" --version
# Options before the command; the command after them; values given apart are no command.
expect "dpu-gatewayctl --json " resolve status monitor refresh hooks
expect "dpu-gatewayctl --address unix:path=/x re" resolve refresh '!unix:path=/x'
expect "dpu-gatewayctl --json --local resolve --a" --all --address=
expect "dpu-gatewayctl --j" --json
expect "dpu-gatewayctl --sysfs-root $tmp/sys --local diagnose pf" pf0vf0
expect "dpu-gatewayctl --json monitor --l" -
# Each command offers what its --help lists, no more.
expect "dpu-gatewayctl monitor --" --json --system --address= '!--local' '!--sysfs-root=' '!--config-file='
expect "dpu-gatewayctl refresh --" --system --address= '!--json' '!--local'
expect "dpu-gatewayctl hooks --" --system --session '!--json' '!--local'
expect "dpu-gatewayctl wait --" --timeout= --json --local --address= '!--all'
expect "dpu-gatewayctl node-labels --" --file= --once --address= '!--json' '!--local'
expect "dpu-gatewayctl wa" wait
expect "dpu-gatewayctl n" node-labels
expect "dpu-gatewayctl topology --" --json --local '!--config-file=' '!--all'
expect "dpu-gatewayctl re" resolve refresh
expect "dpu-gatewayctl h" hooks help

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[[ $failed -eq 0 ]]
