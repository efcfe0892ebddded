/* session.h - the live services of a configured bobsync.
 *
 * Built from the settings and the unlocked vault; clients are created on
 * first use, so a command that only needs HiBob never needs Assembled
 * credentials.  One HTTP client (one connection cache, one set of request
 * counters) serves every remote.
 */
#ifndef BS_SESSION_H
#define BS_SESSION_H

#include "base/result.h"

struct conf;
struct vault;
struct store;
struct http_client;
struct http_clock;
struct bob_client;
struct asm_client;
struct scim_client;
struct sync_result;

struct bs_session {
	const struct conf *conf;	/* borrowed */
	const struct vault *vault;	/* borrowed, may be NULL */
	struct store *store;		/* borrowed, may be NULL */
	struct http_client *http;	/* owned */
	struct bob_client *bob;		/* owned, created by session_bob */
	struct asm_client *assembled;	/* owned, created by session_assembled */
	struct scim_client *scim;	/* owned, created by session_scim */
	/* the conf_generation and vault_generation the clients were built
	 * at: when either moved on, session_bob, session_assembled and
	 * session_scim build every client (and the HTTP client) again */
	unsigned long conf_gen, vault_gen;
	const struct http_clock *clock;	/* borrowed, may be NULL */
};

/* clock may be NULL (real time). */
void session_init(struct bs_session *s, const struct conf *conf,
    const struct vault *vault, struct store *store,
    const struct http_clock *clock);
void session_close(struct bs_session *s);

/* The clients; BS_ERR_NOT_CONFIGURED (exit 4) with a detail saying what
 * is missing and how to add it. */
bs_rc session_bob(struct bs_session *s, struct bob_client **out, struct bs_error *err);
bs_rc session_assembled(struct bs_session *s, struct asm_client **out, struct bs_error *err);
bs_rc session_scim(struct bs_session *s, struct scim_client **out, struct bs_error *err);

/* End a sync run: the run's request and byte counts from the HTTP client,
 * its result word from rc ("ok", "partial", "blocked", "aborted",
 * "failed") unless already set, the error as its message, and the record
 * in the store when the run was started there. */
void session_finish_run(struct bs_session *s, struct sync_result *r, bs_rc rc,
    const struct bs_error *err);

/* Try credentials before they are stored, with one cheap authenticated
 * call and nothing written: "hibob" (a = Service User ID, b = token: the
 * field list), "assembled" (a = API key: the activity types), "alleo"
 * (a = client id, b = secret: a token and one user lookup).  BS_OK when
 * accepted; BS_ERR_AUTH or BS_ERR_FORBIDDEN when the service rejected
 * them; anything else means the service could not tell (unreachable,
 * settings missing). */
bs_rc session_try_secrets(const struct conf *conf, const char *service, const char *a,
    const char *b, struct bs_error *err);

#endif
