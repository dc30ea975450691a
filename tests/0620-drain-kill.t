#!/bin/sh
# co-drain killed at exact instants (issue 8, "also prove"): strace
# injects SIGKILL at the Nth rename, fsync and mkdir of co-drain (its
# parent and its worker), the claim directory's mkdtemp and rename among
# them.  After each kill a rerun finishes the work: every event is in the
# database exactly once, the rows are those of a clean drain, and every
# spool file is whole in exactly one place.  Then the same with archiving
# (issue 13.3): kills at the renames, the archive's writes and syncs and
# the background unlinks lose no file: each is in failed/, retry/ or the
# archive, whole.
. "$(dirname "$0")/lib.sh"
keep_done
# Skip where strace cannot inject (no strace, or no ptrace in a sandbox).
strace -f -qq -o /dev/null -e trace=mkdir -e inject=mkdir:signal=KILL:when=1 \
    mkdir "$T/probe" >/dev/null 2>&1
if [ -d "$T/probe" ] || ! command -v strace >/dev/null; then
	echo "1..0 # SKIP strace cannot inject signals here"
	exit 0
fi
drain_setup
# A file that fails (reason: fsync + rename) and one that waits (retry/).
drain_ref 6
(cd "$REF/new" && md5sum * | sort) >"$T/sums"
total=$(wc -l <"$T/sums")
uniq=$(cat "$REF"/new/*.vm | jq -r .body | jq -r .id | sort -u | wc -l)

rows() { q "SELECT \"userId\", \"livekitRoomSid\", duration, status, outcome,
    \"recordingUrl\", (SELECT count(*) FROM livekit_call_events)
    FROM call_logs ORDER BY 2"; }
# finish: rerun until nothing is left to retry now (at most 3 runs).
finish() {
	for _i in 1 2 3; do
		co-drain -s "$S" -R 0 ${MODE:-} 2>>"$T/err"
		[ "$(ls "$S/new" | wc -l)" -eq 0 ] && break
	done
}
# where: every spool file's name and sum, wherever it lies.
where() {
	(cd "$S" && find new cur done failed retry -type f ! -name '*.reason' \
	    -exec md5sum {} + | sed 's|  [a-z]*/\(.*/\)*|  |' | sort)
}

rm -rf "$S"
cp -rp "$REF" "$S"
finish
clean=$(rows)
check_same "a clean drain loads every event once" "$uniq" \
    "$(q 'SELECT count(*) FROM livekit_call_events')"

# kill SYSCALLS N: SIGKILL at the Nth call of any of SYSCALLS.
kill_at() {
	q "TRUNCATE call_logs CASCADE"
	rm -rf "$S"
	cp -rp "$REF" "$S"
	strace -f -qq -o /dev/null -e trace="$1" \
	    -e inject="$1":signal=KILL:when="$2" co-drain -s "$S" ${MODE:-} \
	    2>"$T/err"
	echo $? >"$T/rc"
	cp "$T/err" "$T/err.kill"
	finish
	_got="$(rows) | $(where) | $(find "$S/cur" -type f | wc -l)"
	_want="$clean | $(cat "$T/sums") | 0"
	if [ -n "${MODE:-}" ]; then
		# Archived: the loaded files' lines, each at least once.
		_got="$_got | $(zcat "$S"/archive/*.gz | sort -u | md5sum)"
		_want="$clean | $(cat "$T/asums") | 0 | $(cat "$T/alines")"
	fi
	if [ "$_got" = "$_want" ]; then
		ok "killed at $1 #$2 (exit $(cat "$T/rc")): rerun gives all, once"
	else
		not_ok "killed at $1 #$2 (exit $(cat "$T/rc")): rerun gives all, once"
		diag "$(diff -u "$(printf '%s\n' "$_want" >"$T/w"; echo "$T/w")" \
		    "$(printf '%s\n' "$_got" >"$T/g"; echo "$T/g")" | head -20)"
		diag "$(tail -5 "$T/err")"
	fi
}

# strace counts each process's calls: the parent makes none of these
# when the spool exists, so N counts the worker's.  Its mkdir #1 is the
# claim directory's mkdtemp, its rename #1 that directory's rename.
kill_at mkdir,mkdirat 1
check_same "killed in mkdtemp: the worker died, the run says so (70)" 70 \
    "$(cat "$T/rc")"
check "one line for it" grep -q "^co-drain: worker died of signal 9" \
    "$T/err.kill"
kill_at mkdir,mkdirat 2
n=1
while [ $n -le 16 ]; do
	kill_at rename,renameat,renameat2 $n
	n=$((n + 1))
done
n=1
while [ $n -le 6 ]; do
	kill_at fsync,fdatasync $n
	n=$((n + 1))
done

# With archiving (-A 30 wins over keep_done's -A 0): what stays in the
# spool is the failed and the pending file; the rest is in the archive.
MODE="-A 30"
grep -e '\.bad$' -e '\.pend$' "$T/sums" >"$T/asums"
(cd "$REF/new" && cat $(ls | grep -v -e '\.bad$' -e '\.pend$')) | sort -u |
    md5sum >"$T/alines"
# Renames: mkdtemp's, the claims, a failed file's reason and its move,
# the pending file's move; fsyncs and fdatasyncs: the reason file, the
# archive's length and member; the unlinks of archived files, in the
# background threads; the archive file's creation (openat #k is too
# fragile a count: the flock of the archive stands for it).
n=1
while [ $n -le 8 ]; do
	kill_at rename,renameat,renameat2 $((n * 5 - 4))
	n=$((n + 1))
done
n=1
while [ $n -le 5 ]; do
	kill_at fsync,fdatasync $n
	n=$((n + 1))
done
for n in 1 2 3; do
	kill_at pwrite64 $n
	kill_at unlink $n
done
kill_at flock 2
done_testing
