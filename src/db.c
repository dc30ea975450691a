/*
 * db.c - libpq helpers in the manner of PostgreSQL's own client tools.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "db.h"
#include "diag.h"
#include "spool.h"

extern const char *__progname;

char db_last_sqlstate[6];

static void
notice(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s: %s", __progname, msg);
}

/*
 * One line "PROG: message": libpq's continuation lines (the "Is the server
 * running" hint, a statement's LINE and caret) joined or dropped.
 */
static void
say(const char *m, const char *hint)
{
	struct buf b = { NULL, 0, 0 };
	const char *nl;
	int first = 1;

	buf_str(&b, __progname);
	buf_str(&b, ": ");
	for (; *m != '\0'; m = nl + 1, first = 0) {
		if ((nl = strchr(m, '\n')) == NULL)
			nl = m + strlen(m);
		/* The statement quoted, with a caret: not for the user. */
		if (strncmp(m, "LINE ", 5) == 0 ||
		    strspn(m, " ^") == (size_t)(nl - m))
			break;
		if (!first)
			buf_str(&b, " ");
		m += strspn(m, "\t ");
		buf_add(&b, m, (size_t)(nl - m));
		if (*nl == '\0')
			break;
	}
	if (hint != NULL) {
		buf_str(&b, " (");
		buf_str(&b, hint);
		buf_str(&b, ")");
	}
	buf_str(&b, "\n");
	/* One write: the jobs of co-drain -j share standard error. */
	(void)spool_write_all(STDERR_FILENO, b.p, b.len);
	buf_free(&b);
}

/* What to do about a failed statement, when we know. */
static const char *
hint(void)
{
	if (strcmp(db_last_sqlstate, "42P01") == 0 ||
	    strcmp(db_last_sqlstate, "42703") == 0 ||
	    strcmp(db_last_sqlstate, "42883") == 0)
		return "is the database migrated? run co-migrate up";
	return NULL;
}

PGconn *
db_open(const char *conninfo, int *status)
{
	const char *keys[] = { "dbname", "fallback_application_name", NULL };
	const char *vals[] = { NULL, __progname, NULL };
	PQconninfoOption *o = NULL;
	const char *url;
	char *e = NULL;
	PGconn *c;

	if (conninfo == NULL && getenv("PGDATABASE") == NULL &&
	    getenv("PGSERVICE") == NULL && (url = getenv("DATABASE_URL")) != NULL)
		conninfo = url;
	vals[0] = conninfo;
	if (conninfo != NULL && (o = PQconninfoParse(conninfo, &e)) == NULL) {
		warnx("%s", e != NULL ? strtok(e, "\n") : "out of memory");
		*status = e != NULL ? EX_CONFIG : EX_TEMPFAIL;
		PQfreemem(e);
		return NULL;
	}
	PQconninfoFree(o);
	c = PQconnectdbParams(keys, vals, 1);
	if (c == NULL) {
		warnx("out of memory");
		*status = EX_TEMPFAIL;
		return NULL;
	}
	if (PQstatus(c) == CONNECTION_BAD) {
		say(PQerrorMessage(c), NULL);
		*status = db_status(c);
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, notice, NULL);
	*status = 0;
	return c;
}

PGconn *
db_connect(const char *conninfo, int *status)
{
	PGconn *c;
	PGresult *r;

	if ((c = db_open(conninfo, status)) == NULL)
		return NULL;
	if ((r = db_exec(c, "SELECT pg_catalog.set_config('search_path', "
	    "'public', false)", 0, NULL, PGRES_TUPLES_OK)) == NULL) {
		*status = db_status(c);
		PQfinish(c);
		return NULL;
	}
	PQclear(r);
	*status = 0;
	return c;
}

PGconn *
db_connect_loader(const char *conninfo, int *status)
{
	PGconn *c;
	PGresult *r;

	if ((c = db_connect(conninfo, status)) == NULL)
		return NULL;
	if ((r = db_exec(c, "SELECT current_user, CASE WHEN "
	    "to_regrole('co_loader') IS NULL THEN true ELSE rolsuper OR "
	    "rolbypassrls OR pg_has_role('co_loader', 'USAGE') END "
	    "FROM pg_roles WHERE rolname = current_user", 0, NULL,
	    PGRES_TUPLES_OK)) == NULL) {
		*status = db_status(c);
		PQfinish(c);
		return NULL;
	}
	if (PQntuples(r) != 1 || PQgetvalue(r, 0, 1)[0] == 't') {
		PQclear(r);
		return c;
	}
	warnx("role %s is not a member of co_loader and can write no "
	    "tenant's rows: GRANT co_loader TO %s", PQgetvalue(r, 0, 0),
	    PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	*status = EX_UNAVAILABLE;
	return NULL;
}

static void
keep_state(PGresult *r)
{
	const char *s;

	db_last_sqlstate[0] = '\0';
	if (r != NULL && (s = PQresultErrorField(r, PG_DIAG_SQLSTATE)) != NULL)
		snprintf(db_last_sqlstate, sizeof(db_last_sqlstate), "%s", s);
}

int
db_pipeline(PGconn *c, int n, const struct db_stmt *st, PGresult **out)
{
	PGresult *r, *bad = NULL;
	int i, ok = 1;

	for (i = 0; i < n; i++)
		out[i] = NULL;
	if (!PQenterPipelineMode(c))
		goto lost;
	for (i = 0; i < n && ok; i++)
		ok = PQsendQueryParams(c, st[i].sql, st[i].n, NULL, st[i].vals,
		    NULL, NULL, 0);
	if (!ok || !PQpipelineSync(c))
		goto lost;
	for (i = 0; i < n; i++) {
		if ((r = PQgetResult(c)) == NULL)
			goto lost;
		if (PQresultStatus(r) == st[i].want && bad == NULL)
			out[i] = r;
		else if (bad == NULL && PQresultStatus(r) !=
		    PGRES_PIPELINE_ABORTED)
			bad = r;
		else
			PQclear(r);
		while ((r = PQgetResult(c)) != NULL)	/* its end */
			PQclear(r);
	}
	if ((r = PQgetResult(c)) == NULL ||
	    PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
		PQclear(r);
		goto lost;
	}
	PQclear(r);
	if (!PQexitPipelineMode(c))
		goto lost;
	if (bad == NULL) {
		db_last_sqlstate[0] = '\0';
		return 0;
	}
	keep_state(bad);
	say(PQresultErrorMessage(bad), hint());
	PQclear(bad);
	for (i = 0; i < n; i++) {
		PQclear(out[i]);
		out[i] = NULL;
	}
	return -1;
lost:
	keep_state(bad);
	say(PQerrorMessage(c), NULL);
	PQclear(bad);
	for (i = 0; i < n; i++) {
		PQclear(out[i]);
		out[i] = NULL;
	}
	return -1;
}

PGresult *
db_exec(PGconn *c, const char *sql, int n, const char *const *vals,
    ExecStatusType want)
{
	PGresult *r;

	if (n > 0)
		r = PQexecParams(c, sql, n, NULL, vals, NULL, NULL, 0);
	else
		r = PQexec(c, sql);
	if (r != NULL && PQresultStatus(r) == want) {
		db_last_sqlstate[0] = '\0';
		return r;
	}
	keep_state(r);
	say(PQerrorMessage(c), hint());
	PQclear(r);
	return NULL;
}

int
db_run(PGconn *c, const char *sql, int n, const char *const *vals,
    ExecStatusType want)
{
	PGresult *r;

	if ((r = db_exec(c, sql, n, vals, want)) == NULL)
		return -1;
	PQclear(r);
	return 0;
}

int
db_rollback(PGconn *c)
{
	int rc;

	rc = db_status(c);
	if (PQstatus(c) == CONNECTION_OK)
		PQclear(PQexec(c, "ROLLBACK"));
	return rc;
}

int
db_data_error(PGconn *c)
{
	return PQstatus(c) == CONNECTION_OK &&
	    (strncmp(db_last_sqlstate, "22", 2) == 0 ||
	    strncmp(db_last_sqlstate, "23", 2) == 0);
}

int
db_sqlstate_status(const char *s)
{
	if (s == NULL || *s == '\0')
		return EX_TEMPFAIL;	/* no answer: connection trouble */
	if (strncmp(s, "08", 2) == 0 || strncmp(s, "53", 2) == 0 ||
	    strncmp(s, "57", 2) == 0 || strcmp(s, "40001") == 0 ||
	    strcmp(s, "40P01") == 0 || strcmp(s, "55P03") == 0)
		return EX_TEMPFAIL;
	if (strncmp(s, "28", 2) == 0 || strcmp(s, "3D000") == 0 ||
	    strcmp(s, "42P01") == 0 || strcmp(s, "42703") == 0 ||
	    strcmp(s, "42501") == 0)
		return EX_UNAVAILABLE;
	return EX_SOFTWARE;
}

/*
 * libpq refused before asking any server: our configuration (conninfo,
 * environment, service file, password) is wrong or incomplete.
 */
static int
config_error(const char *m)
{
	static const char *const pat[] = { "no password supplied",
	    "definition of service", "service file", "connection option",
	    "connection info string", "invalid port number", " value: \"",
	    "URI", NULL };
	int i;

	if (strstr(m, "FATAL:") != NULL)
		return 0;
	for (i = 0; pat[i] != NULL; i++)
		if (strstr(m, pat[i]) != NULL)
			return 1;
	return 0;
}

int
db_status(PGconn *c)
{
	const char *m;

	if (c == NULL || PQstatus(c) == CONNECTION_BAD) {
		m = c != NULL ? PQerrorMessage(c) : "";
		if (config_error(m))
			return EX_CONFIG;
		/* The server answered and refused (FATAL): unavailable. */
		if (strstr(m, "FATAL:") != NULL &&
		    strstr(m, "starting up") == NULL &&
		    strstr(m, "shutting down") == NULL &&
		    strstr(m, "too many") == NULL &&
		    strstr(m, "terminating") == NULL &&
		    strstr(m, "recovery") == NULL)
			return EX_UNAVAILABLE;
		return EX_TEMPFAIL;
	}
	return db_sqlstate_status(db_last_sqlstate);
}

int
db_copy_put(PGconn *c, const char *buf, size_t len)
{
	if (PQputCopyData(c, buf, (int)len) <= 0) {
		fprintf(stderr, "%s: %s", __progname, PQerrorMessage(c));
		return -1;
	}
	return 0;
}

int
db_copy_end(PGconn *c, const char *errmsg)
{
	PGresult *r;
	int ok;

	if (PQputCopyEnd(c, errmsg) <= 0) {
		fprintf(stderr, "%s: %s", __progname, PQerrorMessage(c));
		return -1;
	}
	ok = 1;
	while ((r = PQgetResult(c)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			if (ok && errmsg == NULL)
				fprintf(stderr, "%s: %s", __progname,
				    PQerrorMessage(c));
			keep_state(r);
			ok = 0;
		}
		PQclear(r);
	}
	return ok && errmsg == NULL ? 0 : -1;
}

