#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Lints a man page as built by scdoc: `mandoc -T lint -W warning PAGE` must
# report no error and no warning, except the redundant paragraph macros that
# scdoc's output always carries and that change nothing in the rendering: the
# one it puts after each heading ("PP after SH", "PP after SS") and before
# blocks ("PP empty").  A page with any other warning (a missing title, section
# or date, a bad escape) or error (an unknown macro, an unclosed block) fails.
# Arguments: MANDOC PAGE.
set -u
mandoc=$1
page=$2

out=$("$mandoc" -T lint -W warning "$page" 2>&1)
status=$?
# mandoc's status: 0 clean, 2 warnings, 3 errors, 4 unsupported, 5 bad arguments, 6 system error.
rest=$(grep -v -E ': WARNING: skipping paragraph macro: PP (empty|after SH|after SS)$' <<< "$out")

if [[ $status -gt 2 || -n $rest ]]; then
  echo "mandoc -T lint -W warning $page: status $status"
  echo "$out"
  exit 1
fi
echo "$page: clean at -W warning (scdoc's paragraph macros aside)"
