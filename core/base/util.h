/* util.h - small helpers shared by every core module.
 *
 * Allocation: the x* functions abort with a message when memory runs out
 * (as git and tmux do); callers do not check them for NULL.
 */
#ifndef BS_UTIL_H
#define BS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <jansson.h>

#include "base/result.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
/* For arrays of megabytes (a plan of 100,000 actions): *n bytes rounded up
 * to whole 2 MiB, on a 2 MiB boundary and advised as huge pages, so that
 * first touching them costs a page fault per 2 MiB, not per 4 kB; *n gets
 * the size.  free() frees it. */
void *xmalloc_big(size_t *n);
/* Free a block that may be one of xmalloc_big's (a scratch array about to
 * be asked for again): up to two are kept, touched already, for the next
 * xmalloc_big of at least half their size that they fit; anything else is
 * freed.  xfree_big_spares frees the kept ones. */
void xfree_big(void *p);
void xfree_big_spares(void);
/* xreallocarray for such an array, old_n elements kept: below 256 kB it
 * is xreallocarray; from there on it lives in big blocks, kept while the
 * block has room, else a new one four times the size asked (at most 64
 * MiB more) and a copy (first touching 256 kB of small pages costs 64
 * page faults, ten times a huge page's, and more than the copy in a
 * virtual machine). */
void *xreallocarray_big(void *p, size_t old_n, size_t n, size_t size);
/* Entries sorted by k, stably (equal keys keep their order), by a radix
 * sort: for hundreds of thousands of them (a plan's order, shared emails)
 * several times quicker than qsort. */
struct key_at {
	uint64_t k;
	size_t at;		/* the caller's: usually where the entry came from */
};
void sort_keys_at(struct key_at *v, size_t n);
/* The n entries of size bytes at base put in keys' order, in place, one
 * cycle of the permutation at a time (no second array): entry i becomes
 * the one that was at keys[i].at.  The keys' .at are used up. */
void permute_at(void *base, size_t size, struct key_at *keys, size_t n);
char *xstrdup(const char *s);		/* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Free *p and set it to NULL. */
#define FREE(p) do { free(p); (p) = NULL; } while (0)

/* A growable byte buffer with an optional maximum (curl's dynbuf). */
struct strbuf {
	char *buf;	/* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
	size_t max;	/* 0 = unbounded */
};
void sb_init(struct strbuf *sb, size_t max);
/* Returns 0, or -1 when max would be exceeded (nothing appended). */
int sb_append(struct strbuf *sb, const void *data, size_t len);
/* Room for len more bytes and the NUL after them, for a caller that
 * writes at sb->buf + sb->len and then moves sb->len on itself; 0, or -1
 * when max would be exceeded. */
int sb_reserve(struct strbuf *sb, size_t len);
int sb_puts(struct strbuf *sb, const char *s);
int sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sb_detach(struct strbuf *sb);	/* caller frees; never NULL */
/* sb_detach, the block cut to the text's length: for texts kept by the
 * thousand that were built in room reserved for more. */
char *sb_detach_fit(struct strbuf *sb);
void sb_clear(struct strbuf *sb);
void sb_reset(struct strbuf *sb);

/* Strings */
int str_eq(const char *a, const char *b);		/* NULL-safe */
int str_eq_ci(const char *a, const char *b);		/* NULL-safe, ASCII case */
int str_empty(const char *s);				/* NULL or "" */
char *str_trim(char *s);				/* in place */
/* Spaces and tabs cut from both ends in place, the string staying at s and
 * the bytes it no longer uses wiped (for secrets in guarded memory). */
void str_trim_blanks(char *s);
void str_lower(char *s);				/* ASCII, in place */
char *str_lower_dup(const char *s);			/* caller frees */
/* The strings src[0..n) copied one after the other into one allocation
 * that begins with head bytes left to the caller (not initialised), each
 * copy's address in *dst[i]: NULL stays NULL, a string equal to the one
 * before it shares that copy.  Returns the allocation (free() it);
 * *size, when not NULL, gets its size.  For records of many short strings
 * held by the hundred thousand (plan actions, preview items, rows). */
void *str_pack(size_t head, char **const dst[], const char *const src[], size_t n,
    size_t *size);
/* The same in the arena a (nothing to free; the arena owns it). */
struct arena;
void *str_pack_in(struct arena *a, size_t head, char **const dst[], const char *const src[],
    size_t n, size_t *size);
/* The same, with each string's length (without its NUL; 0 for NULL) in
 * lens[0..n) when lens is not NULL. */
void *str_pack_lens(struct arena *a, size_t head, char **const dst[], const char *const src[],
    size_t n, size_t *size, size_t *lens);
/* Levenshtein distance of two short strings, ASCII case folded; anything
 * above bound (or a string over 64 bytes) is reported as bound + 1. */
size_t str_edit_distance(const char *a, const char *b, size_t bound);
/* A 24-hour time "HH:MM" (exactly that: 00:00 to 23:59) as minutes after
 * midnight; -1 for NULL or anything else. */
int str_parse_hhmm(const char *s);
/* A copy of a secret in sodium_malloc'd (guarded) memory; NULL is taken as
 * "".  Aborts when guarded memory runs out.  Free with secret_free, which
 * wipes it and sets *p to NULL. */
char *secret_dup(const char *s);
void secret_free(char **p);
int str_starts(const char *s, const char *prefix);
/* FNV-1a of s (its high half folded into its low), for hash tables; with
 * fold, of s with its ASCII letters lowered, so that strings an ASCII
 * case-blind compare (strcasecmp, as str_eq_ci takes it) finds equal hash
 * alike. */
uint64_t str_hash(const char *s, int fold);
/* Positions by string key: a hash table with open addressing, for
 * "have I seen this agent / e-mail / id" in loops that would otherwise
 * compare each new key with every earlier one.  The keys are borrowed:
 * they must stay where they are while the index is used.  fold: keys
 * equal as strcasecmp finds them are one key.  Zeroed, an index is empty
 * and case-sensitive; str_index_clear frees it. */
struct str_index {
	const char **key;
	uint64_t *hash;
	size_t *pos;
	size_t nslot, n;
	int fold;
};
/* The position key has, or SIZE_MAX (also for a NULL key). */
size_t str_index_get(const struct str_index *ix, const char *key);
/* The position key already has, or pos after adding key with it.  A NULL
 * key is not added (SIZE_MAX). */
size_t str_index_put(struct str_index *ix, const char *key, size_t pos);
void str_index_clear(struct str_index *ix);
/* Length of the run of printable ASCII (0x20 to 0x7e) that s[0..n) starts
 * with, stopping also at stop1 and stop2 ('\0': none).  16 bytes at a
 * time where the machine allows: the scan under JSON writing and text
 * sanitising. */
size_t str_ascii_run(const char *s, size_t n, char stop1, char stop2);
/* The one sanitiser for remote text on its way to a terminal or a file
 * meant for people.  Copies n bytes of in to out (room for n; in == out is
 * fine), one byte out for each byte in: C0 controls, DEL, C1 controls
 * (U+0080..U+009F), bidirectional overrides and isolates, and bytes that
 * are not UTF-8 become '?'; TAB, CR and LF become ' ' unless
 * UTIL_SAN_KEEP_LINES keeps TAB, LF and CR before LF (a lone CR, which
 * could overwrite a line, still becomes ' ').  With
 * partial non-NULL, a valid UTF-8 sequence cut short at the end (or a
 * final CR, when lines are kept) is left out and its length stored there
 * (for streams).  Returns bytes written. */
#define UTIL_SAN_KEEP_LINES 1u
size_t util_sanitize(const char *in, size_t n, char *out, unsigned flags, size_t *partial);
/* util_sanitize in place keeping lines: for a block of text. */
void util_strip_controls(char *s);
/* A sanitised copy of one field for one line of output (caller frees). */
char *util_clean(const char *s);
/* util_clean copies kept until util_clean_pool_clear, for printf
 * arguments: fprintf(f, "%s", util_clean_pool(&pool, remote)). */
struct util_clean_pool {
	char **s;
	size_t n, cap;
};
const char *util_clean_pool(struct util_clean_pool *p, const char *s);
void util_clean_pool_clear(struct util_clean_pool *p);
/* One CSV row for a file meant for a spreadsheet: each cell sanitised
 * (util_clean: controls become '?', line breaks and tabs spaces); a cell
 * a spreadsheet would run as a formula (OWASP: starting with = + - @, TAB
 * or CR, and not a plain number) gets a ' in front; cells holding a comma
 * or a double quote, and those, go in double quotes with inner quotes
 * doubled; CRLF at the end; NULL cells are empty. */
void util_csv_row(FILE *f, size_t n, const char *const *cells);
/* Would a spreadsheet run s (a formula start, or a control byte in it)? */
int util_csv_formula_like(const char *s);

/* Files */
/* Write atomically: temp file in the same folder (".<name>.tmp.XXXXXX",
 * O_EXCL, mode), write, fsync, rename, fsync the folder. */
bs_rc util_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode, struct bs_error *err);
/* Read a whole file up to max bytes; *out is NUL-terminated, caller frees. */
bs_rc util_read_file(const char *path, size_t max, char **out, size_t *len,
    struct bs_error *err);
/* The same from an open descriptor (path only names it in errors). */
bs_rc util_read_fd(int fd, const char *path, size_t max, char **out, size_t *len,
    struct bs_error *err);
/* mkdir -p with mode for created folders. */
bs_rc util_mkdir_p(const char *path, mode_t mode, struct bs_error *err);
/* Folder part of a path, caller frees. */
char *util_dirname(const char *path);

/* JSON (Jansson) */
/* Parse exactly len bytes, rejecting duplicate keys; on failure fills err
 * with BS_ERR_PARSE and what/where. */
json_t *util_json_parse(const char *buf, size_t len, const char *what,
    struct bs_error *err);
/* String value of key, or NULL when absent or not a string. */
const char *json_str(const json_t *obj, const char *key);
/* An id that may be a JSON string or integer, as a new string; NULL when
 * absent or of another type.  Caller frees. */
char *json_id_dup(const json_t *v);
/* Integer value of key (also accepts a numeric string); returns 0 and sets
 * *out, or -1. */
int json_int(const json_t *obj, const char *key, long long *out);
/* Serialise compactly with sorted keys; caller frees. */
char *json_dump_compact(const json_t *v);

/* Dates: days since 1970-01-01 in the proleptic Gregorian calendar. */
int date_parse(const char *s, int64_t *days);	/* "YYYY-MM-DD" -> 0 / -1 */
void date_format(int64_t days, char out[11]);	/* "YYYY-MM-DD" */
/* date_format of the days date_parse read from s: a copy of s when it is
 * that text already (a person's dates are, for each rule of each person). */
void date_format_from(const char *s, int64_t days, char out[11]);
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
int date_weekday(int64_t days);			/* 0 = Sunday */

/* Current time in unix seconds.  BOBSYNC_FAKE_NOW (unix seconds or
 * "YYYY-MM-DDTHH:MM:SSZ") fixes it (test builds only). */
int64_t clock_now(void);
/* "2026-03-02T12:00:00Z" of a unix time (UTC). */
void time_format_utc(int64_t t, char out[21]);
/* Parse "YYYY-MM-DDTHH:MM[:SS[.frac]](Z|+HH:MM|-HH:MM)" -> unix seconds. */
int time_parse_iso(const char *s, int64_t *t);

/* Percent-encode for a URL path segment or query value; caller frees. */
char *url_escape(const char *s);

#endif
