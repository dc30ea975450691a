# livekit.jq - a LiveKit webhook (a protojson WebhookEvent) to one
# normalized event (SPEC section 6).  Input: the spool envelope with the
# parsed body in .payload.  Run by co-transform through libjq 1.6.
#
# Rule: read the payload the way protojson writes it and no stricter:
# int64 values are strings (numbers are accepted too), zero values are
# omitted (an absent field means 0, "" or the enum's first name), enums
# come by name, and unknown fields are ignored.  Every event, even one that
# says nothing about a call, comes out with the same keys (null when not
# known), so the stream is an audit trail with one shape.

# An int64 given as a string (or, leniently, as a number); null otherwise.
def num:
	if type == "number" then .
	elif type == "string" then (try tonumber catch null)
	else null end;

# A non-empty string, or null: protojson omits "", other writers may not.
def str: if type == "string" and . != "" then . else null end;

# An object, or null, so that a field of the wrong type reads as absent
# instead of failing the whole event.
def obj: if type == "object" then . else null end;

# Whole Unix seconds to RFC 3339 UTC.  LiveKit's createdAt has a resolution
# of one second, so every time here is given in whole seconds too: then
# started_at + duration = ended_at holds exactly.
def rfc3339: if . == null then null else floor | todate end;

# Seconds from a field in seconds, else from its twin in milliseconds.
def secs($s; $ms):
	($s | num) // ($ms | num | if . == null then null else ./1000 | floor end);

# Egress times are nanoseconds (lk-egress uses time.Now().UnixNano()).
def ns_secs: num | if . == null then null else ./1e9 | floor end;

# Whole seconds from $a to $b, never negative (clocks of two servers).
def span($a; $b):
	if $a == null or $b == null then null
	else ([$b - $a, 0] | max | floor) end;

# room.metadata is a JSON string that our dispatcher fills; anything that is
# not a JSON object (free text, "") is ignored, not an error.
def room_metadata:
	.room | obj | .metadata
	| if type == "string" then (try fromjson catch null) else null end
	| obj;

# An id from the metadata: a string, or a number given as one.
def id_str:
	if type == "number" then tostring else str end;

# E.164 with the leading +; SIP user parts may come without it.  Checked
# with C builtins (explode, min, max): jq 1.6 compiles a regex per call.
def e164:
	if type != "string" then null
	else ltrimstr("+") as $d
	| ($d | explode) as $c
	| if ($c | length) >= 6 and ($c | length) <= 15 and $c[0] != 48
	    and ($c | min) >= 48 and ($c | max) <= 57
	then "+" + $d else null end end;

# The far end's number from a room name: our dialer's rooms are
# sip-<digits>__<ts>__<x>, LiveKit's inbound default (an individual dispatch
# rule with prefix "call-") is call-_<number>_<random>.
def room_phone:
	if type != "string" then null
	elif startswith("sip-") then
		ltrimstr("sip-") | split("__")
		| if length == 3 then .[0] | e164 else null end
	elif startswith("call-_") then
		ltrimstr("call-_") | split("_")
		| if length == 2 then .[0] | e164 else null end
	else null end;

# Direction: what our dispatcher put in the metadata, else inferred from a
# SIP participant: only inbound calls go through a dispatch rule, so
# sip.ruleID is set exactly on inbound legs (PROTOCOLS 1.7).  Input: the
# participant; a lookup table instead of ascii_downcase, which 1.6 runs
# character by character in jq.
def direction($md):
	($md.direction | if type == "string" then {inbound: "inbound",
	    outbound: "outbound", INBOUND: "inbound", OUTBOUND: "outbound",
	    Inbound: "inbound", Outbound: "outbound"}[.] else null end)
	// (if .kind == "SIP" then
		if (.attributes | obj | .["sip.ruleID"]) != null
		then "inbound" else "outbound" end
	    else null end);

# The first recording location of an egress: fileResults[], else the
# deprecated single file.
def recording_url:
	.egressInfo | obj
	| (first(.fileResults[]? | obj | .location | str | select(. != null))
	    // (.file | obj | .location | str));

# started_at, ended_at and duration (seconds), by event.  $stop is the
# event's createdAt in seconds.
def times($ev; $stop):
	(.room | obj) as $r
	| (.participant | obj) as $p
	| if $ev == "room_started" then
		{started: secs($r.creationTime; $r.creationTimeMs)}
	elif $ev == "room_finished" then
		secs($r.creationTime; $r.creationTimeMs) as $s
		| {started: $s, ended: $stop, duration: span($s; $stop)}
	elif $ev == "participant_joined" then
		{started: secs($p.joinedAt; $p.joinedAtMs)}
	elif $ev == "participant_left"
	    or $ev == "participant_connection_aborted" then
		secs($p.joinedAt; $p.joinedAtMs) as $s
		| {started: $s, ended: $stop, duration: span($s; $stop)}
	elif $ev == "egress_ended" then
		(.egressInfo | obj) as $e
		| {started: ($e.startedAt | ns_secs),
		    ended: ($e.endedAt | ns_secs)}
	else {} end;

.received_at as $received
| .payload
| (.id | str // error("livekit payload has no id")) as $id
| (.event | str // error("livekit payload has no event")) as $ev
| (.createdAt | num) as $created
| (.room | obj) as $room
| (.participant | obj) as $p
| ($p.attributes | obj) as $attr
| (.egressInfo | obj) as $egress
| room_metadata as $md
| times($ev; $created) as $t
| ($ev | startswith("participant_")) as $pev
| ($ev | startswith("egress_")) as $eev
| ((($room.name | str) // ($egress.roomName | str)
    // (.ingressInfo | obj | .roomName | str))) as $room_name
| {
	source: "livekit",
	event_id: $id,
	event: $ev,
	# createdAt is always set by LiveKit; a hand-made replay without it
	# falls back to the time we received it.
	occurred_at: (($created | rfc3339) // ($received | str)),
	room_sid: (($room.sid | str) // ($egress.roomId | str)
	    // (.ingressInfo | obj | .state | obj | .roomId | str)),
	room_name: $room_name,
	room_metadata: $md,
	user_id: ($md.userId | id_str),
	agent_config_id: ($md.agentConfigId | id_str),
	campaign_id: ($md.campaignId | id_str),
	direction: ($p | direction($md)),
	phone_number: (($attr["sip.phoneNumber"] | e164)
	    // ($room_name | room_phone)),
	participant_identity: ($p.identity | str),
	participant_sid: ($p.sid | str),
	# protojson omits kind 0, STANDARD; only participant_* events carry the
	# full ParticipantInfo (track_* give just sid and identity).
	participant_kind: (if $p == null then null
	    else ($p.kind | str) // (if $pev then "STANDARD" else null end) end),
	sip_call_id: ($attr["sip.callID"] | str),
	provider_call_sid: ($attr["sip.twilio.callSid"] | str),
	# An absent egress status is its zero value, EGRESS_STARTING.
	provider_status: (if $eev and $egress != null
	    then ($egress.status | str) // "EGRESS_STARTING"
	    else $attr["sip.callStatus"] | str end),
	# An absent reason on a leaving participant is the zero value.
	disconnect_reason: (($p.disconnectReason | str)
	    // (if $ev == "participant_left"
	        or $ev == "participant_connection_aborted"
	    then "UNKNOWN_REASON" else null end)),
	started_at: ($t.started | rfc3339),
	ended_at: ($t.ended | rfc3339),
	duration: $t.duration,
	recording_url: (if $ev == "egress_ended" then recording_url else null end),
	# The room's TURN password is a credential, not call data: dropped.
	raw: (if $room != null and $room.turnPassword != null
	    then del(.room.turnPassword) else . end)
}
