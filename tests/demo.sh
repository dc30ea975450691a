#!/bin/sh
# make demo: the main job end to end on a throwaway PostgreSQL under ./demo.
# Signed LiveKit webhooks go through co-receive (one process per request, as
# inetd would run it) into a spool, co-drain loads them, co-query answers,
# and co-serve answers the same over HTTP (curl), with an outcome stream.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
D=$top/demo
export PATH="$top/bin:$top/tests/bin:$PATH" CO_SHARE="$top/share" \
    CO_MIGRATIONS="$top/migrations" CO_SPOOL="$D/spool"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop() { as_pg "$PGBIN/pg_ctl" -D "$D/pg/data" -m fast -w stop >/dev/null 2>&1 || true; }
step() { printf '\n== %s\n' "$*"; }

rm -rf "$D"
mkdir -p "$D/pg"
chmod 755 "$D"
[ "$(id -u)" -eq 0 ] && chown postgres "$D/pg"
step "a private PostgreSQL cluster in $D/pg (unix socket only)"
as_pg "$PGBIN/initdb" -D "$D/pg/data" -U co --auth=trust -E UTF8 \
    --locale=C >"$D/initdb.log" 2>&1
as_pg "$PGBIN/pg_ctl" -D "$D/pg/data" -l "$D/pg/log" -w \
    -o "-k $D/pg -c listen_addresses= -c port=5432" start >/dev/null
trap stop EXIT
export PGHOST="$D/pg" PGPORT=5432 PGUSER=co PGDATABASE=co
"$PGBIN/createdb" co

step "co-migrate up"
co-migrate up
psql -X -q -c "INSERT INTO users (id, name) VALUES ('usr_42', 'Acme Dental'),
    ('tenant-00', 'Globex'), ('tenant-01', 'Initech');
    INSERT INTO agent_configs (id, \"userId\", name)
    VALUES ('ac_7', 'usr_42', 'Ava')"

# Demo secrets: made up for this run, given by the environment only.
export LIVEKIT_API_KEY=APIdemo
LIVEKIT_API_SECRET=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
export LIVEKIT_API_SECRET

step "signed webhooks of two calls, POSTed to co-receive"
now=$(date +%s)
for f in "$top"/tests/fixtures/livekit/in_*.json \
    "$top"/tests/fixtures/livekit/out_*.json; do
	tok=$(co-gen envelope -t "$now" "$f" | jq -r .headers.authorization)
	len=$(wc -c <"$f")
	{ printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: demo\r\n'
	  printf 'Authorization: %s\r\n' "$tok"
	  printf 'Content-Type: application/webhook+json\r\n'
	  printf 'Content-Length: %s\r\n\r\n' "$len"
	  cat "$f"; } | REMOTE_ADDR=127.0.0.1 co-receive 2>>"$D/receive.log" |
	    tail -n 1
	echo
done
tail -n 3 "$D/receive.log"
step "and 20 more calls of two tenants, dropped into new/ as files"
co-gen calls -c 20 -T 2 "$CO_SPOOL" >/dev/null
ls "$CO_SPOOL/new" | wc -l

step "co-drain (cron would run this)"
co-drain
ls "$CO_SPOOL"/done | wc -l

step "co-query -u usr_42 outcome RM_In7vQx2LpZ9k   (the inbound call)"
co-query -o table -u usr_42 outcome RM_In7vQx2LpZ9k
step "co-query -u usr_42 outcome RM_Out4kM9nB2xV   (the outbound call, NDJSON)"
co-query -o ndjson -u usr_42 outcome RM_Out4kM9nB2xV
step "the same call asked for by another tenant"
co-query -u tenant-00 outcome RM_Out4kM9nB2xV || echo "exit $?"
step "co-query -u tenant-01 stats --by outcome"
co-query -o table -u tenant-01 stats --by outcome
step "co-query -u tenant-01 stats -o chart   (and -o svg >$D/stats.svg)"
co-query -o chart -u tenant-01 stats
co-query -o svg -u tenant-01 stats >"$D/stats.svg"
step "co-query -u tenant-00 calls --limit 3 -o csv"
co-query -o csv -u tenant-00 calls --limit 3
step "the seed's own example webhook (seed 000, \"Request Body\"), POSTed"
f=$top/tests/fixtures/seed-request-body.json
tok=$(co-gen envelope -t "$now" "$f" | jq -r .headers.authorization)
{ printf 'POST /webhooks/livekit HTTP/1.1\r\nHost: demo\r\n'
  printf 'Authorization: %s\r\nContent-Type: application/json\r\n' "$tok"
  printf 'Content-Length: %s\r\n\r\n' "$(wc -c <"$f")"
  cat "$f"; } | REMOTE_ADDR=127.0.0.1 co-receive 2>>"$D/receive.log" |
    tail -n 1
echo
step "co-drain -u usr_42 (its room names no tenant), then the seed's answer"
co-drain -u usr_42
co-query -o ndjson -u usr_42 outcome RM_test123 |
    jq -c '{status, outcome, phoneNumber, duration, startedAt, endedAt, metadata}'

step "co-serve under socat: the same answers over HTTP, for a bearer token"
CO_API_JWT_SECRET=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
export CO_API_JWT_SECRET
port=$((18000 + $$ % 2000))
socat TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork EXEC:co-serve \
    2>>"$D/serve.log" &
spid=$!
trap 'kill $spid $cpid 2>/dev/null; stop' EXIT
cpid=
until curl -s -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.1; done
bearer() {
	printf 'Authorization: Bearer %s' "$(api-sign "$CO_API_JWT_SECRET" \
	    "{\"sub\":\"$1\",\"exp\":$(($(date +%s) + 600))}")"
}
echo "curl -H 'Authorization: Bearer ...' http://127.0.0.1:$port/api/calls/RM_In7vQx2LpZ9k/outcome"
curl -s -H "$(bearer usr_42)" \
    "http://127.0.0.1:$port/api/calls/RM_In7vQx2LpZ9k/outcome" | jq -c .
step "a page of tenant-00's calls: GET /api/calls?limit=2&outcome=completed"
curl -s -H "$(bearer tenant-00)" \
    "http://127.0.0.1:$port/api/calls?limit=2&outcome=completed" |
    jq -c '{calls: [.calls[] | {id, outcome, duration}], next}'
step "GET /api/calls/stream: an event as co-drain commits two more calls"
curl -s -N -D "$D/stream.h" -H "$(bearer tenant-00)" \
    "http://127.0.0.1:$port/api/calls/stream" >"$D/stream" &
cpid=$!
until grep -q '^HTTP' "$D/stream.h" 2>/dev/null; do sleep 0.05; done
co-gen calls -c 22 -T 2 "$CO_SPOOL" >/dev/null
co-drain
until grep -q '^data: .*}$' "$D/stream"; do sleep 0.05; done
sed -n '/^event:/,/^data:/p' "$D/stream" | cut -c 1-160
tail -n 3 "$D/serve.log"
step "done: the cluster is stopped; spool and logs stay in $D"
