/*
 * db.h - libpq helpers: connect, parameterized exec, COPY, SQLSTATE to exit
 * status.  Rule: every value goes out of line ($1...) or through COPY.
 */
#ifndef CO_DB_H
#define CO_DB_H

#include <stddef.h>

#include <libpq-fe.h>

#include "buf.h"

/*
 * Connect with conninfo (a conninfo string or URI), else libpq's PG*
 * variables, else $DATABASE_URL.  On failure warns and returns NULL with
 * *status EX_CONFIG (bad conninfo, unknown service, no password),
 * EX_UNAVAILABLE (the server refused us) or EX_TEMPFAIL (not reached).
 * search_path is pinned to public.
 */
PGconn	*db_connect(const char *, int *);
/* db_connect without pinning search_path: the caller sets it per statement. */
PGconn	*db_open(const char *, int *);
/*
 * db_connect for the loaders: also refuses (warns with one line naming the
 * role, *status EX_UNAVAILABLE) a role that could not write every tenant's
 * rows: not a superuser, without BYPASSRLS, not a member of co_loader,
 * once that role exists (migration 002).
 */
PGconn	*db_connect_loader(const char *, int *);

/*
 * Run sql with n text parameters; returns the result when its status is
 * want, else warns with the server's message, clears it and returns NULL.
 */
PGresult *db_exec(PGconn *, const char *, int, const char *const *,
	    ExecStatusType);

/*
 * Statements sent together in libpq's pipeline mode, one round trip, in
 * one implicit transaction unless they hold their own BEGIN and COMMIT:
 * out[i] is the result of st[i] when its status is st[i].want.  0; or -1
 * after warning with the first failure (db_last_sqlstate set; the rest
 * were skipped) or a lost connection, every out[i] NULL.
 */
struct db_stmt {
	const char *sql;
	int	 n;
	const char *const *vals;
	ExecStatusType want;
};
int	 db_pipeline(PGconn *, int, const struct db_stmt *, PGresult **);

/* db_exec, and clear the result: 0, or -1 after the warning. */
int	 db_run(PGconn *, const char *, int, const char *const *,
	    ExecStatusType);
/* Roll back the open transaction when connected; the failure's status. */
int	 db_rollback(PGconn *);
/* Did the server refuse the last statement for its data (22xxx, 23xxx)? */
int	 db_data_error(PGconn *);

/* Exit status for the last failure on conn (SPEC section 2). */
int	 db_status(PGconn *);
/* Exit status for a failed result's SQLSTATE. */
int	 db_sqlstate_status(const char *);

/* COPY helpers: start with db_exec(..., PGRES_COPY_IN). */
int	 db_copy_put(PGconn *, const char *, size_t);
/* End the COPY (errmsg NULL: success); 0 ok, -1 failed (warned). */
int	 db_copy_end(PGconn *, const char *);

/* Last failure's SQLSTATE, kept by db_exec/db_copy_end ("" if none). */
extern char db_last_sqlstate[6];

#endif
