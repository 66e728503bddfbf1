#!/bin/bash
# Builds the libFuzzer targets of tests/fuzz with clang (AddressSanitizer, LeakSanitizer,
# UndefinedBehaviorSanitizer; the library's sources compiled in, separately from the gcc
# build) into OUTDIR, then runs each for SECONDS on a copy of its seed corpus.
#
#   tests/fuzz/run.sh OUTDIR [SECONDS] [TARGET...]
#
# SECONDS defaults to 30; TARGETs default to all (names, config, device-plugin, select,
# sysfs).  Prints per target the executions, the coverage gained and the result; on a
# crash, leak, timeout or out-of-memory, the reproducer and how to run it.  Ends with
# "N passed, N failed" (targets) and exits non-zero if any failed.
#
# DPUGW_FUZZ_SKIP=bus-utf8,virtfn-index skips named checks (see fuzz-common.h) while a
# known failure is being fixed, so that the rest can still be fuzzed.
# DPUGW_FUZZ_TMPDIR: where fuzz-sysfs builds its trees (default /dev/shm, else OUTDIR/tmp).
#
# Needs clang and the compiler-rt runtimes (Debian: clang, libclang-rt-14-dev, which
# provides libclang_rt.fuzzer; llvm for llvm-symbolizer), pkg-config, libglib2.0-dev and libnl-route-3-dev.
# The committed corpus under tests/fuzz/corpus/ is never written to: new inputs found
# during the run stay in OUTDIR/corpus/<target>/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

if [ $# -lt 1 ]; then
  echo "usage: $0 OUTDIR [SECONDS] [TARGET...]" >&2
  exit 2
fi
out=$1
seconds=${2:-30}
shift $(( $# >= 2 ? 2 : 1 ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(names config device-plugin select sysfs)

case $seconds in
  ''|*[!0-9]*) echo "$0: SECONDS must be a number: $seconds" >&2; exit 2 ;;
esac

CC=${CC:-clang}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# --- build ----------------------------------------------------------------------------

# shellcheck disable=SC2054 # one flag with commas, not array elements
sanitize=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
# shellcheck disable=SC2207
glib_cflags=($(pkg-config --cflags glib-2.0 gobject-2.0 gio-2.0 libnl-3.0 libnl-route-3.0))
# shellcheck disable=SC2207
glib_libs=($(pkg-config --libs glib-2.0 gobject-2.0 gio-2.0 libnl-3.0 libnl-route-3.0))
cflags=(-g -O1 -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
        -fno-omit-frame-pointer -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74
        -DGLIB_VERSION_MAX_ALLOWED=GLIB_VERSION_2_74
        -I "$top/include" -I "$top/src/lib" "${glib_cflags[@]}")

echo "Building with $("$CC" --version | head -n 1) into $out"
# The library, once, instrumented the same way; linked into every target.
mkdir -p "$out/obj"
pids=()
for src in "$top"/src/lib/*.c; do
  "$CC" "${sanitize[@]}" "${cflags[@]}" -c "$src" -o "$out/obj/$(basename "$src" .c).o" &
  pids+=($!)
done
build_failed=0
for pid in "${pids[@]}"; do wait "$pid" || build_failed=1; done
if [ $build_failed -ne 0 ]; then
  echo "building the library failed" >&2
  exit 1
fi
pids=()
for t in "${targets[@]}"; do
  if [ ! -f "$here/fuzz-$t.c" ]; then
    echo "$0: no target $t (tests/fuzz/fuzz-$t.c)" >&2
    exit 2
  fi
  "$CC" "${sanitize[@]}" "${cflags[@]}" "$here/fuzz-$t.c" "$out"/obj/*.o "${glib_libs[@]}" \
    -o "$out/fuzz-$t" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || build_failed=1; done
if [ $build_failed -ne 0 ]; then
  echo "building the fuzz targets failed" >&2
  exit 1
fi

# --- run ------------------------------------------------------------------------------

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-}
export G_SLICE=always-malloc       # GLib 2.74's slice magazines would hide leaks
export G_DEBUG=fatal-criticals
export LC_ALL=C.UTF-8
unset G_MESSAGES_DEBUG

tmp=""
trap '[ -z "$tmp" ] || rm -rf "$tmp"' EXIT
passed=0
failed=0
summary=()

stat_of () { # NAME LOG: the value of libFuzzer's final "stat::NAME:"
  sed -n "s/^stat::$1: *\([0-9]*\).*/\1/p" "$2" | tail -n 1
}
field_of () { # FIELD LINE: "cov" "ft" "corp" of a libFuzzer status line
  sed -n "s/.* $1: \([0-9]*\).*/\1/p" <<<"$2"
}

for t in "${targets[@]}"; do
  corpus="$out/corpus/$t"
  artifacts="$out/artifacts/$t"
  log="$out/logs/$t.log"
  # fuzz-sysfs makes and removes a tree per input: on tmpfs if there is one.
  tmp="$out/tmp/$t"
  if [ -n "${DPUGW_FUZZ_TMPDIR:-}" ]; then
    tmp="$DPUGW_FUZZ_TMPDIR/dpugw-fuzz-$t.$$"
  elif [ "$t" = sysfs ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
    tmp="/dev/shm/dpugw-fuzz-$t.$$"
  fi
  rm -rf "$corpus" "$artifacts" "$tmp"
  mkdir -p "$corpus" "$artifacts" "$out/logs" "$tmp"
  # A copy: libFuzzer adds what it finds to the first corpus directory.
  if [ -d "$here/corpus/$t" ]; then
    cp -- "$here/corpus/$t"/* "$corpus"/ 2>/dev/null || true
  fi
  seeds=$(find "$corpus" -type f | wc -l)
  max_len=4096
  [ "$t" = sysfs ] && max_len=8192   # the hardware seeds are trees of up to ~5 KiB
  dict=()
  [ -f "$here/dict/$t.dict" ] && dict=(-dict="$here/dict/$t.dict")

  echo "== fuzz-$t: $seconds s, $seeds seeds"
  status=0
  (cd "$artifacts" && TMPDIR="$tmp" "$out/fuzz-$t" \
     -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len="$max_len" \
     -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" \
     "$corpus") >"$log" 2>&1 || status=$?

  execs=$(stat_of number_of_executed_units "$log")
  per_sec=$(stat_of average_exec_per_sec "$log")
  new_units=$(stat_of new_units_added "$log")
  inited=$(grep -m 1 -E '^#[0-9]+[[:space:]]+INITED' "$log" || true)
  last=$(grep -E '^#[0-9]+[[:space:]]+(DONE|NEW|REDUCE|pulse|INITED)' "$log" | tail -n 1 || true)
  cov0=$(field_of cov "$inited"); cov1=$(field_of cov "$last")
  ft0=$(field_of ft "$inited"); ft1=$(field_of ft "$last")
  coverage="cov ${cov1:-?} (+$(( ${cov1:-0} - ${cov0:-0} ))), features ${ft1:-?} (+$(( ${ft1:-0} - ${ft0:-0} ))), ${new_units:-0} new inputs"

  artifact=$(find "$artifacts" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
             -o -name 'oom-*' -o -name 'slow-unit-*' \) | head -n 1)
  if [ $status -eq 0 ] && [ -z "$artifact" ] && [ -n "$execs" ]; then
    result=PASS
    passed=$((passed + 1))
  else
    result=FAIL
    failed=$((failed + 1))
  fi
  echo "   executions: ${execs:-?} (${per_sec:-?}/s); coverage: $coverage; result: $result"
  summary+=("fuzz-$t: $result, ${execs:-?} executions")

  if [ $result = FAIL ]; then
    echo "   libFuzzer exited with status $status; its log: $log"
    # The report: from the sanitizer's or the check's first line to libFuzzer's artifact line.
    sed -n '/^==[0-9]*==ERROR\|^=== \|runtime error\|^==[0-9]*== ERROR: libFuzzer\|ERROR: libFuzzer/,$p' "$log" \
      | grep -v '^#[0-9]' | head -n 80 | sed 's/^/   | /'
    if [ -n "$artifact" ]; then
      echo "   reproducer: $artifact ($(stat -c %s "$artifact") bytes)"
      echo "   run it:     ASAN_OPTIONS=$ASAN_OPTIONS G_SLICE=always-malloc $out/fuzz-$t $artifact"
      echo "   contents (first 1024 bytes, escaped):"
      head -c 1024 "$artifact" | od -An -c -v -w32 | sed 's/^/   | /'
    else
      tail -n 30 "$log" | sed 's/^/   | /'
    fi
  fi
  rm -rf "$tmp"
done

echo
for s in "${summary[@]}"; do echo "$s"; done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
