/*
 * jqprog.c - a jq program file compiled for our tools (co-transform's
 * mappings, co-classify's rules), in one way.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "buf.h"
#include "conf.h"
#include "jqprog.h"

/* Compile errors name the file; runtime errors are the caller's. */
static void
compile_error(void *name, jv msg)
{
	jv s;

	s = jv_get_kind(msg) == JV_KIND_STRING ? msg : jq_format_error(msg);
	if (jv_get_kind(s) == JV_KIND_STRING)
		warnx("%s: %s", (const char *)name, jv_string_value(s));
	jv_free(s);
}

/*
 * jq 1.6's jq_init leaves the input and debug callbacks unset, so input
 * and debug would call through garbage.  There are no more inputs; debug
 * prints as jq(1) does, for whoever writes a program of their own.
 */
static jv
no_input(jq_state *jq, void *arg)
{
	(void)jq;
	(void)arg;
	return jv_invalid();
}

static void
debug_msg(void *arg, jv v)
{
	jv s;

	(void)arg;
	s = jv_dump_string(JV_ARRAY(jv_string("DEBUG:"), v), 0);
	warnx("%s", jv_string_value(s));
	jv_free(s);
}

/* A whole file in a NUL-terminated buffer, or NULL with errno set. */
static char *
slurp(const char *file)
{
	FILE *fp;
	struct buf b = { NULL, 0, 0 };
	char chunk[16384];
	size_t n;
	int e;

	if ((fp = fopen(file, "r")) == NULL)
		return NULL;
	buf_add(&b, "", 0);		/* an empty file is "" */
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	e = ferror(fp) ? EIO : 0;
	fclose(fp);
	if (e != 0) {
		buf_free(&b);
		errno = e;
		return NULL;
	}
	return b.p;
}

int
jqprog_load(jq_state **jqp, const char *file, const char *name, jv args)
{
	char *text;
	int ok;

	if ((text = slurp(file)) == NULL) {
		jv_free(args);
		return JQPROG_UNREAD;
	}
	if ((*jqp = jq_init()) == NULL)
		err(EX_OSERR, "jq_init");
	jq_set_error_cb(*jqp, compile_error, (void *)name);
	jq_set_input_cb(*jqp, no_input, NULL);
	jq_set_debug_cb(*jqp, debug_msg, NULL);
	jq_set_attr(*jqp, jv_string("JQ_LIBRARY_PATH"),
	    jv_array_append(jv_array(), jv_string(conf_sharedir())));
	ok = jq_compile_args(*jqp, text, args);
	free(text);
	if (!ok) {
		jq_teardown(jqp);
		*jqp = NULL;
		return JQPROG_BAD;
	}
	return 0;
}

void
jqprog_why(jv msg, int max, char *why, size_t whysz)
{
	char *s;

	if (jv_get_kind(msg) == JV_KIND_STRING)
		snprintf(why, whysz, "%.*s", max, jv_string_value(msg));
	else
		snprintf(why, whysz, "program error (not a string)");
	for (s = why; *s != '\0'; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
	if (*why == '\0')
		snprintf(why, whysz, "program error");
	jv_free(msg);
}
