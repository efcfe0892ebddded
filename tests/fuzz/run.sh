#!/bin/sh
# run.sh SECONDS HARNESS... - run each libFuzzer harness for SECONDS from
# its seed corpus (tests/fuzz/corpus/NAME, read only) plus a working corpus
# under $FUZZ_BUILD.  SECONDS 0: run every seed once (-runs=0), the cheap
# regression pass make check does.  Exits 1 if any harness finds a crash, a leak or a
# timeout; the input that did it is left in $FUZZ_BUILD/crashes/ and the
# command to reproduce it is printed.  Add it to the seed corpus once fixed.
set -u
seconds=${1:?usage: run.sh SECONDS HARNESS...}
shift
build=${FUZZ_BUILD:-build-fuzz}
here=$(cd "$(dirname "$0")" && pwd)
failed=0
mkdir -p "$build/crashes"
for bin in "$@"; do
	name=$(basename "$bin"); name=${name#fuzz_}
	work="$build/corpus/$name"
	mkdir -p "$work" "$here/corpus/$name"
	printf 'fuzz %-8s %ss ... ' "$name" "$seconds"
	log="$build/fuzz_$name.log"
	if [ "$seconds" = 0 ]; then
		if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		   "$bin" -runs=0 -timeout=10 -rss_limit_mb=2048 \
		       -artifact_prefix="$build/crashes/$name-" \
		       "$here/corpus/$name" >"$log" 2>&1; then
			echo "corpus clean ($(ls "$here/corpus/$name" | wc -l) seeds)"
		else
			failed=1
			echo "FAILED"
			grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5
		fi
		continue
	fi
	if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	   "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	       -max_len=65536 -print_final_stats=1 \
	       -artifact_prefix="$build/crashes/$name-" \
	       "$work" "$here/corpus/$name" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
		echo "clean (${runs:-?} runs, ${cov:-cov: ?})"
	else
		failed=1
		echo "FAILED"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5
		echo "  reproduce: $bin $build/crashes/$name-*"
	fi
done
exit $failed
