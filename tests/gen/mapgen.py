#!/usr/bin/env python3
# tests/gen/mapgen.py - envelopes for the differential test of the built-in
# mappings (tests/0210-map-diff.t): LiveKit and ElevenLabs webhooks of
# every event type, and Twilio status callbacks of every CallStatus (forms,
# and JSON bodies with bodySHA256 in the query; tenant parameters), with
# fields missing, of the wrong type, huge, NaN-like, non-ASCII, long, or
# replaced by nested junk.  The bodies are written
# here as JSON text, so they can hold what libjq 1.6 accepts and Python
# would not write: nan, 1e400, duplicate keys, lone surrogates.
#   mapgen.py [-s SEED] [N]   N envelopes (100000) on stdout, seed 13
import json
import urllib.parse
import random
import sys

seed, n = 13, 100000
args = sys.argv[1:]
if args[:1] == ["-s"]:
    seed, args = int(args[1]), args[2:]
if args:
    n = int(args[0])
R = random.Random(seed)


class Raw:
    """JSON text written as it is."""
    def __init__(self, text):
        self.text = text


def dump(v):
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(k) + ":" + dump(x)
                              for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ",".join(dump(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=R.random() < 0.5)


ODD_NUM = [Raw("nan"), Raw("1e400"), Raw("-1e400"), Raw("-0"), Raw("1e17"),
           Raw("-1e17"), Raw("6.7e16"), Raw("-6.7e16"), Raw("1.5"),
           Raw("123456789012345678901234567890"), Raw("1e-400"), Raw("0.0"),
           Raw("9007199254740993"), Raw("-1"), Raw("1E3"), 0, 1, -5, 2.5]
ODD_STR = ["", " ", "nan", "NaN", "-nan", "inf", "1e400", "-1e17", "0x10",
           " 12", "12 ", "1 2", "[1]", "{}", "true", "null", "\u00e9\u00e8",
           "\u2603", "\U0001f600", "\u0000", "a\u0000b", "\n", "\t1",
           "+", "-", ".", ":", "Z", "\u00e9" * 30]
# Rarer: a whole body that libjq refuses, a long string.
RARE = [Raw('"\\ud800"'), Raw('"\\udc00x"'), "x" * 5000, "\u00e9" * 300]
JUNK = [None, True, False, [], {}, [1, [2, {"a": None}]], {"a": {"b": [
    {"c": "d"}]}}, [None], {"": ""}, {"location": 5}]


def junk(depth=0):
    r = R.random()
    if r < 0.3:
        return R.choice(ODD_NUM)
    if r < 0.6:
        return R.choice(RARE if R.random() < 0.01 else ODD_STR)
    if r < 0.8 or depth > 3:
        return R.choice(JUNK)
    if r < 0.9:
        return [junk(depth + 1) for _ in range(R.randint(0, 3))]
    return {R.choice(["a", "location", "id", "\u00e9"]): junk(depth + 1)
            for _ in range(R.randint(0, 3))}


def pick(good, odd=0.15, missing=0.1):
    """A good value, else an odd one, else nothing (None: leave it out)."""
    r = R.random()
    if r < missing:
        return Ellipsis
    if r < missing + odd:
        return junk()
    return R.choice(good)


def obj(**kw):
    o = {}
    for k, v in kw.items():
        if v is not Ellipsis:
            o[k.replace("__", ".")] = v
    # now and then a field twice (jq keeps the last value, first place)
    if o and R.random() < 0.03:
        k = R.choice(list(o))
        o = Dup(o, k, junk())
    return o


class Dup(Raw):
    def __init__(self, o, k, v):
        body = [json.dumps(a) + ":" + dump(b) for a, b in o.items()]
        body.append(json.dumps(k) + ":" + dump(v))
        Raw.__init__(self, "{" + ",".join(body) + "}")


SECS = ["1767225538", 1767225538, "1767225599", "0", "1767225538.9",
        "2025-10-29T12:34:56Z", "2025-10-29T12:34:56.123Z",
        "2025-10-29T12:34:56.5+02:00", "2025-10-29T12:34:56-05:30",
        "2025-10-29T12:34:56+24:00", "2025-10-29T12:34:56+02:60",
        "2025-10-29T12:34:56z", "2025-10-29T12:34:56 ", "2025-10-29T12:34:56",
        "1969-12-31T23:59:59Z", "9999-12-31T23:59:59Z", "2025-13-01T00:00:00Z",
        "2025-02-30T00:00:00Z", "2025-10-29T12:34:56+0\n.5:00",
        "2025-10-29T12:34:56.Z", "2025-10-29T12:34:56.1.2Z",
        "2025-10-29T12:34:56+\u00e9\u00e9:00", "2025-10-29 12:34:56Z",
        " 2025-10-29T12:34:56Z", "0025-10-29T12:34:56Z", "99999999999"]
MS = ["1767225538112", 1767225538112, "1767225541456", "-1000", "1e400", "x"]
NS = ["1767225538000000000", 1767225538000000000, "1767225600123456789",
      "0", "-5", "nan"]
PHONES = ["+14155550123", "4155550123", "14155550123", "+0123456",
          "12345", "+1e10", "1e10", "+4155550123.0", "0155550123",
          "2125550123", "2105550123", "2120550123", "+999999999999999",
          "1000000000000000", "100000", "99999", 4155550123, " +14155550123",
          "+14155550123 ", "+ 14155550123", "+-14155550", "+\u0661\u0662\u0663",
          "+44 20 7946 0958", "+442079460958", "+", "", "++14155550123",
          "4155550123\u0000", "+00014155550123", "+1415555012\u00e9"]
ROOMS = ["sip-+14155550123__1767225538__x", "sip-4155550123__a__b",
         "sip-2125550123__1__2", "sip-__", "sip-+14155550123__x",
         "sip-+14155550123__a__b__c", "call-_+14155550123_Xa9fLm2Q",
         "call-_4155550123_x", "call-__", "call-_+1415555_0123_x",
         "room-1", "", "sip-", "call-_", "sip-\u00e9__a__b",
         "sip-4155550123____", "call-_2125550123_"]
META = ['{"userId":"usr_42","agentConfigId":"ac_7","campaignId":"cmp_1"}',
        '{"userId":42,"agentConfigId":7.5,"direction":"outbound"}',
        '{"direction":"INBOUND"}', '{"direction":"Outbound","userId":""}',
        '{"direction":"sideways"}', '{"direction":5}', '{"direction":null}',
        '{"userId":true,"campaignId":[1]}', '{"userId":1e400}',
        '{"userId":nan}', 'not json', '', '[1]', '"x"', '{"a":1} x',
        '{"userId":"\u00e9"}', '{"userId":"u","userId":"v"}', '{', 'null']
KINDS = ["SIP", "AGENT", "STANDARD", "INGRESS", "EGRESS", "", "sip"]
REASONS = ["CLIENT_INITIATED", "ROOM_CLOSED", "USER_REJECTED",
           "USER_UNAVAILABLE", "SIP_TRUNK_FAILURE", ""]
STATUS = ["active", "hangup", "ringing", "automation", "dialing", ""]
EGRESS_ST = ["EGRESS_COMPLETE", "EGRESS_FAILED", "EGRESS_ACTIVE", ""]
LK_EVENTS = ["room_started", "room_finished", "participant_joined",
             "participant_left", "participant_connection_aborted",
             "track_published", "track_unpublished", "egress_started",
             "egress_updated", "egress_ended", "ingress_started",
             "ingress_ended", "participant_unknown", "egress_", "x"]


def ids(prefix):
    return [prefix + "%06d" % R.randint(0, 999999)] * 8 + [
        prefix, "\u00e9" + prefix, "x" * R.choice([1, 300])]


def livekit():
    ev = R.choice(LK_EVENTS)
    room = obj(sid=pick(ids("RM_")), name=pick(ROOMS),
               creationTime=pick(SECS, missing=0.3),
               creationTimeMs=pick(MS, missing=0.4),
               turnPassword=pick(["turn-x", "", None], missing=0.6),
               metadata=pick(META, missing=0.2),
               emptyTimeout=pick([300]), numParticipants=pick([1, 2]))
    attrs = obj(**{"sip__phoneNumber": pick(PHONES),
                   "sip__ruleID": pick(["SDR_1", None, ""], missing=0.5),
                   "sip__callID": pick(ids("SCL_")),
                   "sip__twilio__callSid": pick(ids("CA")),
                   "sip__callStatus": pick(STATUS)})
    part = obj(sid=pick(ids("PA_")), identity=pick(ids("sip_")),
               kind=pick(KINDS, missing=0.3),
               joinedAt=pick(SECS, missing=0.3),
               joinedAtMs=pick(MS, missing=0.4),
               disconnectReason=pick(REASONS, missing=0.4),
               attributes=pick([attrs], missing=0.3), state=pick(["ACTIVE"]))
    files = [obj(location=pick(["s3://b/%d.ogg" % i, ""]),
                 filename=pick(["f.ogg"])) for i in range(R.randint(0, 3))]
    egress = obj(egressId=pick(ids("EG_")), roomId=pick(ids("RM_")),
                 roomName=pick(ROOMS), status=pick(EGRESS_ST),
                 startedAt=pick(NS), endedAt=pick(NS),
                 fileResults=pick([files, {"a": files[0] if files else 1}],
                                  missing=0.3),
                 file=pick([obj(location=pick(["s3://b/old.ogg", ""]))],
                           missing=0.5))
    ingress = obj(roomName=pick(ROOMS),
                  state=pick([obj(roomId=pick(ids("RM_")))]))
    o = obj(event=pick([ev], odd=0.03, missing=0.02),
            id=pick(ids("EV_"), odd=0.03, missing=0.02),
            createdAt=pick(SECS, missing=0.1))
    if isinstance(o, Dup):
        return o
    if ev.startswith("room") or ev.startswith("participant") or \
            ev.startswith("track") or R.random() < 0.2:
        o["room"] = pick([room], odd=0.05, missing=0.05)
    if ev.startswith("participant") or ev.startswith("track") or \
            R.random() < 0.1:
        o["participant"] = pick([part], odd=0.05, missing=0.05)
    if ev.startswith("egress") or R.random() < 0.1:
        o["egressInfo"] = pick([egress], odd=0.05, missing=0.05)
    if ev.startswith("ingress") or R.random() < 0.1:
        o["ingressInfo"] = pick([ingress], odd=0.05, missing=0.05)
    if R.random() < 0.1:
        o["extra" + str(R.randint(0, 9))] = junk()
    return {k: v for k, v in o.items() if v is not Ellipsis}


EL_TYPES = ["post_call_transcription", "call_initiation_failure",
            "post_call_audio", "other"] * 5 + [""]
TERMS = ["Call ended by remote party", "voicemail_detected",
         "VoiceMail detection", "end_call tool", "VOICEMAIL",
         "v\u00f6icemail", "a\u0000voicemail", ""]


def turn():
    return obj(role=pick(["agent", "user", ""]),
               message=pick(["Hello", "", "\u00e9t\u00e9", None] * 5 + ["x" * 2000]),
               time_in_call_secs=pick([0, 5, "7", 1.5, -1, "1e400"]))


def elevenlabs():
    t = R.choice(EL_TYPES)
    pc = obj(call_sid=pick(ids("CA")), direction=pick(
        ["inbound", "outbound", "outbound-api", "inbound-x", "in", ""]),
             external_number=pick(PHONES), agent_number=pick(PHONES))
    body = obj(CallSid=pick(ids("CA"), missing=0.3),
               call_sid=pick(ids("CA"), missing=0.3),
               CallStatus=pick(["busy", "no-answer", "failed", ""],
                               missing=0.5),
               sip_status_code=pick([486, 600, 603, 408, 480, 487, 500,
                                     "486", "404", 486.5], missing=0.3),
               Direction=pick(["outbound-api", "inbound"]),
               To=pick(PHONES))
    meta = obj(start_time_unix_secs=pick([1767225538, "1767225538",
                                          -5, 1.5e9, 0]),
               call_duration_secs=pick([62, "62", 0, -1, 3.7]),
               cost=pick([123, "45", 1.25, "x"]),
               termination_reason=pick(TERMS),
               phone_call=pick([pc], missing=0.2),
               body=pick([body], missing=0.2))
    data = obj(conversation_id=pick(ids("conv_"), odd=0.03, missing=0.02),
               agent_id=pick(ids("agent_")), status=pick(["done", "failed"]),
               metadata=pick([meta], missing=0.1),
               transcript=pick([[turn() for _ in range(R.randint(0, 4))],
                                {"a": 1}], missing=0.2),
               analysis=pick([{"call_successful": "success"}, [], "x"]),
               failure_reason=pick(["busy", "", "no answer"]),
               full_audio=pick(["UklGRg==" * R.randint(1, 50), "\u00e9\u00e9"],
                               missing=0.7),
               conversation_initiation_client_data=pick(
                   [obj(dynamic_variables=pick(
                       [obj(call_sid=pick(ids("CA") + [12345, 1.5]))]))]))
    o = obj(type=pick([t], odd=0.03, missing=0.02),
            event_timestamp=pick([1767225600, "1767225600",
                                  "2026-01-01T00:00:00Z",
                                  "2026-01-01T00:00:00.123Z",
                                  "2026-01-01T00:00:00.5Z\n",
                                  "2026-01-01T00:00:00.Z",
                                  "2026-01-01T00:00:00.5.5Z",
                                  "\u00e92026-01-01T00:00:00.5Z",
                                  "2026-01-01T00:00:00+01:00", 1e17, -1,
                                  "1969-12-31T23:59:59Z"]),
            data=pick([data], odd=0.05, missing=0.03))
    if isinstance(o, Dup):
        return o
    return {k: v for k, v in o.items() if v is not Ellipsis}


TW_STATUS = ["queued", "initiated", "ringing", "in-progress", "completed",
             "busy", "no-answer", "failed", "canceled"] * 3 + [
             "", "Completed", "completed ", "no_answer", "\u00e9"]
TW_ANSWERED = ["human", "machine_start", "machine_end_beep",
               "machine_end_silence", "machine_end_other", "fax", "unknown",
               "", "\u00e9"]
TW_DIR = ["inbound", "outbound-api", "outbound-dial", "", "Inbound",
          "trunking-originating", "outbound", "inbound\u00e9"]
TW_NUMS = ["62", "0", "1", "", "abc", "1e3", "1e15", "999999999999999",
           "999999999999999.5", "1e400", "-1", "-0", "nan", " 62", "62 ",
           "62.9", "0.5", "9007199254740993", "0x10", "6 2", "[1]", "true",
           "\u0661", "62\u0000", "1E2"]
TW_TIMES = ["Thu, 01 Jan 2026 00:01:31 +0000"] * 6 + [
    "Thu, 01 Jan 2026 00:01:31 +0130", "Thu, 01 Jan 2026 00:01:31 -0500",
    "Thu, 01 Jan 2026 00:01:31 +9999", "Thu, 01 Jan 2026 00:01:31 -9999",
    "Thu, 01 Jan 1970 00:00:00 +.1.1", "Thu, 01 Jan 1970 00:00:00 -.5.5",
    "Thu, 01 Jan 1970 00:00:00 +1.1.", "Thu, 01 Jan 1970 00:00:00 +0000",
    "Wed, 31 Dec 1969 23:59:59 +0000", "Thu, 01 Jan 1970 00:00:59 +0001",
    "Thu, 01 Jan 1970 00:00:00 +0001", "Sat, 01 Jan 0000 00:30:00 +0100",
    "Sat, 01 Jan 0000 00:30:00 -0100", "Fri, 31 Dec 9999 23:30:00 -0100",
    "Fri, 31 Dec 9999 23:30:00 +0100", "Thu, 01 Jan 0999 00:00:00 +0000",
    "Thu, 01 Jan 2026 00:01:31 GMT+0", "Thu, 01 Jan 2026 00:01:31 GMT",
    "Thu, 01 Jan 2026 00:01:31 +0000 ", "Thu, 01 Jan 2026 00:01:31  +0000",
    "Thu, 01 Jan 2026 00:01:61 +0000", "Thu, 01 Jan 2026 00:01:62 +0000",
    "Thu, 31 Feb 2026 00:01:31 +0000", "Thu, 01 Jan 2026 24:00:00 +0000",
    "thu, 01 jan 2026 00:01:31 +0000", "Xyz, 01 Jan 2026 00:01:31 +0000",
    "Thursday, 01 January 2026 00:01:31 +0000", "Thu, 1 Jan 2026 0:1:31 +0000",
    "Thu, 01 Jan 2026 00:01:31 +00\u00e90", "Th\u00e9, 01 Jan 2026 00:01:31 +0000",
    "Thu, 01 Jan 2026 00:01:31\u0000+0000", "Thu, 01 Jan 2026 00:01:31 + 1 1",
    "Thu, 01 Jan 2026 00:01:31 +-1-1", "Thu, 01 Jan 2026 00:01:31 +1e1e",
    "Thu, 01 Jan 2026 00:01:31 -0000", "Thu, 01 Jan 2026 00:01:31 +2400",
    "Thu, 01 Jan 2026 00:01:31 x0000", "Thu, 01 Jan 2026\t00:01:31 +0000",
    "Thu, 01 Jan 2026 00:01:31 +0000\n", "2026-01-01T00:01:31Z",
    "1767225691", "", "\u00e9" * 26, "Thu, 01 Jan 2026 00:01 +0000xx"]
TW_TENANT = ["tenant=acme", "tenant=acme", "tenant=", "tenant=%C3%A9t%C3%A9",
             "tenant=a+b", "tenant=%00", "x=1", "tenant=a&tenant=b",
             "tenant", "tenant=%FF", "TENANT=acme", "tenant=acme&x=%E2%98%83"]


def tw_fields():
    sid = pick(ids("CA"), odd=0.02, missing=0.02)
    return obj(AccountSid=pick(ids("AC")), ApiVersion=pick(["2010-04-01"]),
               CallSid=sid, CallStatus=pick(TW_STATUS, odd=0.03,
                                            missing=0.03),
               ParentCallSid=pick(ids("CA"), missing=0.7),
               Direction=pick(TW_DIR), From=pick(PHONES + [
                   "client:alice", "sip:alice@example.com"]),
               To=pick(PHONES + ["client:bob", "sip:b@example.com"]),
               Called=pick(PHONES, missing=0.5),
               Timestamp=pick(TW_TIMES, missing=0.1),
               CallDuration=pick(TW_NUMS, missing=0.2),
               SequenceNumber=pick(TW_NUMS, missing=0.3),
               SipResponseCode=pick(["200", "486", "603", "487"] + TW_NUMS,
                                    missing=0.4),
               AnsweredBy=pick(TW_ANSWERED, missing=0.4),
               RecordingUrl=pick(["https://api.twilio.com/r/RE1", ""],
                                 missing=0.7))


def tw_enc(v):
    """A form value: usually quote_plus, now and then raw escapes."""
    r = R.random()
    if not isinstance(v, str):
        v = dump(v)
    if r < 0.03:
        return R.choice(["%FF", "%00", "%C3", "%e9t%e9", "a%2Bb", "%2b"])
    if r < 0.5:
        return urllib.parse.quote(v, safe="")
    return urllib.parse.quote_plus(v)


def twilio():
    """(body, query): a form, or a JSON body with bodySHA256."""
    f = tw_fields()
    if isinstance(f, Dup) or R.random() < 0.2:
        # the JSON variant: any JSON values
        if not isinstance(f, Dup):
            for k in list(f):
                if R.random() < 0.05:
                    f[k] = junk()
            if R.random() < 0.1:
                f["CallDuration"] = R.choice(ODD_NUM + [62, 1e17, 6.7e16,
                                                        -62, 1e300])
        q = "bodySHA256=" + "%064x" % R.getrandbits(256)
        if R.random() < 0.7:
            q += "&" + R.choice(TW_TENANT)
        return dump(f), q
    items = list(f.items())
    if items and R.random() < 0.03:
        items.append((R.choice(items)[0], R.choice(TW_STATUS)))
    if R.random() < 0.2:
        R.shuffle(items)
    body = "&".join(urllib.parse.quote_plus(k) + "=" + tw_enc(v)
                    for k, v in items)
    if R.random() < 0.02:
        body = R.choice(["", "a", "&x=1", "x=1&", "=1", "x=%zz", "x y"])
    q = R.choice(TW_TENANT + ["", ""])
    return body, q


out = sys.stdout
for i in range(n):
    r = R.random()
    src = "livekit" if r < 0.4 else "elevenlabs" if r < 0.65 else "twilio"
    # now and then another provider's body, or one that is not an object
    kind = {"livekit": livekit, "elevenlabs": elevenlabs,
            "twilio": twilio}[src]
    if R.random() < 0.03:
        kind = R.choice([livekit, elevenlabs, twilio])
    b = kind()
    body, query = b if isinstance(b, tuple) else (dump(b), "")
    if src == "twilio" and kind != twilio and R.random() < 0.5:
        query = "bodySHA256=x"
    if R.random() >= 0.99:
        body = R.choice(["[]", "1", "nan", "{", '{"a":1}x', "", '"s"'])
    env = {"v": 1, "received_at": R.choice(
        ["2026-01-01T00:00:00.000000Z"] * 20 + [5, "", None]),
        "source": src, "method": "POST", "path": "/webhooks/" + src,
        "query": query, "remote": "127.0.0.1", "headers": {},
        "body": body, "spool_file": "new/%d.gen" % i}
    if env["received_at"] is None:
        del env["received_at"]
    out.write(json.dumps(env) + "\n")
