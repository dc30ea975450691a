/*
 * co-migrate - apply or roll back the SQL migrations in NNN_name.up.sql /
 * NNN_name.down.sql, each in its own transaction, recorded in
 * schema_migrations.  Rule: one runner at a time (a session advisory lock).
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "db.h"
#include "diag.h"

#ifndef CO_MIGRATIONS
#define CO_MIGRATIONS "/usr/local/share/call-outcomes/migrations"
#endif
#define LOCK_KEY	"7305524121"	/* any constant: "co-migrate" */
#define MAXMIG		1000

struct mig {
	int	 version;
	char	 name[NAME_MAX + 1];	/* without .up.sql */
	int	 applied;
};

static const char *dir;
static struct mig migs[MAXMIG];
static int nmigs;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: co-migrate [-d conninfo] [-m dir] "
	    "up | down [n] | status\n");
	exit(EX_USAGE);
}

static int
cmp_mig(const void *a, const void *b)
{
	return ((const struct mig *)a)->version - ((const struct mig *)b)->version;
}

static void
scan(void)
{
	DIR *d;
	struct dirent *e;
	size_t n;
	int v;

	if ((d = opendir(dir)) == NULL)
		err(EX_UNAVAILABLE, "%s", dir);
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (n < 8 || strcmp(e->d_name + n - 7, ".up.sql") != 0)
			continue;
		if (sscanf(e->d_name, "%d_", &v) != 1 || v <= 0)
			continue;
		if (nmigs == MAXMIG)
			errx(EX_SOFTWARE, "%s: too many migrations", dir);
		migs[nmigs].version = v;
		snprintf(migs[nmigs].name, sizeof(migs[0].name), "%.*s",
		    (int)(n - 7), e->d_name);
		nmigs++;
	}
	closedir(d);
	qsort(migs, nmigs, sizeof(migs[0]), cmp_mig);
}

static char *
slurp(const char *name, const char *suffix)
{
	char path[PATH_MAX];
	FILE *fp;
	char *buf = NULL;
	size_t cap = 0;

	snprintf(path, sizeof(path), "%s/%s%s", dir, name, suffix);
	if ((fp = fopen(path, "r")) == NULL)
		err(EX_UNAVAILABLE, "%s", path);
	if (getdelim(&buf, &cap, '\0', fp) == -1 && ferror(fp))
		err(EX_IOERR, "%s", path);
	fclose(fp);
	return buf ? buf : strdup("");
}

static int
sql(PGconn *c, const char *q, int n, const char *const *v)
{
	PGresult *r;
	ExecStatusType want = PGRES_COMMAND_OK;

	if (strncmp(q, "SELECT", 6) == 0)
		want = PGRES_TUPLES_OK;
	if ((r = db_exec(c, q, n, v, want)) == NULL)
		return -1;
	PQclear(r);
	return 0;
}

static int
setup(PGconn *c)
{
	PGresult *r;
	int i, j;

	if (sql(c, "SET client_min_messages = warning", 0, NULL) == -1 ||
	    sql(c, "SELECT pg_advisory_lock(" LOCK_KEY ")", 0, NULL) == -1 ||
	    sql(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version integer PRIMARY KEY, name text NOT NULL, "
	    "applied_at timestamptz NOT NULL DEFAULT now())", 0, NULL) == -1)
		return -1;
	if ((r = db_exec(c, "SELECT version FROM schema_migrations",
	    0, NULL, PGRES_TUPLES_OK)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++)
		for (j = 0; j < nmigs; j++)
			if (migs[j].version == atoi(PQgetvalue(r, i, 0)))
				migs[j].applied = 1;
	PQclear(r);
	return 0;
}

/* Run one migration file and record it, in one transaction. */
static int
step(PGconn *c, struct mig *m, int up)
{
	char ver[16], *body;
	const char *v[2];
	int rc;

	snprintf(ver, sizeof(ver), "%d", m->version);
	v[0] = ver;
	v[1] = m->name;
	body = slurp(m->name, up ? ".up.sql" : ".down.sql");
	rc = sql(c, "BEGIN", 0, NULL) == -1 || sql(c, body, 0, NULL) == -1 ||
	    sql(c, up ? "INSERT INTO schema_migrations (version, name) "
	    "VALUES ($1, $2)" : "DELETE FROM schema_migrations "
	    "WHERE version = $1", up ? 2 : 1, v) == -1 ||
	    sql(c, "COMMIT", 0, NULL) == -1;
	free(body);
	if (rc) {
		warnx("%s: %s failed, rolled back", m->name, up ? "up" : "down");
		PQclear(PQexec(c, "ROLLBACK"));
		return db_status(c) == EX_TEMPFAIL ? EX_TEMPFAIL : EX_DATAERR;
	}
	printf("%s %s\n", up ? "applied" : "reverted", m->name);
	m->applied = up;
	return 0;
}

static int
cmd_up(PGconn *c)
{
	int i, rc;

	for (i = 0; i < nmigs; i++)
		if (!migs[i].applied && (rc = step(c, &migs[i], 1)) != 0)
			return rc;
	return 0;
}

static int
cmd_down(PGconn *c, long long n)
{
	int i, rc;

	for (i = nmigs - 1; i >= 0 && n > 0; i--)
		if (migs[i].applied) {
			if ((rc = step(c, &migs[i], 0)) != 0)
				return rc;
			n--;
		}
	return 0;
}

static int
cmd_status(void)
{
	int i;

	for (i = 0; i < nmigs; i++)
		printf("%s %s\n", migs[i].applied ? "applied" : "pending",
		    migs[i].name);
	return 0;
}

static const char help[] =
	    "usage: co-migrate [-d conninfo] [-m dir] up | down [n] |"
	    " status\n"
	    "Apply or undo the SQL migrations.\n"
	    "  up           apply every migration not yet applied\n"
	    "  down [n]     undo the last n migrations (default 1)\n"
	    "  status       list the migrations, applied or not\n"
	    "  -d conninfo  the database (conninfo or postgresql:// URI)\n"
	    "  -m dir       the migrations (default CO_MIGRATIONS, else"
	    " the installed ones)\n"
	    "  --help       this help\n"
	    "  --version    the version\n";

int
main(int argc, char *argv[])
{
	const char *conninfo = NULL;
	long long n = 1;
	PGconn *c;
	int ch, rc, status;

	cli_std(argc, argv, help);

	if ((dir = getenv("CO_MIGRATIONS")) == NULL || *dir == '\0')
		dir = CO_MIGRATIONS;
	while ((ch = getopt(argc, argv, "d:m:")) != -1) {
		switch (ch) {
		case 'd':
			conninfo = optarg;
			break;
		case 'm':
			dir = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		warnx("no subcommand: up, down or status");
	else if (strcmp(argv[0], "up") != 0 && strcmp(argv[0], "down") != 0 &&
	    strcmp(argv[0], "status") != 0)
		warnx("unknown subcommand: %s", argv[0]);
	else if (argc > (strcmp(argv[0], "down") == 0 ? 2 : 1))
		warnx("too many arguments");
	if (argc < 1 || argc > 2)
		usage();
	if (strcmp(argv[0], "down") == 0 && argc == 2)
		n = conf_num(argv[1], 1, MAXMIG, "count");
	else if (argc != 1 || (strcmp(argv[0], "up") != 0 &&
	    strcmp(argv[0], "down") != 0 && strcmp(argv[0], "status") != 0))
		usage();
	scan();
	if ((c = db_connect(conninfo, &status)) == NULL)
		return status;
	if (setup(c) == -1) {
		rc = db_status(c);
		PQfinish(c);
		return rc;
	}
	if (strcmp(argv[0], "up") == 0)
		rc = cmd_up(c);
	else if (strcmp(argv[0], "down") == 0)
		rc = cmd_down(c, n);
	else
		rc = cmd_status();
	PQfinish(c);
	diag_stdout();
	return rc;
}
