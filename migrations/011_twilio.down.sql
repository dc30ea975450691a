-- 011 down: the Twilio audit goes with its rows.  The calls rows the
-- loader made for Twilio calls stay (they are calls of their tenant, with
-- their outcome).
DROP TABLE twilio_call_events;
DROP INDEX calls_provider_call_sid_idx;
