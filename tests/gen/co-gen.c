/*
 * co-gen - test and benchmark data: signed LiveKit webhook envelopes.
 *   co-gen envelope [-t time] file ...   one envelope line per body file
 *   co-gen calls [-c calls] [-d dupfrac] [-T tenants] [-t time] spooldir
 *                                        realistic calls as spool files
 * Signs with $LIVEKIT_API_KEY / $LIVEKIT_API_SECRET exactly as LiveKit does
 * (PROTOCOLS 1.2).  Not installed: it exists for the tests, demo and bench.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "crypto.h"
#include "diag.h"
#include "ndjson.h"
#include "spool.h"

static const char *key, *secret;
static long long now;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: co-gen envelope [-t time] file ...\n"
	    "       co-gen calls [-c calls] [-d dupfrac] [-T tenants] "
	    "[-t time] spooldir\n");
	exit(EX_USAGE);
}

static void
b64url_json(const char *json, char *out)
{
	b64_encode((const unsigned char *)json, strlen(json), out, 1, 0);
}

/* The Authorization header LiveKit would send for body at time t. */
static char *
token(const char *body, size_t len, long long t)
{
	unsigned char h[SHA256_LEN], mac[SHA256_LEN];
	char hash[64], claims[512], hb[128], cb[800], sb[64];
	static char tok[1024];

	crypto_sha256(body, len, h);
	b64_encode(h, sizeof(h), hash, 0, 1);
	snprintf(claims, sizeof(claims), "{\"iss\":\"%s\",\"exp\":%lld,"
	    "\"nbf\":%lld,\"iat\":%lld,\"sha256\":\"%s\"}", key, t + 300, t, t,
	    hash);
	b64url_json("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", hb);
	b64url_json(claims, cb);
	snprintf(tok, sizeof(tok), "%s.%s", hb, cb);
	crypto_hmac_sha256(secret, strlen(secret), tok, strlen(tok), mac);
	b64_encode(mac, sizeof(mac), sb, 1, 0);
	strcat(tok, ".");
	strcat(tok, sb);
	return tok;
}

static jv
envelope(const char *body, size_t len, long long t)
{
	char ts[64];
	jv h, e;

	conf_rfc3339(ts, sizeof(ts), (time_t)t, 0);
	h = jv_object_set(jv_object(), jv_string("authorization"),
	    jv_string(token(body, len, t)));
	h = jv_object_set(h, jv_string("content-type"),
	    jv_string("application/webhook+json"));
	h = jv_object_set(h, jv_string("user-agent"), jv_string("LiveKit"));
	e = jv_object_set(jv_object(), jv_string("v"), jv_number(1));
	e = jv_object_set(e, jv_string("received_at"), jv_string(ts));
	e = jv_object_set(e, jv_string("source"), jv_string("livekit"));
	e = jv_object_set(e, jv_string("method"), jv_string("POST"));
	e = jv_object_set(e, jv_string("path"), jv_string("/webhooks/livekit"));
	e = jv_object_set(e, jv_string("query"), jv_string(""));
	e = jv_object_set(e, jv_string("remote"), jv_string("127.0.0.1"));
	e = jv_object_set(e, jv_string("headers"), h);
	return jv_object_set(e, jv_string("body"), jv_string_sized(body,
	    (int)len));
}

static int
cmd_envelope(int argc, char **argv)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;
	int i;

	for (i = 0; i < argc; i++) {
		if ((fp = fopen(argv[i], "r")) == NULL)
			err(EX_IOERR, "%s", argv[i]);
		if ((n = getdelim(&buf, &cap, '\0', fp)) == -1)
			n = 0;
		fclose(fp);
		ndjson_write(stdout, envelope(buf ? buf : "", (size_t)n, now));
	}
	free(buf);
	diag_stdout();
	return 0;
}

/* The SIP participant of call c, as ParticipantInfo in protojson. */
static void
sip_part(char *out, size_t sz, long long c, const char *state,
    const char *reason, long long joined)
{
	char why[64] = "";

	if (reason != NULL)
		snprintf(why, sizeof(why), ", \"disconnectReason\":\"%s\"", reason);
	snprintf(out, sz, "\"participant\":{\"sid\":\"PA_S%011lld\", "
	    "\"identity\":\"sip_+1415555%05lld\", \"state\":\"%s\", "
	    "\"joinedAt\":\"%lld\", \"kind\":\"SIP\", \"attributes\":{"
	    "\"sip.callID\":\"SCL_%010lld\", \"sip.phoneNumber\":"
	    "\"+1415555%05lld\", %s\"sip.trunkID\":\"ST_trunk\"}%s}", c,
	    c % 100000, state, joined, c, c % 100000,
	    c % 3 == 0 ? "\"sip.ruleID\":\"SDR_rule\", " : "", why);
}

/* One call's webhooks, as LiveKit's server would write them (protojson). */
static int
call_bodies(char b[][1200], long long c, int tenants, long long t0)
{
	char room[300], part[600];
	long long dur = 5 + c % 90;
	const char *reason;
	int n = 0;

	snprintf(room, sizeof(room), "\"room\":{\"sid\":\"RM_%012lld\", "
	    "\"name\":\"sip-1415555%05lld__%lld__x\", \"emptyTimeout\":300, "
	    "\"creationTime\":\"%lld\", \"metadata\":\"{\\\"userId\\\":"
	    "\\\"tenant-%02lld\\\",\\\"campaignId\\\":\\\"camp-%lld\\\"}\"}",
	    c, c % 100000, t0, t0, c % tenants, c % 7);
	reason = c % 10 == 7 ? "USER_REJECTED" : c % 10 == 8 ?
	    "USER_UNAVAILABLE" : "CLIENT_INITIATED";
	snprintf(b[n++], sizeof(b[0]), "{\"event\":\"room_started\", %s, "
	    "\"id\":\"EV_%lldA\", \"createdAt\":\"%lld\"}", room, c, t0);
	sip_part(part, sizeof(part), c, "ACTIVE", NULL, t0 + 2);
	snprintf(b[n++], sizeof(b[0]), "{\"event\":\"participant_joined\", "
	    "%s, %s, \"id\":\"EV_%lldB\", \"createdAt\":\"%lld\"}", room, part,
	    c, t0 + 2);
	sip_part(part, sizeof(part), c, "DISCONNECTED", reason, t0 + 2);
	snprintf(b[n++], sizeof(b[0]), "{\"event\":\"participant_left\", "
	    "%s, %s, \"id\":\"EV_%lldC\", \"createdAt\":\"%lld\"}", room, part,
	    c, t0 + 2 + dur);
	snprintf(b[n++], sizeof(b[0]), "{\"event\":\"room_finished\", %s, "
	    "\"id\":\"EV_%lldD\", \"createdAt\":\"%lld\"}", room, c,
	    t0 + 4 + dur);
	snprintf(b[n++], sizeof(b[0]), "{\"event\":\"egress_ended\", "
	    "\"egressInfo\":{\"egressId\":\"EG_%010lld\", \"roomId\":"
	    "\"RM_%012lld\", \"roomName\":\"sip-1415555%05lld__%lld__x\", "
	    "\"status\":\"EGRESS_COMPLETE\", \"startedAt\":\"%lld000000000\", "
	    "\"endedAt\":\"%lld000000000\", \"fileResults\":[{\"filename\":"
	    "\"c%lld.ogg\", \"location\":\"https://rec.example.com/c%lld.ogg\"}"
	    "]}, \"id\":\"EV_%lldE\", \"createdAt\":\"%lld\"}", c, c, c % 100000,
	    t0, t0 + 2, t0 + 4 + dur, c, c, c, t0 + 5 + dur);
	return n;
}

static void
put_file(const char *dir, const char *line, size_t len, long long t,
    unsigned long seq)
{
	char name[SPOOL_NAMELEN], tmp[PATH_MAX], dst[PATH_MAX];
	struct timeval tv = { (time_t)t, (suseconds_t)(seq % 1000000) };
	int fd;

	spool_name(name, sizeof(name), &tv);
	snprintf(tmp, sizeof(tmp), "%s/tmp/%s", dir, name);
	snprintf(dst, sizeof(dst), "%s/new/%s", dir, name);
	if ((fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY, 0600)) == -1 ||
	    write(fd, line, len) != (ssize_t)len || write(fd, "\n", 1) != 1 ||
	    close(fd) == -1 || rename(tmp, dst) == -1)
		err(EX_IOERR, "%s", tmp);
}

static int
cmd_calls(long long calls, double dup, int tenants, const char *dir)
{
	static char bodies[8][1200];
	unsigned long seq = 0;
	long long c, t;
	int i, n;
	jv s;

	if (spool_init(dir) == -1)
		err(EX_IOERR, "%s", dir);
	for (c = 0; c < calls; c++) {
		t = now - 86400 + c;
		n = call_bodies(bodies, c, tenants, t);
		for (i = 0; i < n; i++) {
			s = jv_dump_string(envelope(bodies[i],
			    strlen(bodies[i]), t + i), 0);
			put_file(dir, jv_string_value(s),
			    (size_t)jv_string_length_bytes(jv_copy(s)), t, seq++);
			/* A re-delivery: the same bytes again. */
			if ((double)(((unsigned long)c * 2654435761UL +
			    (unsigned long)i * 40503UL) % 1000) < dup * 1000.0)
				put_file(dir, jv_string_value(s),
				    (size_t)jv_string_length_bytes(jv_copy(s)),
				    t, seq++);
			jv_free(s);
		}
	}
	printf("%lu\n", seq);
	return 0;
}

int
main(int argc, char *argv[])
{
	long long calls = 1000;
	double dup = 0.1;
	int ch, tenants = 50;
	const char *cmd;

	if (argc < 2)
		usage();
	cmd = argv[1];
	argc--;
	argv++;
	key = getenv("LIVEKIT_API_KEY");
	secret = getenv("LIVEKIT_API_SECRET");
	if (key == NULL || secret == NULL)
		errx(EX_UNAVAILABLE, "set LIVEKIT_API_KEY and LIVEKIT_API_SECRET");
	now = conf_now();
	while ((ch = getopt(argc, argv, "c:d:T:t:")) != -1) {
		switch (ch) {
		case 'c':
			calls = conf_num(optarg, 1, 100000000, "calls");
			break;
		case 'd':
			dup = strtod(optarg, NULL);
			break;
		case 'T':
			tenants = (int)conf_num(optarg, 1, 100000, "tenants");
			break;
		case 't':
			now = conf_num(optarg, 0, LLONG_MAX, "time");
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (strcmp(cmd, "envelope") == 0)
		return cmd_envelope(argc, argv);
	if (strcmp(cmd, "calls") == 0 && argc == 1)
		return cmd_calls(calls, dup, tenants, argv[0]);
	usage();
}
