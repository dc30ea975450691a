/*
 * crypto.c - hashes, HMACs, base64 and hex on OpenSSL.
 * SHA-256, HMAC-SHA256 and HMAC-SHA1 (RFC 2104) are built on OpenSSL's
 * SHA256_* and SHA1_* functions, not EVP: in OpenSSL 3 a process's first
 * EVP fetch constructs every digest of the default provider, about 0.25 ms
 * of CPU in a tool started per request to check one signature (co-serve,
 * co-receive; measured in co-serve(1)), and a static link of these few
 * functions takes a small part of libcrypto.a (co-receive(1)).  They are
 * deprecated in 3.0 but kept, hence OPENSSL_API_COMPAT.
 */
#define OPENSSL_API_COMPAT 0x10100000L

#include <sys/uio.h>

#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "crypto.h"

void
crypto_sha256(const void *p, size_t n, unsigned char out[SHA256_LEN])
{
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, p, n);
	SHA256_Final(out, &c);
}

void
crypto_hmac_sha256(const void *key, size_t klen, const void *p, size_t n,
    unsigned char out[SHA256_LEN])
{
	struct iovec iov = { (void *)(uintptr_t)p, n };

	crypto_hmac_sha256v(key, klen, &iov, 1, out);
}

/* HMAC-SHA1 (Twilio's scheme), built as HMAC-SHA256 below: no EVP. */
void
crypto_hmac_sha1(const void *key, size_t klen, const void *p, size_t n,
    unsigned char out[SHA1_LEN])
{
	unsigned char k[SHA_CBLOCK], pad[SHA_CBLOCK], in[SHA1_LEN];
	SHA_CTX c;
	int i;

	memset(k, 0, sizeof(k));
	if (klen > sizeof(k)) {
		SHA1_Init(&c);
		SHA1_Update(&c, key, klen);
		SHA1_Final(k, &c);
	} else if (klen > 0)
		memcpy(k, key, klen);
	for (i = 0; i < SHA_CBLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	SHA1_Init(&c);
	SHA1_Update(&c, pad, sizeof(pad));
	SHA1_Update(&c, p, n);
	SHA1_Final(in, &c);
	for (i = 0; i < SHA_CBLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	SHA1_Init(&c);
	SHA1_Update(&c, pad, sizeof(pad));
	SHA1_Update(&c, in, sizeof(in));
	SHA1_Final(out, &c);
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(&c, sizeof(c));
}

/*
 * HMAC-SHA256 of the pieces in turn, never joined: H((K ^ opad) ||
 * H((K ^ ipad) || text)), a key longer than the block hashed first.
 * Always 0 (the EVP version could fail).
 */
int
crypto_hmac_sha256v(const void *key, size_t klen, const struct iovec *iov,
    int iovcnt, unsigned char out[SHA256_LEN])
{
	unsigned char k[SHA256_CBLOCK], pad[SHA256_CBLOCK], in[SHA256_LEN];
	SHA256_CTX c;
	int i;

	memset(k, 0, sizeof(k));
	if (klen > sizeof(k))
		crypto_sha256(key, klen, k);
	else if (klen > 0)
		memcpy(k, key, klen);
	for (i = 0; i < SHA256_CBLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	SHA256_Init(&c);
	SHA256_Update(&c, pad, sizeof(pad));
	for (i = 0; i < iovcnt; i++)
		SHA256_Update(&c, iov[i].iov_base, iov[i].iov_len);
	SHA256_Final(in, &c);
	for (i = 0; i < SHA256_CBLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	SHA256_Init(&c);
	SHA256_Update(&c, pad, sizeof(pad));
	SHA256_Update(&c, in, sizeof(in));
	SHA256_Final(out, &c);
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(&c, sizeof(c));
	return 0;
}

int
crypto_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	if (alen != blen)
		return 0;
	return CRYPTO_memcmp(a, b, alen) == 0;
}

static const char b64std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t
b64_encode(const unsigned char *in, size_t n, char *out, int url, int pad)
{
	const char *a = url ? b64url : b64std;
	size_t i, o = 0;
	unsigned v;

	for (i = 0; i + 2 < n; i += 3) {
		v = in[i] << 16 | in[i + 1] << 8 | in[i + 2];
		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		out[o++] = a[v >> 6 & 63];
		out[o++] = a[v & 63];
	}
	if (i < n) {
		v = in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0);
		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		if (i + 1 < n)
			out[o++] = a[v >> 6 & 63];
		else if (pad)
			out[o++] = '=';
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

static int
b64_val(int c, int url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

long
b64_decode(const char *in, size_t n, unsigned char *out, size_t cap, int url)
{
	size_t i, o = 0;
	unsigned v = 0;
	int bits = 0, d;

	if (n > LONG_MAX)
		return -1;
	if (!url)
		while (n > 0 && in[n - 1] == '=')
			n--;
	if (n % 4 == 1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((d = b64_val((unsigned char)in[i], url)) < 0)
			return -1;
		v = (v << 6 | (unsigned)d) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (o >= cap)
				return -1;
			out[o++] = (unsigned char)(v >> bits);
		}
	}
	if (url && (v & ((1u << bits) - 1)) != 0)
		return -1;	/* bits past the last byte must be zero */
	return (long)o;
}

void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char h[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = h[in[i] >> 4];
		out[2 * i + 1] = h[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
hex_decode(const char *in, size_t n, unsigned char *out, size_t cap)
{
	size_t i;
	int hi, lo;

	if (n % 2 != 0 || n / 2 > cap || n / 2 > LONG_MAX)
		return -1;
	for (i = 0; i < n; i += 2) {
		if ((hi = hex_val((unsigned char)in[i])) < 0 ||
		    (lo = hex_val((unsigned char)in[i + 1])) < 0)
			return -1;
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return (long)(n / 2);
}
