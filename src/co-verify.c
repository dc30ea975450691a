/*
 * co-verify - pass on the spool envelopes whose webhook signature verifies.
 * Rule: a verified record goes out as the very bytes that came in; it is
 * never re-serialized, so the body stays exactly what was signed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "stream.h"
#include "verify.h"

static void	usage(void);

static void
usage(void)
{
	fprintf(stderr, "usage: co-verify [-r rejectfile] [file ...]\n");
	exit(EX_USAGE);
}

static const char help[] =
	    "usage: co-verify [-r rejectfile] [file ...]\n"
	    "Check the providers' signatures on webhook envelopes; pass"
	    " the good ones.\n"
	    "  -r rejectfile  append rejected records, with a \"reason\","
	    " to rejectfile\n"
	    "  --help         this help\n"
	    "  --version      the version\n";

int
main(int argc, char *argv[])
{
	struct verifier v;
	struct stream s;
	const char *rfile = NULL;
	char why[160];
	jv env;
	int ch, r;

	cli_std(argc, argv, help);

	while ((ch = getopt(argc, argv, "r:")) != -1) {
		switch (ch) {
		case 'r':
			rfile = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	if (verify_init(&v) == -1)
		errx(EX_UNAVAILABLE, "webhook secrets are misconfigured");
	stream_open(&s, argc, argv, rfile, STREAM_ENVELOPE);
	while (stream_next(&s, &env)) {
		if ((r = verify_envelope(&v, env, why, sizeof(why))) != 0) {
			stream_reject(&s, env, why, r);
			continue;
		}
		stream_pass(&s);	/* the bytes that came in, unchanged */
		jv_free(env);
	}
	verify_free(&v);
	return stream_close(&s);
}
