/*
 * co-classify - give each normalized event its outcome and the rule that
 * decided it (SPEC section 7).
 * Rule: classify one event at a time, from that event alone; choosing among
 * a call's events is the loader's job (classify_rule_rank).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "classify.h"
#include "cli.h"
#include "conf.h"
#include "diag.h"
#include "ndjson.h"

#define MAX_SECS	86400	/* thresholds above a day are a typo */

static void	usage(void);

static const char help[] =
	    "usage: co-classify [-f seconds] [-n seconds] [-r"
	    " rejectfile] [file ...]\n"
	    "Decide each event's outcome: completed, no_answer, busy,"
	    " failed, voicemail.\n"
	    "  -f seconds     a call shorter than this failed (rule"
	    " \"short\")\n"
	    "  -n seconds     a call at least -f but shorter than this"
	    " was not answered\n"
	    "  -r rejectfile  append rejected lines, with a \"reason\", to"
	    " rejectfile\n"
	    "  --help         this help\n"
	    "  --version      the version\n";

int
main(int argc, char *argv[])
{
	struct classify_opts o;
	struct ndjson in;
	struct reject rej;
	const char *rejfile = NULL;
	jv ev;
	int ch, rc, status = 0;

	cli_std(argc, argv, help);

	classify_defaults(&o);
	while ((ch = getopt(argc, argv, "f:n:r:")) != -1) {
		switch (ch) {
		case 'f':
			o.failed_below = conf_num(optarg, 0, MAX_SECS,
			    "failed threshold");
			break;
		case 'n':
			o.no_answer_below = conf_num(optarg, 0, MAX_SECS,
			    "no-answer threshold");
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
	if (o.failed_below > o.no_answer_below)
		errx(EX_USAGE, "failed threshold %.0f is above no-answer "
		    "threshold %.0f", o.failed_below, o.no_answer_below);

	reject_open(&rej, rejfile);
	ndjson_open(&in, argc, argv);
	while ((rc = ndjson_next(&in, &ev)) != 0) {
		if (rc == 1) {
			ndjson_write(stdout, classify_event(&o, ev));
			continue;
		}
		ndjson_reject(&in, &rej, ev, in.why);
		status = EX_DATAERR;
	}
	ndjson_close(&in);
	status = diag_worse(status, in.status);
	status = diag_worse(status, reject_close(&rej));
	diag_stdout();
	return status;
}

static void
usage(void)
{
	fprintf(stderr, "usage: co-classify [-f seconds] [-n seconds] "
	    "[-r rejectfile] [file ...]\n");
	exit(EX_USAGE);
}
