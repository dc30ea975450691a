/*
 * co-load - upsert normalized, classified events into PostgreSQL in
 * idempotent batches, and report each record's fate as NDJSON on stdout.
 * Rule: a fate is printed only once its batch has committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "db.h"
#include "diag.h"
#include "envelope.h"
#include "load.h"
#include "stream.h"

static struct stream st;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: co-load [-b size] [-d conninfo] [-r rejectfile] "
	    "[-u user] [file ...]\n");
	exit(EX_USAGE);
}

/* A fate as the NDJSON object of SPEC section 8. */
static jv
fate_json(const struct load_fate *f)
{
	jv o;

	o = jv_object_set(jv_object(), jv_string("event_id"), f->event_id ?
	    jv_string(f->event_id) : jv_null());
	o = jv_object_set(o, jv_string("spool_file"), f->spool_file ?
	    jv_string(f->spool_file) : jv_null());
	o = jv_object_set(o, jv_string("status"),
	    jv_string(load_status_name(f->status)));
	o = jv_object_set(o, jv_string("reason"), f->reason ?
	    jv_string(f->reason) : jv_null());
	o = jv_object_set(o, jv_string("file"), jv_string(f->file));
	return jv_object_set(o, jv_string("line"), jv_number((double)f->line));
}

/* Print a fate; a rejected one is also diagnosed and kept in -r FILE. */
static void
fate(void *arg, const struct load_fate *f)
{
	const char *reason = f->reason ? f->reason : "rejected";
	jv o = fate_json(f);

	(void)arg;
	if (f->status == LOAD_REJECTED) {
		diag_rec(f->file, f->line, "%s", reason);
		reject_write(&st.rej, jv_copy(o), NULL, 0, f->file, f->line,
		    reason);
	}
	ndjson_write(stdout, o);
}

/* A line that is not JSON still gets its fate. */
static void
bad_line(struct stream *s, const char *why)
{
	struct load_fate f = { LOAD_REJECTED, NULL, NULL, NULL, NULL, 0 };

	f.reason = why;
	f.file = stream_file(s);
	f.line = stream_line(s);
	stream_write(s, fate_json(&f));
}

static void
summary(const struct loader *l, unsigned long n, unsigned long bad)
{
	struct loader_stats st;

	loader_stats(l, &st);
	fprintf(stderr, "co-load: %lu records: %lu inserted, %lu duplicate, "
	    "%lu pending, %lu rejected\n", n, st.inserted, st.duplicate,
	    st.pending, st.rejected + bad);
}

static const char help[] =
	    "usage: co-load [-b size] [-d conninfo] [-r rejectfile] [-u"
	    " user] [file ...]\n"
	    "Load classified events into PostgreSQL, idempotently; each"
	    " record's fate on\n"
	    "    stdout.\n"
	    "  -b size        records per batch and transaction, 1 to"
	    " 1000000 (default 2000)\n"
	    "  -d conninfo    the database (conninfo or postgresql:// URI)\n"
	    "  -r rejectfile  append rejected records, with a \"reason\","
	    " to rejectfile\n"
	    "  -u user        the tenant of new calls whose metadata"
	    " names none\n"
	    "  --help         this help\n"
	    "  --version      the version\n";

int
main(int argc, char *argv[])
{
	struct loader_opts o = { 0 };
	const char *conninfo = NULL, *rfile = NULL;
	struct loader *l;
	PGconn *c;
	jv ev;
	int ch, status = 0;

	cli_std(argc, argv, help);

	while ((ch = getopt(argc, argv, "b:d:r:u:")) != -1) {
		switch (ch) {
		case 'b':
			o.batch = (size_t)conf_num(optarg, 1, 1000000,
			    "batch size");
			break;
		case 'd':
			conninfo = optarg;
			break;
		case 'r':
			rfile = optarg;
			break;
		case 'u':
			o.tenant = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if ((c = db_connect_loader(conninfo, &status)) == NULL)
		return status;
	l = loader_new(c, &o);
	stream_open(&st, argc, argv, rfile, STREAM_STOP);
	st.bad = bad_line;
	while (stream_next(&st, &ev))
		stream_status(&st, loader_add(l, ev, stream_file(&st),
		    stream_line(&st), fate, NULL));
	if (!stream_stopped(&st))
		stream_status(&st, loader_flush(l, fate, NULL));
	summary(l, st.nrec, st.nbad);
	loader_free(l);
	PQfinish(c);
	return stream_close(&st);
}
