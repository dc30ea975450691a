/*
 * map.h - the built-in mappings: share/<source>.jq written again in C,
 * reading the parsed body (libjq's jv) directly.  Each is used only for
 * the program it equals, byte for byte (the shipped program is compiled
 * into the binary, src/map_jq.h), and must produce exactly what that
 * program produces on libjq 1.6: the same keys in the same order, the same
 * values, the same errors (tests/0210-map-diff.t, tests/fuzz/fuzz_map.c).
 */
#ifndef CO_MAP_H
#define CO_MAP_H

#include <stddef.h>

#include <jv.h>

/*
 * One mapping: env is the envelope with the parsed body in .payload (not
 * consumed).  Returns 0 with the event in *ev, or EX_DATAERR with the
 * program's error message in why.
 */
typedef int map_fn(jv env, jv *ev, char *why, size_t whysz);

map_fn	map_livekit, map_elevenlabs, map_twilio;

/*
 * The mapping for the program text, or NULL when it is no shipped program
 * (a site's own) or CO_MAP=jq asks for libjq.
 */
map_fn	*map_find(const char *, size_t);
/* The same for the program in a file. */
map_fn	*map_file(const char *);

/* Helpers shared by the mappings (map.c), jq 1.6's semantics in C. */
jv	map_get(jv, const char *);
jv	map_str(jv);
jv	map_obj(jv);
int	map_true(jv);
int	map_ncmp(double, double);
jv	map_tonumber(jv);
jv	map_tostring(jv);
jv	map_slice(jv, int, int);
int	map_streq(jv, const char *);
int	map_startswith(jv, const char *);
jv	map_e164(jv);
jv	map_direction(jv);
jv	map_rfc3339(double);
int	map_in_range(double);
double	map_floor(double);

/* a // b (both consumed): a unless it is null. */
jv	map_or(jv, jv);

#endif
