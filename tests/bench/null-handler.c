/*
 * null-handler.c - the do-nothing webhook handler for tests/bench/receive.sh:
 * read one request (headers and a Content-Length body) on standard input,
 * answer a fixed 200 on standard output.  The fork-per-connection ceiling
 * co-receive is measured against.
 * Rule: do the least a correct handler must: read the whole request.
 */
#define _GNU_SOURCE		/* strcasestr */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char answer[] = "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\nContent-Length: 21\r\n"
    "Connection: close\r\n\r\n{\"status\":\"accepted\"}";

int
main(void)
{
	static char buf[1 << 16];
	size_t len = 0, want = 0;
	char *end = NULL, *cl;
	ssize_t n;

	while (len < sizeof(buf) - 1 && (end == NULL || len < want)) {
		if ((n = read(0, buf + len, sizeof(buf) - 1 - len)) <= 0)
			return 1;
		len += (size_t)n;
		buf[len] = '\0';
		if (end == NULL && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			want = (size_t)(end + 4 - buf);
			cl = strcasestr(buf, "\r\ncontent-length:");
			if (cl != NULL && cl < end)
				want += strtoul(cl + 17, NULL, 10);
		}
	}
	return write(1, answer, sizeof(answer) - 1) == sizeof(answer) - 1 ?
	    0 : 1;
}
