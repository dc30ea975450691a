# rules.jq - the outcome rules of SPEC section 7, as co-classify applies
# them in C (src/classify.c), stated in jq: a site copies this file, edits
# it and runs co-classify -R FILE (co-drain --rules FILE).
# Input: one normalized event.  Output: one {outcome, rule}; outcome null
# when the event says nothing about the outcome.  $failed_below and
# $no_answer_below are the -f and -n thresholds in seconds.
# Rule: first match wins; the C rules are the reference and
# tests/0310-rules.t holds the two to the same answers.

# A string member as C reads it: up to its first NUL; null if not a string.
def cstr: if type == "string" then (split("\u0000")[0] // "") else null end;

# Does any of the provider's words contain one of $words (any case)?
def says($words):
	[.disconnect_reason, .provider_status, .failure_reason
	    | cstr | strings | ascii_downcase] as $said
	| any($words[] as $w | $said[] | contains($w); .);

# Not the call's own leg: a participant other than the SIP one, or an
# egress or ingress event (a recording or a stream).
def beside_call:
	(.participant_kind | cstr | type == "string" and ascii_downcase != "sip")
	or (.event | type == "string"
	    and (startswith("egress_") or startswith("ingress_")));

# Twilio's AnsweredBy machine_* or fax, or an ElevenLabs voicemail signal.
def machine:
	(.answered_by | cstr | type == "string"
	    and (ascii_downcase | startswith("machine_") or . == "fax"))
	or .voicemail == true;

def result($outcome; $rule): {outcome: $outcome, rule: $rule};

if beside_call then result(null; null)
elif says(["busy", "user_rejected"]) then result("busy"; "busy")
elif says(["no_answer", "no-answer", "user_unavailable", "canceled",
    "cancelled"]) then result("no_answer"; "no_answer")
elif machine then result("voicemail"; "voicemail")
elif says(["failed", "error", "join_failure", "sip_trunk_failure",
    "media_failure", "connection_timeout"]) then result("failed"; "failed")
else
	(.duration | if type == "number" then . else -1 end) as $secs
	| if $secs < 0 then result(null; null)
	elif $secs < $failed_below then result("failed"; "short")
	elif $secs < $no_answer_below then result("no_answer"; "unanswered")
	else result("completed"; "duration")
	end
end
