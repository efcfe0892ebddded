/* conf.h - the settings table and bobsync.conf.
 *
 * One declarative table (key, type, limits, default, help) holds every
 * setting.  It validates bobsync.conf (a bad value or an unknown key is an
 * error naming file, line and key; nothing is silently ignored), backs
 * `bobsync config list|get|set|unset`, drives the TUI settings screen, and
 * the man page is checked against it by a test.
 */
#ifndef BS_CONF_H
#define BS_CONF_H

#include <stddef.h>

#include "base/result.h"

enum conf_type {
	CONF_STRING,	/* any single-line text */
	CONF_BOOL,	/* true/false (also yes/no, on/off, 1/0 on input) */
	CONF_INT,	/* integer within [min, max] */
	CONF_NUMBER,	/* decimal within [min, max] */
	CONF_ENUM,	/* one of choices ("off|pull|scim|csv") */
	CONF_URL,	/* http(s) URL; http only for loopback (http_check_url) */
	CONF_TIME,	/* HH:MM, 24-hour */
	CONF_DATE_SPEC,	/* YYYY-MM-DD or +Nd */
	CONF_TIMEZONE,	/* IANA name that exists in the system zone database */
	CONF_PATH,	/* a local file or folder path */
	CONF_TARGET,	/* a local folder or sftp://host[:port]/path/ */
	CONF_PAIRS,	/* "a=b,c=d" (empty allowed) */
	CONF_COMMAND,	/* a shell command line */
	CONF_LEVEL	/* error|warning|info|debug */
};

struct conf_option {
	const char *key;
	enum conf_type type;
	const char *def;	/* default as text; NULL = none */
	double min, max;	/* numeric limits for INT/NUMBER */
	const char *choices;	/* ENUM choices separated by '|' */
	const char *help;	/* one line, for config list, TUI and man page */
	const char *def_doc;	/* default as documented when def is NULL, e.g. "(system)" */
};

/* The table, in display order. */
const struct conf_option *conf_options(size_t *n);
const struct conf_option *conf_find(const char *key);
const char *conf_type_name(enum conf_type t);
/* What the console's forms call the setting ("SCIM address"), else its
 * key. */
const char *conf_label(const struct conf_option *o);
/* The i-th of an ENUM option's choices into buf ("" when none). */
const char *conf_choice(const struct conf_option *o, int i, char *buf, size_t sz);	/* "integer", "true|false", ... */
/* The known key closest to an unknown one (at most 3 edits), or NULL. */
const char *conf_suggest(const char *key);

/* Validate one value against its option; detail says what is allowed. */
bs_rc conf_check_value(const struct conf_option *opt, const char *value,
    struct bs_error *err);

struct conf;

struct conf *conf_new(void);		/* all defaults; never NULL */
void conf_free(struct conf **c);

/* Load a file; a missing file leaves the defaults (BS_OK).  Errors are
 * BS_ERR_CONFIG with "path:line: key: what is wrong". */
bs_rc conf_load(struct conf *c, const char *path, struct bs_error *err);
/* Parse text (name is used in messages); the fuzz harness calls this. */
bs_rc conf_parse(struct conf *c, const char *text, size_t len, const char *name,
    struct bs_error *err);
/* For repairing a broken file (`bobsync config set|unset`): read every line
 * even when some are wrong.  Valid lines take effect; wrong lines are kept
 * as written and are replaced only when their key is set or unset.  Returns
 * the first problem (BS_ERR_CONFIG, err filled) or BS_OK.  *usable is 1
 * when the text was read to the end (so conf_save loses nothing); when 0,
 * c is unchanged and must not be saved (a NUL byte, an overlong line or
 * file, an unreadable file). */
bs_rc conf_load_lenient(struct conf *c, const char *path, int *usable,
    struct bs_error *err);
bs_rc conf_parse_lenient(struct conf *c, const char *text, size_t len,
    const char *name, int *usable, struct bs_error *err);
/* Remove the lines of an unknown key (a typo) from the loaded file;
 * inline comments on them stay.  Returns how many lines went. */
int conf_drop_lines(struct conf *c, const char *key);
/* Write atomically with mode 0600, keeping comments and order of the file
 * last loaded; keys at their default are written only if set explicitly. */
bs_rc conf_save(const struct conf *c, const char *path, struct bs_error *err);
/* The file text conf_save would write; caller frees. */
char *conf_format(const struct conf *c);

/* The value set, else the default; NULL when neither. */
const char *conf_get(const struct conf *c, const char *key);
int conf_is_set(const struct conf *c, const char *key);
int conf_get_bool(const struct conf *c, const char *key);
long conf_get_int(const struct conf *c, const char *key);
double conf_get_number(const struct conf *c, const char *key);

bs_rc conf_set(struct conf *c, const char *key, const char *value,
    struct bs_error *err);		/* validates */
bs_rc conf_unset(struct conf *c, const char *key, struct bs_error *err);

/* The one way to change a setting for good: validate value (conf_check_value
 * and conf_check_entry; NULL puts the key back to its default), set it in c,
 * and write that one key into the file at path as the file is now (its
 * other lines, comments and order kept, even lines with problems).  When
 * the file cannot be read back or written, c's value is put back as it
 * was and the error says why.  Errors name the key ("key: what is wrong"). */
bs_rc conf_update(struct conf *c, const char *path, const char *key, const char *value,
    struct bs_error *err);

/* A number that changes whenever a value in c changes (conf_set, conf_unset,
 * conf_update, a load): what was built from the settings (the session's
 * clients) compares it to the one it was built at and is built again when
 * it differs. */
unsigned long conf_generation(const struct conf *c);

/* Parse a CONF_PAIRS value: calls fn for each a=b (trimmed).  Returns -1
 * on a malformed pair. */
int conf_pairs_each(const char *value, int (*fn)(void *ctx, const char *k,
    const char *v), void *ctx);

/* Resolve timeoff.sync_until ("YYYY-MM-DD" or "+Nd") against today
 * (days since epoch); returns 0 and *days, or -1. */
int conf_date_spec_resolve(const char *spec, long long today, long long *days);

/* Checks made when a value is entered (config set, the console), not when
 * the file is read: a setting that was right when it was entered stays
 * readable.  timeoff.sync_until before today (now: unix seconds, UTC
 * days) is refused, as nothing would sync.  BS_ERR_CONFIG with why. */
bs_rc conf_check_entry(const char *key, const char *value, long long now,
    struct bs_error *err);

#endif
