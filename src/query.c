/*
 * query.c - the statements of co-query and co-serve (query.h).
 * Rule: the tenant is set in a read-only transaction (co.tenant), where the
 * database's row-level security holds every statement to it; the SQL names
 * it again only so that the planner reads the tenant's index entries.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "diag.h"
#include "provider.h"
#include "json.h"
#include "query.h"
#include "rfc3339.h"

/*
 * A call's place in time: lists' order, cursors and the indexes' key, as
 * migration 002 writes it (a CASE: row security wants leakproof quals).
 * call_logs' times are the seed's TIMESTAMP columns holding UTC (migration
 * 001): KEY is one, so a time compared with it is made UTC (AT_UTC) and a
 * time printed from one is made a timestamptz first ('!' columns).
 */
#define KEY	"CASE WHEN \"startedAt\" IS NULL THEN \"createdAt\" " \
	"ELSE \"startedAt\" END"
#define TENANT	"\"userId\" = current_setting('co.tenant')"
#define FMT_UTC	"'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'"
#define FMT_TZ	"'YYYY-MM-DD\"T\"HH24:MI:SS.MSTZH:TZM'"
#define CURSOR	"to_char(" KEY ", " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || '/' || id"
#define AT_UTC	"timestamptz AT TIME ZONE 'UTC'"
/*
 * ElevenLabs' calls (migrations 003, 004): the same key on timestamptz
 * columns, made UTC TIMESTAMPs where the two providers meet in a UNION.
 */
#define EL_KEY	"CASE WHEN started_at IS NULL THEN created_at " \
	"ELSE started_at END"
#define EL_TENANT	"user_id = current_setting('co.tenant')"
#define EL_UTC(c)	c " AT TIME ZONE 'UTC'"
/*
 * A Twilio call of its own (migration 011): a calls row the loader made
 * for a CallSid no ElevenLabs call had, so without call_sid and
 * conversation_id.  Its provider, as --provider and the lists name it.
 */
#define TW_ROW	"(call_sid IS NULL AND conversation_id IS NULL)"
#define CALLS_PROVIDER	"CASE WHEN " TW_ROW " THEN 'twilio' " \
	"ELSE 'elevenlabs' END"
/* CALL_ID: the row's id (any string, as the seed's) or its room sid. */
#define FIND	TENANT " AND (\"livekitRoomSid\" = $1 OR id = $1)"

#define RE_DATE	"[0-9]{4}-[0-9]{2}-[0-9]{2}"
#define RE_TIME	"[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?"
/* A call_logs id: VARCHAR(36), any characters. */
#define RE_ID	".{1,36}"

/* A statement being built, with its parameters. */
struct sql {
	struct buf b;
	const char *v[QUERY_MAXPARAM];
	int	 n;
};

const struct bykey query_bykeys[] = {
	{ "day", "to_char(date_trunc('day', (" KEY ") AT TIME ZONE 'UTC'), "
	    "'YYYY-MM-DD')" },
	{ "week", "to_char(date_trunc('week', (" KEY ") AT TIME ZONE 'UTC'), "
	    "'YYYY-MM-DD')" },
	{ "outcome", "outcome" },
	{ "direction", "direction" },
	{ "campaign", "\"campaignId\"" },
	{ "agent", "\"agentConfigId\"" },
	{ "provider", "provider" },
};
const size_t query_nbykeys = sizeof(query_bykeys) / sizeof(query_bykeys[0]);

const char *const query_outcomes[] = { "completed", "no_answer", "busy",
	"failed", "voicemail", "none", NULL };
const char *const query_directions[] = { "inbound", "outbound", NULL };
/* call_logs.status in the seed's words (migration 001), then calls'. */
const char *const query_statuses[] = { "active", "ended", "in_progress",
	"completed", "failed", NULL };

/* The providers whose calls co-query answers about, from the table. */
const char *const *
query_providers(void)
{
	static const char *names[QUERY_MAXPROVIDERS + 1];
	size_t i, n = 0;

	if (names[0] == NULL)
		for (i = 0; provider_table[i] != NULL &&
		    n < QUERY_MAXPROVIDERS; i++)
			if (provider_table[i]->query)
				names[n++] = provider_table[i]->name;
	return names;
}

/*
 * Columns; a leading '@' marks a timestamptz, '!' a TIMESTAMP holding UTC,
 * each printed in RFC 3339 per --tz.
 */
static const char *const outcome_cols[] = { "id", "\"userId\"",
	"\"agentConfigId\"", "\"livekitRoomName\"", "\"livekitRoomSid\"",
	"direction", "\"phoneNumber\"", "\"sipCallId\"", "duration",
	"!\"startedAt\"", "!\"endedAt\"", "status", "outcome",
	"\"recordingUrl\"", "metadata", "cost", "!\"createdAt\"",
	"!\"updatedAt\"", NULL };
/* An ElevenLabs call (migrations 003, 004): the calls table's own names. */
static const char *const el_outcome_cols[] = { "id", "call_sid",
	"conversation_id", "user_id", "driver_id", "agent_id", "to_number",
	"direction", "status", "outcome", "failure_reason", "duration", "cost",
	"provider_call_sid", "analysis", "@started_at", "@ended_at",
	"@created_at", "@updated_at", NULL };
/* A page of calls: both providers' rows in call_logs' names. */
static const char *const calls_cols[] = { "provider", "id", "\"userId\"",
	"\"agentConfigId\"", "\"campaignId\"", "\"livekitRoomName\"",
	"\"livekitRoomSid\"", "direction", "\"phoneNumber\"", "\"sipCallId\"",
	"duration", "!\"startedAt\"", "!\"endedAt\"", "status", "outcome",
	"\"recordingUrl\"", "metadata", "cost", "!\"createdAt\"",
	"!\"updatedAt\"", NULL };
/* Each arm of the UNION of calls: call_logs' columns, calls' mapped. */
#define LK_CALLS "'livekit'::text AS provider, id, \"userId\", " \
	"\"agentConfigId\", \"campaignId\", \"livekitRoomName\", " \
	"\"livekitRoomSid\", direction, \"phoneNumber\", \"sipCallId\", " \
	"duration, \"startedAt\", \"endedAt\", status, outcome, " \
	"\"recordingUrl\", metadata, cost, \"createdAt\", \"updatedAt\" "
#define EL_CALLS CALLS_PROVIDER ", id::text, user_id, agent_id, NULL, NULL, " \
	"NULL, direction, to_number, NULL, duration, " EL_UTC("started_at") \
	", " EL_UTC("ended_at") ", status, outcome, NULL, " \
	"jsonb_build_object('call_sid', call_sid, 'conversation_id', " \
	"conversation_id) || CASE WHEN provider_call_sid IS NOT NULL THEN " \
	"jsonb_build_object('provider_call_sid', provider_call_sid) " \
	"ELSE '{}' END, cost::text, " EL_UTC("created_at") ", " \
	EL_UTC("updated_at") " "
/* ... and of stats: what the figures, the filters and --by read. */
#define LK_STATS "'livekit'::text AS provider, \"startedAt\", " \
	"\"createdAt\", outcome, duration, direction, \"campaignId\", " \
	"\"agentConfigId\" "
#define EL_STATS CALLS_PROVIDER ", " EL_UTC("started_at") ", " \
	EL_UTC("created_at") ", outcome, duration, direction, NULL, agent_id "
/* An ElevenLabs call's events (migration 004) in their own names. */
static const char *const el_events_cols[] = { "event_id", "type",
	"@occurred_at", "conversation_id", "call_sid", "agent_id",
	"direction", "phone_number", "provider_call_sid", "@started_at",
	"@ended_at", "duration", "cost", "failure_reason", "provider_status",
	"termination_reason", "outcome", "outcome_rule", "spool_file",
	"@created_at", NULL };
/* The columns of both arms under el_events_cols, Twilio's mapped. */
#define EL_EVENTS "event_id, type, occurred_at, conversation_id, " \
	"call_sid, agent_id, direction, phone_number, provider_call_sid, " \
	"started_at, ended_at, duration, cost, failure_reason, " \
	"provider_status, termination_reason, outcome, outcome_rule, " \
	"spool_file, created_at, raw "
#define TW_EVENTS "event_id, event, occurred_at, NULL, NULL, NULL, " \
	"direction, phone_number, call_sid, NULL, NULL, duration, NULL, " \
	"CASE WHEN sip_response_code IS NOT NULL THEN 'SIP ' || " \
	"sip_response_code END, provider_status, answered_by, outcome, " \
	"outcome_rule, spool_file, created_at, raw "
static const char *const events_cols[] = { "\"eventId\"", "event",
	"timestamp", "@\"occurredAt\"", "\"roomSid\"", "\"roomName\"",
	"\"participantIdentity\"", "\"participantSid\"", "\"participantKind\"",
	"direction", "\"phoneNumber\"", "\"sipCallId\"", "@\"startedAt\"",
	"@\"endedAt\"", "duration", "\"disconnectReason\"", "\"providerStatus\"",
	"outcome", "\"outcomeRule\"", "\"recordingUrl\"", "\"agentConfigId\"",
	"\"campaignId\"", "\"roomMetadata\"", "\"spoolFile\"", "processed",
	"\"errorMessage\"", "!\"processedAt\"", "!\"createdAt\"", NULL };

#define STATS_COLS \
	"count(*) AS calls, " \
	"count(*) FILTER (WHERE outcome = 'completed') AS completed, " \
	"count(*) FILTER (WHERE outcome = 'no_answer') AS no_answer, " \
	"count(*) FILTER (WHERE outcome = 'busy') AS busy, " \
	"count(*) FILTER (WHERE outcome = 'failed') AS failed, " \
	"count(*) FILTER (WHERE outcome = 'voicemail') AS voicemail, " \
	"round(count(*) FILTER (WHERE outcome = 'completed') / " \
	"nullif(count(outcome), 0)::numeric, 4) AS answer_rate, " \
	"round(avg(duration), 2) AS avg_duration, " \
	"round(percentile_cont(0.5) WITHIN GROUP (ORDER BY duration)" \
	"::numeric, 2) AS p50_duration, " \
	"round(percentile_cont(0.9) WITHIN GROUP (ORDER BY duration)" \
	"::numeric, 2) AS p90_duration "

static void
sql_add(struct sql *s, const char *text)
{
	buf_str(&s->b, text);
}

/* Append $N (cast when cast is not NULL) bound to val. */
static void
sql_param(struct sql *s, const char *val, const char *cast)
{
	char buf[64];

	if (s->n == QUERY_MAXPARAM)
		errx(EX_SOFTWARE, "too many parameters");
	s->v[s->n++] = val;
	snprintf(buf, sizeof(buf), "$%d%s%s", s->n, cast ? "::" : "",
	    cast ? cast : "");
	sql_add(s, buf);
}

static void
sql_cols(const struct query *q, struct sql *s, const char *const *cols)
{
	const char *c;

	for (; (c = *cols) != NULL; cols++) {
		if (*c == '@' || *c == '!') {
			c++;
			sql_add(s, "to_char(");
			sql_add(s, c);
			if (c[-1] == '!')
				sql_add(s, " AT TIME ZONE 'UTC'");
			sql_add(s, ", ");
			sql_add(s, q->zone != NULL ? FMT_TZ : FMT_UTC);
			sql_add(s, ") AS ");
		}
		sql_add(s, c);
		sql_add(s, cols[1] != NULL ? ", " : " ");
	}
}

/* col in a comma list; "none" stands for NULL. */
static void
sql_list(struct sql *s, const char *col, const char *list)
{
	int none, many;

	if (list == NULL)
		return;
	none = strcmp(list, "none") == 0 || strncmp(list, "none,", 5) == 0 ||
	    strstr(list, ",none") != NULL;
	many = strchr(list, ',') != NULL;
	sql_add(s, " AND (");
	sql_add(s, col);
	if (none && !many) {
		sql_add(s, " IS NULL)");
		return;
	}
	sql_add(s, many ? " = ANY(string_to_array(" : " = ");
	sql_param(s, list, NULL);
	sql_add(s, many ? ", ','))" : "");
	if (none) {
		sql_add(s, " OR ");
		sql_add(s, col);
		sql_add(s, " IS NULL");
	}
	sql_add(s, ")");
}

static void
sql_cmp(struct sql *s, const char *expr, const char *op, const char *val,
    const char *cast)
{
	if (val == NULL)
		return;
	sql_add(s, " AND ");
	sql_add(s, expr);
	sql_add(s, op);
	sql_param(s, val, cast);
}

static void
sql_filters(struct sql *s, const struct filter *f)
{
	sql_cmp(s, KEY, " >= ", f->since, AT_UTC);
	sql_cmp(s, KEY, " < ", f->until, AT_UTC);
	sql_list(s, "outcome", f->outcome);
	sql_list(s, "direction", f->direction);
	sql_list(s, "status", f->status);
	sql_cmp(s, "\"phoneNumber\"", " = ", f->phone, NULL);
	sql_cmp(s, "\"campaignId\"", " = ", f->campaign, NULL);
	sql_cmp(s, "\"agentConfigId\"", " = ", f->agent, NULL);
}

/* The same filters on ElevenLabs' calls; campaigns are LiveKit's alone. */
static void
sql_filters_el(struct sql *s, const struct filter *f)
{
	sql_cmp(s, EL_KEY, " >= ", f->since, "timestamptz");
	sql_cmp(s, EL_KEY, " < ", f->until, "timestamptz");
	sql_list(s, "outcome", f->outcome);
	sql_list(s, "direction", f->direction);
	sql_list(s, "status", f->status);
	sql_cmp(s, "to_number", " = ", f->phone, NULL);
	sql_cmp(s, "agent_id", " = ", f->agent, NULL);
	if (f->campaign != NULL)
		sql_add(s, " AND false");
}

/* Whether the --provider list (all when none) names p. */
static int
wanted(const struct query *q, const char *p)
{
	const char *l = q->f.provider;
	size_t n = strlen(p);

	if (l == NULL)
		return 1;
	for (; l != NULL; l = strchr(l, ',') != NULL ? strchr(l, ',') + 1 :
	    NULL)
		if (strncmp(l, p, n) == 0 && (l[n] == ',' || l[n] == '\0'))
			return 1;
	return 0;
}

/*
 * Narrow the rows of one call table (PROVIDER_CALL_LOGS or PROVIDER_CALLS)
 * to those of the --provider list's providers, by the table's predicates.
 */
static void
sql_providers(const struct query *q, struct sql *s, int table)
{
	const struct provider *const *p;
	int n = 0, all = 1;

	for (p = provider_table; *p != NULL; p++)
		if ((*p)->query == table && wanted(q, (*p)->name))
			n++;
		else if ((*p)->query == table)
			all = 0;
	if (n == 0)
		sql_add(s, " AND false");
	if (n == 0 || all)
		return;
	sql_add(s, " AND (false");
	for (p = provider_table; *p != NULL; p++)
		if ((*p)->query == table && wanted(q, (*p)->name)) {
			sql_add(s, " OR ");
			sql_add(s, (*p)->query_rows);
		}
	sql_add(s, ")");
}

/* A failed statement: data exceptions can only come from our arguments. */
static int
failed(struct query *q)
{
	if (strncmp(db_last_sqlstate, "22", 2) == 0)
		return EX_USAGE;
	return db_status(q->conn);
}

/* The transaction's settings; search_path too, for db_open's sessions. */
#define SETTINGS	"SELECT pg_catalog.set_config('search_path', " \
	"'public', true), pg_catalog.set_config('TimeZone', $1, true), " \
	"pg_catalog.set_config('co.tenant', $2, true)"

/* BEGIN and the settings in one round trip. */
int
query_begin(struct query *q)
{
	const char *v[2] = { q->zone != NULL ? q->zone : "UTC", q->tenant };
	const struct db_stmt st[2] = {
		{ "BEGIN READ ONLY", 0, NULL, PGRES_COMMAND_OK },
		{ SETTINGS, 2, v, PGRES_TUPLES_OK },
	};
	PGresult *r[2];

	if (db_pipeline(q->conn, 2, st, r) == -1)
		return failed(q);
	PQclear(r[0]);
	PQclear(r[1]);
	return 0;
}

int
query_finish(struct query *q, int rc)
{
	PGresult *r;

	if ((r = db_exec(q->conn, "COMMIT", 0, NULL, PGRES_COMMAND_OK)) == NULL)
		return failed(q);
	PQclear(r);
	return rc;
}

static PGresult *
run(struct query *q, struct sql *s, int *rc)
{
	PGresult *r;

	r = db_exec(q->conn, s->b.p, s->n, s->v, PGRES_TUPLES_OK);
	buf_free(&s->b);
	s->n = 0;
	*rc = r == NULL ? failed(q) : 0;
	return r;
}

/* 1 when the table exists, 0 when not, -1 (*rc) on error. */
static int
have_table(struct query *q, const char *table, int *rc)
{
	struct sql s = { 0 };
	PGresult *r;
	int have;

	sql_add(&s, "SELECT to_regclass(");
	sql_param(&s, table, NULL);
	sql_add(&s, ") IS NOT NULL");
	if ((r = run(q, &s, rc)) == NULL)
		return -1;
	have = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return have;
}

/* ElevenLabs' calls table (and Twilio's calls in it). */
static int
have_calls(struct query *q, int *rc)
{
	return have_table(q, "calls", rc);
}

#define EL_FIND	EL_TENANT " AND (call_sid = $1 OR conversation_id = $1 " \
	"OR provider_call_sid = $1 OR id = CASE WHEN $1 ~ '^[0-9]{1,18}$' THEN $1::bigint END)"

/*
 * The ElevenLabs call whose call_sid, conversation_id or id is the
 * argument, when the calls table exists.  NULL with *rc 0 when none.
 */
static PGresult *
el_outcome(struct query *q, const char *id, int *rc)
{
	struct sql s = { 0 };

	if (have_calls(q, rc) != 1)
		return NULL;
	sql_add(&s, "SELECT ");
	sql_cols(q, &s, el_outcome_cols);
	sql_add(&s, "FROM calls WHERE " EL_FIND " LIMIT 1");
	s.v[s.n++] = id;
	return run(q, &s, rc);
}

PGresult *
query_outcome(struct query *q, const char *id, int *rc)
{
	struct sql s = { 0 };
	PGresult *r;

	sql_add(&s, "SELECT ");
	sql_cols(q, &s, outcome_cols);
	sql_add(&s, "FROM call_logs WHERE " FIND " LIMIT 1");
	s.v[s.n++] = id;
	if ((r = run(q, &s, rc)) == NULL)
		return NULL;
	if (PQntuples(r) == 0) {
		PQclear(r);
		if ((r = el_outcome(q, id, rc)) == NULL && *rc != 0)
			return NULL;
	}
	if (r == NULL || PQntuples(r) == 0) {
		PQclear(r);
		*rc = 1;
		return NULL;
	}
	return r;
}

/*
 * query_begin, query_outcome and query_finish in one round trip when the
 * call is in call_logs: BEGIN, the settings, the statement and COMMIT as
 * one pipeline.  Otherwise (an ElevenLabs call, or none) the usual way.
 */
PGresult *
query_outcome_once(struct query *q, const char *id, int *rc)
{
	const char *v[2] = { q->zone != NULL ? q->zone : "UTC", q->tenant };
	struct sql s = { 0 };
	struct db_stmt st[4] = {
		{ "BEGIN READ ONLY", 0, NULL, PGRES_COMMAND_OK },
		{ SETTINGS, 2, v, PGRES_TUPLES_OK },
		{ NULL, 1, NULL, PGRES_TUPLES_OK },
		{ "COMMIT", 0, NULL, PGRES_COMMAND_OK },
	};
	PGresult *r[4];
	int i;

	sql_add(&s, "SELECT ");
	sql_cols(q, &s, outcome_cols);
	sql_add(&s, "FROM call_logs WHERE " FIND " LIMIT 1");
	s.v[s.n++] = id;
	st[2].sql = s.b.p;
	st[2].vals = s.v;
	i = db_pipeline(q->conn, 4, st, r);
	buf_free(&s.b);
	if (i == -1) {
		*rc = failed(q);
		return NULL;
	}
	PQclear(r[0]);
	PQclear(r[1]);
	PQclear(r[3]);
	if (PQntuples(r[2]) > 0) {
		*rc = 0;
		return r[2];
	}
	PQclear(r[2]);
	if ((*rc = query_begin(q)) != 0)
		return NULL;
	if ((r[2] = query_outcome(q, id, rc)) == NULL) {
		if (*rc == 1 && (i = query_finish(q, 0)) != 0)
			*rc = i;
		return NULL;
	}
	if ((*rc = query_finish(q, 0)) != 0) {
		PQclear(r[2]);
		return NULL;
	}
	return r[2];
}

/*
 * One page, newest first, keyset (KEY, id) after the cursor; one row more
 * than asked tells whether there is a next page.
 */
/*
 * Each provider's arm keeps its own order and limit, so that each reads
 * its index; the UNION of the two is ordered and cut again.
 */
PGresult *
query_calls(struct query *q, int *rc)
{
	struct sql s = { 0 };
	char lim[32];
	int el;

	if ((el = have_calls(q, rc)) == -1)
		return NULL;
	snprintf(lim, sizeof(lim), "%lld", q->limit + 1);
	sql_add(&s, "SELECT ");
	sql_cols(q, &s, calls_cols);
	sql_add(&s, ", " CURSOR " AS cursor FROM ((SELECT " LK_CALLS
	    "FROM call_logs WHERE " TENANT);
	sql_filters(&s, &q->f);
	sql_providers(q, &s, PROVIDER_CALL_LOGS);
	if (q->after != NULL) {
		sql_add(&s, " AND (" KEY ", id) < (");
		sql_param(&s, q->after, AT_UTC);
		sql_add(&s, ", ");
		sql_param(&s, q->after_id, NULL);
		sql_add(&s, ")");
	}
	sql_add(&s, " ORDER BY " KEY " DESC, id DESC LIMIT ");
	sql_param(&s, lim, "bigint");
	if (el) {
		sql_add(&s, ") UNION ALL (SELECT " EL_CALLS "FROM calls WHERE "
		    EL_TENANT);
		sql_filters_el(&s, &q->f);
		sql_providers(q, &s, PROVIDER_CALLS);
		if (q->after != NULL) {
			sql_add(&s, " AND (" EL_KEY ", id::text) < (");
			sql_param(&s, q->after, "timestamptz");
			sql_add(&s, ", ");
			sql_param(&s, q->after_id, "text");
			sql_add(&s, ")");
		}
		sql_add(&s, " ORDER BY " EL_KEY " DESC, id::text DESC LIMIT ");
		sql_param(&s, lim, "bigint");
	}
	sql_add(&s, ")) c ORDER BY " KEY " DESC, id DESC LIMIT ");
	sql_param(&s, lim, "bigint");
	return run(q, &s, rc);
}

PGresult *
query_stats(struct query *q, int *rc)
{
	struct sql s = { 0 };
	char pos[64];
	int i, el;

	sql_add(&s, "SELECT ");
	for (i = 0; i < q->nby; i++) {
		sql_add(&s, q->by[i]->expr);
		sql_add(&s, " AS ");
		sql_add(&s, q->by[i]->name);
		sql_add(&s, ", ");
	}
	if ((el = have_calls(q, rc)) == -1) {
		buf_free(&s.b);
		return NULL;
	}
	sql_add(&s, STATS_COLS "FROM (SELECT " LK_STATS "FROM call_logs WHERE "
	    TENANT);
	sql_filters(&s, &q->f);
	sql_providers(q, &s, PROVIDER_CALL_LOGS);
	if (el) {
		sql_add(&s, " UNION ALL SELECT " EL_STATS "FROM calls WHERE "
		    EL_TENANT);
		sql_filters_el(&s, &q->f);
		sql_providers(q, &s, PROVIDER_CALLS);
	}
	sql_add(&s, ") c");
	for (i = 0; i < q->nby; i++) {
		snprintf(pos, sizeof(pos), "%s%d", i ? ", " : " GROUP BY ",
		    i + 1);
		sql_add(&s, pos);
	}
	for (i = 0; i < q->nby; i++) {
		snprintf(pos, sizeof(pos), "%s%d", i ? ", " : " ORDER BY ",
		    i + 1);
		sql_add(&s, pos);
	}
	return run(q, &s, rc);
}

/* The webhook events of the tenant's ElevenLabs call; *rc 1 when none. */
static PGresult *
el_events(struct query *q, const char *call, int *rc)
{
	struct sql s = { 0 };
	PGresult *r;
	char *id;
	int tw;

	if (have_calls(q, rc) != 1) {
		*rc = *rc == 0 ? 1 : *rc;
		return NULL;
	}
	sql_add(&s, "SELECT id FROM calls WHERE " EL_FIND " LIMIT 1");
	s.v[s.n++] = call;
	if ((r = run(q, &s, rc)) == NULL)
		return NULL;
	if (PQntuples(r) == 0) {
		PQclear(r);
		*rc = 1;
		return NULL;
	}
	if ((id = strdup(PQgetvalue(r, 0, 0))) == NULL)
		err(EX_OSERR, "strdup");
	PQclear(r);
	if ((tw = have_table(q, "twilio_call_events", rc)) == -1) {
		free(id);
		return NULL;
	}
	sql_add(&s, "SELECT provider, ");
	sql_cols(q, &s, el_events_cols);
	if (q->raw)
		sql_add(&s, ", raw ");
	sql_add(&s, "FROM (SELECT 'elevenlabs' AS provider, " EL_EVENTS
	    "FROM elevenlabs_webhook_events WHERE " EL_TENANT " AND call_id = ");
	sql_param(&s, id, "bigint");
	if (tw) {
		sql_add(&s, " UNION ALL SELECT 'twilio', " TW_EVENTS
		    "FROM twilio_call_events WHERE " EL_TENANT " AND call_id = ");
		sql_param(&s, id, "bigint");
	}
	/* Qualified: the bare names are the to_char() output columns. */
	sql_add(&s, ") e ORDER BY e.occurred_at NULLS LAST, e.created_at, "
	    "e.event_id");
	r = run(q, &s, rc);
	free(id);
	return r;
}

PGresult *
query_events(struct query *q, const char *call, int *rc)
{
	struct sql s = { 0 };
	PGresult *r;
	char *id;

	sql_add(&s, "SELECT id FROM call_logs WHERE " FIND " LIMIT 1");
	s.v[s.n++] = call;
	if ((r = run(q, &s, rc)) == NULL)
		return NULL;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return el_events(q, call, rc);
	}
	if ((id = strdup(PQgetvalue(r, 0, 0))) == NULL)
		err(EX_OSERR, "strdup");
	PQclear(r);
	sql_add(&s, "SELECT 'livekit' AS provider, ");
	sql_cols(q, &s, events_cols);
	if (q->raw)
		sql_add(&s, ", \"rawPayload\" ");
	sql_add(&s, "FROM livekit_call_events WHERE " TENANT
	    " AND \"callLogId\" = ");
	sql_param(&s, id, NULL);
	/* Qualified: the bare name would be the to_char() output column. */
	sql_add(&s, " ORDER BY livekit_call_events.\"occurredAt\" NULLS LAST, "
	    "timestamp, \"eventId\"");
	r = run(q, &s, rc);
	free(id);
	return r;
}

static PGresult *
changed(struct query *q, const char *after_t, const char *after_id,
    const char *only_id, int *rc)
{
	struct sql s = { 0 };
	PGresult *r;
	char lim[32];
	int el;

	sql_add(&s, "SELECT to_regclass('calls') IS NOT NULL");
	if ((r = run(q, &s, rc)) == NULL)
		return NULL;
	el = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	sql_add(&s, "SELECT provider, id, to_char(t AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || '/' || id AS cursor "
	    "FROM (SELECT 'livekit' AS provider, id::text AS id, "
	    "\"updatedAt\" AT TIME ZONE 'UTC' AS t FROM call_logs WHERE " TENANT
	    " AND (outcome IS NOT NULL OR status NOT IN ('in_progress', 'active'))");
	if (el)
		sql_add(&s, " UNION ALL SELECT " CALLS_PROVIDER ", id::text, "
		    "updated_at FROM calls WHERE user_id = "
		    "current_setting('co.tenant') AND (outcome IS NOT NULL OR "
		    "status NOT IN ('in_progress', 'active'))");
	sql_add(&s, ") c WHERE ");
	if (only_id != NULL) {
		sql_add(&s, "id = ");
		sql_param(&s, only_id, NULL);
	} else {
		sql_add(&s, "(t, id) > (");
		sql_param(&s, after_t, "timestamptz");
		sql_add(&s, ", ");
		sql_param(&s, after_id, "text");
		sql_add(&s, ") ORDER BY t, id LIMIT ");
		snprintf(lim, sizeof(lim), "%lld", q->limit);
		sql_param(&s, lim, "bigint");
	}
	return run(q, &s, rc);
}

int
query_listen(struct query *q)
{
	if (db_run(q->conn, "LISTEN co_calls", 0, NULL, PGRES_COMMAND_OK) == -1)
		return db_status(q->conn);
	return 0;
}

int
query_changes(struct query *q, const char *t, const char *id,
    const char *only, query_emit emit, void *arg)
{
	PGresult *r, *o;
	int i, rc, n = 0;

	if (query_begin(q) != 0 || (r = changed(q, t, id, only, &rc)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(r) && n >= 0; i++) {
		if ((o = query_outcome(q, PQgetvalue(r, i, 1), &rc)) == NULL) {
			if (rc != 1)
				n = -1;
			continue;
		}
		if (emit(arg, PQgetvalue(r, i, 2), o) == -1)
			n = -1;
		PQclear(o);
	}
	if (n == 0)
		n = PQntuples(r);
	PQclear(r);
	if (n >= 0 && query_finish(q, 0) != 0)
		n = -1;
	return n;
}

/* The notification's call id when it is for the tenant, else NULL. */
static char *
notice_id(const struct query *q, const char *payload)
{
	char *id = NULL;
	jv p, t, i;

	p = jv_parse(payload);
	if (jv_get_kind(p) != JV_KIND_OBJECT) {
		jv_free(p);
		return NULL;
	}
	t = json_get(p, "tenant");
	i = jv_object_get(p, jv_string("id"));
	if (jv_get_kind(t) == JV_KIND_STRING &&
	    jv_get_kind(i) == JV_KIND_STRING &&
	    strcmp(jv_string_value(t), q->tenant) == 0 &&
	    (id = strdup(jv_string_value(i))) == NULL)
		err(EX_OSERR, "strdup");
	jv_free(t);
	jv_free(i);
	return id;
}

int
query_notified(struct query *q, query_emit emit, void *arg)
{
	PGnotify *nf;
	char *id;
	int n = 0, k;

	if (PQconsumeInput(q->conn) == 0)
		return -1;
	while (n >= 0 && (nf = PQnotifies(q->conn)) != NULL) {
		id = notice_id(q, nf->extra);
		PQfreemem(nf);
		if (id != NULL) {
			k = query_changes(q, NULL, NULL, id, emit, arg);
			n = k == -1 ? -1 : n + k;
		}
		free(id);
	}
	return n;
}

static int
matches(const char *re, const char *s)
{
	regex_t x;
	int rc;

	if (regcomp(&x, re, REG_EXTENDED | REG_NOSUB) != 0)
		errx(EX_SOFTWARE, "bad regex: %s", re);
	rc = regexec(&x, s, 0, NULL, 0) == 0;
	regfree(&x);
	return rc;
}

/* A date (midnight in the zone) or an RFC 3339 date-time: why not. */
const char *
query_check_time(const char *s)
{
	return s != NULL ? rfc3339_check(s, RFC3339_DATE, NULL) : NULL;
}
const char *
query_check_list(const char *what, const char *list,
    const char *const *allowed)
{
	static char why[128];
	char *copy, *p, *tok;
	int i;

	if (list == NULL)
		return NULL;
	if ((p = copy = strdup(list)) == NULL)
		err(EX_OSERR, "strdup");
	while ((tok = strsep(&p, ",")) != NULL) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(tok, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			snprintf(why, sizeof(why), "unknown %s", what);
			free(copy);
			return why;
		}
	}
	free(copy);
	return NULL;
}

/* TIME/ID as the cursor column gives it. */
const char *
query_set_after(struct query *q, const char *s)
{
	const char *end;
	char *slash;

	if (!matches("^" RE_DATE "T" RE_TIME "Z/" RE_ID "$", s) ||
	    rfc3339_check(s, RFC3339_UTC, &end) != NULL || *end != '/')
		return "not a cursor";
	free(q->after);
	if ((q->after = strdup(s)) == NULL)
		err(EX_OSERR, "strdup");
	slash = strchr(q->after, '/');
	*slash = '\0';
	q->after_id = slash + 1;
	return NULL;
}

const char *
query_add_by(struct query *q, const char *list)
{
	static char why[128];
	char *copy, *p, *tok;
	size_t i;
	int j;

	if ((p = copy = strdup(list)) == NULL)
		err(EX_OSERR, "strdup");
	why[0] = '\0';
	while (why[0] == '\0' && (tok = strsep(&p, ",")) != NULL) {
		for (i = 0; i < query_nbykeys; i++)
			if (strcmp(tok, query_bykeys[i].name) == 0)
				break;
		if (i == query_nbykeys) {
			snprintf(why, sizeof(why), "unknown by key");
			break;
		}
		for (j = 0; j < q->nby; j++)
			if (q->by[j] == &query_bykeys[i])
				snprintf(why, sizeof(why), "by key twice");
		if (why[0] == '\0' && q->nby == QUERY_MAXBY)
			snprintf(why, sizeof(why), "too many by keys");
		if (why[0] == '\0')
			q->by[q->nby++] = &query_bykeys[i];
	}
	free(copy);
	return why[0] != '\0' ? why : NULL;
}
