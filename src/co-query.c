/*
 * co-query - answer analysts' questions about call outcomes, always for one
 * tenant (-u): one call's outcome, lists of calls, statistics, a call's
 * stored events.
 * Rule: the tenant is set in a read-only transaction (co.tenant), where the
 * database's row-level security holds every statement to it; the SQL names
 * it again only so that the planner reads the tenant's index entries.
 * Another tenant's call looks exactly like no call.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
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
#include "query.h"


#define MAXLIMIT QUERY_MAXLIMIT

/* Options seen, so that a subcommand refuses those it does not take. */
enum {
	O_AFTER = 1, O_BY = 2, O_LIMIT = 4, O_RAW = 8, O_FILTER = 16
};

/* Long-only options' values. */
enum {
	L_SINCE = 256, L_UNTIL, L_OUTCOME, L_DIRECTION, L_PHONE, L_CAMPAIGN,
	L_AGENT, L_STATUS, L_PROVIDER
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
static int	cmd_watch(struct query *, char **);

static const struct cmd cmds[] = {
	{ "calls", O_AFTER | O_LIMIT | O_FILTER, 0,
	    "calls [-a cursor] [-n limit] [filter ...]", cmd_calls },
	{ "events", O_RAW, 1, "events [-r] call_id", cmd_events },
	{ "outcome", 0, 1, "outcome call_id", cmd_outcome },
	{ "stats", O_BY | O_FILTER, 0, "stats [-b key[,key ...]] [filter ...]",
	    cmd_stats },
	{ "watch", 0, 0, "watch", cmd_watch },
};

static void __attribute__((noreturn))
usage(const struct cmd *c)
{
	fprintf(stderr, "usage: co-query [-d conninfo] [-o format] [-z zone] "
	    "-u user %s\n", c != NULL ? c->usage :
	    "outcome | calls | stats | events | watch ...");
	exit(EX_USAGE);
}

static int
cmd_outcome(struct query *q, char **argv)
{
	PGresult *r;
	int rc;

	if ((rc = query_begin(q)) != 0)
		return rc;
	if ((r = query_outcome(q, argv[0], &rc)) == NULL) {
		if (rc == 1)
			warnx("%s: not found", argv[0]);
		return rc;
	}
	format_result(stdout, q->fmt, r);
	PQclear(r);
	return 0;
}

/*
 * One page, newest first; one row more than asked tells whether there is
 * a next page, whose cursor goes to standard error.
 */
static int
cmd_calls(struct query *q, char **argv)
{
	PGresult *r;
	int rc, n;

	(void)argv;
	if ((rc = query_begin(q)) != 0)
		return rc;
	if ((r = query_calls(q, &rc)) == NULL)
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
	PGresult *r;
	int rc;

	(void)argv;
	if ((rc = query_begin(q)) != 0)
		return rc;
	if ((r = query_stats(q, &rc)) == NULL)
		return rc;
	format_result(stdout, q->fmt, r);
	rc = PQntuples(r) == 0 || strcmp(PQgetvalue(r, 0, q->nby), "0") == 0;
	PQclear(r);
	return rc;
}

static int
cmd_events(struct query *q, char **argv)
{
	PGresult *r;
	int rc;

	if ((rc = query_begin(q)) != 0)
		return rc;
	if ((r = query_events(q, argv[0], &rc)) == NULL) {
		if (rc == 1)
			warnx("%s: not found", argv[0]);
		return rc;
	}
	format_result(stdout, q->fmt, r);
	PQclear(r);
	return 0;
}

/* One call as its outcome changes (a query_emit). */
static int
watch_one(void *arg, const char *cursor, PGresult *r)
{
	struct query *q = arg;

	(void)cursor;
	format_result(stdout, q->fmt, r);
	return fflush(stdout) == EOF ? -1 : 0;
}

/*
 * Each call of the tenant whose outcome is decided or changes, as its
 * loader commits (migration 009's NOTIFY), until the database goes away.
 */
static int
cmd_watch(struct query *q, char **argv)
{
	struct pollfd pfd;
	int rc;

	(void)argv;
	if ((rc = query_listen(q)) != 0)
		return rc;
	pfd.fd = PQsocket(q->conn);
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			err(EX_OSERR, "poll");
		if (query_notified(q, watch_one, q) == -1)
			break;
	}
	if (ferror(stdout))
		err(EX_IOERR, "stdout");
	warnx("database connection lost");
	return EX_TEMPFAIL;
}

/* A date (midnight in the --tz zone) or an RFC 3339 date-time. */
static void
check_time(const char *what, const char *s)
{
	const char *why;

	if ((why = query_check_time(s)) != NULL)
		errx(EX_USAGE, "%s %s: %s (want YYYY-MM-DD or an RFC 3339 "
		    "time)", what, s, why);
}

static void
check_list(const char *what, const char *list, const char *const *allowed)
{
	const char *why;

	if ((why = query_check_list(what, list, allowed)) != NULL)
		errx(EX_USAGE, "%s: %s", why, list);
}

/* TIME/ID as printed after "next: --after". */
static void
set_after(struct query *q, const char *s)
{
	if (query_set_after(q, s) != NULL)
		errx(EX_USAGE, "not a cursor: %s", s);
}

static void
add_by(struct query *q, const char *list)
{
	const char *why;

	if ((why = query_add_by(q, list)) != NULL)
		errx(EX_USAGE, "--by %s: %s", list, why);
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
	{ "provider",	required_argument, NULL, L_PROVIDER },
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
	case L_PROVIDER: f->provider = arg; break;
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
	if ((*z == '+' || *z == '-') && isdigit((unsigned char)z[1]) &&
	    isdigit((unsigned char)z[2]) && (z[3] == '\0' || (z[3] == ':' &&
	    isdigit((unsigned char)z[4]) && isdigit((unsigned char)z[5]) &&
	    z[6] == '\0'))) {
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
	check_list("outcome", q->f.outcome, query_outcomes);
	check_list("direction", q->f.direction, query_directions);
	check_list("status", q->f.status, query_statuses);
	check_list("provider", q->f.provider, query_providers());
}

static const char help[] =
	    "usage: co-query [-d conninfo] [-o format] [-z zone] -u user\n"
	    "                outcome | calls | stats | events | watch ...\n"
	    "Answer questions about one tenant's calls.\n"
	    "  outcome call_id        one call's outcome\n"
	    "  calls [-a cursor] [-n limit] [filter ...]\n"
	    "                         calls, newest first, a page at a time\n"
	    "  stats [-b key[,key ...]] [filter ...]\n"
	    "                         counts, answer rate and durations,"
	    " per group\n"
	    "  events [-r] call_id    a call's stored events\n"
	    "  watch                  each call whose outcome changes, as"
	    " it commits\n"
	    "  -a, --after cursor     (calls) start after cursor, as"
	    " printed after \"next:\"\n"
	    "  -b, --by key[,key ...] (stats) group by day, week,"
	    " outcome, direction,\n"
	    "                         campaign, agent, provider\n"
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
	    "  --status list          active, ended (LiveKit); in_progress,"
	    " completed,\n"
	    "                         failed (ElevenLabs)\n"
	    "  --provider list        livekit, elevenlabs, twilio\n"
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
		rc = query_finish(&q, rc);
	PQfinish(q.conn);
	free(q.after);
	diag_stdout();
	return rc;
}
