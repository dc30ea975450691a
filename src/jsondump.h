/*
 * jsondump.h - a value printed as jv_dump_string(v, 0) prints it (compact,
 * keys in the object's order, libjq 1.6's escapes and number notation),
 * byte for byte, in a third of the time: the NDJSON writers' printer.
 * tests/fuzz/fuzz_jsondump.c holds it to libjq's.
 */
#ifndef CO_JSONDUMP_H
#define CO_JSONDUMP_H

#include <stdio.h>

#include <jv.h>

struct jsondump {
	char	*p;
	size_t	 len, cap;
};

/* v (not consumed) appended to d. */
void	jsondump(struct jsondump *, jv);
void	jsondump_free(struct jsondump *);

#endif
