# fake.jq - the fake provider's webhook to one normalized event: the test
# provider of tests/0670-fake-provider.t.  event_id is co-transform's.
.received_at as $received
| .payload
| {
	source: "fake",
	event_id: null,
	event: (.kind // error("fake payload has no kind")),
	occurred_at: $received,
	call_sid: .call,
	user_id: .tenant,
	provider_status: .status,
	duration: .seconds,
	raw: .
}
