/*
 * cli.h - what every tool's command line has in common: --help and
 * --version.  Rule: each main calls cli_std() first thing, with its help
 * text (usage line, then every option and subcommand, one line each).
 */
#ifndef CO_CLI_H
#define CO_CLI_H

/*
 * --help: help to stdout, exit 0; --version: "PROG VERSION", exit 0.
 * Looked for anywhere before "--"; anything else is left to getopt.
 */
void	cli_std(int, char *const *, const char *);

#endif
