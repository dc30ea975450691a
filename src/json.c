/*
 * json.c - member getters on jv objects.
 */
#include "json.h"

jv
json_get(jv obj, const char *k)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return jv_invalid();
	return jv_object_get(jv_copy(obj), jv_string(k));
}

const char *
json_str(jv obj, const char *k, size_t *len)
{
	return json_borrow(json_get(obj, k), len);
}

jv
json_get2(jv obj, const char *k1, const char *k2)
{
	jv v;

	v = json_get(obj, k1);
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);
		return jv_invalid();
	}
	return jv_object_get(v, jv_string(k2));
}

int
json_absent(jv v)
{
	return jv_get_kind(v) == JV_KIND_NULL ||
	    jv_get_kind(v) == JV_KIND_INVALID;
}
