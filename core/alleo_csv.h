/* alleo_csv.h - Alleo's CSV pickup format, written to a local folder or
 * uploaded over SFTP (targets-api.md B.5): comma-separated, header row,
 * YYYY-MM-DD dates, email as the key plus external_id (the HiBob id),
 * offboarding dates for leavers, budget columns when mapped; exactly one
 * file matching alleo_employees_*.csv, replaced atomically (the temporary
 * name never matches that pattern). */
#ifndef BS_ALLEO_CSV_H
#define BS_ALLEO_CSV_H

#include "result.h"

struct conf;

/* Prove the target is usable without changing the roster file: a local
 * folder exists and is writable; an sftp:// folder can be listed with the
 * configured key.  Detail says what to fix. */
bs_rc alleo_csv_check(const struct conf *conf, struct bs_error *err);

#endif
