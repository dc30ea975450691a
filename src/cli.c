/*
 * cli.c - --help and --version for every tool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"

#ifndef CO_VERSION
#define CO_VERSION "unknown"
#endif

extern const char *__progname;

void
cli_std(int argc, char *const *argv, const char *help)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0)
			fputs(help, stdout);
		else if (strcmp(argv[i], "--version") == 0)
			printf("%s %s\n", __progname, CO_VERSION);
		else
			continue;
		diag_stdout();
		exit(0);
	}
}
