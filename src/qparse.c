/*
 * qparse.c - co-query's readers of its option values: times, cursors.
 */
#include <regex.h>

#include "diag.h"
#include "qparse.h"

#define RE_DATE	"[0-9]{4}-[0-9]{2}-[0-9]{2}"
#define RE_TIME	"[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?"
#define RE_UUID	"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}"

int
qparse_match(const char *re, const char *s)
{
	regex_t x;
	int rc;

	if (regcomp(&x, re, REG_EXTENDED | REG_NOSUB) != 0)
		errx(EX_SOFTWARE, "bad regex: %s", re);
	rc = regexec(&x, s, 0, NULL, 0) == 0;
	regfree(&x);
	return rc;
}

int
qparse_time(const char *s)
{
	return qparse_match("^" RE_DATE "([Tt ]" RE_TIME
	    "([Zz]|[+-][0-9]{2}:[0-9]{2}))?$", s) ? 0 : -1;
}

int
qparse_cursor(const char *s)
{
	return qparse_match("^" RE_DATE "T" RE_TIME "Z/" RE_UUID "$", s) ?
	    0 : -1;
}
