/*
 * api.h - a small libcurl client for the ElevenLabs API (PROTOCOLS.md
 * section 2.7): base URL, xi-api-key, a timeout per attempt, bounded
 * retries with exponential backoff that honours Retry-After, and several
 * requests in flight on one curl multi handle.
 * Rule: the API key goes only into the xi-api-key header; it is never
 * printed, and is blanked out of any reason taken from a response.
 */
#ifndef CO_API_H
#define CO_API_H

#include <stddef.h>

#include <curl/curl.h>

#include "buf.h"

#define API_BASE	"https://api.elevenlabs.io"
#define API_REASON	200	/* longest failure reason kept, bytes */
#define API_BACKOFF	500	/* ms before the first retry, doubled after */
#define API_MAXBACKOFF	30000	/* longest backoff between attempts, ms */
#define API_MAXWAIT	120	/* longest Retry-After honoured, seconds */

struct api_req {
	void	*arg;		/* the caller's */
	long	 status;	/* HTTP status of the last attempt; 0: none */
	int	 attempts;
	int	 timedout;	/* the last attempt timed out */
	struct buf body;	/* response body; p NUL-terminated or NULL */
	char	 reason[API_REASON + 1];	/* "" on 2xx */

	/* private */
	struct api	*api;
	CURL	*h;
	struct curl_slist *hdrs;
	char	*post;		/* request body, NULL for GET */
	long long due;		/* retry not before (monotonic ms) */
	struct api_req *next;
	char	 errbuf[CURL_ERROR_SIZE];
};

struct api {
	CURLM	*multi;
	char	*base;		/* no trailing '/' */
	char	*key;
	long	 timeout;	/* seconds per attempt */
	int	 retries;	/* attempts after the first */
	int	 active;	/* transfers running */
	struct api_req *waiting;	/* backing off before a retry */
	struct api_req *done;		/* finished, not yet returned */
	int	 busy;		/* started and not yet returned */
};

/*
 * Read ELEVENLABS_API_KEY (or its _FILE) and ELEVENLABS_API_BASE.  Returns
 * 0, or EX_UNAVAILABLE after a warning naming the variable to set.
 * It initializes libcurl (once per process, as the tools call it once) and
 * ignores SIGPIPE; api_free cleans libcurl up.
 */
int	api_init(struct api *, long, int);
void	api_free(struct api *);

/*
 * Start method path (appended to the base) with a JSON body (NULL: none).
 * arg is handed back in the request.
 */
struct api_req *api_start(struct api *, const char *, const char *,
	    const char *, void *);
/*
 * Run the transfers until a request is finished for good (2xx, an error
 * not worth retrying, or out of retries) and return it; NULL when none is
 * busy.  Free it with api_req_free.
 */
struct api_req *api_next(struct api *);
void	api_req_free(struct api_req *);

/*
 * The message of an API response body ({"detail":{"message":...}},
 * {"detail":"..."}, {"detail":[{"msg":...}]}, {"message":...}) into buf,
 * one line, bounded, with the key blanked; "" when there is none.
 */
void	api_message(const struct api *, const char *, size_t, char *, size_t);

/* s with every byte that is not safe in a URL path segment %-escaped. */
char	*api_escape(const char *);

#endif
