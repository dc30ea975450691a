/*
 * co-drain - the cron job: claim spool files, run their records through the
 * verify, transform, classify and load stages, and file each spool file by
 * its records' fate (SPEC 8a).  The stages are the library's, run in one
 * process, so a record is parsed once instead of once per pipe.
 * Rule: a file moves only by rename, and only after its records' batch has
 * committed; a run killed at any instant leaves every file in one directory
 * and the next run finishes the work.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "cli.h"
#include "conf.h"
#include "db.h"
#include "diag.h"
#include "envelope.h"
#include "load.h"
#include "ndjson.h"
#include "spool.h"
#include "transform.h"
#include "verify.h"

#define CHUNK	20000		/* files listed at a time */
#define MAXJOBS	64

struct sfile {
	char	*name;
	const char *from;		/* "new" or "retry" until claimed */
	int	 outstanding;		/* records sent to the loader */
	int	 read;			/* all its lines were read */
	int	 pending, rejected, unavailable;
	char	*reason;			/* of its rejected records, or NULL */
};

struct drain {
	const char *root;
	char	 cur[200];		/* "cur/<id>": this run's claims */
	struct sfile *files;		/* candidates, sorted by name */
	size_t	 nfiles, nclaimed;
	struct verifier v;
	struct transform *t;
	struct classify_opts co;
	struct loader *l;
	long	 retry_after;
	unsigned long ndone, nretry, nfailed, nrecords, nrejected;
	int	 status;
	int	 unavailable;		/* a scheme had no secret */
	int	 jobs;			/* -j: drains run side by side */
	struct sfile *curfile;
	unsigned long curline;
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: co-drain [-b size] [-d conninfo] "
	    "[-f [source=]file] [-j jobs] [-n maxfiles] [-p maxage] [-R seconds] "
	    "[-s spool] [-u user]\n");
	exit(EX_USAGE);
}

/* Sorts both char * arrays and struct sfile arrays: name comes first. */
static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort names and keep the max oldest (names start with the time). */
static void
keep_oldest(char **v, size_t *n, size_t max)
{
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_name);
	while (*n > max)
		free(v[--*n]);
}

/*
 * The max oldest names of entries of root/sub, sorted, in memory bounded
 * by max whatever the directory's size; with due_after >= 0 only
 * files last moved there due_after seconds ago, and before this run began
 * (so a file this run put back is not taken again).
 */
static char **
list(const char *root, const char *sub, long due_after, size_t max,
    size_t *n)
{
	static struct timespec began;
	char path[PATH_MAX], **v = NULL;
	size_t cap = 0;
	struct dirent *e;
	struct stat st;
	time_t now = conf_now();
	DIR *d;

	/* The clock the kernel stamps files with, so "before" is exact. */
	if (began.tv_sec == 0)
		clock_gettime(CLOCK_REALTIME_COARSE, &began);
	*n = 0;
	snprintf(path, sizeof(path), "%s/%s", root, sub);
	if ((d = opendir(path)) == NULL)
		err(EX_IOERR, "%s", path);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strstr(e->d_name, ".reason") != NULL)
			continue;
		if (due_after >= 0 && (fstatat(dirfd(d), e->d_name, &st, 0) ==
		    -1 || st.st_mtime + due_after > now ||
		    st.st_mtim.tv_sec > began.tv_sec ||
		    (st.st_mtim.tv_sec == began.tv_sec &&
		    st.st_mtim.tv_nsec >= began.tv_nsec)))
			continue;
		if (*n == cap && (v = reallocarray(v, cap = cap ? 2 * cap :
		    1024, sizeof(*v))) == NULL)
			err(EX_OSERR, "reallocarray");
		if ((v[(*n)++] = strdup(e->d_name)) == NULL)
			err(EX_OSERR, "strdup");
		if (max < SIZE_MAX / 2 && *n == 2 * max)
			keep_oldest(v, n, max);
	}
	closedir(d);
	keep_oldest(v, n, max);
	return v;
}

/*
 * Give back the claims of runs that died: their cur/<id> directory is no
 * longer locked.  Their files go back to new/ to be claimed again.
 */
static void
adopt_orphans(struct drain *d)
{
	char sub[PATH_MAX], **dirs, **files;
	size_t i, j, nd, nf;
	int fd;

	dirs = list(d->root, "cur", -1, SIZE_MAX, &nd);
	for (i = 0; i < nd; i++) {
		snprintf(sub, sizeof(sub), "%s/cur/%s", d->root, dirs[i]);
		if ((fd = open(sub, O_RDONLY | O_DIRECTORY)) == -1) {
			/* A file left in cur/ itself: hand it back too. */
			if (errno == ENOTDIR)
				spool_move(d->root, "cur", "new", dirs[i]);
			free(dirs[i]);
			continue;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			snprintf(sub, sizeof(sub), "cur/%s", dirs[i]);
			files = list(d->root, sub, -1, SIZE_MAX, &nf);
			for (j = 0; j < nf; j++) {
				if (spool_move(d->root, sub, "new", files[j]) == -1)
					warn("%s/%s", sub, files[j]);
				free(files[j]);
			}
			free(files);
			snprintf(sub, sizeof(sub), "%s/cur/%s", d->root, dirs[i]);
			if (rmdir(sub) == 0)
				warnx("took back %zu files of a run that died", nf);
		}
		close(fd);
		free(dirs[i]);
	}
	free(dirs);
}

/*
 * Make and lock cur/<id>; the lock lives as long as this process.  It is
 * made under a dot name and renamed once locked, so no other run can take
 * it for an orphan in between.
 */
static void
make_claim_dir(struct drain *d)
{
	char tmp[PATH_MAX], path[PATH_MAX], host[64];
	int fd;

	if (gethostname(host, sizeof(host)) == -1)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(d->cur, sizeof(d->cur), "cur/drain.%.64s.%ld.%lld", host,
	    (long)getpid(), (long long)time(NULL));
	snprintf(tmp, sizeof(tmp), "%s/cur/.new.%ld", d->root, (long)getpid());
	snprintf(path, sizeof(path), "%s/%s", d->root, d->cur);
	if (mkdir(tmp, 0700) == -1)
		err(EX_IOERR, "%s", tmp);
	if ((fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    flock(fd, LOCK_EX) == -1 || rename(tmp, path) == -1)
		err(EX_IOERR, "%s", path);
}

static struct sfile *
find_file(struct drain *d, const char *name)
{
	size_t lo = 0, hi = d->nfiles, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(name, d->files[mid].name)) == 0)
			return &d->files[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Add "LINE: why" to the file's reasons (the first few are kept). */
static void
note(struct sfile *f, unsigned long line, const char *why)
{
	size_t n = f->reason ? strlen(f->reason) : 0;
	char *p;

	if (n > 400)
		return;
	if ((p = realloc(f->reason, n + strlen(why) + 32)) == NULL)
		err(EX_OSERR, "realloc");
	f->reason = p;
	sprintf(p + n, "%s%lu: %s", n ? "; " : "", line, why);
}

static void
write_reason(struct drain *d, struct sfile *f)
{
	char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/failed/%s.reason", d->root, f->name);
	if ((fp = fopen(path, "w")) == NULL) {
		warn("%s", path);
		return;
	}
	fprintf(fp, "%s\n", f->reason ? f->reason : "rejected");
	fclose(fp);
}

/* File a spool file whose records all have their fate. */
static void
settle(struct drain *d, struct sfile *f)
{
	const char *to;
	char path[PATH_MAX];

	if (f->rejected) {
		to = "failed";
		write_reason(d, f);
		d->nfailed++;
	} else if (f->pending || f->unavailable) {
		to = "retry";
		d->nretry++;
	} else {
		to = "done";
		d->ndone++;
	}
	if (spool_move(d->root, d->cur, to, f->name) == -1) {
		warn("%s/%s", d->cur, f->name);
		d->status = diag_worse(d->status, EX_IOERR);
	} else if (strcmp(to, "retry") == 0) {
		/* The retry clock starts now. */
		snprintf(path, sizeof(path), "%s/retry/%s", d->root, f->name);
		utimensat(AT_FDCWD, path, NULL, 0);
	}
	f->outstanding = -1;
	if (f->rejected)
		d->status = diag_worse(d->status, EX_DATAERR);
}

static void
maybe_settle(struct drain *d, struct sfile *f)
{
	if (f->read && f->outstanding == 0)
		settle(d, f);
}

/* The loader's word on one record. */
static void
fate(void *arg, jv fv)
{
	struct drain *d = arg;
	struct sfile *f;
	const char *status, *sf, *reason;
	jv line;

	sf = env_str(fv, "spool_file", NULL);
	status = env_str(fv, "status", NULL);
	if (sf == NULL || status == NULL || (f = find_file(d, sf)) == NULL) {
		jv_free(fv);
		return;
	}
	if (strcmp(status, "pending") == 0)
		f->pending++;
	else if (strcmp(status, "rejected") == 0) {
		line = jv_object_get(jv_copy(fv), jv_string("line"));
		reason = env_str(fv, "reason", NULL);
		diag_rec(f->name, (unsigned long)jv_number_value(line), "%s",
		    reason ? reason : "rejected");
		note(f, (unsigned long)jv_number_value(line), reason ?
		    reason : "rejected");
		jv_free(line);
		f->rejected++;
	}
	jv_free(fv);
	f->outstanding--;
	maybe_settle(d, f);
}

/* A record that never reached the loader. */
static void
reject(struct drain *d, struct sfile *f, unsigned long line, const char *why)
{
	d->nrejected++;
	diag_rec(f->name, line, "%s", why);
	note(f, line, why);
	f->rejected++;
}

/* transform_run's callback: classify and queue one event. */
static void
emit(void *arg, jv ev)
{
	struct drain *d = arg;
	int rc;

	ev = classify_event(&d->co, ev);
	d->curfile->outstanding++;
	rc = loader_add(d->l, ev, d->curfile->name, d->curline, fate, d);
	if (rc != 0 && rc != EX_DATAERR)
		d->status = diag_worse(d->status, rc);
}

static int
fatal(const struct drain *d)
{
	return d->status == EX_TEMPFAIL || d->status == EX_UNAVAILABLE ||
	    d->status == EX_SOFTWARE;
}

static void
record(struct drain *d, struct sfile *f, char *line, size_t len,
    unsigned long n)
{
	char why[200];
	jv env;
	int rc;

	d->nrecords++;
	env = ndjson_parse(line, len, why, sizeof(why));
	if (!jv_is_valid(env)) {
		reject(d, f, n, why);
		return;
	}
	env = jv_object_set(env, jv_string("spool_file"), jv_string(f->name));
	if (env_check(env, why, sizeof(why)) == -1 ||
	    (rc = verify_envelope(&d->v, env, why, sizeof(why))) == EX_DATAERR) {
		jv_free(env);
		reject(d, f, n, why);
		return;
	}
	if (rc == EX_UNAVAILABLE) {
		jv_free(env);
		diag_rec(f->name, n, "%s", why);
		f->unavailable++;
		d->unavailable = 1;
		return;
	}
	d->curfile = f;
	d->curline = n;
	if ((rc = transform_run(d->t, env, emit, d, why, sizeof(why))) != 0) {
		reject(d, f, n, why);
		if (rc != EX_DATAERR)
			d->status = diag_worse(d->status, rc);
	}
}

/* Read one claimed file and hand each of its lines to record(). */
static void
process(struct drain *d, struct sfile *f)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long n = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s/%s", d->root, d->cur, f->name);
	if ((fp = fopen(path, "r")) == NULL) {
		warn("%s", path);
		d->status = diag_worse(d->status, EX_IOERR);
		f->unavailable++;
	} else {
		while (!fatal(d) && (len = getline(&line, &cap, fp)) != -1) {
			n++;
			if (len > 0 && line[len - 1] == '\n')
				line[--len] = '\0';
			record(d, f, line, (size_t)len, n);
		}
		if (n == 0)
			reject(d, f, 0, "empty file");
		fclose(fp);
	}
	free(line);
	f->read = 1;
	if (!fatal(d))
		maybe_settle(d, f);
}

/* Claim one candidate by renaming it into our cur/ directory. */
static int
claim(struct drain *d, const char *from, const char *name)
{
	if (spool_move(d->root, from, d->cur, name) == 0)
		return 0;
	if (errno != ENOENT) {
		warn("%s/%s", from, name);
		d->status = diag_worse(d->status, EX_IOERR);
	}
	return -1;
}

/* Put back what this run claimed but could not finish. */
static void
give_back(struct drain *d)
{
	size_t i;

	for (i = 0; i < d->nfiles; i++)
		if (d->files[i].outstanding != -1 &&
		    spool_move(d->root, d->cur, "new", d->files[i].name) == -1)
			warn("%s/%s", d->cur, d->files[i].name);
}

static void
summary(const struct drain *d)
{
	struct loader_stats st;

	loader_stats(d->l, &st);
	fprintf(stderr, "co-drain: %zu files: %lu done, %lu retry, %lu failed; "
	    "%lu records: %lu inserted, %lu duplicate, %lu pending, "
	    "%lu rejected\n", d->nclaimed, d->ndone, d->nretry, d->nfailed,
	    d->nrecords, st.inserted, st.duplicate, st.pending,
	    st.rejected + d->nrejected);
}

/*
 * Candidates: up to CHUNK names from new/, or when new/ is empty, from
 * due retry/ files, in name order (oldest first).  They are claimed one at
 * a time as they are processed, so runs started together share the work,
 * and memory stays bounded whatever the size of the spool.
 */
static size_t
collect(struct drain *d)
{
	const char *from = "new";
	char **v;
	size_t i, n;

	v = list(d->root, from, -1, CHUNK, &n);
	if (n == 0) {
		free(v);
		from = "retry";
		v = list(d->root, from, d->retry_after, CHUNK, &n);
	}
	if ((d->files = calloc(n + 1, sizeof(*d->files))) == NULL)
		err(EX_OSERR, "calloc");
	for (i = 0; i < n; i++) {
		d->files[i].name = v[i];
		d->files[i].from = from;
		d->files[i].outstanding = -1;	/* not ours (yet) */
	}
	free(v);
	return d->nfiles = n;
}

static void
free_chunk(struct drain *d)
{
	size_t i;

	for (i = 0; i < d->nfiles; i++) {
		free(d->files[i].name);
		free(d->files[i].reason);
	}
	free(d->files);
	d->files = NULL;
	d->nfiles = 0;
}

/*
 * Process one chunk; every file of it is settled (or, after a fatal error,
 * given back) before it returns.  The number of files it claimed.
 */
static size_t
drain_chunk(struct drain *d, long long max)
{
	size_t i, n = 0;
	int rc;

	for (i = 0; i < d->nfiles && !fatal(d) &&
	    (long long)d->nclaimed < max; i++) {
		if (claim(d, d->files[i].from, d->files[i].name) == -1)
			continue;
		d->files[i].outstanding = 0;
		d->nclaimed++;
		n++;
		process(d, &d->files[i]);
	}
	if (!fatal(d)) {
		/* fate() may raise d->status meanwhile: read it after. */
		rc = loader_flush(d->l, fate, d);
		d->status = diag_worse(d->status, rc);
	}
	if (fatal(d))
		give_back(d);
	return n;
}

static void
setup(struct drain *d, int argc, char **argv, struct loader_opts *lo,
    long long *max, const char **conninfo)
{
	int ch;

	while ((ch = getopt(argc, argv, "b:d:f:j:n:p:R:s:u:")) != -1) {
		switch (ch) {
		case 'b':
			lo->batch = (size_t)conf_num(optarg, 1, 1000000,
			    "batch size");
			break;
		case 'd':
			*conninfo = optarg;
			break;
		case 'f':
			if (transform_set(d->t, optarg) == -1)
				exit(EX_USAGE);
			break;
		case 'j':
			d->jobs = (int)conf_num(optarg, 1, MAXJOBS, "job count");
			break;
		case 'n':
			*max = conf_num(optarg, 1, LLONG_MAX, "file count");
			break;
		case 'p':
			lo->pending_max_age = (long)conf_num(optarg, 1,
			    LONG_MAX, "pending age");
			break;
		case 'R':
			d->retry_after = (long)conf_num(optarg, 0, LONG_MAX,
			    "retry interval");
			break;
		case 's':
			d->root = optarg;
			break;
		case 'u':
			lo->tenant = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

/*
 * -j: jobs-1 more drains in child processes, each a run of its own (its
 * own claims, connection and batches), as if started side by side.
 */
static int
spawn(int jobs, pid_t *kids)
{
	int i, n = 0;
	pid_t pid;

	for (i = 1; i < jobs; i++) {
		if ((pid = fork()) == -1) {
			warn("fork");
			break;
		}
		if (pid == 0)
			return 0;
		kids[n++] = pid;
	}
	return n;
}

/* Wait for the children; the worst exit status wins. */
static int
reap(pid_t *kids, int n, int status)
{
	int i, st;

	for (i = 0; i < n; i++) {
		if (waitpid(kids[i], &st, 0) == -1)
			st = EX_SOFTWARE << 8;
		status = diag_worse(status, WIFEXITED(st) ? WEXITSTATUS(st) :
		    EX_SOFTWARE);
	}
	return status;
}

static const char help[] =
	    "usage: co-drain [-b size] [-d conninfo] [-f [source=]file]"
	    " [-j jobs]\n"
	    "                [-n maxfiles] [-p maxage] [-R seconds] [-s"
	    " spool] [-u user]\n"
	    "Claim spooled webhooks and verify, transform, classify and"
	    " load them.\n"
	    "  -b size             records per database batch (default"
	    " 2000)\n"
	    "  -d conninfo         the database (conninfo or"
	    " postgresql:// URI)\n"
	    "  -f [source=]file    replace a transform program, as"
	    " co-transform -f\n"
	    "  -j jobs             drains side by side, 1 to 64\n"
	    "  -n maxfiles         claim at most maxfiles files in this run\n"
	    "  -p maxage           seconds a pending record may wait"
	    " before it is rejected\n"
	    "  -R seconds          how long a file waits in retry/"
	    " (default 300)\n"
	    "  -s spool            the spool root (default CO_SPOOL,\n"
	    "                      /var/spool/call-outcomes)\n"
	    "  -u user             the default tenant, as co-load -u\n"
	    "  --help              this help\n"
	    "  --version           the version\n";

int
main(int argc, char *argv[])
{
	pid_t kids[MAXJOBS];
	int nkids;
	static struct drain d;
	struct loader_opts lo = { 0 };
	const char *conninfo = NULL;
	long long max = LLONG_MAX;
	char path[PATH_MAX];
	PGconn *c;
	size_t n;
	int status;

	cli_std(argc, argv, help);

	d.retry_after = 300;
	d.t = transform_new();
	classify_defaults(&d.co);
	setup(&d, argc, argv, &lo, &max, &conninfo);
	d.root = conf_spool(d.root);
	if (verify_init(&d.v) == -1)
		return EX_UNAVAILABLE;
	if (spool_init(d.root) == -1)
		err(EX_IOERR, "%s", d.root);
	nkids = spawn(d.jobs, kids);
	if ((c = db_connect_loader(conninfo, &status)) == NULL)
		return reap(kids, nkids, status);
	d.l = loader_new(c, &lo);
	make_claim_dir(&d);
	adopt_orphans(&d);
	while (!fatal(&d) && (long long)d.nclaimed < max && collect(&d) > 0) {
		n = drain_chunk(&d, max);
		free_chunk(&d);
		if (n == 0)
			break;		/* nothing could be claimed: no progress */
	}
	summary(&d);
	spool_sync(d.root, "done");
	spool_sync(d.root, "new");
	spool_sync(d.root, "retry");
	spool_sync(d.root, "failed");
	snprintf(path, sizeof(path), "%s/%s", d.root, d.cur);
	rmdir(path);
	loader_free(d.l);
	transform_free(d.t);
	verify_free(&d.v);
	PQfinish(c);
	if (d.unavailable)
		d.status = diag_worse(d.status, EX_UNAVAILABLE);
	return reap(kids, nkids, d.status);
}
