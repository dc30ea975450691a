/*
 * co-query - answer analysts' questions about call outcomes, always for one
 * tenant (-u).  Subcommands: outcome CALL_ID.
 * Rule: the tenant is set in the transaction (co.tenant) and every query is
 * scoped by it; another tenant's call looks exactly like no call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "diag.h"
#include "format.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* The seed's JSON shape for one call_logs row. */
#define OUTCOME_SQL \
	"SELECT id, \"userId\", \"agentConfigId\", \"livekitRoomName\", " \
	"\"livekitRoomSid\", direction, \"phoneNumber\", \"sipCallId\", " \
	"duration, " TS("\"startedAt\"") " \"startedAt\", " \
	TS("\"endedAt\"") " \"endedAt\", status, outcome, \"recordingUrl\", " \
	"metadata, cost, " TS("\"createdAt\"") " \"createdAt\", " \
	TS("\"updatedAt\"") " \"updatedAt\" FROM call_logs " \
	"WHERE \"userId\" = current_setting('co.tenant') AND " \
	"(\"livekitRoomSid\" = $1 OR id = CASE WHEN $1 ~* " \
	"'^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' THEN $1::uuid END) " \
	"LIMIT 1"

struct query {
	PGconn	*conn;
	const char *tenant;
	enum format fmt;
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: co-query [-d conninfo] [-o format] -u user "
	    "outcome call_id\n");
	exit(EX_USAGE);
}

/* Open a read-only transaction scoped to the tenant. */
static int
begin(struct query *q)
{
	const char *v[1] = { q->tenant };
	PGresult *r;

	if ((r = db_exec(q->conn, "BEGIN READ ONLY", 0, NULL,
	    PGRES_COMMAND_OK)) == NULL)
		return db_status(q->conn);
	PQclear(r);
	if ((r = db_exec(q->conn, "SELECT set_config('co.tenant', $1, true)",
	    1, v, PGRES_TUPLES_OK)) == NULL)
		return db_status(q->conn);
	PQclear(r);
	return 0;
}

static int
cmd_outcome(struct query *q, int argc, char **argv)
{
	const char *v[1];
	PGresult *r;
	int rc;

	if (argc != 1)
		usage();
	v[0] = argv[0];
	if ((rc = begin(q)) != 0)
		return rc;
	if ((r = db_exec(q->conn, OUTCOME_SQL, 1, v, PGRES_TUPLES_OK)) == NULL)
		return db_status(q->conn);
	if (PQntuples(r) == 0) {
		PQclear(r);
		warnx("%s: not found", argv[0]);
		return 1;
	}
	format_result(stdout, q->fmt, r);
	PQclear(r);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct query q = { 0 };
	const char *conninfo = NULL, *fmt = NULL;
	int ch, rc, status;

	while ((ch = getopt(argc, argv, "d:o:u:")) != -1) {
		switch (ch) {
		case 'd':
			conninfo = optarg;
			break;
		case 'o':
			fmt = optarg;
			break;
		case 'u':
			q.tenant = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || q.tenant == NULL || *q.tenant == '\0')
		usage();
	if ((rc = format_parse(fmt)) == -1) {
		warnx("unknown output format: %s", fmt);
		usage();
	}
	q.fmt = (enum format)rc;
	if (strcmp(argv[0], "outcome") != 0)
		usage();
	if ((q.conn = db_connect(conninfo, &status)) == NULL)
		return status;
	rc = cmd_outcome(&q, argc - 1, argv + 1);
	PQfinish(q.conn);
	diag_stdout();
	return rc;
}
