/*
 * fzshare.h - for the fuzz targets that run the shipped jq programs
 * (fuzz_transform, fuzz_map, fuzz_rules): where the share directory is,
 * and a body with one of its nodes replaced by a hostile value.  Static
 * functions: included by one target each.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#define FZ_MAXPATHS	512

/* CO_SHARE, else ../../share beside the binary argv0 (then set). */
static const char *
fz_share(const char *argv0)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], *s;

	if (getenv("CO_SHARE") != NULL)
		return getenv("CO_SHARE");
	snprintf(dir, sizeof(dir), "%s", argv0);
	if ((s = strrchr(dir, '/')) != NULL)
		*s = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	snprintf(path, sizeof(path), "%s/../../share", dir);
	if (realpath(path, dir) == NULL)
		abort();
	setenv("CO_SHARE", dir, 1);
	return getenv("CO_SHARE");
}

/* Every path of v below path (consumed), up to FZ_MAXPATHS of them. */
static void
fz_paths(jv v, jv path, jv *out)
{
	jv keys, k;
	int i, n;

	if (jv_array_length(jv_copy(*out)) >= FZ_MAXPATHS) {
		jv_free(v);
		jv_free(path);
		return;
	}
	if (jv_array_length(jv_copy(path)) > 0)
		*out = jv_array_append(*out, jv_copy(path));
	if (jv_get_kind(v) != JV_KIND_OBJECT && jv_get_kind(v) != JV_KIND_ARRAY) {
		jv_free(v);
		jv_free(path);
		return;
	}
	keys = jv_keys(jv_copy(v));
	n = jv_array_length(jv_copy(keys));
	for (i = 0; i < n; i++) {
		k = jv_array_get(jv_copy(keys), i);
		fz_paths(jv_get(jv_copy(v), jv_copy(k)),
		    jv_array_append(jv_copy(path), k), out);
	}
	jv_free(keys);
	jv_free(v);
	jv_free(path);
}

/* The body with node pick replaced by the JSON text value (consumed). */
static jv
fz_mutate(jv body, const char *value, unsigned pick)
{
	jv paths, p, v;
	int n;

	paths = jv_array();
	fz_paths(jv_copy(body), jv_array(), &paths);
	if ((n = jv_array_length(jv_copy(paths))) == 0) {
		jv_free(paths);
		return body;
	}
	p = jv_array_get(paths, (int)(pick % (unsigned)n));
	v = jv_parse(value);
	if (!jv_is_valid(v)) {		/* 1.6 refuses some escapes */
		jv_free(p);
		jv_free(v);
		return body;
	}
	return jv_setpath(body, p, v);
}

/*
 * The body of an input: its bytes after the first three, a JSON object of
 * which, when data[1] is not 0, the node data[2] picks is replaced by
 * hostile value data[1] - 1 of the n in hostile.  Invalid: no body.
 */
static jv
fz_body(const uint8_t *data, size_t size, const char *const *hostile,
    size_t n)
{
	jv text, body;

	text = jv_string_sized((const char *)data + 3, (int)(size - 3));
	if (data[1] != 0 && jv_is_valid(text)) {
		body = jv_parse(jv_string_value(text));
		if (jv_get_kind(body) == JV_KIND_OBJECT) {
			body = fz_mutate(body, hostile[(data[1] - 1u) % n],
			    data[2]);
			jv_free(text);
			text = jv_is_valid(body) ? jv_dump_string(body, 0) :
			    body;
		} else
			jv_free(body);
	}
	return text;
}
