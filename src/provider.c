/*
 * provider.c - looking providers up in provider_table.
 * Rule: the table is the only list of providers; nothing here names one.
 */
#include <string.h>

#include "provider.h"

const struct provider *
provider_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; provider_table[i] != NULL; i++)
		if (strcmp(provider_table[i]->name, name) == 0)
			return provider_table[i];
	return NULL;
}

const struct provider *
provider_route(const char *path)
{
	const char *const *r;
	size_t i;

	for (i = 0; provider_table[i] != NULL; i++)
		for (r = provider_table[i]->routes; *r != NULL; r++)
			if (strcmp(*r, path) == 0)
				return provider_table[i];
	return NULL;
}

size_t
provider_count(void)
{
	size_t n = 0;

	while (provider_table[n] != NULL)
		n++;
	return n;
}

jv
provider_str(jv obj, const char *key)
{
	jv v;

	v = jv_object_get(jv_copy(obj), jv_string(key));
	if (jv_get_kind(v) == JV_KIND_STRING)
		return v;
	jv_free(v);
	return jv_null();
}

jv
provider_join(jv a, jv b)
{
	if (jv_get_kind(a) == JV_KIND_STRING &&
	    jv_get_kind(b) == JV_KIND_STRING)
		return jv_string_concat(jv_string_append_str(a, ":"), b);
	jv_free(a);
	jv_free(b);
	return jv_null();
}
