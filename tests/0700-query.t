#!/bin/sh
# co-query on a real cluster with three tenants, run as a login role of
# co_analyst (row security on): every filter of calls against SQL written
# here, pages that neither skip nor repeat a row while rows arrive between
# them, statistics against figures computed in perl from the raw rows,
# every output format parsed back, events and outcome of realistic calls
# loaded by co-drain, --tz, exit statuses and bad arguments.
. "$(dirname "$0")/lib.sh"
pg_start || exit 1
co-migrate up >/dev/null || exit 1
q "CREATE ROLE ana LOGIN IN ROLE co_analyst;
   INSERT INTO tenant_members (login, tenant) SELECT 'ana', 'tenant-0' || t
   FROM generate_series(0, 2) t;
   INSERT INTO users (id) VALUES ('tenant-00'), ('tenant-01'), ('tenant-02');
   INSERT INTO agent_configs (id, \"userId\") SELECT 'ag-' || t || '-' || a,
   'tenant-0' || t FROM generate_series(0, 2) t, generate_series(0, 1) a"
cq() { PGUSER=ana co-query "$@"; }

# Realistic calls: 60 LiveKit calls (20 a tenant) through co-drain.
export LIVEKIT_API_KEY=APIvecTest01
export LIVEKIT_API_SECRET=lk-test-secret-NOT-REAL-4f1d9c2a7e8b6d5c3a1f0e9d8c7b6a59
CO_NOW=1767225600 co-gen calls -c 60 -T 3 -d 0 "$T/spool" >/dev/null
co-drain -s "$T/spool" 2>"$T/drain.err"
check_same "co-drain loads the realistic calls" 0 "$?"
# Hand-made calls: ties (three calls of a tenant share each start), calls
# that never started (NULL startedAt), no outcome yet, NULL direction, a
# campaign holding a comma, quotes and a newline.
WEIRD=$(printf 'c,"q"\nx')
q "INSERT INTO call_logs (id, \"userId\", \"agentConfigId\", \"campaignId\",
    \"livekitRoomName\", direction, \"phoneNumber\", duration, \"startedAt\",
    status, outcome, \"createdAt\")
  SELECT gen_random_uuid()::text, 'tenant-0' || (i % 3), 'ag-' || (i % 3) || '-' || (i % 2),
    CASE i % 4 WHEN 0 THEN 'spring' WHEN 1 THEN 'c,\"q\"' || chr(10) || 'x'
    WHEN 3 THEN 'summer' END, 'hand-' || i,
    (ARRAY['inbound', 'outbound', 'outbound', NULL, 'inbound'])[i % 5 + 1],
    '+1555000' || (i % 7),
    CASE WHEN i % 11 <> 0 THEN (i * 37) % 400 END,
    CASE WHEN i % 17 <> 0 THEN timestamptz '2026-01-01 02:00+00'
        + (i / 9) * interval '3 hours' END,
    CASE WHEN i % 7 = 5 THEN 'active' ELSE 'ended' END,
    (ARRAY['completed', 'no_answer', 'busy', 'failed', 'voicemail',
        NULL, 'completed'])[i % 7 + 1],
    timestamptz '2026-01-05 00:00+00' + i * interval '1 minute'
  FROM generate_series(1, 240) i"
check_same "three tenants of 100 calls" "tenant-00|100 tenant-01|100 tenant-02|100" \
    "$(q 'SELECT "userId", count(*) FROM call_logs GROUP BY 1 ORDER BY 1' | tr '\n' ' ' | sed 's/ $//')"

# --- calls: each filter against SQL written here ---------------------------
KEY='coalesce("startedAt", "createdAt")'
expect_ids() {
	q "SELECT id FROM call_logs WHERE \"userId\" = 'tenant-01' AND ($1)
	    ORDER BY $KEY DESC, id DESC"
}
# filt DESC SQL ARGS...: calls -u tenant-01 ARGS lists what SQL selects.
filt() {
	_d=$1 _sql=$2
	shift 2
	_exp=$(expect_ids "$_sql")
	[ -n "$_exp" ] || { not_ok "$_d: the test selects nothing"; return; }
	check_same "calls $_d" "$_exp" \
	    "$(cq calls -u tenant-01 -n 10000 -o ndjson "$@" | jq -r .id)"
}
filt "without filter" "true"
filt "--outcome busy" "outcome = 'busy'" --outcome busy
filt "--outcome none" "outcome IS NULL" --outcome none
filt "--outcome busy,none,voicemail" \
    "outcome IN ('busy', 'voicemail') OR outcome IS NULL" \
    --outcome busy,none,voicemail
filt "--direction inbound" "direction = 'inbound'" --direction inbound
filt "--direction outbound,inbound" "direction IS NOT NULL" \
    --direction outbound,inbound
filt "--status active" "status = 'active'" --status active
filt "--status ended,active" "status IS NOT NULL" --status ended,active
filt "--phone" "\"phoneNumber\" = '+15550003'" --phone +15550003
filt "--campaign spring" "\"campaignId\" = 'spring'" --campaign spring
filt "--campaign camp-1 (from room metadata)" "\"campaignId\" = 'camp-1'" \
    --campaign camp-1
filt "--agent" "\"agentConfigId\" = 'ag-1-0'" --agent ag-1-0
filt "--since date" "$KEY >= '2026-01-02 00:00+00'" --since 2026-01-02
filt "--until date" "$KEY < '2026-01-02 00:00+00'" --until 2026-01-02
filt "--since/--until RFC 3339 with offsets" \
    "$KEY >= '2026-01-02 04:00+00' AND $KEY < '2026-01-03 10:30:00.5+00'" \
    --since 2026-01-02T06:00:00+02:00 --until 2026-01-03T10:30:00.5Z
filt "--tz moves a date's midnight" \
    "$KEY >= '2026-01-02 05:00+00' AND $KEY < '2026-01-03 05:00+00'" \
    --tz America/New_York --since 2026-01-02 --until 2026-01-03
filt "calls never started are listed by creation time" \
    "\"startedAt\" IS NULL" --since 2026-01-05
filt "filters combine" "outcome IN ('completed', 'busy') AND
    direction = 'outbound' AND $KEY >= '2026-01-01' AND
    \"agentConfigId\" = 'ag-1-1'" \
    --outcome completed,busy --direction outbound --since 2026-01-01 \
    --agent ag-1-1
exp=$(expect_ids "\"campaignId\" = E'c,\"q\"\\nx'")
check_same "calls --campaign with comma, quotes and newline" "$exp" \
    "$(cq calls -u tenant-01 -n 10000 -o ndjson --campaign "$WEIRD" | jq -r .id)"
check_same "options before the subcommand too" "$exp" \
    "$(cq -u tenant-01 -n 10000 -o ndjson --campaign "$WEIRD" calls | jq -r .id)"
check_same "only the tenant's rows" tenant-02 \
    "$(cq calls -u tenant-02 -n 10000 -o ndjson | jq -r .userId | sort -u)"

# --- pagination with rows arriving between pages ---------------------------
cq calls -u tenant-01 -n 10000 -o ndjson | jq -r .id >"$T/all"
: >"$T/paged"
cursor=
pages=0
badcur=0
while :; do
	if [ -n "$cursor" ]; then
		cq calls -u tenant-01 -n 7 -o ndjson --after "$cursor" \
		    >"$T/page" 2>"$T/err"
	else
		cq calls -u tenant-01 -n 7 -o ndjson >"$T/page" 2>"$T/err"
	fi
	jq -r .id "$T/page" >>"$T/paged"
	pages=$((pages + 1))
	cursor=$(sed -n 's/^next: --after //p' "$T/err")
	[ -n "$cursor" ] || break
	printf '%s\n' "$cursor" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z/[0-9a-f-]{36}$' ||
	    badcur=$((badcur + 1))
	[ $pages -gt 40 ] && break
	# Between pages: a call newer than all, one older than all, one
	# sharing the cursor row's start, and one for another tenant.
	k=${cursor%/*}
	q "INSERT INTO call_logs (id, \"userId\", \"livekitRoomName\", \"startedAt\")
	   SELECT gen_random_uuid()::text, * FROM (VALUES
	   ('tenant-01', 'new-$pages', timestamp '2030-01-01'),
	   ('tenant-01', 'old-$pages', timestamp '2020-01-01' - $pages * interval '1 day'),
	   ('tenant-01', 'tie-$pages', '$k'), ('tenant-02', 'x-$pages', '2021-01-01')) v"
done
check "at least 15 pages of 7 for 100 calls" [ "$pages" -ge 15 ]
check_same "cursors look like TIME/ID" 0 "$badcur"
check_same "no row repeated" "" "$(sort "$T/paged" | uniq -d)"
check_same "every row there at the start, in order" "$(cat "$T/all")" \
    "$(grep -Fxf "$T/all" "$T/paged")"
# What arrived: the older calls come on later pages, newer ones do not,
# and the whole walk is in strictly descending (key, id) order.
q "CREATE TABLE walk (n serial, id text)"
psql -X -q -c "\\copy walk (id) FROM '$T/paged'"
check_same "arrivals older than the cursor are listed, newer ones not" \
    "$((pages - 1)) 0 tenant-01" "$(q "SELECT count(*) FILTER (WHERE c.\"livekitRoomName\"
    LIKE 'old-%') || ' ' || count(*) FILTER (WHERE c.\"livekitRoomName\"
    LIKE 'new-%') || ' ' || string_agg(DISTINCT c.\"userId\", ',')
    FROM walk w JOIN call_logs c USING (id)")"
check_same "the walk descends strictly" 0 "$(q "SELECT count(*) FROM (
    SELECT ($KEY, c.id) < lag(($KEY, c.id)) OVER (ORDER BY n) ok
    FROM walk w JOIN call_logs c USING (id)) x WHERE NOT ok")"
q "DELETE FROM call_logs WHERE \"livekitRoomName\" ~ '^(new|old|tie|x)-'"

t_run 0 'PGUSER=ana co-query calls -u tenant-01 -n 3 -o ndjson | wc -l' '' 3
cq calls -u tenant-01 -n 100 -o ndjson >/dev/null 2>"$T/err"
check_same "no cursor after the last page" "" "$(cat "$T/err")"
cq calls -u tenant-01 --outcome busy --phone +19999999999 >"$T/out" 2>&1
check_same "nothing found: exit 1, nothing printed" "1 " "$? $(cat "$T/out")"

# --- stats against perl on the raw rows ------------------------------------
cat >"$T/stats.pl" <<'EOF'
# stats.pl BY RAW GOT: RAW is COPY text (outcome, duration, epoch,
# direction, campaign, agent); GOT is co-query's NDJSON.
use strict; use warnings; use JSON::PP;
my ($by, $rawf, $gotf) = @ARGV;
my @by = grep { length } split /,/, $by;
my $js = JSON::PP->new->canonical->allow_nonref;
sub unesc { my $s = shift; return undef if $s eq '\N';
	$s =~ s/\\(.)/$1 eq 'n' ? "\n" : $1 eq 't' ? "\t" : $1 eq 'r' ? "\r" : $1/ge;
	return $s }
sub date { my @t = gmtime(shift); sprintf "%04d-%02d-%02d", $t[5] + 1900, $t[4] + 1, $t[3] }
my %g;
open my $r, '<', $rawf or die;
while (<$r>) {
	chomp;
	my ($o, $d, $e, $dir, $camp, $ag) = map { unesc($_) } split /\t/, $_, -1;
	my %k = (outcome => $o, direction => $dir, campaign => $camp,
	    agent => $ag, day => date($e),
	    week => date($e - ((gmtime $e)[6] + 6) % 7 * 86400));
	push @{$g{$js->encode([@k{@by}])}}, [$o, $d];
}
sub pct { my ($p, @v) = @_; return undef unless @v;
	my $x = $p * $#v; my $lo = int $x; my $hi = $lo < $#v ? $lo + 1 : $lo;
	$v[$lo] + ($x - $lo) * ($v[$hi] - $v[$lo]) }
sub figures {
	my @c = @{shift()};
	my %n = map { $_ => 0 } qw(completed no_answer busy failed voicemail);
	my ($decided, $sum) = (0, 0);
	my @d = sort { $a <=> $b } map { $_->[1] } grep { defined $_->[1] } @c;
	for (@c) { next unless defined $_->[0]; $n{$_->[0]}++; $decided++ }
	$sum += $_ for @d;
	return { calls => scalar @c, %n,
	    answer_rate => $decided ? $n{completed} / $decided : undef,
	    avg_duration => @d ? $sum / @d : undef,
	    p50_duration => pct(0.5, @d), p90_duration => pct(0.9, @d) };
}
my @names = qw(calls completed no_answer busy failed voicemail answer_rate
    avg_duration p50_duration p90_duration);
my ($bad, @order) = (0);
open my $gf, '<', $gotf or die;
while (<$gf>) {
	my $o = decode_json($_);
	my $k = $js->encode([@$o{@by}]);
	push @order, $k;
	my $x = delete $g{$k};
	unless ($x) { print "# unexpected group $k\n"; $bad++; next }
	$x = figures($x);
	for my $n (@names) {
		my ($w, $h) = ($x->{$n}, $o->{$n});
		next if !defined $w && !defined $h;
		next if defined $w && defined $h && abs($w - $h) <= 0.0051;
		printf "# %s %s: want %s got %s\n", $k, $n, $w // 'null', $h // 'null';
		$bad++;
	}
}
for (keys %g) { print "# missing group $_\n"; $bad++ }
# Groups ascend, NULL last, as the keys' text sorts in the C locale.
my $cmp = sub { my ($p, $q) = map { decode_json($_) } @_;
	for my $i (0 .. $#$p) {
		my ($u, $v) = ($p->[$i], $q->[$i]);
		next if !defined $u && !defined $v;
		return 1 if !defined $u; return -1 if !defined $v;
		my $c = $u cmp $v; return $c if $c }
	return 0 };
my @sorted = sort { $cmp->($a, $b) } @order;
if ("@sorted" ne "@order") { print "# groups out of order\n"; $bad++ }
print "$bad\n";
EOF
raw() {
	q "COPY (SELECT outcome, duration, extract(epoch FROM $KEY)::bigint,
	    direction, \"campaignId\", \"agentConfigId\" FROM call_logs
	    WHERE \"userId\" = '$1' AND ($2)) TO STDOUT" >"$T/raw"
}
# stats_ok DESC TENANT BY SQL [ARGS...]
stats_ok() {
	_d=$1 _t=$2 _by=$3 _sql=$4
	shift 4
	raw "$_t" "$_sql"
	cq stats -u "$_t" ${_by:+--by "$_by"} -o ndjson "$@" >"$T/got"
	check_same "stats $_d" 0 "$(perl "$T/stats.pl" "$_by" "$T/raw" "$T/got" | tee "$T/why" | tail -n 1)"
	grep '^#' "$T/why" | head -5
}
stats_ok "totals" tenant-01 "" true
stats_ok "totals of another tenant" tenant-02 "" true
stats_ok "--by outcome" tenant-00 outcome true
stats_ok "--by day,direction" tenant-01 day,direction true
stats_ok "--by week --by campaign" tenant-01 week,campaign true
stats_ok "--by agent,outcome with filters" tenant-02 agent,outcome \
    "direction = 'outbound' AND $KEY >= '2026-01-02'" \
    --direction outbound --since 2026-01-02
stats_ok "--by day of the realistic calls" tenant-00 day \
    "\"livekitRoomSid\" IS NOT NULL" --until 2026-01-01
cq stats -u tenant-01 -b week -b campaign -o ndjson | jq -c '[.week, .campaign]' >"$T/a"
cq stats -u tenant-01 --by week,campaign -o ndjson | jq -c '[.week, .campaign]' >"$T/b"
check "-b repeated is --by a,b" cmp -s "$T/a" "$T/b"
check_same "stats columns" \
    'day,calls,completed,no_answer,busy,failed,voicemail,answer_rate,avg_duration,p50_duration,p90_duration' \
    "$(cq stats -u tenant-01 --by day -o csv | head -n 1 | tr -d '\r')"
check_same "--tz day totals as the zone sees them" \
    "$(q "SELECT d || ' ' || count(*) FROM (SELECT to_char(($KEY AT TIME ZONE 'UTC'
       AT TIME ZONE 'America/New_York')::date, 'YYYY-MM-DD') d FROM call_logs
       WHERE \"userId\" = 'tenant-01') x GROUP BY d ORDER BY d")" \
    "$(cq stats -u tenant-01 --by day --tz America/New_York -o ndjson | jq -r '"\(.day) \(.calls)"')"
cq stats -u tenant-01 --since 2029-01-01 -o ndjson >"$T/out"
check_same "stats of nothing: exit 1, one row of zeros" \
    '1 {"calls":0,"completed":0,"no_answer":0,"busy":0,"failed":0,"voicemail":0,"answer_rate":null,"avg_duration":null,"p50_duration":null,"p90_duration":null}' \
    "$? $(cat "$T/out")"
cq stats -u tenant-01 --by day --since 2029-01-01 -o ndjson >"$T/out"
check_same "stats --by of nothing: exit 1, no rows" "1 " "$? $(cat "$T/out")"

# --- output formats parsed back -------------------------------------------
cat >"$T/formats.pl" <<'EOF'
# formats.pl NDJSON CSV TSV: the CSV (RFC 4180) and TSV (COPY text) parse
# back to the NDJSON's columns and values, NULL apart from "".
use strict; use warnings; use JSON::PP;
my ($nf, $cf, $tf) = @ARGV;
sub slurp { local $/; open my $f, '<', shift or die; scalar <$f> }
my @nd = map { JSON::PP->new->decode($_) } grep { length } split /\n/, slurp($nf);
my $js = JSON::PP->new->canonical;
sub csv { my $s = shift; my (@rows, @f);
	while (length $s) {
		if ($s =~ s/^"((?:[^"]|"")*)"//) { (my $v = $1) =~ s/""/"/g; push @f, $v }
		elsif ($s =~ s/^([^,"\r\n]+)//) { push @f, $1 }
		else { push @f, undef }
		if ($s =~ s/^,//) { next }
		if ($s =~ s/^\r\n//) { push @rows, [@f]; @f = (); next }
		die "bad csv near: " . substr($s, 0, 20) . "\n";
	}
	return @rows }
sub tsv { map { [map { $_ eq '\N' ? undef : do { (my $v = $_) =~
	s/\\(.)/$1 eq 'n' ? "\n" : $1 eq 't' ? "\t" : $1 eq 'r' ? "\r" : $1/ge; $v } }
	split /\t/, $_, -1] } split /\n/, shift }
my $bad = 0;
for my $fmt (['csv', [csv(slurp($cf))]], ['tsv', [tsv(slurp($tf))]]) {
	my ($name, $rows) = @$fmt;
	my @head = @{shift @$rows};
	if (@$rows != @nd) { print "# $name: ", scalar @$rows, " rows\n"; $bad++; next }
	for my $i (0 .. $#nd) {
		my @keys = keys %{$nd[$i]};
		if (@keys != @head) { print "# $name: columns\n"; $bad++; last }
		for my $j (0 .. $#head) {
			my ($w, $h) = ($nd[$i]{$head[$j]}, $rows->[$i][$j]);
			if (ref $w) { $w = $js->encode($w); $h = $js->encode(decode_json($h)) if defined $h }
			next if !defined $w && !defined $h;
			next if defined $w && defined $h && ($w eq $h ||
			    ($w =~ /^-?[\d.]+$/ && $h =~ /^-?[\d.]+$/ && $w == $h));
			printf "# %s row %d %s: want %s got %s\n", $name, $i, $head[$j],
			    $w // 'NULL', $h // 'NULL';
			$bad++;
		}
	}
}
print "$bad\n";
EOF
for f in ndjson csv tsv table; do
	cq calls -u tenant-01 -n 1000 -o $f >"$T/calls.$f"
done
check_same "calls: csv and tsv parse back to the ndjson" 0 \
    "$(perl "$T/formats.pl" "$T/calls.ndjson" "$T/calls.csv" "$T/calls.tsv" | tee "$T/why" | tail -n 1)"
grep '^#' "$T/why" | head -5
check "csv quotes the campaign with comma, quotes and newline" \
    grep -q '"c,""q""' "$T/calls.csv"
check "csv lines end in CRLF" grep -q "$(printf '\r')\$" "$T/calls.csv"
check_same "ndjson keeps the campaign as is" \
    "$(q "SELECT count(*) FROM call_logs WHERE \"userId\" = 'tenant-01'
    AND \"campaignId\" = E'c,\"q\"\\nx'")" \
    "$(jq --arg w "$WEIRD" 'select(.campaignId == $w)' "$T/calls.ndjson" | jq -s length)"
check_same "table: a header and one line a call" 101 "$(wc -l <"$T/calls.table")"
check "table shows the newline escaped" grep -q 'c,"q"\\nx' "$T/calls.table"
check_same "table columns line up" 0 "$(awk 'NR == 1 { h = index($0, "phoneNumber"); next }
    substr($0, h, 2) != "+1" { bad++ } END { print bad + 0 }' "$T/calls.table")"
cq stats -u tenant-01 --by outcome -o ndjson >"$T/s.ndjson"
cq stats -u tenant-01 --by outcome -o csv >"$T/s.csv"
cq stats -u tenant-01 --by outcome -o tsv >"$T/s.tsv"
check_same "stats: csv and tsv parse back to the ndjson" 0 \
    "$(perl "$T/formats.pl" "$T/s.ndjson" "$T/s.csv" "$T/s.tsv" | tail -n 1)"
check_same "ndjson numbers are numbers" "number number" \
    "$(jq -r '[(.calls | type), (.answer_rate | type)] | join(" ")' "$T/s.ndjson" | head -n 1)"
check_same "not a tty: ndjson by default" "$(cat "$T/s.ndjson")" \
    "$(cq stats -u tenant-01 --by outcome)"

# --- times: RFC 3339 UTC, or --tz --------------------------------------------
hand=$(q "SELECT id FROM call_logs WHERE \"livekitRoomName\" = 'hand-10'")
check_same "times in RFC 3339 UTC" "2026-01-01T05:00:00.000Z" \
    "$(cq outcome "$hand" -u tenant-01 -o ndjson | jq -r .startedAt)"
check_same "--tz prints the zone's offset" "2026-01-01T10:30:00.000+05:30" \
    "$(cq outcome "$hand" -u tenant-01 -o ndjson --tz Asia/Kolkata | jq -r .startedAt)"
check_same "-z, another zone, and UTC named" \
    "2026-01-01T00:00:00.000-05:00 2026-01-01T05:00:00.000+00:00" \
    "$(cq outcome "$hand" -u tenant-01 -o ndjson -z America/New_York | jq -r .startedAt) $(cq outcome "$hand" -u tenant-01 -o ndjson -z UTC | jq -r .startedAt)"
t_run 64 'PGUSER=ana co-query calls -u tenant-01 --tz Mars/Olympus' '' ''

# --- outcome and events of a realistic call --------------------------------
set -- $(q "SELECT id, \"livekitRoomSid\" FROM call_logs WHERE \"userId\" = 'tenant-01'
    AND \"livekitRoomSid\" IS NOT NULL ORDER BY \"livekitRoomSid\" LIMIT 1" | tr '|' ' ')
id=$1 sid=$2
check_same "outcome: the seed's fields" \
    "id userId agentConfigId livekitRoomName livekitRoomSid direction phoneNumber sipCallId duration startedAt endedAt status outcome recordingUrl metadata cost createdAt updatedAt" \
    "$(cq outcome "$id" -u tenant-01 -o ndjson | jq -r 'keys_unsorted | join(" ")')"
check_same "outcome by room sid is the same call" "$id" \
    "$(cq outcome "$sid" -u tenant-01 -o ndjson | jq -r .id)"
check_same "events in time order" \
    "$(q "SELECT \"eventId\" FROM livekit_call_events WHERE \"callLogId\" = '$id' ORDER BY \"occurredAt\", \"eventId\"")" \
    "$(cq events "$id" -u tenant-01 -o ndjson | jq -r .eventId)"
check_same "five events of a LiveKit call" \
    "room_started participant_joined participant_left room_finished egress_ended" \
    "$(cq events "$sid" -u tenant-01 -o ndjson | jq -r .event | tr '\n' ' ' | sed 's/ $//')"
check_same "no rawPayload by default" "false" \
    "$(cq events "$id" -u tenant-01 -o ndjson | jq -s 'map(has("rawPayload")) | any')"
check_same "-r adds rawPayload as an object" "object room_started" \
    "$(cq events "$id" -u tenant-01 -r -o ndjson | head -n 1 | jq -r '"\(.rawPayload | type) \(.rawPayload.event)"')"
# Time order, not text order: New York's clocks go back on 2025-11-02.
q "INSERT INTO livekit_call_events (id, \"callLogId\", \"userId\", \"eventId\",
   event, \"roomName\", timestamp, \"occurredAt\", \"rawPayload\") VALUES
   ('e-a', '$hand', 'tenant-01', 'EV_dst_a', 'x', 'r', 1, '2025-11-02 05:30+00', '{}'),
   ('e-b', '$hand', 'tenant-01', 'EV_dst_b', 'x', 'r', 2, '2025-11-02 06:10+00', '{}'),
   ('e-c', '$hand', 'tenant-01', 'EV_dst_c', 'x', 'r', 3, NULL, '{}')"
check_same "events in time order across a DST change, undated last" \
    "EV_dst_a 2025-11-02T01:30:00.000-04:00
EV_dst_b 2025-11-02T01:10:00.000-05:00
EV_dst_c null" \
    "$(cq events "$hand" -u tenant-01 -z America/New_York -o ndjson | jq -r '"\(.eventId) \(.occurredAt)"')"
t_run 1 "PGUSER=ana co-query events $id -u tenant-02" '' ''
check_same "another tenant's call is not found" "co-query: $id: not found" "$(cat "$T/err")"
t_run 1 "PGUSER=ana co-query outcome $sid -u tenant-00" '' ''
t_run 1 "PGUSER=ana co-query outcome 00000000-0000-0000-0000-000000000000 -u tenant-01" '' ''
t_run 1 "PGUSER=ana co-query events RM_nope -u tenant-01" '' ''

# --- bad arguments: 64, one usage line when the shape is wrong -------------
for args in '' 'calls' '-u t' '-u t frobnicate' '-u "" calls' '-u t outcome' \
    '-u t outcome a b' '-u t events' '-u t calls extra' '-u t calls -r' \
    '-u t calls -b day' '-u t stats -a 2026-01-01T00:00:00.000000Z/00000000-0000-0000-0000-000000000000' \
    '-u t stats -n 5' '-u t outcome x --outcome busy' '-u t events x --since 2026-01-01' \
    '-u t calls -Z'; do
	t_run 64 "PGUSER=ana co-query $args" '' ''
	grep -q '^usage: co-query ' "$T/err" || not_ok "usage line for: $args"
done
for args in '-n 0' '-n 10001' '-n x' '--outcome maybe' '--outcome busy,' \
    '--direction sideways' '--status done' '--since yesterday' \
    '--since 2026-13-45' '--until 2026-01-01T10:00:00' '--after nope' \
    '--after 2026-01-01T00:00:00.000000Z/not-a-uuid-at-all-xxxxxxxxxxxxxxxxxxxxxx' \
    '--after 2026-02-30T00:00:00.000000Z/00000000-0000-0000-0000-000000000000' \
    '-o yaml' '--tz ""' '--tz Nowhere/Else'; do
	t_run 64 "PGUSER=ana co-query calls -u tenant-01 $args" '' ''
done
for args in '--by hour' '--by day,day' '-b day -b day' '--by ""'; do
	t_run 64 "PGUSER=ana co-query stats -u tenant-01 $args" '' ''
done
check_same "a bad --outcome is named" "co-query: unknown outcome: maybe" \
    "$(PGUSER=ana co-query calls -u tenant-01 --outcome maybe 2>&1)"
done_testing
