/*
 * co-backfill - give every legacy calls row without a call_sid one in the
 * seed's format EL_{driver_id|UNKNOWN}_{created_at epoch}, in batches of
 * bounded size and duration, each its own transaction.  Two rows that
 * would get the same call_sid are told apart deterministically: in id
 * order, the first free of BASE, BASE_2, BASE_3, ... (free: no row has it).
 * Rule: a batch locks its rows FOR UPDATE SKIP LOCKED and commits whole or
 * not at all, so loaders running meanwhile are never blocked for long and
 * a kill at any instant leaves only rows still NULL for the next run; a
 * row skipped because someone holds it defers every later row of its base
 * to the next pass, so names still follow the id order.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "db.h"
#include "diag.h"
#include "ndjson.h"

#define MAXPASS		100	/* passes over the table in one run */
#define MAXRETRY	10	/* a batch tried again after a conflict */
#define LOCKWAIT	10	/* seconds waited for rows others lock */

enum { TAKEN = 1, FREE, OURS };	/* what a name is, as far as we know */

struct name {
	char	*s;
	int	 state;
};

struct names {
	struct name *t;
	size_t	 cap, n;
};

struct row {
	long long id;
	char	*base;
	char	*sid;
	int	 defer;		/* left for the next pass */
};

struct batch {
	struct row *r;
	size_t	 n;
};

static void	 usage(void);
static uint64_t	 hash(const char *);
static struct name *slot(const struct names *, const char *);
static struct name *names_get(struct names *, const char *, int);
static void	 names_clear(struct names *);
static void	 arr_add(struct buf *, const char *);
static char	*cand(const char *, long);
static int	 failed(PGresult *);
static int	 exec_ok(const char *, int, const char *const *);
static int	 fetch(long long, size_t, struct batch *);
static int	 lock_rows(struct batch *);
static int	 ask(struct buf *);
static int	 prefetch(const struct batch *);
static int	 resolve(struct batch *);
static int	 store(const struct batch *);
static void	 batch_free(struct batch *);
static int	 run_batch(long long *, size_t, size_t *);
static int	 retry_after(int, size_t *, int *);
static int	 pass(void);
static long long nulls(void);
static double	 now_s(void);

static PGconn *db;
static struct names names;	/* call_sids we know about */
static struct names blocked;	/* bases deferred in this pass */
static int dry;			/* -n */
static long long timeout = 10;	/* -T, seconds */
static size_t maxbatch = 1000;	/* -b */
static unsigned long filled, batches, bumped;
static long long total;
static int tty;
static char errmsg[512];	/* the last failure's, kept past ROLLBACK */

static void
usage(void)
{
	fprintf(stderr, "usage: co-backfill [-n] [-b size] [-d conninfo] "
	    "[-T seconds]\n");
	exit(EX_USAGE);
}

static uint64_t
hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* The slot of s in m: its entry, or the empty one where it would go. */
static struct name *
slot(const struct names *m, const char *s)
{
	size_t i;

	for (i = hash(s) % m->cap; m->t[i].s != NULL; i = (i + 1) % m->cap)
		if (strcmp(m->t[i].s, s) == 0)
			break;
	return &m->t[i];
}

/* The entry for s; with create, a new one (state 0) when missing. */
static struct name *
names_get(struct names *m, const char *s, int create)
{
	struct name *old, *e;
	size_t i, cap;

	if (create && (m->n + 1) * 2 > m->cap) {
		old = m->t;
		cap = m->cap;
		m->cap = cap ? cap * 2 : 1024;
		if ((m->t = calloc(m->cap, sizeof(*m->t))) == NULL)
			err(EX_OSERR, "calloc");
		for (i = 0; i < cap; i++)
			if (old[i].s != NULL)
				*slot(m, old[i].s) = old[i];
		free(old);
	}
	if (m->cap == 0)
		return NULL;
	if ((e = slot(m, s))->s != NULL || !create)
		return e->s != NULL ? e : NULL;
	if ((e->s = strdup(s)) == NULL)
		err(EX_OSERR, "strdup");
	e->state = 0;
	m->n++;
	return e;
}

static void
names_clear(struct names *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->t[i].s);
	free(m->t);
	memset(m, 0, sizeof(*m));
}

/* Append s to the PostgreSQL array literal being built in b ("{..."). */
static void
arr_add(struct buf *b, const char *s)
{
	buf_str(b, b->len > 1 ? ",\"" : "\"");
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_add(b, "\\", 1);
		buf_add(b, s, 1);
	}
	buf_add(b, "\"", 1);
}

/* The k-th name of base: BASE, BASE_2, BASE_3, ... */
static char *
cand(const char *base, long k)
{
	char *s;

	if ((k == 1 ? asprintf(&s, "%s", base) :
	    asprintf(&s, "%s_%ld", base, k)) == -1)
		err(EX_OSERR, "asprintf");
	return s;
}

/* A failed result: keep its SQLSTATE, clear it, return the exit status. */
static int
failed(PGresult *r)
{
	const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *m = r ? PQresultErrorMessage(r) : "";

	snprintf(db_last_sqlstate, sizeof(db_last_sqlstate), "%s",
	    s ? s : "");
	snprintf(errmsg, sizeof(errmsg), "%s", *m ? m : PQerrorMessage(db));
	PQclear(r);
	if (PQstatus(db) == CONNECTION_BAD)
		return db_status(db);
	return db_sqlstate_status(db_last_sqlstate);
}

/* A statement whose result we only check; 0, or an exit status. */
static int
exec_ok(const char *sql, int n, const char *const *v)
{
	PGresult *r;

	r = PQexecParams(db, sql, n, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		return failed(r);
	PQclear(r);
	return 0;
}

#define BASE_SQL "SELECT id, 'EL_' || coalesce(nullif(driver_id, ''), " \
	"'UNKNOWN') || '_' || floor(extract(epoch FROM created_at))::bigint " \
	"FROM calls WHERE call_sid IS NULL AND id > $1 ORDER BY id LIMIT $2"

/* The next rows still NULL after id last; 0 or an exit status. */
static int
fetch(long long last, size_t size, struct batch *b)
{
	char from[32], lim[32];
	const char *v[2] = { from, lim };
	PGresult *r;
	int i;

	snprintf(from, sizeof(from), "%lld", last);
	snprintf(lim, sizeof(lim), "%zu", size);
	r = PQexecParams(db, BASE_SQL, 2, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return failed(r);
	b->n = (size_t)PQntuples(r);
	if ((b->r = calloc(b->n + 1, sizeof(*b->r))) == NULL)
		err(EX_OSERR, "calloc");
	for (i = 0; i < PQntuples(r); i++) {
		b->r[i].id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		if ((b->r[i].base = strdup(PQgetvalue(r, i, 1))) == NULL)
			err(EX_OSERR, "strdup");
	}
	PQclear(r);
	return 0;
}

/*
 * Lock the batch's rows, skipping those someone else holds (or that were
 * filled meanwhile).  A row not locked, and every later row of its base
 * in this pass, is deferred.
 */
static int
lock_rows(struct batch *b)
{
	struct buf ids = { 0 };
	const char *v[1];
	char id[32];
	PGresult *r;
	size_t i;
	int j = 0;

	buf_add(&ids, "{", 1);
	for (i = 0; i < b->n; i++) {
		snprintf(id, sizeof(id), "%s%lld", i ? "," : "", b->r[i].id);
		buf_str(&ids, id);
	}
	buf_add(&ids, "}", 1);
	v[0] = ids.p;
	r = PQexecParams(db, "SELECT id FROM calls WHERE id = ANY "
	    "($1::bigint[]) AND call_sid IS NULL ORDER BY id "
	    "FOR UPDATE SKIP LOCKED", 1, NULL, v, NULL, NULL, 0);
	buf_free(&ids);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return failed(r);
	for (i = 0; i < b->n; i++) {
		if (j < PQntuples(r) &&
		    strtoll(PQgetvalue(r, j, 0), NULL, 10) == b->r[i].id)
			j++;
		else
			names_get(&blocked, b->r[i].base, 1);
		if (names_get(&blocked, b->r[i].base, 0) != NULL)
			b->r[i].defer = 1;
	}
	PQclear(r);
	return 0;
}

/* Which of the names in the array literal b exist?  Marks each one. */
static int
ask(struct buf *b)
{
	const char *v[1];
	PGresult *r;
	int i;

	buf_add(b, "}", 1);
	v[0] = b->p;
	r = PQexecParams(db, "SELECT call_sid FROM calls "
	    "WHERE call_sid = ANY ($1::text[])", 1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return failed(r);
	for (i = 0; i < PQntuples(r); i++)
		names_get(&names, PQgetvalue(r, i, 0), 1)->state = TAKEN;
	PQclear(r);
	return 0;
}

/*
 * Ask at once about the names the batch most likely needs: for a base
 * that m of its rows share, BASE and BASE_2 .. BASE_m.
 */
static int
prefetch(const struct batch *b)
{
	struct names grp = { 0 };
	struct buf q = { 0 };
	struct name *g, *e;
	size_t i;
	long k;
	char *s;
	int rc;

	for (i = 0; i < b->n; i++)
		if (!b->r[i].defer)
			names_get(&grp, b->r[i].base, 1)->state++;
	buf_add(&q, "{", 1);
	for (i = 0; i < grp.cap; i++) {
		if ((g = &grp.t[i])->s == NULL)
			continue;
		for (k = 1; k <= g->state; k++) {
			s = cand(g->s, k);
			if ((e = names_get(&names, s, 1))->state == 0) {
				e->state = FREE;	/* unless answered */
				arr_add(&q, s);
			}
			free(s);
		}
	}
	rc = q.len > 1 ? ask(&q) : 0;
	buf_free(&q);
	names_clear(&grp);
	return rc;
}

/* Each row, in id order, takes the first free name of its base. */
static int
resolve(struct batch *b)
{
	struct buf q = { 0 };
	struct name *e;
	size_t i;
	long k;
	char *s;
	int rc;

	for (i = 0; i < b->n; i++) {
		if (b->r[i].defer)
			continue;
		for (k = 1;; k++) {
			s = cand(b->r[i].base, k);
			if ((e = names_get(&names, s, 1))->state == 0) {
				e->state = FREE;
				q.len = 0;
				buf_add(&q, "{", 1);
				arr_add(&q, s);
				if ((rc = ask(&q)) != 0) {
					free(s);
					buf_free(&q);
					return rc;
				}
				e = names_get(&names, s, 0);
			}
			if (e->state == FREE)
				break;
			free(s);
		}
		e->state = OURS;
		b->r[i].sid = s;
		bumped += k > 1;
	}
	buf_free(&q);
	return 0;
}

/* Write the names: UPDATE, or for -n, print them. */
static int
store(const struct batch *b)
{
	struct buf ids = { 0 }, sids = { 0 };
	const char *v[2];
	char id[32];
	size_t i;
	int rc;

	jv o;

	for (i = 0; i < b->n && dry; i++) {
		if (b->r[i].defer)
			continue;
		o = jv_object_set(jv_object(), jv_string("id"),
		    jv_number((double)b->r[i].id));
		ndjson_write(stdout, jv_object_set(o, jv_string("call_sid"),
		    jv_string(b->r[i].sid)));
	}
	if (dry)
		return 0;
	buf_add(&ids, "{", 1);
	buf_add(&sids, "{", 1);
	for (i = 0; i < b->n; i++) {
		if (b->r[i].defer)
			continue;
		snprintf(id, sizeof(id), "%s%lld", ids.len > 1 ? "," : "",
		    b->r[i].id);
		buf_str(&ids, id);
		arr_add(&sids, b->r[i].sid);
	}
	buf_add(&ids, "}", 1);
	buf_add(&sids, "}", 1);
	v[0] = ids.p;
	v[1] = sids.p;
	rc = exec_ok("UPDATE calls c SET call_sid = v.sid FROM unnest("
	    "$1::bigint[], $2::text[]) AS v(id, sid) WHERE c.id = v.id",
	    2, v);
	buf_free(&ids);
	buf_free(&sids);
	return rc;
}

static void
batch_free(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->r[i].base);
		free(b->r[i].sid);
	}
	free(b->r);
	memset(b, 0, sizeof(*b));
}

/*
 * Every statement of a batch is bounded by -T.  The rows it reads and
 * writes are found by index (the partial index on the rows still NULL, the
 * primary key, the call_sid index), whatever the statistics say: while the
 * backfill runs they are out of date, and a scan of the table per batch
 * would make the run quadratic.
 */
#define SETTINGS "SELECT set_config('statement_timeout', $1, true), " \
	"set_config('enable_seqscan', 'off', true), " \
	"set_config('enable_bitmapscan', 'off', true), " \
	"set_config('enable_hashjoin', 'off', true)"

/*
 * One batch in one transaction.  *n gets
 * its rows and *last its highest id.  0, or an exit status after rolling
 * back (the SQLSTATE is in db_last_sqlstate).
 */
static int
run_batch(long long *last, size_t size, size_t *n)
{
	struct batch b = { 0 };
	char ms[32];
	const char *v[1] = { ms };
	unsigned long before = bumped, done = 0;
	size_t i;
	int rc;

	*n = 0;
	snprintf(ms, sizeof(ms), "%lld", timeout * 1000);
	if ((rc = exec_ok("BEGIN", 0, NULL)) == 0 &&
	    (rc = exec_ok(SETTINGS, 1, v)) == 0 &&
	    (rc = fetch(*last, size, &b)) == 0 &&
	    (dry || (rc = lock_rows(&b)) == 0) &&
	    (rc = prefetch(&b)) == 0 && (rc = resolve(&b)) == 0 &&
	    (rc = store(&b)) == 0)
		rc = exec_ok(dry ? "ROLLBACK" : "COMMIT", 0, NULL);
	if (rc != 0) {
		PQclear(PQexec(db, "ROLLBACK"));
		bumped = before;
	} else if ((*n = b.n) > 0) {
		*last = b.r[b.n - 1].id;
		for (i = 0; i < b.n; i++)
			done += !b.r[i].defer;
		filled += done;
		batches += done > 0;
	}
	if (!dry)
		names_clear(&names);	/* the database knows better now */
	batch_free(&b);
	return rc;
}

/*
 * A failed batch worth trying again?  A timeout halves the batch; a
 * conflict with a concurrent writer (another run took a name first) or a
 * serialization failure just retries.
 */
static int
retry_after(int rc, size_t *size, int *tries)
{
	if (PQstatus(db) == CONNECTION_BAD || ++*tries > MAXRETRY)
		return 0;
	if (strcmp(db_last_sqlstate, "57014") == 0 && *size > 1) {
		*size /= 2;
		return 1;
	}
	return rc != 0 && (strcmp(db_last_sqlstate, "23505") == 0 ||
	    strcmp(db_last_sqlstate, "40001") == 0 ||
	    strcmp(db_last_sqlstate, "40P01") == 0);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * One pass over the rows still NULL, in id order.  A batch slower than
 * half of -T makes the next ones half as big; a quick one, twice as big,
 * up to -b.
 */
static int
pass(void)
{
	long long last = 0;
	size_t n, size = maxbatch;
	double t0;
	int rc, tries = 0;

	names_clear(&blocked);
	for (;;) {
		t0 = now_s();
		if ((rc = run_batch(&last, size, &n)) != 0) {
			if (retry_after(rc, &size, &tries))
				continue;
			fprintf(stderr, "co-backfill: %s", errmsg);
			return rc;
		}
		tries = 0;
		if (n == 0)
			return 0;
		if (now_s() - t0 > timeout / 2.0 && size > 1)
			size /= 2;
		else if (now_s() - t0 < timeout / 8.0 && size < maxbatch)
			size = size * 2 < maxbatch ? size * 2 : maxbatch;
		if (tty)
			fprintf(stderr, "\rco-backfill: %lu of %lld rows, "
			    "%lu batches", filled, total, batches);
	}
}

/* Rows without a call_sid, or -1. */
static long long
nulls(void)
{
	PGresult *r;
	long long n;

	r = PQexec(db, "SELECT count(*) FROM calls WHERE call_sid IS NULL");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "co-backfill: %s", PQerrorMessage(db));
		failed(r);
		return -1;
	}
	n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return n;
}

/* Passes until no row is NULL; rows others keep locked are waited for. */
static int
run(void)
{
	unsigned long before;
	long long left;
	int p, rc, waited = 0;

	if ((total = nulls()) < 0)
		return db_status(db);
	for (p = 0; p < MAXPASS; p++) {
		before = filled;
		if ((rc = pass()) != 0 || dry)
			return rc;
		if ((left = nulls()) < 0)
			return db_status(db);
		if (left == 0)
			return 0;
		if (filled == before) {
			if (++waited > LOCKWAIT) {
				warnx("%lld rows stay locked by others: "
				    "run again later", left);
				return EX_TEMPFAIL;
			}
			sleep(1);
		}
	}
	warnx("rows without call_sid keep coming: run again later");
	return EX_TEMPFAIL;
}

static const char help[] =
	    "usage: co-backfill [-n] [-b size] [-d conninfo] [-T seconds]\n"
	    "Give legacy calls rows their call_sid, in bounded batches.\n"
	    "  -b size      rows per batch, 1 to 100000 (default 1000)\n"
	    "  -d conninfo  the database (conninfo or postgresql:// URI)\n"
	    "  -n           dry run: change nothing, print the call_sid"
	    " each row would get\n"
	    "  -T seconds   the longest a batch's statement may take, 1"
	    " to 3600\n"
	    "  --help       this help\n"
	    "  --version    the version\n";

int
main(int argc, char *argv[])
{
	const char *conninfo = NULL;
	int ch, rc;

	cli_std(argc, argv, help);

	while ((ch = getopt(argc, argv, "b:d:nT:")) != -1) {
		switch (ch) {
		case 'b':
			maxbatch = (size_t)conf_num(optarg, 1, 100000,
			    "batch size");
			break;
		case 'd':
			conninfo = optarg;
			break;
		case 'n':
			dry = 1;
			break;
		case 'T':
			timeout = conf_num(optarg, 1, 3600, "batch time");
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	tty = isatty(STDERR_FILENO);
	/* It fills every tenant's rows; a dry run only reads them. */
	if ((db = dry ? db_connect(conninfo, &rc) :
	    db_connect_loader(conninfo, &rc)) == NULL)
		return rc;
	rc = run();
	if (tty && batches > 0)
		fputc('\n', stderr);
	fprintf(stderr, "co-backfill: %s%lu rows in %lu batches, %lu "
	    "disambiguated%s\n", dry ? "would fill " : "", filled, batches,
	    bumped, dry ? " (dry run: nothing changed)" : "");
	names_clear(&names);
	names_clear(&blocked);
	PQfinish(db);
	diag_stdout();
	return rc;
}
