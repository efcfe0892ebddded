/* access.h - setting HiBob's eligibility field (alleo_access) for many
 * people, and the CSV for HiBob's People > Import: what `bobsync access
 * set|export` and the console's employee screen both do.
 *
 * Export: the work email (what the importer matches people on) and the
 * field with each person's current value, empty when unset, sorted by
 * email; people without a work email are left out (the importer could not
 * match them).  Set: PUT /people/{id} with the list item id of yes or no,
 * one person at a time; after a 401 or 403 the rest are not tried (HiBob
 * blocks a caller that repeats them).  A field HiBob's metadata calls
 * historical is refused before any write; a 304 (not modified) when the
 * value read before differs is a failure: HiBob answers 304 for a wrong
 * field path or a historical field too, and stores nothing.
 */
#ifndef BS_ACCESS_H
#define BS_ACCESS_H

#include <stddef.h>

#include "base/progress.h"
#include "base/result.h"

struct bob_person;
struct bs_session;
struct conf;
struct roster_source;

/* hibob.eligibility_field, or "alleo_access" when unset. */
const char *access_field_name(const struct conf *c);
/* A person's value as shown and exported: yes/no, another value as read,
 * or "" when unset or unreadable. */
const char *access_cell(const struct bob_person *p);

struct access_export {
	char *text;		/* the CSV (CRLF line ends); caller frees */
	size_t len;
	size_t rows;		/* people written */
	size_t blanks;		/* of them, without a value */
};

/* The import file for src's people, or only for the indices in only (n of
 * them) when only is not NULL, with each person's current value, or with
 * set_to ("yes"/"no") when not NULL.  BS_ERR_CHECK_FAILED when the field is not
 * usable (HiBob would refuse the file). */
bs_rc access_export_build(const struct roster_source *src, const struct conf *conf,
    const size_t *only, size_t n, const char *set_to, struct access_export *out,
    struct bs_error *err);

enum access_outcome {
	ACCESS_CHANGED,		/* set; was is the old value */
	ACCESS_SAME,		/* already that value */
	ACCESS_NOT_FOUND,	/* no one visible with that email or id */
	ACCESS_FAILED,		/* HiBob refused; message says why */
	ACCESS_NOT_TRIED	/* after a 401/403, or cancelled */
};

/* One person's result, handed to the caller as it happens. */
struct access_result {
	const char *who;	/* as asked (controls replaced) */
	const struct bob_person *p;	/* NULL when not found */
	enum access_outcome outcome;
	const char *was;	/* the old value, "unset" when none */
	const char *message;	/* ACCESS_FAILED: HiBob's answer (controls replaced) */
};

typedef void (*access_result_fn)(void *ctx, const struct access_result *r);

struct access_tally {
	size_t changed, same, failed;
};

/* "set to yes (was no)", "failed: ...", "not tried" into out. */
char *access_outcome_text(const struct access_result *r, const char *value,
    char *out, size_t outsz);
/* "ada@x: set to yes (was no)", "ada@x: failed: ...", "ada@x: not tried"
 * (the line `bobsync access set` prints) into out. */
char *access_result_line(const struct access_result *r, const char *value,
    char *out, size_t outsz);

/* Check the field and its list hold value ("yes" or "no"), then set it for
 * each of who[0..n) (emails or HiBob ids, looked up in src), calling each
 * (may be NULL) per person and reporting progress ("Setting alleo_access",
 * done of n, applied/failed counts); a progress callback that asks to stop
 * leaves the rest not tried and returns BS_ERR_CANCELLED.  BS_OK when
 * every person was tried (failures are in the tally);
 * BS_ERR_CHECK_FAILED when the field or option is missing. */
bs_rc access_set_run(struct bs_session *s, const struct roster_source *src,
    const char *value, const char *const *who, size_t n,
    const struct bs_progress *progress, access_result_fn each, void *ctx,
    struct access_tally *tally, struct bs_error *err);

#endif
