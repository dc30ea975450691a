/*
 * crypto.h - the few primitives the signature schemes need, on OpenSSL.
 * Rule: every comparison of secret-derived bytes is constant time.
 */
#ifndef CO_CRYPTO_H
#define CO_CRYPTO_H

#include <sys/uio.h>

#include <stddef.h>

#define SHA256_LEN	32
#define SHA1_LEN	20

void	crypto_sha256(const void *, size_t, unsigned char[SHA256_LEN]);
void	crypto_hmac_sha256(const void *, size_t, const void *, size_t,
	    unsigned char[SHA256_LEN]);
void	crypto_hmac_sha1(const void *, size_t, const void *, size_t,
	    unsigned char[SHA1_LEN]);
int	crypto_hmac_sha256v(const void *, size_t, const struct iovec *, int,
	    unsigned char[SHA256_LEN]);

/* Constant-time equality of two byte strings (lengths may differ). */
int	crypto_equal(const void *, size_t, const void *, size_t);

/*
 * Base64: url selects the URL alphabet; pad adds '='.  Encode writes a NUL;
 * out needs 4*ceil(n/3)+1 bytes.  Decode returns the decoded length or -1
 * on a bad character.  The standard alphabet may be padded or not; the URL
 * one is strict, as JWTs (RFC 7515 section 2) are: no '=', and the bits
 * after the last whole byte must be zero, so each value has one spelling.
 */
size_t	b64_encode(const unsigned char *, size_t, char *, int, int);
long	b64_decode(const char *, size_t, unsigned char *, size_t, int);

/* Lowercase hex; out needs 2n+1.  Decode is case-insensitive; -1 if bad. */
void	hex_encode(const unsigned char *, size_t, char *);
long	hex_decode(const char *, size_t, unsigned char *, size_t);

#endif
