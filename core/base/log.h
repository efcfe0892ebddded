/* log.h - levelled logging that never shows a registered secret.
 *
 * Every secret bobsync handles (tokens, keys, client secrets, passphrases) is
 * registered here as soon as it is decrypted or typed.  log_msg(), bs_fail()
 * details and anything passed through log_mask() have each registered secret
 * replaced by "***", in its raw, percent-encoded, JSON-escaped and
 * Basic-auth (base64) forms, so a secret echoed in a URL or a response body
 * is still masked.  Output to stderr is also stripped of control characters.
 */
#ifndef BS_LOG_H
#define BS_LOG_H

#include <stddef.h>

enum log_level { BS_LOG_ERROR, BS_LOG_WARN, BS_LOG_INFO, BS_LOG_DEBUG };

#define LOG_MASK "***"
#define LOG_SECRET_MIN 4	/* shorter strings are not masked (too common) */

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
int log_parse_level(const char *s, enum log_level *out);	/* 0 ok, -1 bad */
const char *log_level_name(enum log_level level);

/* Register a secret (copied into guarded memory).  Also registers the
 * derived forms.  Returns 0, or -1 when too short or out of memory. */
int log_register_secret(const char *secret);
/* Register base64("user:password"), the Basic auth form of a pair. */
int log_register_basic_auth(const char *user, const char *password);
/* Wipe and forget every registered secret. */
void log_forget_secrets(void);
/* A number log_forget_secrets changes: what a caller registered before
 * it changed is no longer registered. */
unsigned long log_secrets_epoch(void);
/* How many guarded blocks registering has taken so far (tests: a secret
 * registered again, as HTTP does before every request, takes none). */
size_t log_guarded_allocations(void);

/* Mask into a caller buffer (always NUL-terminated, truncated to fit);
 * returns the length written. */
size_t log_mask_into(const char *in, char *out, size_t outsz);
/* Mask into a new string; caller frees.  Never returns NULL. */
char *log_mask(const char *in);
/* Mask a byte range that may contain NULs (a response body); caller frees. */
char *log_mask_mem(const char *in, size_t len);

/* Where messages go besides stderr (the audit store, the TUI's message
 * line).  The sink receives the masked text. */
typedef void (*log_sink_fn)(void *ctx, enum log_level level, const char *msg);
void log_set_sink(log_sink_fn fn, void *ctx);
/* Turn stderr output on or off (the TUI turns it off while curses runs). */
void log_set_stderr(int on);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(BS_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(BS_LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(BS_LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(BS_LOG_DEBUG, __VA_ARGS__)

#endif
