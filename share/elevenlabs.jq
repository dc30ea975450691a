# elevenlabs.jq - an ElevenLabs post-call webhook (PROTOCOLS 2.3-2.6) to one
# normalized event (SPEC section 6).  Input: the spool envelope with the
# parsed body in .payload.  Run by co-transform through libjq 1.6.
#
# Rule: one event per webhook, every type with the same keys (null when not
# known); only type and data.conversation_id are required, since together
# they are the event's only identity (ElevenLabs sends no event id).  A
# field of the wrong type reads as absent instead of failing the event.

# A non-empty string, or null.
def str: if type == "string" and . != "" then . else null end;

# An object, or null.
def obj: if type == "object" then . else null end;

# A number, or a string of one; null otherwise.
def num:
	if type == "number" then .
	elif type == "string" then (try tonumber catch null)
	else null end;

# A time in seconds that gmtime can convert (about 2 million years either
# way), else null: on NaN or beyond, jq 1.6's todate aborts the whole
# process (livekit.jq guards the same way).  NaN fails both comparisons.
def in_range: if -6.7e16 < . then if . < 6.7e16 then . else null end
	else null end;

# Whole seconds, 0 or more and in range, or null.
def secs: num | if . == null then null else in_range
	| if . == null or . < 0 then null else floor end end;

# An id that may come as a string or a number (a dynamic variable).
def id_str: if type == "number" then tostring else str end;

# Whole Unix seconds to RFC 3339 UTC; null for null or out of range.
def rfc3339: if . == null then null else in_range
	| if . == null then null else floor | todate end end;

# event_timestamp: Unix seconds as a number (every example) or a string
# (the old docs' table); a string may also be an RFC 3339 time in UTC.
def event_time:
	if type == "number" then rfc3339
	elif type == "string" then
		((try tonumber catch null) | rfc3339)
		// (try (sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601 | rfc3339)
		    catch null)
	else null end;

# E.164 with the leading +, checked with C builtins (no regex per call).
def e164:
	if type != "string" then null
	else ltrimstr("+") as $d
	| ($d | explode) as $c
	| if ($c | length) >= 6 and ($c | length) <= 15 and $c[0] != 48
	    and ($c | min) >= 48 and ($c | max) <= 57
	then "+" + $d else null end end;

# inbound or outbound; Twilio's Direction reads outbound-api, outbound-dial.
def direction:
	if type != "string" then null
	elif startswith("outbound") then "outbound"
	elif startswith("inbound") then "inbound"
	else null end;

# A transcript turn, kept at its index so sequence numbers are stable: a
# turn of the wrong shape becomes an empty turn, not a gap.
def turn:
	obj as $t
	| {role: ($t.role | str),
	    message: ($t.message | if type == "string" then . else null end),
	    time_in_call_secs: ($t.time_in_call_secs | secs)};

# What a failed initiation's metadata says about the call, in the words
# co-classify reads: Twilio's CallStatus, a SIP status code, else failed.
def failure_status:
	(.body | obj) as $b
	| ($b.CallStatus | str)
	// ($b.sip_status_code | num
	    | if . == null then null
	    elif . == 486 or . == 600 or . == 603 then "busy"
	    elif . == 408 or . == 480 or . == 487 then "no-answer"
	    else "failed (SIP \(.))" end)
	// "failed";

.received_at as $received
| .payload
| (.type | str // error("elevenlabs payload has no type")) as $type
| (.data | obj) as $d
| ($d.conversation_id | str
    // error("elevenlabs payload has no data.conversation_id")) as $conv
| ($d.metadata | obj) as $m
| ($m.phone_call | obj) as $pc
| ($type == "post_call_transcription") as $tr
| ($type == "call_initiation_failure") as $fail
| (if $tr then $m.start_time_unix_secs | secs else null end) as $start
| (if $tr then $m.call_duration_secs | secs else null end) as $dur
| (if $fail then $m | obj | .body | obj else null end) as $fb
| (if $tr then $m.termination_reason | str else null end) as $term
| {
	source: "elevenlabs",
	event_id: null,		# "type:conversation_id", set by co-transform
	event: $type,
	occurred_at: ((.event_timestamp | event_time) // ($received | str)),
	conversation_id: $conv,
	call_sid: ($d.conversation_initiation_client_data | obj
	    | .dynamic_variables | obj | .call_sid | id_str),
	user_id: null,
	agent_id: ($d.agent_id | str),
	provider_call_sid: (if $tr then $pc.call_sid | str
	    elif $fail then $fb.CallSid | str // ($fb.call_sid | str)
	    else null end),
	direction: (if $tr then $pc.direction | direction
	    elif $fail then $fb.Direction | direction else null end),
	phone_number: (if $tr then $pc.external_number | e164
	    elif $fail then $fb.To | e164 else null end),
	started_at: ($start | rfc3339),
	ended_at: (if $start != null and $dur != null
	    then $start + $dur | rfc3339 else null end),
	duration: $dur,
	cost: (if $tr then $m.cost | num else null end),
	transcript: (if $tr and ($d.transcript | type) == "array"
	    then [$d.transcript[] | turn] else null end),
	analysis: (if $tr then $d.analysis | obj else null end),
	failure_reason: (if $fail then $d.failure_reason | str else null end),
	provider_status: (if $tr then $d.status | str
	    elif $fail then $m | failure_status else null end),
	termination_reason: $term,
	# The agent's voicemail detection ends the call with a reason that
	# says so; co-classify's rule 3 reads this.
	voicemail: (if $tr then ($term // "" | ascii_downcase
	    | contains("voicemail")) else null end),
	# The audio is kept in the spool file, not copied into the database.
	raw: (if ($d.full_audio | type) == "string"
	    then .data.full_audio =
		"<omitted: \($d.full_audio | length) base64 characters>"
	    else . end)
}
