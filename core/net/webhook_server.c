/* webhook_server.c - the HiBob webhook receiver on libmicrohttpd.
 *
 * One internal polling thread; every request is read whole (at most
 * WEBHOOK_BODY_MAX bytes), its signature checked over the exact bytes
 * before anything is parsed, and answered at once: the work it names goes
 * onto the queue for the daemon's thread, which alone talks to the APIs and
 * the store.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <sodium.h>

#include "net/http.h"
#include "base/util.h"
#include "net/webhook.h"

struct webhook_server {
	struct MHD_Daemon *d;
	struct webhook_queue *q;
	char *path;
	unsigned char *secret;		/* sodium_malloc'd */
	size_t secret_len;
	char **field_ids;
	size_t nfield_ids;
	void (*log)(void *, const char *);
	void *log_ctx;
};

/* What one request has sent so far. */
struct wh_conn {
	struct strbuf body;
	int too_large;
};

int
webhook_parse_listen(const char *listen, struct sockaddr_storage *ss, unsigned *len,
    struct bs_error *err)
{
	char host[64];
	const char *colon, *h, *p;
	size_t hl;
	char *end;
	long port;

	memset(ss, 0, sizeof *ss);
	if (str_empty(listen))
		return bs_fail(err, BS_ERR_CONFIG, "no listen address"), -1;
	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');

		if (close == NULL || close[1] != ':')
			goto bad;
		h = listen + 1;
		hl = (size_t)(close - h);
		p = close + 2;
	} else {
		colon = strrchr(listen, ':');
		if (colon == NULL)
			goto bad;
		h = listen;
		hl = (size_t)(colon - listen);
		p = colon + 1;
	}
	if (hl >= sizeof host)
		goto bad;
	memcpy(host, h, hl);
	host[hl] = '\0';
	errno = 0;
	port = strtol(p, &end, 10);
	if (*p == '\0' || *end != '\0' || errno != 0 || port < 0 || port > 65535)
		goto bad;
	if (hl == 0 || strcmp(host, "0.0.0.0") == 0) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((unsigned short)port);
		in->sin_addr.s_addr = htonl(INADDR_ANY);
		*len = sizeof *in;
		return 0;
	}
	if (strchr(host, ':') != NULL) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)port);
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			goto bad;
		*len = sizeof *in6;
		return 0;
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((unsigned short)port);
		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			goto bad;
		*len = sizeof *in;
		return 0;
	}
bad:
	bs_fail(err, BS_ERR_CONFIG,
	    "webhook listen address \"%s\" is not ADDRESS:PORT (e.g. 127.0.0.1:8787 or [::1]:8787); "
	    "a host name is not accepted", listen);
	return -1;
}

static enum MHD_Result
answer(struct MHD_Connection *c, unsigned status, const char *text)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)(uintptr_t)text,
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "POST");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A rejection: counted, logged without the body, answered. */
static enum MHD_Result
reject(struct webhook_server *s, struct MHD_Connection *c, unsigned status,
    const char *why, const char *text)
{
	webhook_queue_reject(s->q);
	if (s->log != NULL) {
		char line[BS_ERROR_DETAIL_MAX + 64];

		snprintf(line, sizeof line, "webhook refused (HTTP %u): %s", status, why);
		s->log(s->log_ctx, line);
	}
	return answer(c, status, text);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct webhook_server *s = cls;
	struct wh_conn *wc = *con_cls;
	struct webhook_event ev;
	struct bs_error err = { 0 };
	const char *sig, *clen;

	(void)version;
	if (wc == NULL) {
		/* first call: headers only; refuse early what cannot succeed */
		if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
			return reject(s, c, MHD_HTTP_METHOD_NOT_ALLOWED, "not a POST",
			    "only POST\n");
		if (!str_eq(url, s->path))
			return reject(s, c, MHD_HTTP_NOT_FOUND, "unknown path", "not found\n");
		clen = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (clen != NULL && strtoull(clen, NULL, 10) > WEBHOOK_BODY_MAX)
			return reject(s, c, MHD_HTTP_CONTENT_TOO_LARGE, "body too large",
			    "too large\n");
		wc = xcalloc(1, sizeof *wc);
		sb_init(&wc->body, WEBHOOK_BODY_MAX);
		*con_cls = wc;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (!wc->too_large && sb_append(&wc->body, upload, *upload_size) != 0)
			wc->too_large = 1;	/* read and drop the rest, then 413 */
		*upload_size = 0;
		return MHD_YES;
	}
	if (wc->too_large)
		return reject(s, c, MHD_HTTP_CONTENT_TOO_LARGE, "body too large", "too large\n");
	sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Bob-Signature");
	if (sig == NULL)
		return reject(s, c, MHD_HTTP_UNAUTHORIZED, "no Bob-Signature header",
		    "signature required\n");
	if (!webhook_signature_ok(s->secret, s->secret_len, wc->body.buf, wc->body.len, sig))
		return reject(s, c, MHD_HTTP_UNAUTHORIZED,
		    "Bob-Signature does not match the webhook secret", "bad signature\n");
	/* only now, with the sender proven, is the body parsed */
	if (webhook_parse(wc->body.buf, wc->body.len, (const char *const *)s->field_ids,
	    s->nfield_ids, &ev, &err) != BS_OK) {
		char why[BS_ERROR_DETAIL_MAX];

		memcpy(why, err.detail, sizeof why);
		why[sizeof why - 1] = '\0';
		util_strip_controls(why);
		return reject(s, c, MHD_HTTP_BAD_REQUEST, why, "not a webhook event\n");
	}
	webhook_queue_push(s->q, &ev, clock_now());
	return answer(c, MHD_HTTP_OK, "ok\n");
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct wh_conn *wc = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (wc != NULL) {
		sb_clear(&wc->body);
		free(wc);
		*con_cls = NULL;
	}
}

static void
server_free(struct webhook_server *s)
{
	size_t i;

	if (s == NULL)
		return;
	free(s->path);
	if (s->secret != NULL)
		sodium_free(s->secret);
	for (i = 0; i < s->nfield_ids; i++)
		free(s->field_ids[i]);
	free(s->field_ids);
	free(s);
}

bs_rc
webhook_server_start(const struct webhook_server_opts *o, struct webhook_queue *q,
    struct webhook_server **out, struct bs_error *err)
{
	struct webhook_server *s;
	struct sockaddr_storage ss;
	unsigned sslen = 0, flags;
	size_t i;

	*out = NULL;
	if (o->secret == NULL || o->secret_len == 0)
		return bs_fail(err, BS_ERR_VAULT_MISSING,
		    "no webhook secret is stored (bobsync credentials set webhook)");
	if (webhook_parse_listen(o->listen, &ss, &sslen, err) != 0)
		return err != NULL ? err->rc : BS_ERR_CONFIG;
	if (sodium_init() < 0)
		return bs_fail(err, BS_ERR_INTERNAL, "libsodium failed to start");
	s = xcalloc(1, sizeof *s);
	s->q = q;
	s->path = xstrdup(str_empty(o->path) ? "/hibob/webhook" : o->path);
	s->secret = sodium_malloc(o->secret_len);
	if (s->secret == NULL) {
		server_free(s);
		return bs_fail(err, BS_ERR_NOMEM, "no guarded memory for the webhook secret");
	}
	memcpy(s->secret, o->secret, o->secret_len);
	s->secret_len = o->secret_len;
	if (o->nfield_ids > 0) {
		s->field_ids = xcalloc(o->nfield_ids, sizeof *s->field_ids);
		for (i = 0; i < o->nfield_ids; i++)
			s->field_ids[i] = xstrdup(o->field_ids[i]);
		s->nfield_ids = o->nfield_ids;
	}
	s->log = o->log;
	s->log_ctx = o->log_ctx;
	flags = MHD_USE_AUTO_INTERNAL_THREAD;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)(o->max_connections ? o->max_connections : 32),
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)8,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    MHD_OPTION_END);
	if (s->d == NULL) {
		server_free(s);
		return bs_fail(err, BS_ERR_IO,
		    "cannot listen for webhooks on %s (address in use, or not this machine's)",
		    o->listen);
	}
	*out = s;
	return BS_OK;
}

unsigned
webhook_server_port(const struct webhook_server *s)
{
	const union MHD_DaemonInfo *info;

	if (s == NULL || s->d == NULL)
		return 0;
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	return info != NULL ? info->port : 0;
}

void
webhook_server_stop(struct webhook_server **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	if ((*sp)->d != NULL)
		MHD_stop_daemon((*sp)->d);
	server_free(*sp);
	*sp = NULL;
}

bs_rc
webhook_probe(struct http_client *http, const char *listen, const char *path,
    const unsigned char *secret, size_t secret_len, struct bs_error *err)
{
	static const char ping[] = "{\"text\":\"Ping test\"}";
	struct sockaddr_storage ss;
	unsigned sslen;
	char host[INET6_ADDRSTRLEN + 2], url[256], sig[WEBHOOK_SIG_LEN];
	struct http_header h = { "Bob-Signature", sig };
	struct http_request req = { .method = "POST", .body = ping, .body_len = sizeof ping - 1,
	    .accept = "*/*", .headers = &h, .nheaders = 1 };
	static const long refused[] = { 400, 401, 403, 404, 405, 413 };
	struct http_response resp = { 0 };
	unsigned port;
	bs_rc rc;

	if (webhook_parse_listen(listen, &ss, &sslen, err) != 0)
		return BS_ERR_CONFIG;
	/* the daemon listens there; this process asks over loopback when it
	 * listens on every address */
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		host[0] = '[';
		inet_ntop(AF_INET6, &in6->sin6_addr, host + 1, INET6_ADDRSTRLEN);
		if (IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr))
			snprintf(host + 1, INET6_ADDRSTRLEN, "::1");
		strcat(host, "]");
		port = ntohs(in6->sin6_port);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		if (in->sin_addr.s_addr == htonl(INADDR_ANY))
			snprintf(host, sizeof host, "127.0.0.1");
		else
			inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		port = ntohs(in->sin_port);
	}
	snprintf(url, sizeof url, "http://%s:%u%s", host, port, str_empty(path) ? "/hibob/webhook" :
	    path);
	req.url = url;
	req.accept_status = refused;
	req.naccept_status = ARRAY_LEN(refused);
	/* an unsigned event must be refused ... */
	memcpy(sig, "AAAA", 5);
	rc = http_send(http, &req, &resp, err);
	if (rc == BS_ERR_INSECURE_URL) {
		http_response_clear(&resp);
		return rc;	/* not loopback: the detail says plain HTTP is refused there */
	}
	if (rc != BS_OK) {
		http_response_clear(&resp);
		return bs_fail(err, BS_ERR_NETWORK, "nothing answers webhooks at %s: is `bobsync "
		    "daemon` running with webhook.listen = %s?", url, listen);
	}
	if (resp.status != 401) {
		long st = resp.status;

		http_response_clear(&resp);
		return bs_fail(err, BS_ERR_REMOTE, "%s answered an event with a wrong signature with "
		    "HTTP %ld instead of refusing it (401): is it bobsync?", url, st);
	}
	http_response_clear(&resp);
	/* ... and one signed with the stored secret accepted */
	webhook_sign(secret, secret_len, ping, sizeof ping - 1, sig);
	rc = http_send(http, &req, &resp, err);
	if (rc == BS_OK && resp.status == 401) {
		http_response_clear(&resp);
		return bs_fail(err, BS_ERR_AUTH, "the daemon at %s refused an event signed with the "
		    "stored webhook secret: it runs with another secret (restart it, or send it "
		    "SIGHUP, after `bobsync credentials set webhook`)", url);
	}
	if (rc != BS_OK || resp.status != 200) {
		long st = resp.status;

		http_response_clear(&resp);
		return bs_fail(err, BS_ERR_REMOTE, "%s answered a signed test event with HTTP %ld",
		    url, st);
	}
	http_response_clear(&resp);
	return BS_OK;
}
