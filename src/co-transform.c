/*
 * co-transform - verified envelopes to normalized events (SPEC section 6),
 * through the jq program of each envelope's source.
 * Rule: a record that cannot be transformed is named and set aside, and
 * never stops the records after it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "ndjson.h"
#include "transform.h"

static void	emit(void *, jv);
static void	usage(void);

static const char help[] =
	    "usage: co-transform [-f [source=]file] [-r rejectfile]"
	    " [file ...]\n"
	    "Normalize provider payloads into events with jq programs.\n"
	    "  -f [source=]file  use the jq program in file (for"
	    " source's envelopes)\n"
	    "  -r rejectfile     append rejected records, with a"
	    " \"reason\", to rejectfile\n"
	    "  --help            this help\n"
	    "  --version         the version\n";

int
main(int argc, char *argv[])
{
	struct transform *t;
	struct ndjson in;
	struct reject rej;
	const char *rejfile = NULL;
	char why[256];
	jv env;
	int ch, rc, r, status = 0;

	cli_std(argc, argv, help);

	t = transform_new();
	while ((ch = getopt(argc, argv, "f:r:")) != -1) {
		switch (ch) {
		case 'f':
			if (transform_set(t, optarg) != 0)
				exit(EX_USAGE);
			break;
		case 'r':
			rejfile = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	reject_open(&rej, rejfile);
	ndjson_open(&in, argc, argv);
	while ((rc = ndjson_next(&in, &env)) != 0) {
		if (rc == 1 && (r = transform_run(t, jv_copy(env), emit, NULL,
		    why, sizeof(why))) == 0) {
			jv_free(env);
			continue;
		}
		if (rc != 1) {
			snprintf(why, sizeof(why), "%s", in.why);
			r = EX_DATAERR;
		}
		ndjson_reject(&in, &rej, env, why);
		status = diag_worse(status, r);
	}
	ndjson_close(&in);
	transform_free(t);
	status = diag_worse(status, in.status);
	status = diag_worse(status, reject_close(&rej));
	diag_stdout();
	return status;
}

static void
emit(void *arg, jv ev)
{
	(void)arg;
	ndjson_write(stdout, ev);
}

static void
usage(void)
{
	fprintf(stderr, "usage: co-transform [-f [source=]file] "
	    "[-r rejectfile] [file ...]\n");
	exit(EX_USAGE);
}
