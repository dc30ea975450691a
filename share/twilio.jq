# twilio.jq - a Twilio voice status callback (PROTOCOLS 3.1-3.2) to one
# normalized event (SPEC section 6).  Input: the spool envelope with the
# form's fields as an object of strings in .payload (or the JSON body of
# the bodySHA256 variant), and the callback URL's query parameters in
# .params.  Run by co-transform through libjq 1.6.
#
# Rule: one event per callback, every status with the same keys (null when
# not known); only CallSid and CallStatus are required, since together
# they are the event's identity (co-transform sets event_id from them).
# Twilio's words are kept as they come (CallStatus as provider_status,
# AnsweredBy as answered_by): co-classify reads them.

# A non-empty string, or null.
def str: if type == "string" and . != "" then . else null end;

# A whole number given as a string of digits (or a number), 0 or more and
# under 1e15; null otherwise.  A number is held to the same range: todate
# of NaN or of a time past gmtime's range aborts libjq 1.6.
def int:
	(if type == "number" then .
	elif type == "string" then (try tonumber catch null)
	else null end)
	| if type == "number" and . >= 0 and . < 1e15 then floor
	else null end;

# E.164 with the leading +, checked with C builtins (no regex per call).
def e164:
	if type != "string" then null
	else ltrimstr("+") as $d
	| ($d | explode) as $c
	| if ($c | length) >= 6 and ($c | length) <= 15 and $c[0] != 48
	    and ($c | min) >= 48 and ($c | max) <= 57
	then "+" + $d else null end end;

# inbound or outbound: Direction reads inbound, outbound-api, outbound-dial.
def direction:
	if type != "string" then null
	elif startswith("outbound") then "outbound"
	elif startswith("inbound") then "inbound"
	else null end;

# Timestamp, RFC 2822 ("Thu, 01 Jan 2026 00:01:31 +0000"), to Unix
# seconds; null for anything else.  jq 1.6's mktime ignores %z, so the
# offset is applied here.  Every error stays inside the try, and nothing
# after it can fail: libjq 1.6's try also catches an error raised after
# its body has given a value, which would silently null another member.
def rfc2822:
	if type != "string" or length < 26 then null
	else . as $s | try (.[-5:] as $z
		| ($z[1:3] | tonumber) * 3600 + ($z[3:5] | tonumber) * 60
		| (if $z[0:1] == "-" then -. elif $z[0:1] == "+" then .
		    else error("no offset") end) as $off
		| $s[0:-6] | strptime("%a, %d %b %Y %H:%M:%S") | mktime
		| . - $off)
	    catch null
	end;

# The statuses that end a call: its CallDuration is the call's length.
def final: . == "completed" or . == "busy" or . == "no-answer"
	or . == "failed" or . == "canceled";

.received_at as $received
| (.params | if type == "object" then . else {} end) as $q
| .payload
| (.CallSid | str // error("twilio payload has no CallSid")) as $sid
| (.CallStatus | str // error("twilio payload has no CallStatus")) as $st
| ($st | final) as $final
| (.Timestamp | rfc2822) as $t
| (if $t != null then $t | todate else null end) as $at
| (.Direction | direction) as $dir
| (if $final then .CallDuration | int else null end) as $dur
| ($at // ($received | str)) as $when
| {
	source: "twilio",
	event_id: null,		# "CallSid:CallStatus", set by co-transform
	event: "status_callback",
	occurred_at: $when,
	call_sid: $sid,
	provider_call_sid: $sid,
	parent_call_sid: (.ParentCallSid | str),
	account_sid: (.AccountSid | str),
	# The tenant: a parameter of the callback URL, which the signature
	# covers, so only what the site configured can say it.
	user_id: ($q.tenant | str),
	direction: $dir,
	# The far end: whom an outbound call rang, who rang an inbound one.
	phone_number: (if $dir == "inbound" then .From | e164
	    elif $dir == "outbound" then .To | e164 else null end),
	from_number: (.From | str),
	to_number: (.To | str),
	provider_status: $st,
	answered_by: (.AnsweredBy | str),
	sip_response_code: (.SipResponseCode | int),
	sequence_number: (.SequenceNumber | int),
	started_at: (if $final and $t != null and $dur != null
	    then $t - $dur | todate else null end),
	ended_at: (if $final then $at else null end),
	# Only a final status's CallDuration is the call's length; an
	# in-progress callback has none, so it says nothing of the outcome.
	duration: $dur,
	recording_url: (.RecordingUrl | str),
	raw: .
}
