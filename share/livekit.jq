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
#
# Written for speed: it runs once per event in jq 1.6's interpreter, where
# each bytecode instruction costs about what parsing ten bytes does.  So
# each input field is read once into a variable, event names are looked up
# in constant tables (folded at compile time), a time is printed once per
# distinct value, the output is one object construction, and fallbacks
# are `if . then . else F end` (what `//` does for one value, in half the
# instructions).  tests/bench/stages.sh measures it.
#
# Nothing after the first try may raise an error: in jq 1.6 an error raised
# later can be caught by an earlier try, whose catch value then replaces
# that try's output, and the program goes on with it.

# An int64 given as a string (or, leniently, as a number); null otherwise.
# tonumber fails on all but numbers and strings; null, the usual case of a
# bad value, skips the costly error.
def num: if . == null then null else try tonumber catch null end;

# A non-empty string, or null: protojson omits "", other writers may not.
# jq orders null < booleans < numbers < strings < arrays < objects, so two
# comparisons tell both, with no string made by `type`.
def str: if "" < . then if . < [] then . else null end else null end;

# An object, or null, so that a field of the wrong type reads as absent
# instead of failing the whole event.
def obj: if type == "object" then . else null end;

# Whole Unix seconds to RFC 3339 UTC.  LiveKit's createdAt has a
# resolution of one second, so every time here is given in whole seconds
# too: then started_at + duration = ended_at holds exactly.  Input: a
# number that gmtime can convert (see secs).
def rfc3339: floor | gmtime | strftime("%Y-%m-%dT%H:%M:%SZ");

# A time in seconds that gmtime can convert (about 2 million years either
# way), else null: on NaN or beyond, jq 1.6's todate aborts the process,
# and gmtime raises an error that a try earlier in the program may catch
# (a 1.6 bug), so such a time reads as absent instead.
def secs: if -6.7e16 < . then if . < 6.7e16 then . else null end
	else null end;

# E.164 with the leading +; SIP user parts may come without it, and ten
# digits without it that are a NANP number (area code and exchange not
# starting with 0 or 1, as the seed's sip-7678189426__... rooms) get +1.  6 to 15
# ASCII digits, the first not 0, are exactly the strings that jq prints for
# a whole number from 10^5 to below 10^15 (all exact in a double), so one
# tonumber and one tostring check them (no regex: 1.6 compiles one on every
# call; no explode, min, max: slower).  Only strings from "+" to "9" go on,
# for what libjq 1.6 leaks: an error in ltrimstr on a non-string, the
# value tonumber parsed when it is not a number ("[1]"); anything else
# either parses as a number or fails.
def e164:
	if "+" <= . then if . < ":" then
		try (ltrimstr("+") as $d | ($d | tonumber) as $v
		| if $v < 100000 then null elif $v >= 1e15 then null
		elif ($v | floor | tostring) != $d then null
		elif $d == . and ($d | length) == 10 and "2" <= $d[0:1]
		    and "2" <= $d[3:4] then "+1" + $d
		else "+" + $d end)
		catch null
	else null end else null end;

# The far end's number from a room name (a string or null): our dialer's
# rooms are sip-<digits>__<ts>__<x>, LiveKit's inbound default (an
# individual dispatch rule with prefix "call-") is call-_<number>_<random>.
def room_phone:
	if . == null then null
	elif startswith("sip-") then
		ltrimstr("sip-") | split("__")
		| if length == 3 then .[0] | e164 else null end
	elif startswith("call-_") then
		ltrimstr("call-_") | split("_")
		| if length == 2 then .[0] | e164 else null end
	else null end;

# An ISO 8601 time as the seed's payloads give createdAt and
# room.creationTime ("2025-10-29T12:34:56Z", with an optional fraction,
# Z or a +hh:mm offset) to Unix seconds; null for anything else.  Only
# strings from "0" to "9" go on, and every error stays inside the try.
def iso:
	if "0" <= . then if . < ":" then
		try ((.[0:19] | strptime("%Y-%m-%dT%H:%M:%S") | mktime) as $s
		| (.[19:] | sub("^\\.[0-9]+"; "")) as $z
		| if $z == "Z" or $z == "z" then $s
		elif ($z | length) == 6 and $z[3:4] == ":"
		    and ($z[0:1] == "+" or $z[0:1] == "-") then
			($z[1:3] | tonumber) as $h | ($z[4:6] | tonumber) as $m
			| if $h < 24 and $m < 60 then ($h * 3600 + $m * 60)
			    as $o | if $z[0:1] == "+" then $s - $o
			    else $s + $o end
			else null end
		else null end)
		catch null
	else null end else null end;

# After num: the time it read, else the original $v read as ISO 8601.
def when($v): if . then . else $v | iso end;

# An id from the metadata: a string, or a number given as one.
def id_str:
	if "" < . then if . < [] then . else null end
	elif . == null then null
	elif type == "number" then tostring else null end;

# Nanoseconds (egress: lk-egress uses time.Now().UnixNano()) or
# milliseconds to whole seconds.
def ns_secs: num | if . == null then null else ./1e9 | floor end;
def ms_secs: num | if . == null then null else ./1000 | floor end;

.received_at as $received
| .payload
| . as $in
# The id is the event's identity: required here, made the event_id by
# co-transform (the provider's rule in C, the one co-receive answers with).
| if .id | str then . else error("livekit payload has no id") end
| (.event | str | if . then . else error("livekit payload has no event")
    end) as $ev
| (.createdAt as $t | $t | num | when($t) | secs) as $created
| (.room | obj) as $room
| (.participant | obj) as $p
| ($p.attributes | obj) as $attr
| (.egressInfo | obj) as $egress
# room.metadata is a JSON string that our dispatcher fills; anything that
# is not a JSON object (free text, "") is ignored, not an error (fromjson
# fails on all but strings).
| ($room.metadata | if . == null then null
    else (try fromjson catch null) | obj end) as $md
| (if $created == null then null else $created | rfc3339 end) as $at
# Where the event's start comes from: a room's creation, a participant's
# joining (each in seconds, else milliseconds), an egress's own start.
| {room_started: "room", room_finished: "room",
    participant_joined: "participant", participant_left: "participant",
    participant_connection_aborted: "participant",
    egress_ended: "egress"}[$ev] as $from
# What an event's disconnect reason is when protojson omits it (the zero
# value), on the events that end at their createdAt and have a duration.
| {room_finished: null, participant_left: "UNKNOWN_REASON",
    participant_connection_aborted: "UNKNOWN_REASON"} as $ending
# The room's creation; a participant without joinedAt that is not SIP
# (the seed's payloads) is taken to have been there from it; a SIP one
# never joined (its call was not answered): no start, no duration.
| (if $from == null or $from == "egress" then null
    else $room.creationTime as $t | $t | num | when($t)
	| if . then . else $room.creationTimeMs | ms_secs end end)
    as $room_created
| (if $from == null then null
    elif $from == "room" then $room_created
    elif $from == "participant" then $p.joinedAt | num
	| if . then . else $p.joinedAtMs | ms_secs
	| if . then . elif $p.kind == "SIP" then null
	else $room_created end end
    else $egress.startedAt | ns_secs end | secs) as $start
| ($ending | has($ev)) as $ends
| (if $ends then $created
    elif $from == "egress" then $egress.endedAt | ns_secs | secs
    else null end) as $stop
| ($room.name | str | if . then . else $egress.roomName | str
    | if . then . else $in.ingressInfo | obj | .roomName | str end end)
    as $room_name
| {
	source: "livekit",
	event_id: null,		# set by co-transform
	event: $ev,
	# createdAt is always set by LiveKit; a hand-made replay without it
	# falls back to the time we received it.
	occurred_at: (if $at then $at else $received | str end),
	room_sid: ($room.sid | str | if . then . else $egress.roomId | str
	    | if . then . else $in.ingressInfo | obj | .state | obj | .roomId
	    | str end end),
	room_name: $room_name,
	room_metadata: $md,
	user_id: ($md.userId | id_str),
	agent_config_id: ($md.agentConfigId | id_str),
	campaign_id: ($md.campaignId | id_str),
	# What our dispatcher put in the metadata (any case, by a constant
	# table: 1.6 runs ascii_downcase character by character in jq; a
	# non-string fails the lookup), else inferred from a SIP participant:
	# only inbound calls go through a dispatch rule, so sip.ruleID is set
	# exactly on inbound legs (PROTOCOLS 1.7).
	direction: ($md.direction | if . == null then null
	    else try {inbound: "inbound", outbound: "outbound",
		INBOUND: "inbound", OUTBOUND: "outbound", Inbound: "inbound",
		Outbound: "outbound"}[.] catch null end
	    | if . then . elif $p.kind != "SIP" then null
	    elif $attr["sip.ruleID"] == null then "outbound"
	    else "inbound" end),
	phone_number: ($attr["sip.phoneNumber"] | e164
	    | if . then . else $room_name | room_phone end),
	participant_identity: ($p.identity | str),
	participant_sid: ($p.sid | str),
	# protojson omits kind 0, STANDARD; only participant_* events carry the
	# full ParticipantInfo (track_* give just sid and identity).
	participant_kind: (if $p == null then null
	    else $p.kind | str | if . then .
	    elif $ev | startswith("participant_") then "STANDARD"
	    else null end end),
	sip_call_id: ($attr["sip.callID"] | str),
	provider_call_sid: ($attr["sip.twilio.callSid"] | str),
	# An absent egress status is its zero value, EGRESS_STARTING.
	provider_status: (if $egress != null and ($ev | startswith("egress_"))
	    then $egress.status | str | if . then . else "EGRESS_STARTING" end
	    else $attr["sip.callStatus"] | str end),
	disconnect_reason: ($p.disconnectReason | str
	    | if . then . else $ending[$ev] end),
	# A time equal to createdAt (most of them) reuses its text.
	started_at: (if $start == null then null
	    elif $start == $created then $at else $start | rfc3339 end),
	ended_at: (if $stop == null then null
	    elif $stop == $created then $at else $stop | rfc3339 end),
	# Whole seconds, never negative (the clocks of two servers); NaN, like
	# a negative span, gives 0 as [d, 0] | max did.
	duration: (if $ends then
		if $start == null or $created == null then null
		else ($created - $start) as $d
		| if 0 < $d then $d | floor else 0 end end
	    else null end),
	# The first recording location of an egress: fileResults[], else the
	# deprecated single file.
	recording_url: (if $from == "egress" then
		first($egress.fileResults[]? | obj | .location | str
		| select(. != null))
		// ($egress.file | obj | .location | str)
	    else null end),
	# The room's TURN password is a credential, not call data: dropped.
	raw: (if $room.turnPassword == null then .
	    else del(.room.turnPassword) end)
}
