/* alleo_csv.h - Alleo's CSV pickup format, written to a local folder or
 * uploaded over SFTP (targets-api.md B.5): comma-separated, header row,
 * YYYY-MM-DD dates, email as the key plus external_id (the HiBob id),
 * offboarding dates for leavers, budget columns when mapped; exactly one
 * file matching alleo_employees_*.csv, replaced atomically (the temporary
 * name never matches that pattern). */
#ifndef BS_ALLEO_CSV_H
#define BS_ALLEO_CSV_H

#include <stddef.h>

#include "base/result.h"

struct conf;

/* Prove the target is usable without changing the roster file: a local
 * folder exists and is writable; an sftp:// folder can be listed with the
 * configured key.  Detail says what to fix. */
bs_rc alleo_csv_check(const struct conf *conf, struct bs_error *err);

/* Leavers stay in the file this many days after their offboarding date,
 * so a missed pickup still sees them. */
#define ALLEO_CSV_KEEP_LEAVER_DAYS 30

/* One person in the file.  Borrowed strings; NULL = empty cell. */
struct alleo_csv_row {
	const char *email;
	const char *first_name;
	const char *last_name;
	const char *onboarding_date;	/* YYYY-MM-DD */
	const char *offboarding_date;	/* YYYY-MM-DD */
	const char *external_id;	/* HiBob employee id */
	const char *budgets_json;	/* {"field name": amount}, may be NULL */
};

/* The whole file: the header row, then one row each, CRLF line ends,
 * UTF-8.  budget_names are the extra columns, in this order.  Caller
 * frees; *len gets the length. */
char *alleo_csv_format(const char *const *budget_names, size_t nbudget,
    const struct alleo_csv_row *rows, size_t n, size_t *len);

/* 1 when name matches Alleo's pickup pattern alleo_employees_*.csv. */
int alleo_csv_name_matches(const char *name);

/* The temporary name used while writing name (".<name>.tmp..."); caller
 * frees.  Never matches the pickup pattern. */
char *alleo_csv_temp_name(const char *name);

/* Replace the file alleo.csv_name in alleo.csv_target with data. */
bs_rc alleo_csv_deliver(const struct conf *conf, const char *data, size_t len,
    struct bs_error *err);

/* The two transports alleo_csv_deliver picks from (the check proves them). */
bs_rc alleo_csv_write_local(const char *folder, const char *name, const char *data,
    size_t len, struct bs_error *err);
/* folder_url = sftp://[user@]host[:port]/path/ (user defaults to the local
 * user); key = private key file; known_hosts must vouch for the host key
 * (unknown or changed keys are refused). */
bs_rc alleo_sftp_upload(const char *folder_url, const char *name, const char *key,
    const char *known_hosts, const char *data, size_t len, struct bs_error *err);
/* List an sftp:// folder (proves host key, key and path); *names gets the
 * entries, one per line, caller frees (may be NULL). */
bs_rc alleo_sftp_list(const char *folder_url, const char *key, const char *known_hosts,
    char **names, struct bs_error *err);

#endif
