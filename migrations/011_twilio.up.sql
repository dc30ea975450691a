-- 011: Twilio status callbacks.  twilio_call_events is the audit of every
-- callback loaded, one row per event_id ("<CallSid>:<CallStatus>"), with
-- the event's normalized fields and its raw payload, so a call's row is
-- recomputed from the set of its events whatever their order.
--
-- A callback belongs to the calls row whose provider_call_sid is its
-- CallSid: the ElevenLabs call placed through Twilio (co-dial stores the
-- callSid ElevenLabs returns; ElevenLabs' webhooks carry it too).  When no
-- such row exists and the tenant is known, the loader creates a calls row
-- of its own for the CallSid (no call_sid, no conversation_id).
-- calls_provider_call_sid_idx finds the row; it is not unique, since
-- rows made before 011 may share a provider_call_sid.
--
-- Row security as every tenant table since 005 (co_tenant_table).

CREATE INDEX calls_provider_call_sid_idx ON calls (provider_call_sid)
	WHERE provider_call_sid IS NOT NULL;

CREATE TABLE twilio_call_events (
	event_id	text PRIMARY KEY,
	call_sid	text NOT NULL,
	call_id		bigint NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
	user_id		text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	event		text NOT NULL,
	provider_status	text,
	answered_by	text,
	duration	integer,
	sip_response_code integer,
	direction	text,
	phone_number	text,
	from_number	text,
	to_number	text,
	occurred_at	timestamptz,
	outcome		text,
	outcome_rule	text,
	raw		jsonb NOT NULL,
	spool_file	text,
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX twilio_call_events_call_id_idx ON twilio_call_events (call_id);
CREATE INDEX twilio_call_events_user_id_idx ON twilio_call_events (user_id,
	occurred_at DESC);

CALL co_tenant_table('twilio_call_events', 'user_id');
