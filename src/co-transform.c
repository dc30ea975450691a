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
#include "stream.h"
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
	struct stream s;
	const char *rejfile = NULL;
	char why[256];
	jv env;
	int ch, r;

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

	stream_open(&s, argc, argv, rejfile, STREAM_ENVELOPE);
	while (stream_next(&s, &env)) {
		if ((r = transform_run(t, jv_copy(env), emit, &s, why,
		    sizeof(why))) != 0)
			stream_reject(&s, env, why, r);
		else
			jv_free(env);
	}
	transform_free(t);
	return stream_close(&s);
}

static void
emit(void *arg, jv ev)
{
	stream_write(arg, ev);
}

static void
usage(void)
{
	fprintf(stderr, "usage: co-transform [-f [source=]file] "
	    "[-r rejectfile] [file ...]\n");
	exit(EX_USAGE);
}
