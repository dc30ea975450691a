#!/bin/sh
# co-receive behind socat: one co-receive per connection on port 8080.
# Unsupported example (contrib/README).  Run it as the spool's owner, with
# the secrets in the environment (or in files named by NAME_FILE) of the
# providers the site uses only (a provider with nothing set answers 404, one
# whose *_FILE is missing 503), e.g.
#	LIVEKIT_KEYS_FILE=/etc/call-outcomes/livekit.keys \
#	ELEVENLABS_WEBHOOK_SECRET_FILE=/etc/call-outcomes/elevenlabs.secret \
#	sh co-receive-socat.sh
# max-children bounds the concurrent requests; socat passes the client's
# address to co-receive in SOCAT_PEERADDR.  socat logs an "E waitpid()"
# line for each request co-receive refused (exit status 65).
#
# Providers call https URLs: to terminate TLS here as well, replace the
# first address with
#	OPENSSL-LISTEN:8443,reuseaddr,fork,max-children=128,cert=/etc/call-outcomes/tls.pem,verify=0
exec socat TCP-LISTEN:8080,reuseaddr,fork,max-children=128,backlog=256 \
    EXEC:"/usr/local/bin/co-receive -s /var/spool/call-outcomes"
