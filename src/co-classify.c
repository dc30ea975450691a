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
#include "rules.h"
#include "stream.h"

#define MAX_SECS	86400	/* thresholds above a day are a typo */

static void	usage(void);

static const char help[] =
	    "usage: co-classify [-f seconds] [-n seconds] [-R rules.jq]"
	    " [-r rejectfile]\n"
	    "                   [file ...]\n"
	    "Decide each event's outcome: completed, no_answer, busy,"
	    " failed, voicemail.\n"
	    "  -f seconds     a call shorter than this failed (rule"
	    " \"short\")\n"
	    "  -n seconds     a call at least -f but shorter than this"
	    " was not answered\n"
	    "  -R rules.jq    decide with this jq program instead of the"
	    " built-in rules\n"
	    "  -r rejectfile  append rejected lines, with a \"reason\", to"
	    " rejectfile\n"
	    "  --help         this help\n"
	    "  --version      the version\n";

int
main(int argc, char *argv[])
{
	struct classify_opts o;
	struct stream s;
	const char *rejfile = NULL, *rulesfile = NULL;
	char why[sizeof(s.in.why)];
	jv ev;
	int ch;

	cli_std(argc, argv, help);

	classify_defaults(&o);
	while ((ch = getopt(argc, argv, "f:n:R:r:")) != -1) {
		switch (ch) {
		case 'f':
			o.failed_below = conf_num(optarg, 0, MAX_SECS,
			    "failed threshold");
			break;
		case 'n':
			o.no_answer_below = conf_num(optarg, 0, MAX_SECS,
			    "no-answer threshold");
			break;
		case 'R':
			rulesfile = optarg;
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
	if (rulesfile != NULL && (o.rules = rules_new(rulesfile,
	    o.failed_below, o.no_answer_below)) == NULL)
		exit(EX_USAGE);

	stream_open(&s, argc, argv, rejfile, 0);
	while (stream_next(&s, &ev)) {
		if (classify_run(&o, ev, &ev, why, sizeof(why)) != 0)
			stream_reject(&s, ev, why, EX_DATAERR);
		else
			stream_write(&s, ev);
	}
	rules_free(o.rules);
	return stream_close(&s);
}

static void
usage(void)
{
	fprintf(stderr, "usage: co-classify [-f seconds] [-n seconds] "
	    "[-R rules.jq] [-r rejectfile] [file ...]\n");
	exit(EX_USAGE);
}
