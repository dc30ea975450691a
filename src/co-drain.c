/*
 * co-drain - the cron job: claim spool files, run their records through the
 * verify, transform, classify and load stages, and file each spool file by
 * its records' fate (SPEC 8a).  The stages are the library's, run in one
 * process, so a record is parsed once instead of once per pipe.
 * Rule: a file moves only by rename, and only after its records' batch has
 * committed; a run killed at any instant leaves every file in one directory
 * and the next run finishes the work.
 * The work runs in a child process watched by its parent, so a record that
 * crashes it (libjq 1.6 aborts on some inputs) fails its file, not the run.
 */
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "classify.h"
#include "cli.h"
#include "conf.h"
#include "db.h"
#include "diag.h"
#include "envelope.h"
#include "load.h"
#include "ndjson.h"
#include "provider.h"
#include "rules.h"
#include "spool.h"
#include "transform.h"
#include "unlinker.h"
#include "verify.h"

#define CHUNK	20000		/* files listed at a time */
#define MAXJOBS	64
#define RECORD_SECS	60	/* longest a record's own stages may take */
#define MAXCRASH	100	/* records that crash the worker, per run */
#define STALE_SECS	60	/* age of a cur/.new.* directory left behind */
#define PENDING_MODE	0400	/* a file once pending; mtime: since when */

/* One job's last run, for --metrics; in memory shared by the jobs. */
#define NSOURCES	16	/* providers counted: the table's first */
struct runstats {
	int	 ran;
	unsigned long files[3];		/* done, retry, failed */
	unsigned long rec[4];		/* inserted, duplicate, pending, rejected */
	unsigned long events[NSOURCES];
	unsigned long nrecords;
};

/* A record that crashed a worker, and how. */
struct poison {
	char	 file[NAME_MAX + 1];
	unsigned long line;
	int	 sig;
};

/*
 * What the worker is doing, in memory shared with its parent: while
 * active, the record at file:line is in its verify, transform or classify
 * stage, so a crash then is that record's.  The parent lists such records
 * for the next worker, which rejects them without running their stages.
 */
struct inflight {
	volatile sig_atomic_t active;
	unsigned long line;
	char	 cur[200];
	char	 file[NAME_MAX + 1];
	int	 npoison;
	struct poison poison[MAXCRASH];
};

struct sfile {
	char	*name;
	const char *from;		/* "new" or "retry" until claimed */
	int	 outstanding;		/* records sent to the loader */
	int	 read;			/* all its lines were read */
	int	 pending, rejected, unavailable;
	int	 marked;		/* mode PENDING_MODE: since is kept */
	time_t	 since;			/* its first pending attempt */
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
	long	 max_age;		/* -p: pending or unavailable */
	unsigned long ndone, nretry, nfailed, nrecords, nrejected, naged;
	int	 status;
	int	 unavailable;		/* a scheme had no secret */
	int	 jobs;			/* -j: drains run side by side */
	int	 verbose;		/* -v: a summary even when idle */
	int	 tty;			/* stderr is a terminal: progress */
	struct timespec t0, shown;	/* start, last progress line */
	struct sfile *curfile;
	unsigned long curline;
	struct inflight *in;
	struct runstats *stats;		/* --metrics: this job's slot */
	long	 keep_days;		/* -A: archive; 0: keep done/ */
	char	**arch;			/* done files waiting in cur/ */
	size_t	 narch, archcap;
	struct unlinker *unl;		/* unlinks archived files, or NULL */
};

static int jobno;			/* 0: the first job, which reports */
static size_t chunk = CHUNK;		/* CO_DRAIN_CHUNK, for the tests */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: co-drain [-v] [-A days] [-b size] "
	    "[-d conninfo] [-f [source=]file] [-j jobs]\n"
	    "                [-n maxfiles] [-p maxage] [-R seconds] "
	    "[-s spool] [-u user]\n"
	    "                [--metrics file] [--rules rules.jq]\n");
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
 * (so a file this run put back is not taken again).  "Moved there" is the
 * change time (ctime) that settle() sets; the mtime of a retry file is its
 * first pending attempt.
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
	time_t now = time(NULL);	/* ctime is the kernel's: not CO_NOW */
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
		if (due_after >= 0 && (fstatat(dirfd(d), e->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1 ||
		    st.st_ctime + due_after > now ||
		    st.st_ctim.tv_sec > began.tv_sec ||
		    (st.st_ctim.tv_sec == began.tv_sec &&
		    st.st_ctim.tv_nsec >= began.tv_nsec)))
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
 * Lock cur/NAME when no live run holds it; the open descriptor, or -1.
 * Never follows a symlink, never blocks on a FIFO.
 */
static int
lock_orphan(const char *root, const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/cur/%s", root, name);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC)) == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Hand the files of the locked cur/NAME back to new/ and remove it. */
static void
take_back(const char *root, const char *name)
{
	char sub[PATH_MAX], **files;
	size_t j, nf;

	snprintf(sub, sizeof(sub), "cur/%s", name);
	files = list(root, sub, -1, SIZE_MAX, &nf);
	for (j = 0; j < nf; j++) {
		if (spool_move(root, sub, "new", files[j]) == -1)
			warn("%s/%s", sub, files[j]);
		free(files[j]);
	}
	free(files);
	snprintf(sub, sizeof(sub), "%s/cur/%s", root, name);
	if (rmdir(sub) == 0 && nf > 0)
		warnx("took back %zu files of a run that died", nf);
}

/*
 * cur/.new.XXXXXX directories of runs killed between mkdtemp and rename:
 * removed once unlocked and STALE_SECS old (a younger one may be a run
 * between its mkdtemp and its flock).
 */
static void
reap_new_dirs(const char *root)
{
	char path[PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *dir;
	int fd;

	snprintf(path, sizeof(path), "%s/cur", root);
	if ((dir = opendir(path)) == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		if (strncmp(e->d_name, ".new.", 5) != 0 ||
		    fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
		    -1 || !S_ISDIR(st.st_mode) ||
		    st.st_mtime + STALE_SECS > time(NULL))
			continue;
		if ((fd = lock_orphan(root, e->d_name)) != -1) {
			take_back(root, e->d_name);
			close(fd);
		}
	}
	closedir(dir);
}

/*
 * Give back the claims of runs that died: their cur/<id> directory is no
 * longer locked.  Their files go back to new/ to be claimed again.
 */
static void
adopt_orphans(struct drain *d)
{
	char sub[PATH_MAX], **dirs;
	size_t i, nd;
	struct stat st;
	int fd;

	reap_new_dirs(d->root);
	dirs = list(d->root, "cur", -1, SIZE_MAX, &nd);
	for (i = 0; i < nd; i++) {
		snprintf(sub, sizeof(sub), "%s/cur/%s", d->root, dirs[i]);
		if (lstat(sub, &st) == 0 && !S_ISDIR(st.st_mode)) {
			/* A file left in cur/ itself: hand it back too. */
			spool_move(d->root, "cur", "new", dirs[i]);
		} else if ((fd = lock_orphan(d->root, dirs[i])) != -1) {
			take_back(d->root, dirs[i]);
			close(fd);
		}
		free(dirs[i]);
	}
	free(dirs);
}

/*
 * Make and lock cur/<id>; the lock lives as long as this process.  It is
 * made by mkdtemp under a dot name and renamed once locked, so no other
 * run can take it for an orphan in between; a dot directory a killed run
 * left is removed by reap_new_dirs().
 */
static void
make_claim_dir(struct drain *d)
{
	char tmp[PATH_MAX], path[PATH_MAX], host[64];
	int fd;

	if (gethostname(host, sizeof(host)) == -1)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(tmp, sizeof(tmp), "%s/cur/.new.XXXXXX", d->root);
	if (mkdtemp(tmp) == NULL)
		err(EX_IOERR, "%s", tmp);
	snprintf(d->cur, sizeof(d->cur), "cur/drain.%.64s.%ld.%lld.%s", host,
	    (long)getpid(), (long long)time(NULL), strrchr(tmp, '.') + 1);
	snprintf(path, sizeof(path), "%s/%s", d->root, d->cur);
	if ((fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    flock(fd, LOCK_EX) == -1 || rename(tmp, path) == -1)
		err(EX_IOERR, "%s", path);
	if (d->in != NULL)
		snprintf(d->in->cur, sizeof(d->in->cur), "%s", d->cur);
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

/*
 * Before a file goes to retry/: the first time, its mtime becomes this
 * attempt's time and its mode PENDING_MODE, which says the mtime is kept.
 * A file leaving retry/ for good gets its usual mode back.  In that order,
 * a crash in between leaves at worst a later first attempt, never an
 * earlier one.
 */
static void
mark(struct drain *d, struct sfile *f, int pending)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
	char path[PATH_MAX];

	if (pending == f->marked)
		return;
	snprintf(path, sizeof(path), "%s/%s/%s", d->root, d->cur, f->name);
	if (pending) {
		ts[1].tv_sec = f->since;
		if (utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) == -1 ||
		    chmod(path, PENDING_MODE) == -1)
			warn("%s", path);
	} else if (chmod(path, 0600) == -1)
		warn("%s", path);
}

/* File a spool file whose records all have their fate. */
static void
settle(struct drain *d, struct sfile *f)
{
	struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
	const char *to;
	char path[PATH_MAX];

	if (f->rejected)
		to = "failed";
	else if (f->pending || f->unavailable)
		to = "retry";
	else
		to = "done";
	mark(d, f, *to == 'r');
	if (*to == 'd' && d->keep_days > 0) {
		/* Archived with the others at the end of the chunk. */
		if (d->narch == d->archcap && (d->arch = reallocarray(d->arch,
		    d->archcap = d->archcap ? 2 * d->archcap : 1024,
		    sizeof(*d->arch))) == NULL)
			err(EX_OSERR, "reallocarray");
		d->arch[d->narch++] = f->name;
		f->outstanding = -1;
		d->ndone++;
		return;
	}
	if (f->rejected && spool_write_reason(d->root, f->name, f->reason ?
	    f->reason : "rejected") == -1) {
		/* Its fate is not told: it is taken again next run. */
		warn("%s/failed/%s.reason", d->root, f->name);
		to = "new";
	}
	if (spool_move(d->root, d->cur, to, f->name) == -1) {
		warn("%s/%s", d->cur, f->name);
		d->status = diag_worse(d->status, EX_IOERR);
	} else if (*to == 'r') {
		/* The retry clock starts now: ctime, on every filesystem. */
		snprintf(path, sizeof(path), "%s/retry/%s", d->root, f->name);
		utimensat(AT_FDCWD, path, now, AT_SYMLINK_NOFOLLOW);
	}
	f->outstanding = -1;
	if (*to == 'n')
		d->status = diag_worse(d->status, EX_IOERR);
	else if (f->rejected) {
		d->nfailed++;
		d->status = diag_worse(d->status, EX_DATAERR);
	} else if (*to == 'r')
		d->nretry++;
	else
		d->ndone++;
}

static void
maybe_settle(struct drain *d, struct sfile *f)
{
	if (f->read && f->outstanding == 0)
		settle(d, f);
}

/* Pending (or without a secret) for longer than -p since the first try? */
static int
aged(const struct drain *d, const struct sfile *f)
{
	return conf_now() - f->since > d->max_age;
}

/* A pending record that waited too long: rejected, with what it lacked. */
static void
age_out(struct drain *d, struct sfile *f, const struct load_fate *fv,
    const char *what, const char *dflt)
{
	char why[300];

	snprintf(why, sizeof(why), "%s for more than %ld s: %s", what,
	    d->max_age, fv->reason != NULL ? fv->reason : dflt);
	diag_rec(f->name, fv->line, "%s", why);
	note(f, fv->line, why);
	f->rejected++;
	d->naged++;
}

/* The loader's word on one record. */
static void
fate(void *arg, const struct load_fate *fv)
{
	struct drain *d = arg;
	struct sfile *f;
	const char *reason = fv->reason ? fv->reason : "rejected";

	if (fv->spool_file == NULL ||
	    (f = find_file(d, fv->spool_file)) == NULL)
		return;
	if (fv->status == LOAD_PENDING && aged(d, f))
		age_out(d, f, fv, "pending", "no call or tenant");
	else if (fv->status == LOAD_PENDING)
		f->pending++;
	else if (fv->status == LOAD_REJECTED) {
		diag_rec(f->name, fv->line, "%s", reason);
		note(f, fv->line, reason);
		f->rejected++;
	}
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

/*
 * Enter (on) or leave the stages that read the record itself: a crash or
 * a hang (RECORD_SECS, then SIGALRM) inside them is the record's.
 */
static void
risky(struct drain *d, int on)
{
	if (d->in == NULL)
		return;
	if (on) {
		d->in->line = d->curline;
		d->in->active = 1;
		alarm(RECORD_SECS);
	} else {
		alarm(0);
		d->in->active = 0;
	}
}

static void
count_source(struct runstats *st, jv ev)
{
	const char *src = json_str(ev, "source", NULL);
	int i;

	for (i = 0; src != NULL && i < NSOURCES && provider_table[i] != NULL;
	    i++)
		if (strcmp(src, provider_table[i]->name) == 0)
			st->events[i]++;
}

/* transform_run's callback: classify and queue one event. */
static void
emit(void *arg, jv ev)
{
	struct drain *d = arg;
	char why[200];
	int rc;

	if (classify_run(&d->co, ev, &ev, why, sizeof(why)) != 0) {
		jv_free(ev);	/* --rules refused it: the event's rejection */
		reject(d, d->curfile, d->curline, why);
		return;
	}
	d->curfile->outstanding++;
	if (d->stats != NULL)
		count_source(d->stats, ev);
	risky(d, 0);		/* the loader's faults are not the record's */
	rc = loader_add(d->l, ev, d->curfile->name, d->curline, fate, d);
	risky(d, 1);
	if (rc != 0 && rc != EX_DATAERR)
		d->status = diag_worse(d->status, rc);
}

static int	poisoned(struct drain *, struct sfile *, unsigned long);

static int
fatal(const struct drain *d)
{
	return d->status == EX_TEMPFAIL || d->status == EX_UNAVAILABLE ||
	    d->status == EX_SOFTWARE || d->status == EX_IOERR;
}

/*
 * A record whose scheme has no secret here waits in retry/ like a pending
 * one, and like one fails once it waited longer than -p.
 */
static void
unavailable(struct drain *d, struct sfile *f, unsigned long n,
    const char *why)
{
	char buf[300];

	if (aged(d, f)) {
		snprintf(buf, sizeof(buf), "unavailable for more than %ld s: %s",
		    d->max_age, why);
		reject(d, f, n, buf);
		d->nrejected--;
		d->naged++;
		return;
	}
	diag_rec(f->name, n, "%s", why);
	f->unavailable++;
	d->unavailable = 1;
}

static void
record(struct drain *d, struct sfile *f, char *line, size_t len,
    unsigned long n)
{
	char why[200];
	jv env;
	int rc;

	d->nrecords++;
	d->curfile = f;
	d->curline = n;
	if (poisoned(d, f, n))
		return;
	risky(d, 1);
	env = ndjson_parse(line, len, why, sizeof(why));
	if (!jv_is_valid(env)) {
		risky(d, 0);
		reject(d, f, n, why);
		return;
	}
	env = jv_object_set(env, jv_string("spool_file"), jv_string(f->name));
	if (env_check(env, why, sizeof(why)) == -1 ||
	    (rc = verify_envelope(&d->v, env, why, sizeof(why))) == EX_DATAERR) {
		risky(d, 0);
		jv_free(env);
		reject(d, f, n, why);
		return;
	}
	if (rc == EX_UNAVAILABLE) {
		risky(d, 0);
		jv_free(env);
		unavailable(d, f, n, why);
		return;
	}
	rc = transform_run(d->t, env, emit, d, why, sizeof(why));
	risky(d, 0);
	if (rc != 0) {
		reject(d, f, n, why);
		if (rc != EX_DATAERR)
			d->status = diag_worse(d->status, rc);
	}
}

/*
 * Open a claimed file: only a regular file is read (never through a
 * symlink, never blocking on a FIFO).  Its first pending attempt: kept in
 * its mtime once marked, else this one.  The stream, or NULL: the file is
 * rejected (not a regular file) or unavailable (I/O error).
 */
static FILE *
open_claimed(struct drain *d, struct sfile *f)
{
	char path[PATH_MAX];
	struct stat st;
	FILE *fp;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", d->root, d->cur, f->name);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1 && errno != ELOOP) {
		warn("%s", path);
		d->status = diag_worse(d->status, EX_IOERR);
		f->unavailable++;
		return NULL;
	}
	if (fd == -1 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		reject(d, f, 0, "not a regular file");
		if (fd != -1)
			close(fd);
		return NULL;
	}
	f->marked = (st.st_mode & 07777) == PENDING_MODE;
	f->since = f->marked ? st.st_mtime : conf_now();
	if (fcntl(fd, F_SETFL, 0) == -1 || (fp = fdopen(fd, "r")) == NULL)
		err(EX_OSERR, "%s", path);
	return fp;
}

/* Read one claimed file and hand each of its lines to record(). */
static void
process(struct drain *d, struct sfile *f)
{
	struct ndjson in;
	FILE *fp;

	if (d->in != NULL)
		snprintf(d->in->file, sizeof(d->in->file), "%s", f->name);
	if ((fp = open_claimed(d, f)) != NULL) {
		ndjson_fdopen(&in, fp, f->name);
		while (!fatal(d) && ndjson_getline(&in))
			record(d, f, in.line, in.len, in.lineno);
		if (in.lineno == 0)
			reject(d, f, 0, "empty file");
		ndjson_close(&in);
		d->status = diag_worse(d->status, in.status);
	}
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

	for (i = 0; i < d->nfiles; i++) {
		if (d->files[i].outstanding == -1)
			continue;
		if (spool_move(d->root, d->cur, "new", d->files[i].name) == -1)
			warn("%s/%s", d->cur, d->files[i].name);
		d->files[i].outstanding = -1;
	}
}

static void
summary(const struct drain *d)
{
	struct loader_stats st;

	loader_stats(d->l, &st);
	fprintf(stderr, "co-drain: %zu files: %lu done, %lu retry, %lu failed; "
	    "%lu records: %lu inserted, %lu duplicate, %lu pending, "
	    "%lu rejected\n", d->nclaimed, d->ndone, d->nretry, d->nfailed,
	    d->nrecords, st.inserted, st.duplicate, st.pending - d->naged,
	    st.rejected + d->nrejected + d->naged);
}

static double
since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* On a terminal, once a second: files, records/s, time left for the chunk. */
static void
progress(struct drain *d, size_t left)
{
	struct timespec now;
	double el, rate;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (since(&d->shown, &now) < 1.0)
		return;
	d->shown = now;
	el = since(&d->t0, &now);
	rate = el > 0 ? (double)d->nclaimed / el : 0;
	fprintf(stderr, "\rco-drain: %zu files, %.0f records/s, %zu more listed, "
	    "ETA %.0f s\033[K", d->nclaimed, el > 0 ? (double)d->nrecords / el :
	    0, left, rate > 0 ? (double)left / rate : 0);
}

/*
 * Candidates: up to CHUNK names from new/, or when new/ is empty, from
 * due retry/ files, in name order (oldest first).  They are claimed one at
 * a time as they are processed, so runs started together share the work,
 * and memory stays bounded whatever the size of the spool.  They join
 * the files kept from the chunk before (see end_chunk); a listed name
 * equal to a kept one is left for a later chunk.  How many were listed.
 */
static size_t
collect(struct drain *d)
{
	const char *from = "new";
	char **v;
	size_t i, n, k = d->nfiles;

	v = list(d->root, from, -1, chunk, &n);
	if (n == 0) {
		free(v);
		from = "retry";
		v = list(d->root, from, d->retry_after, chunk, &n);
	}
	if ((d->files = reallocarray(d->files, k + n + 1,
	    sizeof(*d->files))) == NULL)
		err(EX_OSERR, "reallocarray");
	memset(d->files + k, 0, (n + 1) * sizeof(*d->files));
	for (i = 0; i < n; i++) {
		d->files[k + i].name = v[i];
		d->files[k + i].from = from;
		d->files[k + i].outstanding = -1;	/* not ours (yet) */
	}
	free(v);
	d->nfiles = k + n;
	if (k > 0 && n > 0) {
		qsort(d->files, d->nfiles, sizeof(*d->files), cmp_name);
		for (i = k = 1; i < d->nfiles; i++) {
			if (strcmp(d->files[i].name, d->files[k - 1].name) ==
			    0) {
				/* The listed one, not the kept one, goes. */
				if (d->files[i].outstanding == -1)
					free(d->files[i].name);
				else {
					free(d->files[k - 1].name);
					d->files[k - 1] = d->files[i];
				}
				continue;
			}
			d->files[k++] = d->files[i];
		}
		d->nfiles = k;
	}
	return n;
}

/*
 * The end of a chunk: the files whose records are still with the loader
 * (at most its two batches') are kept for the next one, the others freed.
 * The loader is not flushed here, so the database's work on the last
 * batch overlaps the listing and the stages of the next chunk.
 */
static void
end_chunk(struct drain *d)
{
	size_t i, k = 0;

	for (i = 0; i < d->nfiles; i++) {
		if (d->files[i].outstanding != -1) {
			d->files[k++] = d->files[i];
			continue;
		}
		free(d->files[i].name);
		free(d->files[i].reason);
	}
	d->nfiles = k;
	if (k == 0) {
		free(d->files);
		d->files = NULL;
	}
}

/*
 * Archive names (files of root/dir whose records all committed) into
 * today's archive, then unlink them: a kill in between leaves them to be
 * loaded (idempotent) and archived again, a duplicate line, never a lost
 * one.  The unlinks run in the background (unlinker.c) while the next
 * chunk is drained; run() waits for them before it removes cur/<id>.
 * When the archive cannot be written they go to done/ instead and the
 * run stops with 74.
 */
static void
archive_names(struct drain *d, const char *dir, char **names, size_t n)
{
	char path[PATH_MAX];
	size_t i;

	if (n == 0)
		return;
	if (archive_append(d->root, dir, names, n, conf_now()) == -1) {
		warn("%s/archive", d->root);
		d->status = diag_worse(d->status, EX_IOERR);
		for (i = 0; i < n; i++)
			if (spool_move(d->root, dir, "done", names[i]) == -1)
				warn("%s/%s", dir, names[i]);
		return;
	}
	for (i = 0; i < n; i++) {
		if (d->unl != NULL) {
			unlinker_add(d->unl, d->root, dir, names[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s/%s", d->root, dir,
		    names[i]);
		if (unlink(path) == -1)
			warn("%s", path);
	}
}

/*
 * Files left in done/ (by an older co-drain, or when the archive could
 * not be written): archived too, at most a chunk per run.  Claimed
 * first, as new files are, so runs side by side never archive one twice.
 */
static void
archive_done(struct drain *d)
{
	char **v;
	size_t i, n, m = 0;

	v = list(d->root, "done", -1, CHUNK, &n);
	for (i = 0; i < n; i++) {
		if (spool_move(d->root, "done", d->cur, v[i]) == 0)
			v[m++] = v[i];
		else
			free(v[i]);
	}
	archive_names(d, d->cur, v, m);
	for (i = 0; i < m; i++)
		free(v[i]);
	free(v);
}

/*
 * Process one chunk.  The files the loader has fates for are settled and
 * archived; the others wait for drain_end (after a fatal error, they are
 * given back).  The number of files it claimed.
 */
static size_t
drain_chunk(struct drain *d, long long max)
{
	size_t i, n = 0;

	for (i = 0; i < d->nfiles && !fatal(d) &&
	    (long long)d->nclaimed < max; i++) {
		if (d->files[i].outstanding != -1 ||	/* kept, claimed */
		    claim(d, d->files[i].from, d->files[i].name) == -1)
			continue;
		d->files[i].outstanding = 0;
		d->nclaimed++;
		n++;
		process(d, &d->files[i]);
		if (d->tty)
			progress(d, d->nfiles - i - 1);
	}
	/* Committed, whatever happens next: archive them now. */
	archive_names(d, d->cur, d->arch, d->narch);
	d->narch = 0;
	if (fatal(d))
		give_back(d);
	return n;
}

/* After the last chunk: land what the loader holds, settle, free. */
static void
drain_end(struct drain *d)
{
	int rc;

	if (!fatal(d)) {
		/* fate() may raise d->status meanwhile: read it after. */
		rc = loader_flush(d->l, fate, d);
		d->status = diag_worse(d->status, rc);
	}
	archive_names(d, d->cur, d->arch, d->narch);
	d->narch = 0;
	if (fatal(d))
		give_back(d);
	end_chunk(d);
}

static const char *metrics;		/* --metrics FILE */
static const char *rulesfile;		/* --rules FILE */

static void
setup(struct drain *d, int argc, char **argv, struct loader_opts *lo,
    long long *max, const char **conninfo)
{
	static const struct option longopts[] = {
		{ "metrics", required_argument, NULL, 'M' },
		{ "rules", required_argument, NULL, 'X' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "A:b:d:f:j:n:p:R:s:u:v", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'M':
			metrics = optarg;
			break;
		case 'X':
			rulesfile = optarg;
			break;
		case 'v':
			d->verbose = 1;
			break;
		case 'A':
			d->keep_days = (long)conf_num(optarg, 0, 36500,
			    "archive days");
			break;
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
			d->max_age = (long)conf_num(optarg, 1, LONG_MAX / 2,
			    "pending age");
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
	if (rulesfile != NULL && (d->co.rules = rules_new(rulesfile,
	    d->co.failed_below, d->co.no_answer_below)) == NULL)
		exit(EX_USAGE);
}

/* Is host (libpq's host or hostaddr; NULL: its default) this machine? */
static int
local_host(const char *h)
{
	size_t n;

	if (h == NULL || *h == '\0' || *h == '/' || *h == '@')
		return 1;		/* a unix socket */
	n = strcspn(h, ",");		/* libpq tries the first one first */
	return (n == 9 && strncmp(h, "localhost", 9) == 0) ||
	    strncmp(h, "127.", 4) == 0 || (n == 3 && strncmp(h, "::1", 3) == 0);
}

/*
 * -j's default: the cores this process may run on, less one for the
 * PostgreSQL server when the connection goes to this machine (a unix
 * socket, localhost, a loopback address); at least 1.  The host is
 * read from conninfo (or $DATABASE_URL, as db_connect does) and then
 * PGHOSTADDR and PGHOST; a service file's is not read, so such a
 * connection counts as another machine's.
 */
static int
default_jobs(const char *conninfo)
{
	PQconninfoOption *o = NULL, *p;
	const char *host = NULL, *addr = NULL, *url;
	int service = getenv("PGSERVICE") != NULL, n, local;
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
	else
		n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (conninfo == NULL && getenv("PGDATABASE") == NULL && !service &&
	    (url = getenv("DATABASE_URL")) != NULL)
		conninfo = url;
	/* A bad conninfo is the worker's to report. */
	if (conninfo != NULL && (o = PQconninfoParse(conninfo, NULL)) != NULL)
		for (p = o; p->keyword != NULL; p++) {
			if (p->val == NULL || *p->val == '\0')
				continue;
			if (strcmp(p->keyword, "host") == 0)
				host = p->val;
			else if (strcmp(p->keyword, "hostaddr") == 0)
				addr = p->val;
			else if (strcmp(p->keyword, "service") == 0)
				service = 1;
		}
	if (host == NULL && addr == NULL) {
		addr = getenv("PGHOSTADDR");
		host = getenv("PGHOST");
	}
	local = addr != NULL && *addr != '\0' ? local_host(addr) :
	    host != NULL && *host != '\0' ? local_host(host) : !service;
	PQconninfoFree(o);
	n -= local;
	return n < 1 ? 1 : n > MAXJOBS ? MAXJOBS : n;
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
		if (pid == 0) {
			jobno = i;
			return 0;
		}
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

static void
keep_stats(struct drain *d)
{
	struct loader_stats st;
	struct runstats *r = d->stats;

	loader_stats(d->l, &st);
	r->ran = 1;
	r->files[0] = d->ndone;
	r->files[1] = d->nretry;
	r->files[2] = d->nfailed;
	r->rec[0] = st.inserted;
	r->rec[1] = st.duplicate;
	r->rec[2] = st.pending - d->naged;
	r->rec[3] = st.rejected + d->nrejected + d->naged;
	r->nrecords = d->nrecords;
}

/* Files in root/sub (and its subdirectories, for cur/), oldest mtime. */
static void
dir_census(const char *root, const char *sub, unsigned long *n,
    time_t *oldest, int *pending_only)
{
	char path[PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/%s", root, sub);
	if ((dir = opendir(path)) == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.' || strstr(e->d_name, ".reason") ||
		    fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
		    -1)
			continue;
		if (S_ISDIR(st.st_mode)) {
			snprintf(path, sizeof(path), "%s/%s", sub, e->d_name);
			if (strcmp(sub, "cur") == 0)
				dir_census(root, path, n, oldest, pending_only);
			continue;
		}
		if (pending_only != NULL && (st.st_mode & 07777) != PENDING_MODE)
			continue;
		(*n)++;
		if (*oldest == 0 || st.st_mtime < *oldest)
			*oldest = st.st_mtime;
	}
	closedir(dir);
}

/*
 * --metrics FILE: a Prometheus textfile (node_exporter's textfile
 * collector), written whole: FILE.tmp, fsync, rename.
 */
static int
write_metrics(const char *file, const char *root, struct runstats *rs,
    int jobs, double secs, int status)
{
	static const char *dirs[] = { "new", "retry", "failed", "cur" };
	static const char *to[] = { "done", "retry", "failed" };
	static const char *fates[] = { "inserted", "duplicate", "pending",
	    "rejected" };
	struct runstats sum = { 0 };
	char tmp[PATH_MAX];
	unsigned long n;
	time_t oldest, now = time(NULL);
	FILE *fp;
	int i, j, one = 1, fd;

	for (j = 0; j < jobs; j++) {
		for (i = 0; i < 3; i++)
			sum.files[i] += rs[j].files[i];
		for (i = 0; i < 4; i++)
			sum.rec[i] += rs[j].rec[i];
		for (i = 0; i < NSOURCES; i++)
			sum.events[i] += rs[j].events[i];
		sum.nrecords += rs[j].nrecords;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) == -1 || (fp = fdopen(fd, "w")) == NULL)
		return -1;
	fprintf(fp, "# HELP co_drain_spool_files Files in a spool directory "
	    "after the last run.\n# TYPE co_drain_spool_files gauge\n");
	for (i = 0; i < 4; i++) {
		n = 0;
		oldest = 0;
		dir_census(root, dirs[i], &n, &oldest, NULL);
		fprintf(fp, "co_drain_spool_files{dir=\"%s\"} %lu\n", dirs[i], n);
		fprintf(fp, "co_drain_spool_oldest_age_seconds{dir=\"%s\"} "
		    "%lld\n", dirs[i], (long long)(n ? now - oldest : 0));
	}
	n = 0;
	oldest = 0;
	dir_census(root, "retry", &n, &oldest, &one);
	fprintf(fp, "# HELP co_drain_pending_files Files waiting in retry/.\n"
	    "# TYPE co_drain_pending_files gauge\n"
	    "co_drain_pending_files %lu\n"
	    "# HELP co_drain_pending_oldest_age_seconds Since the first "
	    "pending attempt of the oldest.\n"
	    "# TYPE co_drain_pending_oldest_age_seconds gauge\n"
	    "co_drain_pending_oldest_age_seconds %lld\n", n,
	    (long long)(n ? now - oldest : 0));
	fprintf(fp, "# HELP co_drain_last_run_files Files the last run filed."
	    "\n# TYPE co_drain_last_run_files gauge\n");
	for (i = 0; i < 3; i++)
		fprintf(fp, "co_drain_last_run_files{to=\"%s\"} %lu\n", to[i],
		    sum.files[i]);
	fprintf(fp, "# HELP co_drain_last_run_records Records of the last "
	    "run by fate.\n# TYPE co_drain_last_run_records gauge\n");
	for (i = 0; i < 4; i++)
		fprintf(fp, "co_drain_last_run_records{fate=\"%s\"} %lu\n",
		    fates[i], sum.rec[i]);
	fprintf(fp, "# HELP co_drain_last_run_events Events of the last run "
	    "by provider.\n# TYPE co_drain_last_run_events gauge\n");
	for (i = 0; i < NSOURCES && provider_table[i] != NULL; i++)
		fprintf(fp, "co_drain_last_run_events{source=\"%s\"} %lu\n",
		    provider_table[i]->name, sum.events[i]);
	fprintf(fp, "# HELP co_drain_last_run_duration_seconds Wall time.\n"
	    "# TYPE co_drain_last_run_duration_seconds gauge\n"
	    "co_drain_last_run_duration_seconds %.3f\n"
	    "# HELP co_drain_last_run_records_per_second Throughput.\n"
	    "# TYPE co_drain_last_run_records_per_second gauge\n"
	    "co_drain_last_run_records_per_second %.1f\n"
	    "# HELP co_drain_last_run_exit_status See co-drain(1).\n"
	    "# TYPE co_drain_last_run_exit_status gauge\n"
	    "co_drain_last_run_exit_status %d\n"
	    "# HELP co_drain_last_run_timestamp_seconds When it ended.\n"
	    "# TYPE co_drain_last_run_timestamp_seconds gauge\n"
	    "co_drain_last_run_timestamp_seconds %lld\n", secs,
	    secs > 0 ? (double)sum.nrecords / secs : 0.0, status,
	    (long long)now);
	if (fflush(fp) == EOF || fsync(fd) == -1) {
		fclose(fp);
		unlink(tmp);
		return -1;
	}
	if (fclose(fp) == EOF || rename(tmp, file) == -1) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/*
 * One run's work, in the worker process: connect, claim, drain, file.
 * Its exit status.
 */
static int
run(struct drain *d, struct loader_opts *lo, long long max,
    const char *conninfo)
{
	char path[PATH_MAX];
	PGconn *c;
	size_t n;
	int status;

	if ((c = db_connect_loader(conninfo, &status)) == NULL)
		return status;
	d->l = loader_new(c, lo);
	d->tty = isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &d->t0);
	make_claim_dir(d);
	adopt_orphans(d);
	/* Without threads the unlinks are made in line, as slowly. */
	if (d->keep_days > 0 && (d->unl = unlinker_new()) == NULL)
		warn("unlinker");
	while (!fatal(d) && (long long)d->nclaimed < max && collect(d) > 0) {
		n = drain_chunk(d, max);
		end_chunk(d);
		if (n == 0)
			break;		/* nothing could be claimed: no progress */
	}
	drain_end(d);
	if (d->keep_days > 0 && !fatal(d)) {
		archive_done(d);
		if (jobno == 0)
			archive_expire(d->root, d->keep_days, conf_now());
	}
	free(d->arch);
	/* Every archived file gone before cur/<id> is removed. */
	unlinker_free(d->unl);
	d->unl = NULL;
	if (d->tty)
		fputs("\r\033[K", stderr);
	/* Silent when idle: cron mails nothing, logs get no noise. */
	if (d->nclaimed > 0 || d->verbose)
		summary(d);
	spool_sync(d->root, "done");
	spool_sync(d->root, "new");
	spool_sync(d->root, "retry");
	spool_sync(d->root, "failed");
	snprintf(path, sizeof(path), "%s/%s", d->root, d->cur);
	rmdir(path);
	if (d->stats != NULL)
		keep_stats(d);		/* before the loader and its counts go */
	loader_free(d->l);
	transform_free(d->t);
	verify_free(&d->v);
	PQfinish(c);
	if (d->unavailable)
		d->status = diag_worse(d->status, EX_UNAVAILABLE);
	return d->status;
}

/* Signals that mean the worker crashed (or hung: SIGALRM). */
static int
crash_signal(int sig)
{
	return sig == SIGABRT || sig == SIGSEGV || sig == SIGBUS ||
	    sig == SIGFPE || sig == SIGILL || sig == SIGALRM ||
	    sig == SIGTRAP || sig == SIGSYS;
}

/*
 * The worker died of sig inside a record's own stages: the record is
 * listed for the next worker, and the dead one's claims go back to new/
 * (unless another run took them back first).
 */
static void
quarantine(const char *root, struct inflight *in, int sig)
{
	struct poison *p;
	const char *dir;
	int fd;

	p = &in->poison[in->npoison++];
	snprintf(p->file, sizeof(p->file), "%s", in->file);
	p->line = in->line;
	p->sig = sig;
	dir = in->cur + strlen("cur/");
	if (strncmp(in->cur, "cur/", 4) == 0 &&
	    (fd = lock_orphan(root, dir)) != -1) {
		take_back(root, dir);
		close(fd);
	}
}

/* Did record file:line crash an earlier worker?  Then reject it. */
static int
poisoned(struct drain *d, struct sfile *f, unsigned long n)
{
	char why[200];
	int i, sig;

	if (d->in == NULL)
		return 0;
	for (i = 0; i < d->in->npoison; i++)
		if (d->in->poison[i].line == n &&
		    strcmp(d->in->poison[i].file, f->name) == 0)
			break;
	if (i == d->in->npoison)
		return 0;
	sig = d->in->poison[i].sig;
	snprintf(why, sizeof(why), "verify, transform or classify %s "
	    "(signal %d, %s)", sig == SIGALRM ? "did not finish" : "crashed",
	    sig, strsignal(sig));
	reject(d, f, n, why);
	return 1;
}

/*
 * Run the work in a worker process and wait for it.  A worker that dies
 * inside a record's own stages costs that record (rejected: its file goes
 * to failed/), and a new worker carries on, at most MAXCRASH times.  In
 * the worker, returns -1 (it goes on to run()); in the parent, the run's
 * exit status.
 */
static int
supervise(struct drain *d)
{
	struct inflight *in;
	int st, crashes = 0;
	pid_t pid, parent = getpid();

	in = mmap(NULL, sizeof(*in), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (in == MAP_FAILED)
		err(EX_OSERR, "mmap");
	for (;;) {
		in->active = 0;
		in->cur[0] = in->file[0] = '\0';
		if ((pid = fork()) == -1)
			err(EX_OSERR, "fork");
		if (pid == 0) {
			/* The worker goes with its parent (kill -9, OOM). */
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 ||
			    getppid() != parent)
				_exit(EX_OSERR);
			d->in = in;
			return -1;
		}
		while (waitpid(pid, &st, 0) == -1)
			if (errno != EINTR)
				err(EX_OSERR, "waitpid");
		if (WIFEXITED(st))
			return WEXITSTATUS(st);
		if (!crash_signal(WTERMSIG(st)) || !in->active) {
			warnx("worker died of signal %d (%s)", WTERMSIG(st),
			    strsignal(WTERMSIG(st)));
			return EX_SOFTWARE;
		}
		if (++crashes >= MAXCRASH) {
			warnx("%d records crashed the worker: giving up",
			    crashes);
			return EX_SOFTWARE;
		}
		quarantine(d->root, in, WTERMSIG(st));
	}
}

static const char help[] =
	    "usage: co-drain [-v] [-A days] [-b size] [-d conninfo]"
	    " [-f [source=]file] [-j jobs]\n"
	    "                [-n maxfiles] [-p maxage] [-R seconds] [-s"
	    " spool] [-u user]\n"
	    "                [--metrics file] [--rules rules.jq]\n"
	    "Claim spooled webhooks and verify, transform, classify and"
	    " load them.\n"
	    "  -A days             archive settled files, keep 'days' days"
	    " (default 30;\n"
	    "                      0: keep them in done/)\n"
	    "  -b size             records per database batch (default"
	    " 2000)\n"
	    "  -d conninfo         the database (conninfo or"
	    " postgresql:// URI)\n"
	    "  -f [source=]file    replace a transform program, as"
	    " co-transform -f\n"
	    "  -j jobs             drains side by side, 1 to 64 (default:\n"
	    "                      the cores, less one when PostgreSQL is\n"
	    "                      on this machine)\n"
	    "  -n maxfiles         claim at most maxfiles files in this run\n"
	    "  -p maxage           seconds a pending record may wait"
	    " before it is rejected\n"
	    "  -R seconds          how long a file waits in retry/"
	    " (default 300)\n"
	    "  -s spool            the spool root (default CO_SPOOL,\n"
	    "                      /var/spool/call-outcomes)\n"
	    "  -u user             the default tenant, as co-load -u\n"
	    "  -v                  a summary even when there was nothing to do\n"
	    "  --metrics file      write a Prometheus textfile after the run\n"
	    "  --rules rules.jq    decide outcomes with this jq program,"
	    " as co-classify -R\n"
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
	char why[PATH_MAX + 100];
	struct runstats *rs = NULL;
	struct timespec t0, t1;
	int status;

	cli_std(argc, argv, help);

	d.retry_after = 300;
	d.keep_days = 30;
	d.max_age = 86400;
	d.t = transform_new();
	classify_defaults(&d.co);
	setup(&d, argc, argv, &lo, &max, &conninfo);
	/* Pending age runs from the first pending attempt: ours to judge. */
	lo.pending_max_age = LONG_MAX;
	d.root = conf_spool(d.root);
	if (verify_init(&d.v) == -1)
		return EX_UNAVAILABLE;
	if (spool_init(d.root) == -1)
		err(EX_IOERR, "%s", d.root);
	if (spool_check(d.root, why, sizeof(why)) == -1)
		errx(EX_CONFIG, "%s", why);
	if (d.jobs == 0)
		d.jobs = default_jobs(conninfo);
	if (getenv("CO_DRAIN_CHUNK") != NULL)
		chunk = (size_t)conf_num(getenv("CO_DRAIN_CHUNK"), 1, CHUNK,
		    "CO_DRAIN_CHUNK");
	if (metrics != NULL && (rs = mmap(NULL, MAXJOBS * sizeof(*rs),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)) ==
	    MAP_FAILED)
		err(EX_OSERR, "mmap");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	nkids = spawn(d.jobs, kids);
	if (rs != NULL)
		d.stats = &rs[jobno];
	if ((status = supervise(&d)) == -1)
		return run(&d, &lo, max, conninfo);	/* the worker */
	status = reap(kids, nkids, status);
	if (rs != NULL && jobno == 0) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (write_metrics(metrics, d.root, rs, d.jobs ? d.jobs : 1,
		    since(&t0, &t1), status) == -1) {
			warn("%s", metrics);
			status = diag_worse(status, EX_IOERR);
		}
	}
	return status;
}
