/*
 * fuzz_reject.c - libFuzzer target for the reject file writer and its
 * redaction (reject_write in diag.c): one line, kept as the parsed record
 * when it is a JSON object, else as raw input.
 * Rule: whatever the bytes, no crash, no leak (libjq 1.6's own excepted:
 * see jqleak.h), no read past the input; the planted token never reaches
 * the reject file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ndjson.h"
#include "jqleak.h"

#define FZ_TOKEN	"eyJfuzzTOKEN.NOT.REAL"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reject r = { NULL, "fuzz-reject" };
	char *line, *out = NULL, why[160];
	size_t outlen = 0, n;
	jv rec;
	int jq_ok;

	/* The input, then an authorization header holding the token. */
	n = size + sizeof(",\"authorization\":\"" FZ_TOKEN "\"}");
	if ((line = malloc(n + 1)) == NULL)
		abort();
	memcpy(line, data, size);
	n = size + (size_t)sprintf(line + size,
	    ",\"authorization\":\"%s\"}", FZ_TOKEN);
	if (size > 0 && line[size - 1] == '}') {	/* inside the object */
		line[size - 1] = ' ';
	}
	if ((r.fp = open_memstream(&out, &outlen)) == NULL)
		abort();
	jq_ok = fz_json_ok(line, n);
	if (!jq_ok)
		__lsan_disable();
	rec = ndjson_parse(line, n, why, sizeof(why));
	reject_write(&r, rec, line, n, "fuzz", 1, "fuzzed");
	if (reject_close(&r) != 0)
		abort();
	if (memchr(line, '\0', n) == NULL && memchr(line, '\\', n) == NULL &&
	    memmem(out, outlen, FZ_TOKEN, strlen(FZ_TOKEN)) != NULL &&
	    memmem(line, size, FZ_TOKEN, strlen(FZ_TOKEN)) == NULL &&
	    memmem(line, size, "\"", 1) == NULL)
		abort();	/* the planted token leaked */
	free(out);
	free(line);
	if (!jq_ok)
		__lsan_enable();
	return 0;
}
