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

/* Print a fate; a rejected one is also diagnosed and kept in -r FILE. */
static void
fate(void *arg, jv f)
{
	const char *status, *reason, *file;
	unsigned long line;
	jv v;

	(void)arg;
	status = json_str(f, "status", NULL);
	if (status != NULL && strcmp(status, "rejected") == 0) {
		v = jv_object_get(jv_copy(f), jv_string("line"));
		line = (unsigned long)jv_number_value(v);
		jv_free(v);
		file = json_str(f, "file", NULL);
		reason = json_str(f, "reason", NULL);
		diag_rec(file, line, "%s", reason ? reason : "rejected");
		reject_write(&st.rej, jv_copy(f), NULL, 0, file, line,
		    reason ? reason : "rejected");
	}
	ndjson_write(stdout, f);
}

/* A line that is not JSON still gets its fate. */
static void
bad_line(struct stream *s, const char *why)
{
	jv f;

	f = jv_object_set(jv_object(), jv_string("event_id"), jv_null());
	f = jv_object_set(f, jv_string("spool_file"), jv_null());
	f = jv_object_set(f, jv_string("status"), jv_string("rejected"));
	f = jv_object_set(f, jv_string("reason"), jv_string(why));
	f = jv_object_set(f, jv_string("file"), jv_string(stream_file(s)));
	f = jv_object_set(f, jv_string("line"),
	    jv_number((double)stream_line(s)));
	stream_write(s, f);
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
