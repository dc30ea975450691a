#!/bin/sh
# co-query for analysts: --tz with ISO offsets (east is +) and TZ/PGTZ as
# defaults; bad dates refused in one line before any query; -o table
# aligned by display width (CJK, emoji) with numbers on the right; stats as
# a terminal chart and as an SVG that a real renderer (rsvg-convert) draws.
. "$(dirname "$0")/lib.sh"
pg_start || exit 1
co-migrate up >/dev/null || exit 1
unset TZ PGTZ
q "INSERT INTO users (id) VALUES ('acme'), ('other');
   INSERT INTO call_logs (id, \"userId\", \"campaignId\", \"livekitRoomName\",
     duration, \"startedAt\", status, outcome)
   SELECT 'c-' || i, 'acme', (ARRAY['東京', 'ab', '📞x', NULL])[i % 4 + 1], 'r' || i, i,
     timestamptz '2026-01-01 05:00Z' + (i % 3) * interval '1 day'
       + i * interval '1 minute',
     'ended', (ARRAY['completed', 'no_answer', 'busy', 'failed',
       'voicemail', NULL, 'completed'])[i % 7 + 1]
   FROM generate_series(0, 40) i;
   INSERT INTO call_logs (id, \"userId\", \"livekitRoomName\", status)
   VALUES ('o-1', 'other', 'o', 'ended')" >/dev/null
first() { co-query -u acme calls -n 1 -o ndjson "$@" 2>/dev/null | jq -r .startedAt; }

# --- --tz ------------------------------------------------------------------
check_same "UTC by default" "2026-01-03T05:38:00.000Z" "$(first)"
check_same "-z +05:30 is east of UTC" "2026-01-03T11:08:00.000+05:30" \
    "$(first -z +05:30)"
check_same "--tz -03:00 is west" "2026-01-03T02:38:00.000-03:00" \
    "$(first --tz -03:00)"
check_same "--tz +09 (hours only)" "2026-01-03T14:38:00.000+09:00" \
    "$(first --tz +09)"
check_same "--tz an IANA name" "2026-01-03T00:38:00.000-05:00" \
    "$(first --tz America/New_York)"
check_same "TZ is the default" "2026-01-03T11:08:00.000+05:30" \
    "$(TZ=Asia/Kolkata first)"
check_same "TZ=:NAME as the C library reads it" "2026-01-03T11:08:00.000+05:30" \
    "$(TZ=:Asia/Kolkata first)"
check_same "then PGTZ" "2026-01-03T14:38:00.000+09:00" "$(PGTZ=Asia/Tokyo first)"
check_same "--tz wins over TZ" "2026-01-03T05:38:00.000+00:00" \
    "$(TZ=Asia/Kolkata first -z +00:00)"
check_same "--since/--until dates are midnights in the --tz zone" \
    "2026-01-01T23:40:00.000-06:00 2026-01-01T11:39:00.000+06:00" \
    "$(first -z -06:00 --since 2026-01-01 --until 2026-01-02) $(first -z +06:00 --since 2026-01-01 --until 2026-01-02)"
t_run 64 'co-query -u acme calls -z +25:00' '' ''
check_same "offset out of range: one line" 1 "$(wc -l <"$T/err")"
t_run 64 'co-query -u acme calls -z +5' '' ''
t_run 64 'co-query -u acme calls -z Mars/Olympus' '' ''
check_same "unknown zone: one line" 1 "$(wc -l <"$T/err")"

# --- dates: refused before any query (there is no server at that socket) --
for d in 2026-13-01 2026-02-29 2026-04-31 2026-01-01T24:00:00Z \
    2026-01-01T10:00:00 2026-01-01T10:00:00+05:60 2026-1-1 \
    '2026-01-01T10:00:00Zjunk' 0000-01-01; do
	t_run 64 "co-query -d 'host=/nonexistent' -u acme stats --since '$d'" '' ''
	check_same "--since $d: one line" 1 "$(wc -l <"$T/err")"
done
co-query -d 'host=/nonexistent' -u acme stats --until 2026-13-01 2>"$T/err"
check "--until: month out of range" grep -q "^co-query: --until 2026-13-01: month out of range" "$T/err"
t_run 64 "co-query -d 'host=/nonexistent' -u acme calls -a 2026-02-30T00:00:00.000000Z/00000000-0000-0000-0000-000000000000" '' ''
co-query -u acme stats --since 2024-02-29 --until 2026-01-02T00:00:00.5+01:00 -o ndjson >"$T/out" 2>"$T/err"
check_same "a leap day and a fraction with an offset pass" 0 "$?"

# --- -o table: display width, numbers right-aligned -------------------------
co-query -u acme stats -b campaign -o table >"$T/tab" 2>"$T/err"
check_same "stats table exits 0" 0 "$?"
check_same "header: numbers' names on the right" \
    "campaign  calls  completed" "$(head -n 1 "$T/tab" | cut -c1-26)"
check "ASCII" grep -q '^ab           10          2  ' "$T/tab"
check "CJK counts two columns a character" grep -q '^東京         11          3  ' "$T/tab"
check "emoji counts two" grep -q '^📞x          10          3  ' "$T/tab"
check "NULL is blank" grep -q '^             10          3  ' "$T/tab"

# --- stats -o chart ---------------------------------------------------------
co-query -u acme stats -o chart >"$T/chart" 2>"$T/err"
check_same "chart exits 0" 0 "$?"
check "legend" grep -q '^calls per day by outcome:.*█ completed.*▓ no_answer' "$T/chart"
check_same "a bar per day, with its total" "2026-01-01 14
2026-01-02 14
2026-01-03 13" "$(grep '│' "$T/chart" | awk '{print $1, $NF}')"
check_same "the longest bar is 50 columns" 50 \
    "$(grep '^2026-01-01' "$T/chart" | sed 's/^[^│]*│//; s/ *[0-9]*$//' | wc -m | awk '{print $1 - 1}')"
check "a sparkline and total per outcome" grep -q '^completed   [▁▂▃▄▅▆▇█]\{3\}  11$' "$T/chart"
check "calls without an outcome are none" grep -q '^none        [▁▂▃▄▅▆▇█]\{3\}  6$' "$T/chart"
t_run 64 'co-query -u acme stats -b outcome -o chart' '' ''
t_run 64 'co-query -u acme calls -o svg' '' ''

# --- stats -o svg, drawn by rsvg-convert -------------------------------------
co-query -u acme stats -b week -o svg >"$T/w.svg" 2>"$T/err"
check_same "svg by week exits 0" 0 "$?"
co-query -u acme stats -o svg >"$T/c.svg" 2>"$T/err"
check_same "svg exits 0" 0 "$?"
check "standalone SVG" grep -q '^<svg xmlns="http://www.w3.org/2000/svg"' "$T/c.svg"
rsvg-convert -o "$T/c.png" "$T/c.svg" 2>"$T/err"
check_same "rsvg-convert renders it" 0 "$?"
# Pixels: not white, and of the "completed" green.
cat >"$T/px.py" <<'X'
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat = 8, b''
while pos < len(d):
    n, t = struct.unpack('>I4s', d[pos:pos + 8])
    c = d[pos + 8:pos + 8 + n]
    if t == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', c[:10])
    elif t == b'IDAT':
        idat += c
    pos += 12 + n
assert depth == 8 and ctype in (2, 6), (depth, ctype)
bpp = 4 if ctype == 6 else 3
raw, stride = zlib.decompress(idat), w * bpp
rows, prev, i = [], bytearray(stride), 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
ink = green = 0
for line in rows:
    for x in range(0, stride, bpp):
        r, g, b, al = (line[x:x + 4] if bpp == 4 else line[x:x + 3] + b'\xff')
        if al and (r, g, b) != (255, 255, 255):
            ink += 1
        if (r, g, b, al) == (0x2e, 0x7d, 0x32, 255):
            green += 1
print(w, h, ink, green)
X
set -- $(python3 "$T/px.py" "$T/c.png")
diag "png: $*"
check "a picture of some size" test "${1:-0}" -ge 300 -a "${2:-0}" -ge 200
check "non-blank pixels" test "${3:-0}" -ge 5000
check "the completed bars are drawn" test "${4:-0}" -ge 1000
done_testing
