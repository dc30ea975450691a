#!/bin/sh
# co-drain's retention (issue 11.8): settled files go into the day's gzip
# archive, not done/; the archive holds every envelope once and can be
# loaded again (zcat | co-verify | ... and through co-drain), giving the
# same rows; old archives expire, nothing else does; -A 0 keeps done/; a
# torn archive tail is cut off; SIGKILL at any step of archiving loses
# nothing.
. "$(dirname "$0")/lib.sh"
drain_setup
drain_ref 6
cat "$REF"/new/*.vm | sort >"$T/want"
sort -u "$T/want" >"$T/want_u"
day=$(date -u +%F)
A=$S/archive/$day.ndjson.gz
count() { find "$S/$1" -type f ! -name '*.reason' | wc -l; }
rows() { q "SELECT \"userId\", \"livekitRoomSid\", duration, status, outcome,
    \"recordingUrl\", (SELECT count(*) FROM livekit_call_events)
    FROM call_logs ORDER BY 2"; }

cp -rp "$REF" "$S"
co-drain -s "$S" -R 0 2>"$T/err"
check_same "exit 65: the bad file failed" 65 "$?"
clean=$(rows)
check_same "done/, new/ and cur/ are empty" "0 0 0" \
    "$(count done) $(count new) $(count cur)"
check_same "failed/ and retry/ keep their files" "1 1" \
    "$(count failed) $(count retry)"
check_same "one archive, today's (UTC), and its length file" \
    "$day.ndjson.gz $day.ndjson.gz.len" "$(ls "$S/archive" | tr '\n' ' ' |
    sed 's/ $//')"
check "the archive is whole gzip" gzip -t "$A"
zcat "$A" | sort >"$T/got"
check "the archive holds every loaded envelope, once each" cmp -s \
    "$T/want" "$T/got"
check_same "the length file says the archive's size" "$(stat -c %s "$A")" \
    "$(sed 's/^0*//' "$A.len")"
check_same "the summary counts archived files as done" 1 \
    "$(grep -c '^co-drain: 40 files: 38 done, 1 retry, 1 failed' "$T/err")"

# Reprocessing, the main use: through the stream tools ...
q "TRUNCATE call_logs CASCADE"
zcat "$A" | co-verify | co-transform | co-classify | co-load >/dev/null 2>"$T/err"
check_same "zcat | co-verify | ... | co-load: the same rows" "$clean" "$(rows)"
# ... and through co-drain, as co-drain(1) says.
q "TRUNCATE call_logs CASCADE"
zcat "$A" >"$S/tmp/$now.000000.replay"
mv "$S/tmp/$now.000000.replay" "$S/new/"
co-drain -s "$S" 2>"$T/err"
check_same "co-drain re-drains an archive: exit 0" 0 "$?"
check_same "co-drain re-drains an archive: the same rows" "$clean" "$(rows)"
check_same "the replayed file archived again, done/ empty" "0 $(($(wc -l <"$T/want") * 2))" \
    "$(count done) $(zcat "$A" | wc -l)"

# A torn tail (a run killed mid-append) is cut off by the next append.
size=$(stat -c %s "$A")
head -c 100 "$A" >>"$A"
cp "$REF/new/$(ls "$REF/new" | head -n 1)" "$S/new/"
co-drain -s "$S" 2>/dev/null
check "a torn tail is cut: the archive is whole gzip again" gzip -t "$A"
check_same "and holds the new member after the old ones" \
    "$(($(wc -l <"$T/want") * 2 + 1))" "$(zcat "$A" | wc -l)"

# Expiry: archives of days more than -A days back go, nothing else.
old() { date -u -d "@$((now - $1 * 86400))" +%F; }
for n in 31 30 1; do
	echo x | gzip >"$S/archive/$(old $n).ndjson.gz"
	echo 00000000000000000021 >"$S/archive/$(old $n).ndjson.gz.len"
done
echo keep >"$S/archive/notes.txt"
echo keep >"$S/archive/2020-01-01.txt"
co-drain -s "$S" -A 0 2>/dev/null
check_same "-A 0 deletes no archive" 10 "$(ls "$S/archive" | wc -l)"
co-drain -s "$S" -A 30 2>"$T/err"
check_same "an idle run still expires, silently" "" "$(cat "$T/err")"
check_same "-A 30: the day 31 days back goes, 30 and 1 stay" \
    "$(printf '%s\n' 2020-01-01.txt "$(old 30).ndjson.gz" \
    "$(old 30).ndjson.gz.len" "$(old 1).ndjson.gz" "$(old 1).ndjson.gz.len" \
    "$day.ndjson.gz" "$day.ndjson.gz.len" notes.txt | sort | tr '\n' ' ')" \
    "$(ls "$S/archive" | sort | tr '\n' ' ')"
co-drain -s "$S" -A 1 2>/dev/null
check_same "-A 1: only yesterday and today stay" 6 "$(ls "$S/archive" | wc -l)"

# -A 0: done/ as before, nothing archived.
rm -rf "$S"
cp -rp "$REF" "$S"
co-drain -s "$S" -A 0 -R 0 2>/dev/null
check_same "-A 0: files in done/, no archive" "38 0" \
    "$(count done) $(ls "$S/archive" | wc -l)"
# ... and a later run with archiving (three jobs) takes done/ into the
# archive, each file once.
co-drain -s "$S" -j 3 2>"$T/err"
check_same "silently" "" "$(cat "$T/err")"
zcat "$A" | sort >"$T/got"
check_same "files left in done/ are archived by the next run" "0" \
    "$(count done)"
check "every one once" cmp -s "$T/want" "$T/got"
t_run 64 'co-drain -A -1' '' ''
t_run 64 'co-drain -A x' '' ''

# SIGKILL at each step of archiving (strace injects it): a rerun loads
# every event once, the archive is whole gzip and holds every envelope.
strace -f -qq -o /dev/null -e trace=mkdir -e inject=mkdir:signal=KILL:when=1 \
    mkdir "$T/probe" >/dev/null 2>&1
if [ -d "$T/probe" ] || ! command -v strace >/dev/null; then
	ok "# SKIP strace cannot inject signals here"
	done_testing
	exit
fi
finish() {
	for _i in 1 2 3; do
		co-drain -s "$S" -R 0 2>>"$T/err"
		[ "$(count new)" -eq 0 ] && break
	done
}
kill_at() {
	q "TRUNCATE call_logs CASCADE"
	rm -rf "$S"
	cp -rp "$REF" "$S"
	strace -f -qq -o /dev/null -e trace="$1" \
	    -e inject="$1":signal=KILL:when="$2" co-drain -s "$S" 2>"$T/err"
	echo $? >"$T/rc"
	finish
	zcat "$A" | sort -u >"$T/got"
	_got="$(rows) | $(count new) $(count cur) $(count done) | $(gzip -t "$A" && echo whole) | $(cmp -s "$T/want_u" "$T/got" && echo all)"
	_want="$clean | 0 0 0 | whole | all"
	if [ "$_got" = "$_want" ]; then
		ok "killed at $1 #$2 (exit $(cat "$T/rc")): nothing lost"
	else
		not_ok "killed at $1 #$2 (exit $(cat "$T/rc")): nothing lost"
		diag "want: $_want" "got: $_got" "$(tail -5 "$T/err")"
	fi
}
# The worker's archiving: flock (#1 is the claim directory's, #2 the
# archive's), the length of a new archive (pwrite64 #1, fdatasync #1),
# the member (fdatasync #2), its new length (pwrite64 #2, fdatasync #3),
# then one unlink per file.  A kill inside the member's write leaves a
# torn tail, tested above.
kill_at flock 2
for s in fdatasync pwrite64 unlink; do
	n=1
	while [ $n -le 3 ]; do
		[ $s = pwrite64 ] && [ $n -eq 3 ] && break
		kill_at $s $n
		n=$((n + 1))
	done
done
done_testing
