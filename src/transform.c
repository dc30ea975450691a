/*
 * transform.c - envelopes to normalized events through jq programs run by
 * libjq (1.6): one compiled program per source, loaded on first use from
 * conf_sharedir()/<source>.jq or given with -f [SOURCE=]FILE.
 * Rule: each program is compiled once, and each record's body is parsed
 * once and its events dumped once; nothing runs twice per record.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jq.h>

#include "conf.h"
#include "diag.h"
#include "envelope.h"
#include "http.h"
#include "jqprog.h"
#include "map.h"
#include "provider.h"
#include "rawbody.h"
#include "transform.h"

#define WHY_MAX	200	/* longest jq error text kept in a reason */

struct prog {
	char	*source;	/* NULL: the -f program for every source */
	char	*file;		/* its file, named in compile errors */
	jq_state *jq;		/* NULL when it could not be had */
	map_fn	*map;		/* its C mapping when it is a shipped one */
	int	 code;		/* why jq is NULL: the status to return */
	char	 why[128];	/* and the reason */
};

struct transform {
	struct prog *progs;	/* one per source, looked up linearly */
	size_t	 nprogs;
	struct prog *all;	/* -f FILE without SOURCE= */
	jv	 payload, source, spool_file, event_id;	/* keys, made once */
};

static int	 compile(struct prog *, const char *);
static struct prog *prog_add(struct transform *, const char *);
static void	 prog_clear(struct prog *);
static struct prog *prog_find(struct transform *, const char *);
static int	 prog_builtin(struct prog *);
static int	 run_jq(struct prog *, jv, jv *, char *, size_t);
static int	 parse_body(struct transform *, const struct provider *, jv *,
		    char *, size_t);
static jv	 decorate(struct transform *, jv, jv, jv);
static void	 raw_name(struct transform *, jv);

struct transform *
transform_new(void)
{
	struct transform *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		err(EX_OSERR, NULL);
	/* Each jv_string allocates; a kept key is copied by reference. */
	t->payload = jv_string("payload");
	t->source = jv_string("source");
	t->spool_file = jv_string("spool_file");
	t->event_id = jv_string("event_id");
	return t;
}

void
transform_free(struct transform *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nprogs; i++) {
		prog_clear(&t->progs[i]);
		free(t->progs[i].source);
	}
	free(t->progs);
	if (t->all != NULL)
		prog_clear(t->all);
	free(t->all);
	jv_free(t->payload);
	jv_free(t->source);
	jv_free(t->spool_file);
	jv_free(t->event_id);
	free(t);
}

/*
 * SOURCE= is taken as a prefix only when it looks like a source name, so a
 * file whose path holds '=' can still be given: ./a=b.jq is a file.
 */
int
transform_set(struct transform *t, const char *arg)
{
	const char *eq, *file, *s;
	struct prog *p;
	char *source = NULL;

	file = arg;
	if ((eq = strchr(arg, '=')) != NULL && eq != arg) {
		for (s = arg; s < eq; s++)
			if (strchr("abcdefghijklmnopqrstuvwxyz0123456789_-",
			    *s) == NULL)
				break;
		if (s == eq) {
			if ((source = strndup(arg, (size_t)(eq - arg))) ==
			    NULL)
				err(EX_OSERR, NULL);
			file = eq + 1;
		}
	}
	if (source == NULL) {
		if (t->all == NULL && (t->all = calloc(1, sizeof(*t->all))) ==
		    NULL)
			err(EX_OSERR, NULL);
		p = t->all;
	} else
		p = prog_add(t, source);
	free(source);
	prog_clear(p);
	if (compile(p, file) != 0) {
		if (p->code == EX_DATAERR)	/* ENOENT: say it here */
			warnx("%s: no such file", file);
		return -1;
	}
	return 0;
}

/* The provider's event id of env's payload (its rule borrows it). */
static jv
event_id(struct transform *t, const struct provider *pv, jv env)
{
	jv payload, id;

	payload = json_getk(env, t->payload);
	id = pv->event_id(payload);
	jv_free(payload);
	return id;
}

int
transform_run(struct transform *t, jv env, void (*emit)(void *, jv),
    void *arg, char *why, size_t whysz)
{
	const struct provider *pv;
	struct prog *p;
	const char *source;
	jv outs, ev, id;
	int i, n, rc;

	/* The caller has checked the envelope (env_check), once. */
	if ((source = json_str(env, "source", NULL)) == NULL ||
	    (pv = provider_find(source)) == NULL ||
	    json_str(env, "body", NULL) == NULL) {
		snprintf(why, whysz, "not an envelope");
		jv_free(env);
		return EX_DATAERR;
	}
	if ((p = prog_find(t, source))->jq == NULL) {
		snprintf(why, whysz, "%s", p->why);
		jv_free(env);
		return p->code;
	}
	if ((rc = parse_body(t, pv, &env, why, whysz)) != 0)
		return rc;
	if (p->map != NULL) {		/* the shipped program, in C */
		if ((rc = p->map(env, &ev, why, whysz)) == 0) {
			raw_name(t, env);
			emit(arg, decorate(t, env, ev, event_id(t, pv, env)));
			rawbody_clear();
		}
		jv_free(env);
		return rc;
	}
	if ((rc = run_jq(p, jv_copy(env), &outs, why, whysz)) != 0) {
		jv_free(env);
		return rc;
	}
	id = event_id(t, pv, env);
	n = jv_array_length(jv_copy(outs));
	raw_name(t, env);
	for (i = 0; i < n; i++) {
		ev = jv_array_get(jv_copy(outs), i);
		/* The event's only reference, so decorate sets in place. */
		outs = jv_array_set(outs, i, jv_null());
		emit(arg, decorate(t, env, ev, jv_copy(id)));
	}
	rawbody_clear();
	jv_free(id);
	jv_free(outs);
	jv_free(env);
	return 0;
}

/* While its events are handed on, the body's bytes stand for the payload. */
static void
raw_name(struct transform *t, jv env)
{
	rawbody_set(json_getk(env, t->payload),
	    jv_object_get(jv_copy(env), jv_string("body")));
}

/*
 * The body, parsed into .payload: a JSON object, or a form's fields as an
 * object when the provider reads the request's body as a form; and the
 * query's parameters as .params when there is a query.  The body string
 * is NUL-terminated by jv, which jq 1.6 needs in its parse errors.
 */
static int
parse_body(struct transform *t, const struct provider *pv, jv *env,
    char *why, size_t whysz)
{
	const char *body, *query;
	size_t len, qlen = 0;
	jv v;

	body = json_str(*env, "body", &len);
	query = json_str(*env, "query", &qlen);
	v = env_payload(pv, query, body, len, why, whysz);
	if (jv_is_valid(v)) {
		*env = jv_object_set(*env, jv_copy(t->payload), v);
		if (query != NULL && qlen > 0)
			*env = jv_object_set(*env, jv_string("params"),
			    http_form_object(query, qlen));
		return 0;
	}
	jv_free(v);
	jv_free(*env);
	*env = jv_invalid();
	return EX_DATAERR;
}

/*
 * What C adds to an event (consumed) of env: its event_id (id, consumed:
 * the provider's rule, null when the payload has none), spool_file from
 * the envelope (co-drain's way back to the file), and source unless the
 * program set it.
 */
static jv
decorate(struct transform *t, jv env, jv ev, jv id)
{
	jv v;

	ev = jv_object_set(ev, jv_copy(t->event_id), id);

	v = json_getk(env, t->spool_file);
	if (jv_get_kind(v) == JV_KIND_STRING)
		ev = jv_object_set(ev, jv_copy(t->spool_file), v);
	else
		jv_free(v);
	if (!jv_object_has(jv_copy(ev), jv_copy(t->source)))
		ev = jv_object_set(ev, jv_copy(t->source),
		    json_getk(env, t->source));
	return ev;
}

/*
 * Run p on in (consumed); all its outputs in *outs, or none: a record whose
 * program fails half-way gives no events, so it is rejected whole.
 */
static int
run_jq(struct prog *p, jv in, jv *outs, char *why, size_t whysz)
{
	jv out, code;

	*outs = jv_array();
	jq_start(p->jq, in, 0);
	while (jv_is_valid(out = jq_next(p->jq))) {
		if (jv_get_kind(out) != JV_KIND_OBJECT) {
			jv_free(out);
			snprintf(why, whysz, "program output is not an object");
			goto fail;
		}
		*outs = jv_array_append(*outs, out);
	}
	if (jv_invalid_has_msg(jv_copy(out))) {
		jqprog_why(jv_invalid_get_msg(out), WHY_MAX, why, whysz);
		goto fail;
	}
	jv_free(out);
	if (jq_halted(p->jq)) {		/* halt is an end, halt_error not */
		code = jq_get_exit_code(p->jq);
		if (jv_is_valid(code) && !(jv_get_kind(code) ==
		    JV_KIND_NUMBER && jv_number_value(code) == 0)) {
			jv_free(code);
			jqprog_why(jq_get_error_message(p->jq), WHY_MAX, why,
			    whysz);
			goto fail;
		}
		jv_free(code);
	}
	return 0;
fail:
	jv_free(*outs);
	*outs = jv_invalid();
	return EX_DATAERR;
}

static struct prog *
prog_find(struct transform *t, const char *source)
{
	size_t i;
	struct prog *p;

	for (i = 0; i < t->nprogs; i++)
		if (strcmp(t->progs[i].source, source) == 0)
			return &t->progs[i];
	if (t->all != NULL)
		return t->all;
	p = prog_add(t, source);
	prog_builtin(p);
	return p;
}

/* The slot for source, new or already there. */
static struct prog *
prog_add(struct transform *t, const char *source)
{
	struct prog *p;
	size_t i;

	for (i = 0; i < t->nprogs; i++)
		if (strcmp(t->progs[i].source, source) == 0)
			return &t->progs[i];
	p = reallocarray(t->progs, t->nprogs + 1, sizeof(*p));
	if (p == NULL)
		err(EX_OSERR, NULL);
	t->progs = p;
	p = &t->progs[t->nprogs++];
	memset(p, 0, sizeof(*p));
	if ((p->source = strdup(source)) == NULL)
		err(EX_OSERR, NULL);
	return p;
}

static void
prog_clear(struct prog *p)
{
	if (p->jq != NULL)
		jq_teardown(&p->jq);
	p->jq = NULL;
	p->map = NULL;
	free(p->file);
	p->file = NULL;
	p->code = 0;
	p->why[0] = '\0';
}

/*
 * <sharedir>/<source>.jq.  A missing file in the share directory means the
 * source has no transform (its records are rejected); a missing directory,
 * or a file that is unreadable or does not compile, is an installation
 * fault, said once, here.
 */
static int
prog_builtin(struct prog *p)
{
	char path[4096];
	struct stat sb;
	const char *dir;

	dir = conf_sharedir();
	snprintf(path, sizeof(path), "%s/%s.jq", dir, p->source);
	if (compile(p, path) == 0)
		return 0;
	if (p->code != EX_DATAERR)
		return -1;
	if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		snprintf(p->why, sizeof(p->why), "no transform for source %s",
		    p->source);
	else {
		warn("%s", dir);
		p->code = EX_UNAVAILABLE;
		snprintf(p->why, sizeof(p->why), "no share directory %s", dir);
	}
	return -1;
}

/* Load and compile file into p; on failure set p->code and p->why. */
static int
compile(struct prog *p, const char *file)
{
	if ((p->file = strdup(file)) == NULL)
		err(EX_OSERR, NULL);
	switch (jqprog_load(&p->jq, file, p->file, jv_object())) {
	case 0:
		p->map = map_file(file);
		return 0;
	case JQPROG_UNREAD:
		p->code = errno == ENOENT ? EX_DATAERR : EX_UNAVAILABLE;
		if (p->code != EX_DATAERR)
			warn("%s", file);
		snprintf(p->why, sizeof(p->why), "cannot read %s", file);
		return -1;
	default:
		p->code = EX_SOFTWARE;
		snprintf(p->why, sizeof(p->why), "%s does not compile", file);
		return -1;
	}
}

