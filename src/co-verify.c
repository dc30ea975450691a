/*
 * co-verify - pass on the spool envelopes whose webhook signature verifies.
 * Rule: a verified record goes out as the very bytes that came in; it is
 * never re-serialized, so the body stays exactly what was signed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "envelope.h"
#include "ndjson.h"
#include "verify.h"

static void	usage(void);
static int	handle(const struct verifier *, struct ndjson *, int, jv,
		    struct reject *);

static void
usage(void)
{
	fprintf(stderr, "usage: co-verify [-r rejectfile] [file ...]\n");
	exit(EX_USAGE);
}

/* One line: pass it through unchanged, or name it, reject it, rate it. */
static int
handle(const struct verifier *v, struct ndjson *in, int rc, jv env,
    struct reject *rej)
{
	char why[160];
	int r;

	if (rc == -1) {
		snprintf(why, sizeof(why), "%s", in->why);
		r = EX_DATAERR;
	} else if (env_check(env, why, sizeof(why)) == -1)
		r = EX_DATAERR;
	else if ((r = verify_envelope(v, env, why, sizeof(why))) == 0) {
		fwrite(in->line, 1, in->len, stdout);
		putchar('\n');
		jv_free(env);
		return 0;
	}
	ndjson_reject(in, rej, env, why);
	return r;
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
	struct ndjson in;
	struct reject rej;
	const char *rfile = NULL;
	jv env;
	int ch, rc, status = 0;

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
	reject_open(&rej, rfile);
	ndjson_open(&in, argc, argv);
	while ((rc = ndjson_next(&in, &env)) != 0)
		status = diag_worse(status, handle(&v, &in, rc, env, &rej));
	ndjson_close(&in);
	verify_free(&v);
	status = diag_worse(status, in.status);
	status = diag_worse(status, reject_close(&rej));
	diag_stdout();
	return status;
}
