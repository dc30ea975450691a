/*
 * json.h - the one set of getters for members of a JSON object (libjq jv)
 * used by the whole tree: envelopes, events, fates, API replies, tokens.
 * Rule: nothing is consumed; a string is borrowed from the object, which
 * holds its own reference, so no copy is made on the hot path.  A value
 * that is not an object has no members (jq 1.6 asserts otherwise).
 */
#ifndef CO_JSON_H
#define CO_JSON_H

#include <stddef.h>

#include <jv.h>

/* Member k of obj, or invalid when there is none; the caller frees it. */
static inline jv
json_getk(jv obj, jv k)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return jv_invalid();
	return jv_object_get(jv_copy(obj), jv_copy(k));
}

/*
 * v (consumed), a member got from an object that still holds it, as a
 * borrowed string: NULL when it is not a string.  len may be NULL.
 */
static inline const char *
json_borrow(jv v, size_t *len)
{
	const char *s;

	if (jv_get_kind(v) != JV_KIND_STRING) {
		jv_free(v);
		return NULL;
	}
	s = jv_string_value(v);
	if (len != NULL)
		*len = (size_t)jv_string_length_bytes(jv_copy(v));
	jv_free(v);		/* the object still holds the string */
	return s;
}

/*
 * The string member k of obj, borrowed: valid while obj lives.  NULL when
 * the member is missing or not a string.  len may be NULL.
 */
static inline const char *
json_strk(jv obj, jv k, size_t *len)
{
	return json_borrow(json_getk(obj, k), len);
}

/* The same by name (a key made for each call; see json_getk for kept keys). */
jv	 json_get(jv, const char *);
const char *json_str(jv, const char *, size_t *);
/* obj.k1.k2, or invalid; the caller frees it. */
jv	 json_get2(jv, const char *, const char *);
/* Is v (not consumed) absent (invalid) or null? */
int	 json_absent(jv);

#endif
