#!/bin/sh
# Runs one integration case: sh case.sh FILE NAME DIR (started by tests/integration/run).
# The case function runs in DIR; it fails through `fail WHY` (lib.sh) or a non-zero status.
set -u
file=$1 name=$2 T=$3
cd "$T" || exit 1
# shellcheck source=tests/integration/lib.sh
. "$IT_ROOT/tests/integration/lib.sh"
# shellcheck disable=SC1090 # the case file is chosen at run time
. "$file"

CASE=$name
# Names of this case's queues, clusters and services: unique in the shared local AWS.
N=$(printf '%s' "$name" | tr '_' '-' | cut -c1-40)
start=$(now_ms)
"case_$name"
status=$?
end=$(now_ms)
awk -v ms=$((end - start)) 'BEGIN { printf "%.1f\n", ms / 1000 }' >"$T/seconds"
if [ "$status" -ne 0 ] && [ ! -s "$T/why" ]; then
	echo "case returned status $status" >"$T/why"
fi
exit "$status"
