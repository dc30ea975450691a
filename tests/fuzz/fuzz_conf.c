/*
 * fuzz_conf.c - libFuzzer target for the secret readers: a secret file
 * (conf_secret_read), a livekit-server keys file (verify_keys_read), and
 * the secrets and CO_PUBLIC_URL taken from the environment by
 * verify_init (the ElevenLabs comma list, the key/secret pair).
 * Rule: whatever the bytes, no crash, no leak, no read past the input, and
 * a key read from a keys file is never empty.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "provider.h"
#include "verify.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static FILE *
fz_open(const uint8_t *data, size_t size)
{
	static char empty[1];
	FILE *fp;

	/* fmemopen refuses a size of 0; an empty file reads as one. */
	if ((fp = fmemopen(size ? (void *)data : empty, size ? size : 1,
	    "r")) == NULL)
		abort();
	if (size == 0)
		fgetc(fp);
	return fp;
}

/*
 * NAME=value through putenv, in a string the caller frees after
 * unsetenv: glibc's setenv keeps every value it was ever given (its
 * tsearch of known values), which grew the target out of its 2 GB.
 */
static char *
fz_putenv(const char *name, const char *val)
{
	size_t n = strlen(name), m = strlen(val);
	char *e;

	if ((e = malloc(n + m + 2)) == NULL)
		abort();
	memcpy(e, name, n);
	e[n] = '=';
	memcpy(e + n + 1, val, m + 1);
	if (putenv(e) != 0)
		abort();
	return e;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verifier v;
	struct lk_secrets lk;
	const struct el_secrets *el;
	FILE *fp;
	static const char *names[] = { "ELEVENLABS_WEBHOOK_SECRET",
	    "CO_PUBLIC_URL", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET" };
	char *s, *str, *env[4];
	size_t i;
	int rc;

	fp = fz_open(data, size);
	s = conf_secret_read(fp, "fuzz-secret");
	fclose(fp);
	if (s != NULL && (*s == '\0' || strlen(s) > CONF_SECRET_MAX))
		abort();
	conf_free(s);

	memset(&lk, 0, sizeof(lk));
	fp = fz_open(data, size);
	(void)verify_keys_read(&lk, fp, "fuzz-keys");
	fclose(fp);
	for (i = 0; i < lk.nlk; i++) {
		if (*lk.lk[i].key == '\0' || *lk.lk[i].secret == '\0')
			abort();
		free(lk.lk[i].key);
		free(lk.lk[i].secret);
	}
	free(lk.lk);

	/* The same bytes, up to a NUL, as the environment's secrets. */
	if ((str = malloc(size + 1)) == NULL)
		abort();
	memcpy(str, data, size);
	str[size] = '\0';
	for (i = 0; i < 4; i++)
		env[i] = fz_putenv(names[i], str);
	rc = verify_init(&v);
	el = verify_secrets(&v, provider_find("elevenlabs"));
	if (rc == 0 && *str != '\0' && el == NULL)
		abort();	/* a set secret list gives a secret or fails */
	for (i = 0; el != NULL && i < el->nel; i++)
		if (*el->el[i] == '\0' || strchr(el->el[i], ',') != NULL)
			abort();
	verify_free(&v);
	for (i = 0; i < 4; i++) {
		unsetenv(names[i]);
		free(env[i]);
	}
	free(str);
	return 0;
}
