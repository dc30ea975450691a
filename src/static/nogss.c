/*
 * nogss.c - the GSSAPI and LDAP functions a static libpq.a calls, for
 * co-serve built with STATIC_LIBPQ=1 (Makefile, co-serve(1)): Debian ships
 * no static Kerberos or OpenLDAP, and their shared libraries are most of
 * the 27 that libpq.so loads at every start.
 * Rule: every call fails as when no Kerberos credentials and no LDAP
 * server exist: libpq goes on without GSSAPI encryption, a server that asks
 * for GSSAPI authentication is refused, and an ldap:// service lookup
 * fails; nothing here ever succeeds.
 * Not in libco.a, which takes the files at the top of src: linked into
 * co-serve alone.
 */
#include <stddef.h>
#include <stdint.h>

typedef uint32_t OM_uint32;
typedef struct {
	size_t	 length;
	void	*value;
} gbuf;

#define GSS_S_FAILURE	(13u << 16)

/* libpq names a service by this OID; nobody reads it here. */
void *GSS_C_NT_HOSTBASED_SERVICE;

static char gssmsg[] = "GSSAPI is not in this build of co-serve";
static char ldapmsg[] = "LDAP is not in this build of co-serve";

OM_uint32	gss_acquire_cred(OM_uint32 *, void *, OM_uint32, void *, int,
		    void **, void **, OM_uint32 *);
OM_uint32	gss_init_sec_context(OM_uint32 *, void *, void **, void *,
		    void *, OM_uint32, OM_uint32, void *, gbuf *, void **,
		    gbuf *, OM_uint32 *, OM_uint32 *);
OM_uint32	gss_import_name(OM_uint32 *, gbuf *, void *, void **);
OM_uint32	gss_release_name(OM_uint32 *, void **);
OM_uint32	gss_release_cred(OM_uint32 *, void **);
OM_uint32	gss_delete_sec_context(OM_uint32 *, void **, gbuf *);
OM_uint32	gss_release_buffer(OM_uint32 *, gbuf *);
OM_uint32	gss_display_status(OM_uint32 *, OM_uint32, int, void *,
		    OM_uint32 *, gbuf *);
OM_uint32	gss_wrap(OM_uint32 *, void *, int, OM_uint32, gbuf *, int *,
		    gbuf *);
OM_uint32	gss_unwrap(OM_uint32 *, void *, gbuf *, gbuf *, int *,
		    OM_uint32 *);
OM_uint32	gss_wrap_size_limit(OM_uint32 *, void *, int, OM_uint32,
		    OM_uint32, OM_uint32 *);
void	*ldap_init(const char *, int);
int	 ldap_unbind(void *);
int	 ldap_msgfree(void *);
void	 ldap_value_free_len(void *);
int	 ldap_set_option(void *, int, const void *);
int	 ldap_simple_bind(void *, const char *, const char *);
int	 ldap_search_st(void *, const char *, int, const char *, char **, int,
	    void *, void **);
int	 ldap_result(void *, int, int, void *, void **);
void	*ldap_get_values_len(void *, void *, const char *);
void	*ldap_first_entry(void *, void *);
char	*ldap_err2string(int);
int	 ldap_count_entries(void *, void *);

static void
empty(gbuf *b)
{
	if (b != NULL) {
		b->length = 0;
		b->value = NULL;
	}
}

OM_uint32
gss_acquire_cred(OM_uint32 *minor, void *name, OM_uint32 t, void *mechs,
    int usage, void **cred, void **actual, OM_uint32 *rec)
{
	(void)name, (void)t, (void)mechs, (void)usage, (void)rec;
	*minor = 0;
	if (cred != NULL)
		*cred = NULL;
	if (actual != NULL)
		*actual = NULL;
	return GSS_S_FAILURE;
}

OM_uint32
gss_init_sec_context(OM_uint32 *minor, void *cred, void **ctx, void *name,
    void *mech, OM_uint32 flags, OM_uint32 t, void *chan, gbuf *in,
    void **amech, gbuf *out, OM_uint32 *rflags, OM_uint32 *rec)
{
	(void)cred, (void)ctx, (void)name, (void)mech, (void)flags, (void)t;
	(void)chan, (void)in, (void)amech, (void)rflags, (void)rec;
	*minor = 0;
	empty(out);
	return GSS_S_FAILURE;
}

OM_uint32
gss_import_name(OM_uint32 *minor, gbuf *in, void *type, void **name)
{
	(void)in, (void)type;
	*minor = 0;
	if (name != NULL)
		*name = NULL;
	return GSS_S_FAILURE;
}

OM_uint32
gss_release_name(OM_uint32 *minor, void **name)
{
	*minor = 0;
	if (name != NULL)
		*name = NULL;
	return 0;
}

OM_uint32
gss_release_cred(OM_uint32 *minor, void **cred)
{
	*minor = 0;
	if (cred != NULL)
		*cred = NULL;
	return 0;
}

OM_uint32
gss_delete_sec_context(OM_uint32 *minor, void **ctx, gbuf *out)
{
	*minor = 0;
	if (ctx != NULL)
		*ctx = NULL;
	empty(out);
	return 0;
}

OM_uint32
gss_release_buffer(OM_uint32 *minor, gbuf *b)
{
	*minor = 0;
	empty(b);		/* only gssmsg, which is static, is ever given */
	return 0;
}

OM_uint32
gss_display_status(OM_uint32 *minor, OM_uint32 code, int type, void *mech,
    OM_uint32 *more, gbuf *msg)
{
	(void)code, (void)type, (void)mech;
	*minor = 0;
	*more = 0;
	msg->length = sizeof(gssmsg) - 1;
	msg->value = gssmsg;
	return 0;
}

OM_uint32
gss_wrap(OM_uint32 *minor, void *ctx, int conf, OM_uint32 qop, gbuf *in,
    int *state, gbuf *out)
{
	(void)ctx, (void)conf, (void)qop, (void)in, (void)state;
	*minor = 0;
	empty(out);
	return GSS_S_FAILURE;
}

OM_uint32
gss_unwrap(OM_uint32 *minor, void *ctx, gbuf *in, gbuf *out, int *conf,
    OM_uint32 *qop)
{
	(void)ctx, (void)in, (void)conf, (void)qop;
	*minor = 0;
	empty(out);
	return GSS_S_FAILURE;
}

OM_uint32
gss_wrap_size_limit(OM_uint32 *minor, void *ctx, int conf, OM_uint32 qop,
    OM_uint32 req, OM_uint32 *max)
{
	(void)ctx, (void)conf, (void)qop, (void)req;
	*minor = 0;
	*max = 0;
	return GSS_S_FAILURE;
}

/* libpq stops at the first: "could not create LDAP structure". */
void *
ldap_init(const char *host, int port)
{
	(void)host, (void)port;
	return NULL;
}

int
ldap_unbind(void *ld)
{
	(void)ld;
	return 0;
}

int
ldap_msgfree(void *m)
{
	(void)m;
	return 0;
}

void
ldap_value_free_len(void *v)
{
	(void)v;
}

int
ldap_set_option(void *ld, int opt, const void *v)
{
	(void)ld, (void)opt, (void)v;
	return -1;
}

int
ldap_simple_bind(void *ld, const char *who, const char *pw)
{
	(void)ld, (void)who, (void)pw;
	return -1;
}

int
ldap_search_st(void *ld, const char *base, int scope, const char *filter,
    char **attrs, int only, void *t, void **res)
{
	(void)ld, (void)base, (void)scope, (void)filter, (void)attrs;
	(void)only, (void)t;
	*res = NULL;
	return -1;
}

int
ldap_result(void *ld, int id, int all, void *t, void **res)
{
	(void)ld, (void)id, (void)all, (void)t;
	*res = NULL;
	return -1;
}

void *
ldap_get_values_len(void *ld, void *e, const char *attr)
{
	(void)ld, (void)e, (void)attr;
	return NULL;
}

void *
ldap_first_entry(void *ld, void *res)
{
	(void)ld, (void)res;
	return NULL;
}

char *
ldap_err2string(int e)
{
	(void)e;
	return ldapmsg;
}

int
ldap_count_entries(void *ld, void *res)
{
	(void)ld, (void)res;
	return 0;
}
