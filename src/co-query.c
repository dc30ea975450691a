/*
 * co-query - answer analysts' questions about call outcomes, always for one
 * tenant (-u): one call's outcome, lists of calls, statistics, a call's
 * stored events.
 * Rule: the tenant is set in a read-only transaction (co.tenant), where the
 * database's row-level security holds every statement to it; the SQL names
 * it again only so that the planner reads the tenant's index entries.
 * Another tenant's call looks exactly like no call.
 */
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "db.h"
#include "diag.h"
#include "format.h"
#include "rfc3339.h"

/*
 * A call's place in time: lists' order, cursors and the indexes' key, as
 * migration 002 writes it (a CASE: row security wants leakproof quals).
 * call_logs' times are the seed's TIMESTAMP columns holding UTC (migration
 * 001): KEY is one, so a time compared with it is made UTC (AT_UTC) and a
 * time printed from one is made a timestamptz first ('!' columns).
 */
#define KEY	"CASE WHEN \"startedAt\" IS NULL THEN \"createdAt\" " \
	"ELSE \"startedAt\" END"
#define TENANT	"\"userId\" = current_setting('co.tenant')"
#define FMT_UTC	"'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'"
#define FMT_TZ	"'YYYY-MM-DD\"T\"HH24:MI:SS.MSTZH:TZM'"
#define CURSOR	"to_char(" KEY ", " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || '/' || id"
#define AT_UTC	"timestamptz AT TIME ZONE 'UTC'"
/* CALL_ID: the row's id (any string, as the seed's) or its room sid. */
#define FIND	TENANT " AND (\"livekitRoomSid\" = $1 OR id = $1)"

#define RE_DATE	"[0-9]{4}-[0-9]{2}-[0-9]{2}"
#define RE_TIME	"[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?"
/* A call_logs id: VARCHAR(36), any characters. */
#define RE_ID	".{1,36}"

#define MAXPARAM 16
#define MAXBY	6
#define MAXLIMIT 10000

/* Options seen, so that a subcommand refuses those it does not take. */
enum {
	O_AFTER = 1, O_BY = 2, O_LIMIT = 4, O_RAW = 8, O_FILTER = 16
};

/* Long-only options' values. */
enum {
	L_SINCE = 256, L_UNTIL, L_OUTCOME, L_DIRECTION, L_PHONE, L_CAMPAIGN,
	L_AGENT, L_STATUS
};

struct filter {
	const char *since, *until, *outcome, *direction, *phone, *campaign;
	const char *agent, *status;
};

struct bykey {
	const char *name, *expr;
};

struct query {
	PGconn	*conn;
	const char *tenant, *zone;
	enum format fmt;
	struct filter f;
	char	*after;			/* cursor, cut in two at the '/' */
	const char *after_id;
	long long limit;
	const struct bykey *by[MAXBY];
	int	 nby, raw, opts;
};

/* A statement being built, with its parameters. */
struct sql {
	struct dbuf b;
	const char *v[MAXPARAM];
	int	 n;
};

struct cmd {
	const char *name;
	int	 opts, nargs;
	const char *usage;
	int	(*run)(struct query *, char **);
};

static int	cmd_calls(struct query *, char **);
static int	cmd_events(struct query *, char **);
static int	cmd_outcome(struct query *, char **);
static int	cmd_stats(struct query *, char **);

static const struct cmd cmds[] = {
	{ "calls", O_AFTER | O_LIMIT | O_FILTER, 0,
	    "calls [-a cursor] [-n limit] [filter ...]", cmd_calls },
	{ "events", O_RAW, 1, "events [-r] call_id", cmd_events },
	{ "outcome", 0, 1, "outcome call_id", cmd_outcome },
	{ "stats", O_BY | O_FILTER, 0, "stats [-b key[,key ...]] [filter ...]",
	    cmd_stats },
};

static const struct bykey bykeys[] = {
	{ "day", "to_char(date_trunc('day', (" KEY ") AT TIME ZONE 'UTC'), "
	    "'YYYY-MM-DD')" },
	{ "week", "to_char(date_trunc('week', (" KEY ") AT TIME ZONE 'UTC'), "
	    "'YYYY-MM-DD')" },
	{ "outcome", "outcome" },
	{ "direction", "direction" },
	{ "campaign", "\"campaignId\"" },
	{ "agent", "\"agentConfigId\"" },
};

static const char *const outcomes[] = { "completed", "no_answer", "busy",
	"failed", "voicemail", "none", NULL };
static const char *const directions[] = { "inbound", "outbound", NULL };
/* call_logs.status in the seed's words (migration 001). */
static const char *const statuses[] = { "active", "ended", NULL };

/*
 * Columns; a leading '@' marks a timestamptz, '!' a TIMESTAMP holding UTC,
 * each printed in RFC 3339 per --tz.
 */
static const char *const outcome_cols[] = { "id", "\"userId\"",
	"\"agentConfigId\"", "\"livekitRoomName\"", "\"livekitRoomSid\"",
	"direction", "\"phoneNumber\"", "\"sipCallId\"", "duration",
	"!\"startedAt\"", "!\"endedAt\"", "status", "outcome",
	"\"recordingUrl\"", "metadata", "cost", "!\"createdAt\"",
	"!\"updatedAt\"", NULL };
/* An ElevenLabs call (migrations 003, 004): the calls table's own names. */
static const char *const el_outcome_cols[] = { "id", "call_sid",
	"conversation_id", "user_id", "driver_id", "agent_id", "to_number",
	"direction", "status", "outcome", "failure_reason", "duration", "cost",
	"provider_call_sid", "analysis", "@started_at", "@ended_at",
	"@created_at", "@updated_at", NULL };
static const char *const calls_cols[] = { "id", "\"userId\"",
	"\"agentConfigId\"", "\"campaignId\"", "\"livekitRoomName\"",
	"\"livekitRoomSid\"", "direction", "\"phoneNumber\"", "\"sipCallId\"",
	"duration", "!\"startedAt\"", "!\"endedAt\"", "status", "outcome",
	"\"recordingUrl\"", "metadata", "cost", "!\"createdAt\"",
	"!\"updatedAt\"", NULL };
static const char *const events_cols[] = { "\"eventId\"", "event",
	"timestamp", "@\"occurredAt\"", "\"roomSid\"", "\"roomName\"",
	"\"participantIdentity\"", "\"participantSid\"", "\"participantKind\"",
	"direction", "\"phoneNumber\"", "\"sipCallId\"", "@\"startedAt\"",
	"@\"endedAt\"", "duration", "\"disconnectReason\"", "\"providerStatus\"",
	"outcome", "\"outcomeRule\"", "\"recordingUrl\"", "\"agentConfigId\"",
	"\"campaignId\"", "\"roomMetadata\"", "\"spoolFile\"", "processed",
	"\"errorMessage\"", "!\"processedAt\"", "!\"createdAt\"", NULL };

#define STATS_COLS \
	"count(*) AS calls, " \
	"count(*) FILTER (WHERE outcome = 'completed') AS completed, " \
	"count(*) FILTER (WHERE outcome = 'no_answer') AS no_answer, " \
	"count(*) FILTER (WHERE outcome = 'busy') AS busy, " \
	"count(*) FILTER (WHERE outcome = 'failed') AS failed, " \
	"count(*) FILTER (WHERE outcome = 'voicemail') AS voicemail, " \
	"round(count(*) FILTER (WHERE outcome = 'completed') / " \
	"nullif(count(outcome), 0)::numeric, 4) AS answer_rate, " \
	"round(avg(duration), 2) AS avg_duration, " \
	"round(percentile_cont(0.5) WITHIN GROUP (ORDER BY duration)" \
	"::numeric, 2) AS p50_duration, " \
	"round(percentile_cont(0.9) WITHIN GROUP (ORDER BY duration)" \
	"::numeric, 2) AS p90_duration "

static const char *tsfmt = FMT_UTC;

static void __attribute__((noreturn))
usage(const struct cmd *c)
{
	fprintf(stderr, "usage: co-query [-d conninfo] [-o format] [-z zone] "
	    "-u user %s\n", c != NULL ? c->usage :
	    "outcome | calls | stats | events ...");
	exit(EX_USAGE);
}

static void
sql_add(struct sql *s, const char *text)
{
	dbuf_str(&s->b, text);
}

/* Append $N (cast when cast is not NULL) bound to val. */
static void
sql_param(struct sql *s, const char *val, const char *cast)
{
	char buf[64];

	if (s->n == MAXPARAM)
		errx(EX_SOFTWARE, "too many parameters");
	s->v[s->n++] = val;
	snprintf(buf, sizeof(buf), "$%d%s%s", s->n, cast ? "::" : "",
	    cast ? cast : "");
	sql_add(s, buf);
}

static void
sql_cols(struct sql *s, const char *const *cols)
{
	const char *c;

	for (; (c = *cols) != NULL; cols++) {
		if (*c == '@' || *c == '!') {
			c++;
			sql_add(s, "to_char(");
			sql_add(s, c);
			if (c[-1] == '!')
				sql_add(s, " AT TIME ZONE 'UTC'");
			sql_add(s, ", ");
			sql_add(s, tsfmt);
			sql_add(s, ") AS ");
		}
		sql_add(s, c);
		sql_add(s, cols[1] != NULL ? ", " : " ");
	}
}

/* col in a comma list; "none" stands for NULL. */
static void
sql_list(struct sql *s, const char *col, const char *list)
{
	int none, many;

	if (list == NULL)
		return;
	none = strcmp(list, "none") == 0 || strncmp(list, "none,", 5) == 0 ||
	    strstr(list, ",none") != NULL;
	many = strchr(list, ',') != NULL;
	sql_add(s, " AND (");
	sql_add(s, col);
	if (none && !many) {
		sql_add(s, " IS NULL)");
		return;
	}
	sql_add(s, many ? " = ANY(string_to_array(" : " = ");
	sql_param(s, list, NULL);
	sql_add(s, many ? ", ','))" : "");
	if (none) {
		sql_add(s, " OR ");
		sql_add(s, col);
		sql_add(s, " IS NULL");
	}
	sql_add(s, ")");
}

static void
sql_cmp(struct sql *s, const char *expr, const char *op, const char *val,
    const char *cast)
{
	if (val == NULL)
		return;
	sql_add(s, " AND ");
	sql_add(s, expr);
	sql_add(s, op);
	sql_param(s, val, cast);
}

static void
sql_filters(struct sql *s, const struct filter *f)
{
	sql_cmp(s, KEY, " >= ", f->since, AT_UTC);
	sql_cmp(s, KEY, " < ", f->until, AT_UTC);
	sql_list(s, "outcome", f->outcome);
	sql_list(s, "direction", f->direction);
	sql_list(s, "status", f->status);
	sql_cmp(s, "\"phoneNumber\"", " = ", f->phone, NULL);
	sql_cmp(s, "\"campaignId\"", " = ", f->campaign, NULL);
	sql_cmp(s, "\"agentConfigId\"", " = ", f->agent, NULL);
}

/* A failed statement: data exceptions can only come from our arguments. */
static int
failed(struct query *q)
{
	if (strncmp(db_last_sqlstate, "22", 2) == 0)
		return EX_USAGE;
	return db_status(q->conn);
}

/* Open a read-only transaction in the tenant's and the zone's terms. */
static int
begin(struct query *q)
{
	const char *v[2] = { q->zone != NULL ? q->zone : "UTC", q->tenant };
	PGresult *r;

	if ((r = db_exec(q->conn, "BEGIN READ ONLY", 0, NULL,
	    PGRES_COMMAND_OK)) == NULL)
		return failed(q);
	PQclear(r);
	if ((r = db_exec(q->conn, "SELECT set_config('TimeZone', $1, true), "
	    "set_config('co.tenant', $2, true)", 2, v, PGRES_TUPLES_OK)) == NULL)
		return failed(q);
	PQclear(r);
	return 0;
}

/* End the transaction, so the server finishes its statements cleanly. */
static int
finish(struct query *q, int rc)
{
	PGresult *r;

	if ((r = db_exec(q->conn, "COMMIT", 0, NULL, PGRES_COMMAND_OK)) == NULL)
		return failed(q);
	PQclear(r);
	return rc;
}

static PGresult *
run(struct query *q, struct sql *s, int *rc)
{
	PGresult *r;

	r = db_exec(q->conn, s->b.p, s->n, s->v, PGRES_TUPLES_OK);
	dbuf_free(&s->b);
	s->n = 0;
	*rc = r == NULL ? failed(q) : 0;
	return r;
}

/*
 * The ElevenLabs call whose call_sid, conversation_id or id is the
 * argument, when the calls table exists.  NULL with *rc 0 when none.
 */
static PGresult *
el_outcome(struct query *q, const char *id, int *rc)
{
	struct sql s = { 0 };
	PGresult *r;
	int have;

	sql_add(&s, "SELECT to_regclass('calls') IS NOT NULL");
	if ((r = run(q, &s, rc)) == NULL)
		return NULL;
	have = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (!have)
		return NULL;
	sql_add(&s, "SELECT ");
	sql_cols(&s, el_outcome_cols);
	sql_add(&s, "FROM calls WHERE user_id = current_setting('co.tenant') "
	    "AND (call_sid = $1 OR conversation_id = $1 OR id = CASE WHEN "
	    "$1 ~ '^[0-9]{1,18}$' THEN $1::bigint END) LIMIT 1");
	s.v[s.n++] = id;
	return run(q, &s, rc);
}

static int
cmd_outcome(struct query *q, char **argv)
{
	struct sql s = { 0 };
	PGresult *r;
	int rc;

	if ((rc = begin(q)) != 0)
		return rc;
	sql_add(&s, "SELECT ");
	sql_cols(&s, outcome_cols);
	sql_add(&s, "FROM call_logs WHERE " FIND " LIMIT 1");
	s.v[s.n++] = argv[0];
	if ((r = run(q, &s, &rc)) == NULL)
		return rc;
	if (PQntuples(r) == 0) {
		PQclear(r);
		if ((r = el_outcome(q, argv[0], &rc)) == NULL && rc != 0)
			return rc;
	}
	if (r == NULL || PQntuples(r) == 0) {
		PQclear(r);
		warnx("%s: not found", argv[0]);
		return 1;
	}
	format_result(stdout, q->fmt, r);
	PQclear(r);
	return 0;
}

/*
 * One page, newest first, keyset (KEY, id) after the cursor; one row more
 * than asked tells whether there is a next page, whose cursor goes to
 * standard error.
 */
static int
cmd_calls(struct query *q, char **argv)
{
	struct sql s = { 0 };
	PGresult *r;
	char lim[32];
	int rc, n;

	(void)argv;
	if ((rc = begin(q)) != 0)
		return rc;
	sql_add(&s, "SELECT ");
	sql_cols(&s, calls_cols);
	sql_add(&s, ", " CURSOR " AS cursor FROM call_logs WHERE " TENANT);
	sql_filters(&s, &q->f);
	if (q->after != NULL) {
		sql_add(&s, " AND (" KEY ", id) < (");
		sql_param(&s, q->after, AT_UTC);
		sql_add(&s, ", ");
		sql_param(&s, q->after_id, NULL);
		sql_add(&s, ")");
	}
	sql_add(&s, " ORDER BY " KEY " DESC, id DESC LIMIT ");
	snprintf(lim, sizeof(lim), "%lld", q->limit + 1);
	sql_param(&s, lim, "bigint");
	if ((r = run(q, &s, &rc)) == NULL)
		return rc;
	n = PQntuples(r) > q->limit ? (int)q->limit : PQntuples(r);
	format_rows(stdout, q->fmt, r, n, PQnfields(r) - 1);
	if (PQntuples(r) > n)
		fprintf(stderr, "next: --after %s\n",
		    PQgetvalue(r, n - 1, PQnfields(r) - 1));
	PQclear(r);
	return n > 0 ? 0 : 1;
}

static int
cmd_stats(struct query *q, char **argv)
{
	struct sql s = { 0 };
	PGresult *r;
	char pos[64];
	int i, rc;

	(void)argv;
	if ((rc = begin(q)) != 0)
		return rc;
	sql_add(&s, "SELECT ");
	for (i = 0; i < q->nby; i++) {
		sql_add(&s, q->by[i]->expr);
		sql_add(&s, " AS ");
		sql_add(&s, q->by[i]->name);
		sql_add(&s, ", ");
	}
	sql_add(&s, STATS_COLS "FROM call_logs WHERE " TENANT);
	sql_filters(&s, &q->f);
	for (i = 0; i < q->nby; i++) {
		snprintf(pos, sizeof(pos), "%s%d", i ? ", " : " GROUP BY ",
		    i + 1);
		sql_add(&s, pos);
	}
	for (i = 0; i < q->nby; i++) {
		snprintf(pos, sizeof(pos), "%s%d", i ? ", " : " ORDER BY ",
		    i + 1);
		sql_add(&s, pos);
	}
	if ((r = run(q, &s, &rc)) == NULL)
		return rc;
	format_result(stdout, q->fmt, r);
	rc = PQntuples(r) == 0 || strcmp(PQgetvalue(r, 0, q->nby), "0") == 0;
	PQclear(r);
	return rc;
}

static int
cmd_events(struct query *q, char **argv)
{
	struct sql s = { 0 };
	PGresult *r;
	char *id;
	int rc;

	if ((rc = begin(q)) != 0)
		return rc;
	sql_add(&s, "SELECT id FROM call_logs WHERE " FIND " LIMIT 1");
	s.v[s.n++] = argv[0];
	if ((r = run(q, &s, &rc)) == NULL)
		return rc;
	if (PQntuples(r) == 0) {
		PQclear(r);
		warnx("%s: not found", argv[0]);
		return 1;
	}
	if ((id = strdup(PQgetvalue(r, 0, 0))) == NULL)
		err(EX_OSERR, "strdup");
	PQclear(r);
	sql_add(&s, "SELECT ");
	sql_cols(&s, events_cols);
	if (q->raw)
		sql_add(&s, ", \"rawPayload\" ");
	sql_add(&s, "FROM livekit_call_events WHERE " TENANT
	    " AND \"callLogId\" = ");
	sql_param(&s, id, NULL);
	/* Qualified: the bare name would be the to_char() output column. */
	sql_add(&s, " ORDER BY livekit_call_events.\"occurredAt\" NULLS LAST, "
	    "timestamp, \"eventId\"");
	r = run(q, &s, &rc);
	free(id);
	if (r == NULL)
		return rc;
	format_result(stdout, q->fmt, r);
	PQclear(r);
	return 0;
}

static int
matches(const char *re, const char *s)
{
	regex_t x;
	int rc;

	if (regcomp(&x, re, REG_EXTENDED | REG_NOSUB) != 0)
		errx(EX_SOFTWARE, "bad regex: %s", re);
	rc = regexec(&x, s, 0, NULL, 0) == 0;
	regfree(&x);
	return rc;
}

/* A date (midnight in the --tz zone) or an RFC 3339 date-time. */
static void
check_time(const char *what, const char *s)
{
	const char *why;

	if (s != NULL && (why = rfc3339_check(s, RFC3339_DATE, NULL)) != NULL)
		errx(EX_USAGE, "%s %s: %s (want YYYY-MM-DD or an RFC 3339 "
		    "time)", what, s, why);
}

static void
check_list(const char *what, const char *list, const char *const *allowed)
{
	char *copy, *p, *tok;
	int i;

	if (list == NULL)
		return;
	if ((p = copy = strdup(list)) == NULL)
		err(EX_OSERR, "strdup");
	while ((tok = strsep(&p, ",")) != NULL) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(tok, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			errx(EX_USAGE, "unknown %s: %s", what, tok);
	}
	free(copy);
}

/* TIME/ID as printed after "next: --after". */
static void
set_after(struct query *q, const char *s)
{
	const char *end;
	char *slash;

	if (!matches("^" RE_DATE "T" RE_TIME "Z/" RE_ID "$", s) ||
	    rfc3339_check(s, RFC3339_UTC, &end) != NULL || *end != '/')
		errx(EX_USAGE, "not a cursor: %s", s);
	free(q->after);
	if ((q->after = strdup(s)) == NULL)
		err(EX_OSERR, "strdup");
	slash = strchr(q->after, '/');
	*slash = '\0';
	q->after_id = slash + 1;
}

static void
add_by(struct query *q, const char *list)
{
	char *copy, *p, *tok;
	size_t i;
	int j;

	if ((p = copy = strdup(list)) == NULL)
		err(EX_OSERR, "strdup");
	while ((tok = strsep(&p, ",")) != NULL) {
		for (i = 0; i < sizeof(bykeys) / sizeof(bykeys[0]); i++)
			if (strcmp(tok, bykeys[i].name) == 0)
				break;
		if (i == sizeof(bykeys) / sizeof(bykeys[0]))
			errx(EX_USAGE, "unknown --by key: %s", tok);
		for (j = 0; j < q->nby; j++)
			if (q->by[j] == &bykeys[i])
				errx(EX_USAGE, "--by %s twice", tok);
		q->by[q->nby++] = &bykeys[i];
	}
	free(copy);
}

static const struct option longopts[] = {
	{ "after",	required_argument, NULL, 'a' },
	{ "by",		required_argument, NULL, 'b' },
	{ "dbname",	required_argument, NULL, 'd' },
	{ "limit",	required_argument, NULL, 'n' },
	{ "output",	required_argument, NULL, 'o' },
	{ "raw",	no_argument,	   NULL, 'r' },
	{ "user",	required_argument, NULL, 'u' },
	{ "tz",		required_argument, NULL, 'z' },
	{ "since",	required_argument, NULL, L_SINCE },
	{ "until",	required_argument, NULL, L_UNTIL },
	{ "outcome",	required_argument, NULL, L_OUTCOME },
	{ "direction",	required_argument, NULL, L_DIRECTION },
	{ "phone",	required_argument, NULL, L_PHONE },
	{ "campaign",	required_argument, NULL, L_CAMPAIGN },
	{ "agent",	required_argument, NULL, L_AGENT },
	{ "status",	required_argument, NULL, L_STATUS },
	{ NULL,		0,		   NULL, 0 }
};

/* A long-only filter option: returns 0 when ch is not one. */
static int
filter_opt(struct filter *f, int ch, const char *arg)
{
	switch (ch) {
	case L_SINCE: f->since = arg; break;
	case L_UNTIL: f->until = arg; break;
	case L_OUTCOME: f->outcome = arg; break;
	case L_DIRECTION: f->direction = arg; break;
	case L_PHONE: f->phone = arg; break;
	case L_CAMPAIGN: f->campaign = arg; break;
	case L_AGENT: f->agent = arg; break;
	case L_STATUS: f->status = arg; break;
	default: return 0;
	}
	return 1;
}

/* Every option, before or after the subcommand; returns its index. */
static int
options(struct query *q, int argc, char **argv, const char **conninfo,
    const char **fmt)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "a:b:d:n:o:ru:z:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a':
			set_after(q, optarg);
			q->opts |= O_AFTER;
			break;
		case 'b':
			add_by(q, optarg);
			q->opts |= O_BY;
			break;
		case 'd':
			*conninfo = optarg;
			break;
		case 'n':
			q->limit = conf_num(optarg, 1, MAXLIMIT, "limit");
			q->opts |= O_LIMIT;
			break;
		case 'o':
			*fmt = optarg;
			break;
		case 'r':
			q->raw = 1;
			q->opts |= O_RAW;
			break;
		case 'u':
			q->tenant = optarg;
			break;
		case 'z':
			q->zone = optarg;
			break;
		default:
			if (!filter_opt(&q->f, ch, optarg))
				usage(NULL);
			q->opts |= O_FILTER;
		}
	}
	return optind;
}

static const struct cmd *
find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(name, cmds[i].name) == 0)
			return &cmds[i];
	warnx("unknown subcommand: %s", name);
	usage(NULL);
}

/* What is wrong with the subcommand's options and arguments, if anything. */
static void
misuse(const struct query *q, const struct cmd *c, int nargs)
{
	if ((q->opts & ~c->opts) != 0)
		warnx("%s does not take that option", c->name);
	else if (nargs != c->nargs)
		warnx(c->nargs ? "%s takes a call_id" : "%s takes no argument",
		    c->name);
	else if (q->tenant == NULL || *q->tenant == '\0')
		warnx("-u user is required");
	else
		return;
	usage(c);
}

/*
 * --tz as PostgreSQL's TimeZone: an IANA name passes as it is (PostgreSQL
 * refuses unknown ones); an ISO 8601 offset +HH[:MM] (east is +), which
 * PostgreSQL would read as a POSIX rule (west is +), becomes the POSIX rule
 * that means it, "<+0530>-05:30".  Without --tz: TZ, else PGTZ, else UTC.
 */
static void
set_zone(struct query *q)
{
	static char buf[64];
	const char *z = q->zone;
	int h, m = 0;

	if (z == NULL && ((z = getenv("TZ")) == NULL || *z == '\0') &&
	    ((z = getenv("PGTZ")) == NULL || *z == '\0'))
		return;
	if (*z == ':' && z[1] != '\0')
		z++;			/* TZ=:Europe/Paris */
	if (*z == '\0')
		errx(EX_USAGE, "empty time zone");
	if ((*z == '+' || *z == '-') && matches("^[+-][0-9]{2}(:[0-9]{2})?$",
	    z)) {
		h = atoi(z + 1);
		if (z[3] == ':')
			m = atoi(z + 4);
		if (h > 23 || m > 59)
			errx(EX_USAGE, "--tz %s: offset out of range", z);
		snprintf(buf, sizeof(buf), "<%c%02d%02d>%c%02d:%02d", *z, h, m,
		    *z == '+' ? '-' : '+', h, m);
		z = buf;
	} else if (*z == '+' || *z == '-')
		errx(EX_USAGE, "--tz %s: not an offset +HH:MM", z);
	q->zone = z;
	tsfmt = FMT_TZ;
}

/* -o chart and svg: stats per day (the default) or per week. */
static void
chart_args(struct query *q, const struct cmd *c)
{
	if (q->fmt != FMT_CHART && q->fmt != FMT_SVG)
		return;
	if (c->run != cmd_stats)
		errx(EX_USAGE, "-o chart and -o svg are for stats");
	if (q->nby == 0)
		add_by(q, "day");
	else if (q->nby > 1 || (strcmp(q->by[0]->name, "day") != 0 &&
	    strcmp(q->by[0]->name, "week") != 0))
		errx(EX_USAGE, "-o chart and -o svg: --by day or week only");
}

static void
check_args(struct query *q, const char *fmt)
{
	int rc;

	if ((rc = format_parse(fmt)) == -1)
		errx(EX_USAGE, "unknown output format: %s", fmt);
	q->fmt = (enum format)rc;
	set_zone(q);
	check_time("--since", q->f.since);
	check_time("--until", q->f.until);
	check_list("outcome", q->f.outcome, outcomes);
	check_list("direction", q->f.direction, directions);
	check_list("status", q->f.status, statuses);
}

static const char help[] =
	    "usage: co-query [-d conninfo] [-o format] [-z zone] -u user\n"
	    "                outcome | calls | stats | events ...\n"
	    "Answer questions about one tenant's calls.\n"
	    "  outcome call_id        one call's outcome\n"
	    "  calls [-a cursor] [-n limit] [filter ...]\n"
	    "                         calls, newest first, a page at a time\n"
	    "  stats [-b key[,key ...]] [filter ...]\n"
	    "                         counts, answer rate and durations,"
	    " per group\n"
	    "  events [-r] call_id    a call's stored events\n"
	    "  -a, --after cursor     (calls) start after cursor, as"
	    " printed after \"next:\"\n"
	    "  -b, --by key[,key ...] (stats) group by day, week,"
	    " outcome, direction,\n"
	    "                         campaign, agent\n"
	    "  -d, --dbname conninfo  the database (conninfo or"
	    " postgresql:// URI)\n"
	    "  -n, --limit limit      (calls) calls per page, 1 to 10000"
	    " (default 50)\n"
	    "  -o, --output format    ndjson, csv, tsv, table; chart or"
	    " svg (stats per day\n"
	    "                         or week)\n"
	    "  -r, --raw              (events) add rawPayload\n"
	    "  -u, --user user        the tenant (required)\n"
	    "  -z, --tz zone          times in zone: an IANA name or"
	    " +HH:MM (east is +);\n"
	    "                         default TZ, else PGTZ, else UTC\n"
	    "filters (calls, stats):\n"
	    "  --since time           calls that start at or after time"
	    " (RFC 3339, or a\n"
	    "                         date: its midnight)\n"
	    "  --until time           calls that start before time\n"
	    "  --outcome list         completed, no_answer, busy,"
	    " failed, voicemail, none\n"
	    "  --direction list       inbound, outbound\n"
	    "  --status list          active, ended\n"
	    "  --phone number         the far end's number, as stored\n"
	    "  --campaign id          the campaign id\n"
	    "  --agent id             the agent config id\n"
	    "  --help                 this help\n"
	    "  --version              the version\n";

int
main(int argc, char *argv[])
{
	struct query q = { .limit = 50 };
	const struct cmd *c;
	const char *conninfo = NULL, *fmt = NULL;
	int i, rc, status;

	cli_std(argc, argv, help);

	i = options(&q, argc, argv, &conninfo, &fmt);
	if (i == argc) {
		warnx("no subcommand: outcome, calls, stats or events");
		usage(NULL);
	}
	c = find_cmd(argv[i]);
	misuse(&q, c, argc - i - 1);
	check_args(&q, fmt);
	chart_args(&q, c);
	if ((q.conn = db_connect(conninfo, &status)) == NULL)
		return status;
	rc = c->run(&q, argv + i + 1);
	if (rc <= 1)
		rc = finish(&q, rc);
	PQfinish(q.conn);
	free(q.after);
	diag_stdout();
	return rc;
}
