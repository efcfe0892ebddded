/* session.c - clients built from settings and vault, on first use. */
#include <stdio.h>
#include <string.h>

#include "vendor/assembled.h"
#include "config/conf.h"
#include "vendor/hibob.h"
#include "net/http.h"
#include "base/log.h"
#include "engine/plan.h"
#include "vendor/scim.h"
#include "engine/apply.h"
#include "engine/session.h"
#include "store/store.h"
#include "base/util.h"
#include "config/vault.h"

static void
make_http(struct bs_session *s, const struct http_clock *clock)
{
	struct http_options o = { 0 };

	if (s->conf != NULL) {
		o.ca_file = conf_get(s->conf, "tls.ca_file");
		o.total_timeout_ms = conf_get_int(s->conf, "http.timeout_seconds") * 1000L;
	}
	s->http = http_client_new(&o, clock);
	s->clock = clock;
	s->conf_gen = conf_generation(s->conf);
	s->vault_gen = vault_generation(s->vault);
}

void
session_init(struct bs_session *s, const struct conf *conf, const struct vault *vault,
    struct store *store, const struct http_clock *clock)
{
	memset(s, 0, sizeof *s);
	s->conf = conf;
	s->vault = vault;
	s->store = store;
	make_http(s, clock);
}

/* The clients are built from settings and secrets: when either changed
 * since, they are built again (on first use, like the first time). */
static void
refresh(struct bs_session *s)
{
	if (s->conf_gen == conf_generation(s->conf) && s->vault_gen == vault_generation(s->vault))
		return;
	session_close(s);
	make_http(s, s->clock);
}

void
session_close(struct bs_session *s)
{
	bob_client_free(&s->bob);
	asm_client_free(&s->assembled);
	scim_client_free(&s->scim);
	http_client_free(&s->http);
}

static const char *
secret(const struct bs_session *s, enum vault_key k)
{
	return s->vault ? vault_get(s->vault, k) : NULL;
}

bs_rc
session_bob(struct bs_session *s, struct bob_client **out, struct bs_error *err)
{
	const char *id, *tok, *url;

	*out = NULL;
	refresh(s);
	if (s->bob == NULL) {
		id = secret(s, VAULT_HIBOB_ID);
		tok = secret(s, VAULT_HIBOB_TOKEN);
		if (str_empty(id) || str_empty(tok))
			return bs_fail(err, BS_ERR_NOT_CONFIGURED,
			    "no HiBob Service User stored: run 'bobsync setup' or "
			    "'bobsync credentials set hibob'");
		url = conf_get(s->conf, "hibob.base_url");
		if (http_check_url(url, err) != BS_OK)
			return BS_ERR_CONFIG;
		s->bob = bob_client_new(s->http, url, id, tok);
	}
	*out = s->bob;
	return BS_OK;
}

bs_rc
session_assembled(struct bs_session *s, struct asm_client **out, struct bs_error *err)
{
	const char *key, *url;

	*out = NULL;
	refresh(s);
	if (s->assembled == NULL) {
		if (!conf_get_bool(s->conf, "assembled.enabled"))
			return bs_fail(err, BS_ERR_NOT_CONFIGURED,
			    "the Assembled time-off sync is off: "
			    "'bobsync config set assembled.enabled true' turns it on");
		key = secret(s, VAULT_ASSEMBLED_KEY);
		if (str_empty(key))
			return bs_fail(err, BS_ERR_NOT_CONFIGURED,
			    "no Assembled API key stored: run 'bobsync credentials set assembled'");
		url = conf_get(s->conf, "assembled.base_url");
		if (http_check_url(url, err) != BS_OK)
			return BS_ERR_CONFIG;
		s->assembled = asm_client_new(s->http, url, key);
	}
	*out = s->assembled;
	return BS_OK;
}

bs_rc
session_scim(struct bs_session *s, struct scim_client **out, struct bs_error *err)
{
	const char *id, *sec, *url, *tok_url;

	*out = NULL;
	refresh(s);
	if (s->scim == NULL) {
		url = conf_get(s->conf, "alleo.scim_url");
		tok_url = conf_get(s->conf, "alleo.token_url");
		if (str_empty(url) || str_empty(tok_url))
			return bs_fail(err, BS_ERR_NOT_CONFIGURED,
			    "alleo.scim_url and alleo.token_url must be set for SCIM delivery "
			    "(Alleo support gives you both)");
		id = secret(s, VAULT_ALLEO_CLIENT_ID);
		sec = secret(s, VAULT_ALLEO_CLIENT_SECRET);
		if (str_empty(id) || str_empty(sec))
			return bs_fail(err, BS_ERR_NOT_CONFIGURED,
			    "no Alleo client id and secret stored: run 'bobsync credentials set alleo'");
		if (http_check_url(url, err) != BS_OK || http_check_url(tok_url, err) != BS_OK)
			return BS_ERR_CONFIG;
		s->scim = scim_client_new(s->http, url, tok_url, id, sec);
		scim_client_set_extension(s->scim, conf_get(s->conf, "alleo.scim_extension"));
	}
	*out = s->scim;
	return BS_OK;
}

void
session_finish_run(struct bs_session *s, struct sync_result *r, bs_rc rc,
    const struct bs_error *err)
{
	struct http_stats hs;

	http_get_stats(s->http, &hs);
	r->requests = hs.requests;
	r->bytes = hs.bytes_in + hs.bytes_out;
	if (r->result[0] == '\0')
		sync_result_set(r, run_result_of(rc));
	if (r->message[0] == '\0' && rc != BS_OK && err != NULL)
		snprintf(r->message, sizeof r->message, "%s", bs_error_text(err));
	if (r->run_id > 0 && s->store != NULL) {
		struct bs_error ferr = { 0 };
		if (store_run_finish(s->store, r->run_id, r->result, r->applied, r->failed,
		    r->skipped, (long)r->requests, (long long)r->bytes, r->message, clock_now(),
		    &ferr) != BS_OK)
			log_warn("cannot record the end of run %lld: %s", (long long)r->run_id,
			    bs_error_text(&ferr));
	}
}

bs_rc
session_try_secrets(const struct conf *conf, const char *service, const char *a,
    const char *b, struct bs_error *err)
{
	struct bs_session s;
	bs_rc rc;

	session_init(&s, conf, NULL, NULL, NULL);
	if (str_eq(service, "hibob")) {
		struct bob_fields f;
		const char *url = conf_get(conf, "hibob.base_url");
		memset(&f, 0, sizeof f);
		if ((rc = http_check_url(url, err)) == BS_OK) {
			s.bob = bob_client_new(s.http, url, a, b);
			rc = bob_get_fields(s.bob, &f, err);
			bob_fields_clear(&f);
		}
	} else if (str_eq(service, "assembled")) {
		struct asm_activity_types t;
		const char *url = conf_get(conf, "assembled.base_url");
		memset(&t, 0, sizeof t);
		if ((rc = http_check_url(url, err)) == BS_OK) {
			s.assembled = asm_client_new(s.http, url, a);
			rc = asm_get_activity_types(s.assembled, &t, err);
			asm_activity_types_clear(&t);
		}
	} else if (str_eq(service, "alleo")) {
		const char *url = conf_get(conf, "alleo.scim_url");
		const char *tok_url = conf_get(conf, "alleo.token_url");
		if (str_empty(url) || str_empty(tok_url))
			rc = bs_fail(err, BS_ERR_NOT_CONFIGURED, "alleo.scim_url and alleo.token_url "
			    "are not set, so the Alleo credentials cannot be tried yet");
		else if ((rc = http_check_url(url, err)) == BS_OK &&
		    (rc = http_check_url(tok_url, err)) == BS_OK) {
			s.scim = scim_client_new(s.http, url, tok_url, a, b);
			rc = scim_ping(s.scim, err);
		}
	} else {
		rc = bs_fail(err, BS_ERR_INVALID, "no service named '%s'", service ? service : "");
	}
	session_close(&s);
	return rc;
}
