/* result.h - the one result type of core, with a message per code.
 *
 * Every fallible core function returns a bs_rc and, when the caller passes a
 * struct bs_error, fills in a detail a user can act on ("HiBob rejected the
 * Service User ID or token (HTTP 401)").  The message table is generated from
 * the BS_RESULTS list so codes, names and messages never drift apart.
 */
#ifndef BS_RESULT_H
#define BS_RESULT_H

#include <stddef.h>

/* X(code, exit status for the CLI, message) */
#define BS_RESULTS(X)                                                        \
	X(BS_OK,               0, "success")                                 \
	X(BS_ERR_NOMEM,        1, "out of memory")                           \
	X(BS_ERR_INVALID,      2, "invalid argument")                        \
	X(BS_ERR_IO,           1, "file or system error")                    \
	X(BS_ERR_CONFIG,       2, "invalid setting")                         \
	X(BS_ERR_NOT_CONFIGURED, 4, "not configured")                        \
	X(BS_ERR_PARSE,        1, "malformed data")                          \
	X(BS_ERR_NETWORK,      1, "network error")                           \
	X(BS_ERR_TIMEOUT,      1, "timed out")                               \
	X(BS_ERR_TOO_LARGE,    1, "response too large")                      \
	X(BS_ERR_INSECURE_URL, 2, "refused insecure or invalid URL")         \
	X(BS_ERR_TLS,          1, "TLS certificate verification failed")     \
	X(BS_ERR_AUTH,         6, "credentials rejected")                    \
	X(BS_ERR_FORBIDDEN,    6, "permission denied")                       \
	X(BS_ERR_NOT_FOUND,    1, "not found")                               \
	X(BS_ERR_CONFLICT,     1, "already exists")                          \
	X(BS_ERR_RATE_LIMIT,   1, "rate limited")                            \
	X(BS_ERR_HTTP,         1, "unexpected HTTP status")                  \
	X(BS_ERR_REMOTE,       1, "remote service error")                    \
	X(BS_ERR_VAULT_MISSING, 4, "no stored credentials")                  \
	X(BS_ERR_VAULT_PASSPHRASE, 4, "wrong passphrase or key")             \
	X(BS_ERR_VAULT_CORRUPT, 4, "credential vault is damaged")            \
	X(BS_ERR_VAULT_VERSION, 4, "credential vault from a newer bobsync")  \
	X(BS_ERR_KEY_PERMS,    4, "key file permissions too open")           \
	X(BS_ERR_LOCKED,       5, "another run holds the lock")              \
	X(BS_ERR_STORE,        1, "state store error")                       \
	X(BS_ERR_STORE_VERSION, 1, "state store from a newer bobsync")       \
	X(BS_ERR_GUARD,        3, "blocked by a safety guard")               \
	X(BS_ERR_SOURCE,       1, "source data looks wrong")                 \
	X(BS_ERR_STALE_PLAN,   1, "plan no longer matches the source")       \
	X(BS_ERR_PARTIAL,      1, "some actions failed")                     \
	X(BS_ERR_CHECK_FAILED, 1, "a check failed")                          \
	X(BS_ERR_CANCELLED,    1, "cancelled")                               \
	X(BS_ERR_INTERNAL,     1, "internal error")

typedef enum {
#define BS_X_ENUM(code, exitc, msg) code,
	BS_RESULTS(BS_X_ENUM)
#undef BS_X_ENUM
	BS_RC_COUNT
} bs_rc;

#define BS_ERROR_DETAIL_MAX 512

/* A result plus a user-facing detail.  Zero-initialise before use. */
struct bs_error {
	bs_rc rc;
	long http_status;		/* 0 when not an HTTP failure */
	char detail[BS_ERROR_DETAIL_MAX];
};

const char *bs_strerror(bs_rc rc);	/* never NULL */
const char *bs_rcname(bs_rc rc);	/* "BS_ERR_AUTH" */
int bs_exit_code(bs_rc rc);		/* exit status of cli.md */

/* Record rc and a printf-style detail in err (which may be NULL); returns rc
 * so callers can write `return bs_fail(err, BS_ERR_IO, "...", ...)`.  The
 * detail passes through the secret masker of log.h. */
bs_rc bs_fail(struct bs_error *err, bs_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix an existing detail: "reading people: <old detail>". */
void bs_error_prefix(struct bs_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void bs_error_clear(struct bs_error *err);

/* The detail if set, else the generic message of err->rc. */
const char *bs_error_text(const struct bs_error *err);

#endif
