# Soak, shortened: one --watch worker handles a queue of mixed messages (healthy, failing,
# not JSON, no service attribute, unknown service) through scripts/soak, which starts its
# own local AWS. Every message ends deleted after a final outcome or kept with its reason
# logged, the counts add up exactly, and the worker's memory does not grow. The full run is
# `scripts/soak` (300 messages; docs/running.md).
# shellcheck shell=sh disable=SC2154 # rc, secs come from lib.sh

case_soak_short() {
	run soak python3 "$IT_ROOT/scripts/soak" --bin "$IT_BIN" --messages 20 --services 3 --check --json soak.json
	record "soak (20 messages, one --watch worker): status $rc after ${secs}s"
	expect_rc soak 0
	got=$(python3 -c 'import json, sys; f = json.load(open(sys.argv[1]))
print(f["messages"], f["deleted"], f["deleteCalls"], f["kept"], f["inQueue"], f["keptLines"], len(f["problems"]))' soak.json) ||
		fail "unreadable soak.json"
	# messages, deleted, DeleteMessage calls, kept, still queued, kept lines, problems
	expect_eq "soak counts" "$got" "20 12 12 8 8 8 0"
	expect_match "report" "$(cat "$T/soak.out")" 'problems: none'
}
