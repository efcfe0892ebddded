/* lazylib.c - libcurl and libmicrohttpd, opened the first time they are used.
 *
 * bobsync is not linked against them: the two bring about thirty shared
 * libraries with them (OpenSSL, GnuTLS, Kerberos, LDAP, SSH, ...) whose
 * loading, relocation and initialisers cost a command about 12 ms CPU
 * before main(), while `status`, `log`, `config` and the other commands that
 * only read local files never call either.  The functions bobsync calls are
 * defined here with their own names and prototypes (from the libraries'
 * headers): the first call opens the library (dlopen), looks every one of
 * them up, and forwards; later calls forward at once.  The variadic ones are
 * forwarded by the type the option says (curl_easy_setopt), through the
 * library's va_list form (MHD_start_daemon) or with the arguments they take
 * (curl_easy_getinfo: one pointer; MHD_get_daemon_info: none).
 *
 * When a library cannot be opened the calls fail the way the library itself
 * reports failure (CURLE_FAILED_INIT, NULL), the reason is logged once, and
 * curl_easy_strerror says it; cleanup calls with nothing to clean do not
 * open anything.  A function used by bobsync must be added here, or the
 * link fails: there is no other definition.
 */
#define CURL_DISABLE_TYPECHECK		/* curl_easy_setopt as a function, not a macro */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/* curl_url_get's handle became const in later libcurl: declared here the
 * old way, which takes either */
#define curl_url_get curl_url_get_as_declared_by_curl_h
#include <curl/curl.h>
#undef curl_url_get
#include <microhttpd.h>

#include "base/log.h"

#ifndef BOBSYNC_CURL_SONAME
#define BOBSYNC_CURL_SONAME "libcurl.so.4"
#endif
#ifndef BOBSYNC_MHD_SONAME
#define BOBSYNC_MHD_SONAME "libmicrohttpd.so.12"
#endif

struct lazylib {
	const char *soname;
	pthread_once_t once;
	atomic_int tried;	/* set once opening it was tried */
	int ok;			/* every function found */
	char why[256];		/* when not: the reason */
};

static struct lazylib curl_lib = { BOBSYNC_CURL_SONAME, PTHREAD_ONCE_INIT, 0, 0, "" };
static struct lazylib mhd_lib = { BOBSYNC_MHD_SONAME, PTHREAD_ONCE_INIT, 0, 0, "" };

CURL_EXTERN CURLUcode curl_url_get(CURLU *u, CURLUPart what, char **part, unsigned int flags);

/* The real functions (pointer types from the headers' prototypes). */
static struct {
	__typeof__(&curl_global_init) global_init;
	__typeof__(&curl_global_cleanup) global_cleanup;
	__typeof__(&curl_easy_init) easy_init;
	__typeof__(&curl_easy_cleanup) easy_cleanup;
	__typeof__(&curl_easy_reset) easy_reset;
	__typeof__(&curl_easy_perform) easy_perform;
	__typeof__(&curl_easy_setopt) easy_setopt;
	__typeof__(&curl_easy_getinfo) easy_getinfo;
	__typeof__(&curl_easy_strerror) easy_strerror;
	__typeof__(&curl_easy_unescape) easy_unescape;
	__typeof__(&curl_free) free;
	__typeof__(&curl_slist_append) slist_append;
	__typeof__(&curl_slist_free_all) slist_free_all;
	__typeof__(&curl_url) url;
	__typeof__(&curl_url_cleanup) url_cleanup;
	__typeof__(&curl_url_get) url_get;
	__typeof__(&curl_url_set) url_set;
} cu;

static struct {
	__typeof__(&MHD_start_daemon_va) start_daemon_va;
	__typeof__(&MHD_stop_daemon) stop_daemon;
	__typeof__(&MHD_get_daemon_info) get_daemon_info;
	__typeof__(&MHD_create_response_from_buffer) create_response_from_buffer;
	__typeof__(&MHD_add_response_header) add_response_header;
	__typeof__(&MHD_destroy_response) destroy_response;
	__typeof__(&MHD_lookup_connection_value) lookup_connection_value;
	__typeof__(&MHD_queue_response) queue_response;
} mhd;

/* Opens lib; NULL (lib->why set) when it cannot. */
static void *
open_lib(struct lazylib *lib)
{
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);

	atomic_store(&lib->tried, 1);
	if (h == NULL) {
		const char *e = dlerror();
		snprintf(lib->why, sizeof lib->why, "cannot load %s: %s", lib->soname,
		    e ? e : "not found");
	}
	return h;
}

/* dlsym into *slot; 0, or -1 with lib->why set. */
static int
find(struct lazylib *lib, void *h, const char *name, void *slot)
{
	void *p = dlsym(h, name);

	if (p == NULL) {
		snprintf(lib->why, sizeof lib->why, "%s has no %s", lib->soname, name);
		return -1;
	}
	memcpy(slot, &p, sizeof p);	/* a function pointer from dlsym's void * */
	return 0;
}

#define FIND(lib, h, tab, field, name) (find(lib, h, name, &(tab).field) == 0)

static void
load_curl(void)
{
	void *h = open_lib(&curl_lib);

	curl_lib.ok = h != NULL &&
	    FIND(&curl_lib, h, cu, global_init, "curl_global_init") &&
	    FIND(&curl_lib, h, cu, global_cleanup, "curl_global_cleanup") &&
	    FIND(&curl_lib, h, cu, easy_init, "curl_easy_init") &&
	    FIND(&curl_lib, h, cu, easy_cleanup, "curl_easy_cleanup") &&
	    FIND(&curl_lib, h, cu, easy_reset, "curl_easy_reset") &&
	    FIND(&curl_lib, h, cu, easy_perform, "curl_easy_perform") &&
	    FIND(&curl_lib, h, cu, easy_setopt, "curl_easy_setopt") &&
	    FIND(&curl_lib, h, cu, easy_getinfo, "curl_easy_getinfo") &&
	    FIND(&curl_lib, h, cu, easy_strerror, "curl_easy_strerror") &&
	    FIND(&curl_lib, h, cu, easy_unescape, "curl_easy_unescape") &&
	    FIND(&curl_lib, h, cu, free, "curl_free") &&
	    FIND(&curl_lib, h, cu, slist_append, "curl_slist_append") &&
	    FIND(&curl_lib, h, cu, slist_free_all, "curl_slist_free_all") &&
	    FIND(&curl_lib, h, cu, url, "curl_url") &&
	    FIND(&curl_lib, h, cu, url_cleanup, "curl_url_cleanup") &&
	    FIND(&curl_lib, h, cu, url_get, "curl_url_get") &&
	    FIND(&curl_lib, h, cu, url_set, "curl_url_set");
	/* once, here, before any thread can use it: what main() did for
	 * every command before; the callers' own curl_global_init calls
	 * only count up after this */
	if (curl_lib.ok && cu.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(curl_lib.why, sizeof curl_lib.why, "%s: curl_global_init failed",
		    curl_lib.soname);
		curl_lib.ok = 0;
	}
	if (!curl_lib.ok)
		log_error("%s", curl_lib.why);
}

static void
load_mhd(void)
{
	void *h = open_lib(&mhd_lib);

	mhd_lib.ok = h != NULL &&
	    FIND(&mhd_lib, h, mhd, start_daemon_va, "MHD_start_daemon_va") &&
	    FIND(&mhd_lib, h, mhd, stop_daemon, "MHD_stop_daemon") &&
	    FIND(&mhd_lib, h, mhd, get_daemon_info, "MHD_get_daemon_info") &&
	    FIND(&mhd_lib, h, mhd, create_response_from_buffer,
		"MHD_create_response_from_buffer") &&
	    FIND(&mhd_lib, h, mhd, add_response_header, "MHD_add_response_header") &&
	    FIND(&mhd_lib, h, mhd, destroy_response, "MHD_destroy_response") &&
	    FIND(&mhd_lib, h, mhd, lookup_connection_value, "MHD_lookup_connection_value") &&
	    FIND(&mhd_lib, h, mhd, queue_response, "MHD_queue_response");
	if (!mhd_lib.ok)
		log_error("%s", mhd_lib.why);
}

static int
curl_ready(void)
{
	pthread_once(&curl_lib.once, load_curl);
	return curl_lib.ok;
}

static int
mhd_ready(void)
{
	pthread_once(&mhd_lib.once, load_mhd);
	return mhd_lib.ok;
}

/* ---- libcurl ---- */

CURLcode
curl_global_init(long flags)
{
	return curl_ready() ? cu.global_init(flags) : CURLE_FAILED_INIT;
}

void
curl_global_cleanup(void)
{
	/* nothing to clean up in a library never opened: do not open it */
	if (atomic_load(&curl_lib.tried) && curl_ready())
		cu.global_cleanup();
}

CURL *
curl_easy_init(void)
{
	return curl_ready() ? cu.easy_init() : NULL;
}

void
curl_easy_cleanup(CURL *h)
{
	if (h != NULL && curl_ready())
		cu.easy_cleanup(h);
}

void
curl_easy_reset(CURL *h)
{
	if (h != NULL && curl_ready())
		cu.easy_reset(h);
}

CURLcode
curl_easy_perform(CURL *h)
{
	return curl_ready() ? cu.easy_perform(h) : CURLE_FAILED_INIT;
}

/* The option's number says its value's type (curl.h: CURLOPTTYPE_*). */
CURLcode
(curl_easy_setopt)(CURL *h, CURLoption opt, ...)
{
	va_list ap;
	CURLcode rc;

	if (!curl_ready())
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = cu.easy_setopt(h, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = cu.easy_setopt(h, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = cu.easy_setopt(h, opt, va_arg(ap, void (*)(void)));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = cu.easy_setopt(h, opt, va_arg(ap, curl_off_t));
	else
		rc = cu.easy_setopt(h, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* Every CURLINFO_* takes one pointer. */
CURLcode
(curl_easy_getinfo)(CURL *h, CURLINFO info, ...)
{
	va_list ap;
	void *p;

	if (!curl_ready())
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	p = va_arg(ap, void *);
	va_end(ap);
	return cu.easy_getinfo(h, info, p);
}

const char *
curl_easy_strerror(CURLcode code)
{
	if (curl_ready())
		return cu.easy_strerror(code);
	return curl_lib.why;
}

char *
curl_easy_unescape(CURL *h, const char *s, int inlen, int *outlen)
{
	return curl_ready() ? cu.easy_unescape(h, s, inlen, outlen) : NULL;
}

void
curl_free(void *p)
{
	if (p != NULL && curl_ready())
		cu.free(p);
}

struct curl_slist *
curl_slist_append(struct curl_slist *list, const char *s)
{
	return curl_ready() ? cu.slist_append(list, s) : NULL;
}

void
curl_slist_free_all(struct curl_slist *list)
{
	if (list != NULL && curl_ready())
		cu.slist_free_all(list);
}

CURLU *
curl_url(void)
{
	return curl_ready() ? cu.url() : NULL;
}

void
curl_url_cleanup(CURLU *u)
{
	if (u != NULL && curl_ready())
		cu.url_cleanup(u);
}

CURLUcode
curl_url_get(CURLU *u, CURLUPart what, char **part, unsigned int flags)
{
	return curl_ready() ? cu.url_get(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

CURLUcode
curl_url_set(CURLU *u, CURLUPart what, const char *part, unsigned int flags)
{
	return curl_ready() ? cu.url_set(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

/* ---- libmicrohttpd ---- */

struct MHD_Daemon *
MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	struct MHD_Daemon *d;
	va_list ap;

	if (!mhd_ready())
		return NULL;
	va_start(ap, dh_cls);
	d = mhd.start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

void
MHD_stop_daemon(struct MHD_Daemon *d)
{
	if (d != NULL && mhd_ready())
		mhd.stop_daemon(d);
}

/* No MHD_DaemonInfoType takes an argument (microhttpd.h). */
const union MHD_DaemonInfo *
MHD_get_daemon_info(struct MHD_Daemon *d, enum MHD_DaemonInfoType type, ...)
{
	return mhd_ready() ? mhd.get_daemon_info(d, type) : NULL;
}

struct MHD_Response *
MHD_create_response_from_buffer(size_t size, void *buffer, enum MHD_ResponseMemoryMode mode)
{
	return mhd_ready() ? mhd.create_response_from_buffer(size, buffer, mode) : NULL;
}

enum MHD_Result
MHD_add_response_header(struct MHD_Response *r, const char *header, const char *content)
{
	return mhd_ready() ? mhd.add_response_header(r, header, content) : MHD_NO;
}

void
MHD_destroy_response(struct MHD_Response *r)
{
	if (r != NULL && mhd_ready())
		mhd.destroy_response(r);
}

const char *
MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind,
    const char *key)
{
	return mhd_ready() ? mhd.lookup_connection_value(c, kind, key) : NULL;
}

enum MHD_Result
MHD_queue_response(struct MHD_Connection *c, unsigned int status, struct MHD_Response *r)
{
	return mhd_ready() ? mhd.queue_response(c, status, r) : MHD_NO;
}
