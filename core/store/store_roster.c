/* store_roster.c - queries on the `roster` table (schema in store.c). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_roster.h"
#include "base/util.h"

#define ROSTER_COLUMNS \
	"employee_id, email, first_name, last_name, start_date, end_date, budgets, " \
	"remote_id, active, offboard_date, content_hash, updated_at"

/* A row's strings in one allocation: the daily plan reads every row of
 * a 100,000-person company, eleven allocations each before. */
static void
read_row(sqlite3_stmt *st, struct roster_row *r)
{
	static const int cols[] = { 0, 1, 2, 3, 4, 5, 6, 7, 9, 10 };
	char **const dst[] = { &r->employee_id, &r->email, &r->first_name, &r->last_name,
	    &r->start_date, &r->end_date, &r->budgets, &r->remote_id, &r->offboard_date,
	    &r->content_hash };
	const char *src[ARRAY_LEN(cols)];

	memset(r, 0, sizeof *r);
	for (size_t i = 0; i < ARRAY_LEN(cols); i++)
		src[i] = (const char *)sqlite3_column_text(st, cols[i]);
	if (src[0] == NULL)
		src[0] = "";
	r->block = str_pack(0, dst, src, ARRAY_LEN(src), NULL);
	r->active = sqlite3_column_int(st, 8) != 0;
	r->updated_at = sqlite3_column_int64(st, 11);
}

static bs_rc
prepare(struct store *s, const char *sql, sqlite3_stmt **st, struct bs_error *err)
{
	if (s == NULL || store_db(s) == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store");
	if (sqlite3_prepare_v2(store_db(s), sql, -1, st, NULL) != SQLITE_OK)
		return store_fail(s, err, "reading the Alleo roster");
	return BS_OK;
}

bs_rc
store_roster_list(struct store *s, struct roster_rows *out, struct bs_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int r;
	bs_rc rc;

	memset(out, 0, sizeof *out);
	rc = prepare(s, "SELECT " ROSTER_COLUMNS " FROM roster ORDER BY employee_id", &st, err);
	if (rc != BS_OK)
		return rc;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		read_row(st, &out->v[out->n++]);
	}
	if (r != SQLITE_DONE) {
		rc = store_fail(s, err, "reading the Alleo roster");
		roster_rows_clear(out);
	}
	sqlite3_finalize(st);
	return rc;
}

/* One row by key, from a statement kept prepared (store_stmt_cached). */
static bs_rc
get_one(struct store *s, enum store_stmt which, const char *sql, const char *key,
    struct roster_row *out, struct bs_error *err)
{
	sqlite3_stmt *st = NULL;
	int r;
	bs_rc rc = BS_OK;

	memset(out, 0, sizeof *out);
	if (key == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no employee id or email");
	if (s == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store");
	st = store_stmt_cached(s, which, sql);
	if (st == NULL)
		return store_fail(s, err, "preparing a query");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		read_row(st, out);
	else if (r == SQLITE_DONE)
		rc = bs_fail(err, BS_ERR_NOT_FOUND, "%s was never sent to Alleo", key);
	else
		rc = store_fail(s, err, "reading the Alleo roster");
	store_stmt_done(s, st);
	return rc;
}

bs_rc
store_roster_get(struct store *s, const char *employee_id, struct roster_row *out,
    struct bs_error *err)
{
	return get_one(s, STORE_STMT_ROSTER_GET,
	    "SELECT " ROSTER_COLUMNS " FROM roster WHERE employee_id = ?", employee_id, out, err);
}

bs_rc
store_roster_find_email(struct store *s, const char *email, struct roster_row *out,
    struct bs_error *err)
{
	/* COLLATE NOCASE folds ASCII only, like str_eq_ci */
	return get_one(s, STORE_STMT_ROSTER_EMAIL,
	    "SELECT " ROSTER_COLUMNS " FROM roster WHERE email = ? COLLATE NOCASE "
	    "ORDER BY updated_at DESC LIMIT 1", email, out, err);
}

/* %TEXT% (len bytes of it) for LIKE ... ESCAPE '\', its % _ and \ literal. */
static void
like_pattern(struct strbuf *pat, const char *text, size_t len)
{
	sb_puts(pat, "%");
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '%' || text[i] == '_' || text[i] == '\\')
			sb_puts(pat, "\\");
		sb_append(pat, text + i, 1);
	}
	sb_puts(pat, "%");
}

/* Characters (not bytes) of a UTF-8 text. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

bs_rc
store_roster_find_name(struct store *s, const char *text, size_t max, struct roster_rows *out,
    struct bs_error *err)
{
	sqlite3_stmt *st = NULL;
	struct strbuf pat, fpat, phrase;
	const char *frag = NULL;
	size_t flen = 0;
	size_t cap = 0, exact = 0;
	int r;
	bs_rc rc;

	memset(out, 0, sizeof *out);
	if (str_empty(text))
		return BS_OK;
	if (max == 0)
		max = 50;
	/* LIKE with % and _ of the text taken literally */
	sb_init(&pat, 0);
	like_pattern(&pat, text, strlen(text));
	/* the text's longest part without a space lies within the first or
	 * the last name of every person it matches (the space that joins them
	 * is not in it): tested first, it spares building the full name of the
	 * (many) people it cannot match: a 100,000-person roster in a third of
	 * the time */
	for (const char *p = text; *p; ) {
		size_t n = strcspn(p, " ");
		if (n > flen) {
			frag = p;
			flen = n;
		}
		p += n;
		p += strspn(p, " ");
	}
	sb_init(&fpat, 0);
	like_pattern(&fpat, frag ? frag : "", flen);
	/* three characters or more: the candidates come from the trigram
	 * index of the full names (a phrase of the text's trigrams, case
	 * folded: never fewer rows than the test below keeps), not from
	 * reading every row */
	sb_init(&phrase, 0);
	if (utf8_chars(text) >= 3) {
		sb_puts(&phrase, "\"");
		for (const char *p = text; *p; p++) {
			if (*p == '"')
				sb_puts(&phrase, "\"\"");	/* a quote within an FTS5 string */
			else
				sb_append(&phrase, p, 1);
		}
		sb_puts(&phrase, "\"");
	}
	rc = prepare(s, phrase.len > 0 ?
	    "SELECT " ROSTER_COLUMNS " FROM roster WHERE rowid IN (SELECT rowid FROM roster_names "
	    "WHERE roster_names MATCH ?5) AND "
	    "(coalesce(first_name, '') LIKE ?4 ESCAPE '\\' OR "
	    "coalesce(last_name, '') LIKE ?4 ESCAPE '\\') AND ("
	    "(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) LIKE ?1 ESCAPE '\\' "
	    "OR (coalesce(first_name, '') || ' ' || coalesce(last_name, '')) = ?2 COLLATE NOCASE) "
	    "ORDER BY CASE WHEN (coalesce(first_name, '') || ' ' || coalesce(last_name, '')) = ?2 "
	    "COLLATE NOCASE THEN 0 ELSE 1 END, first_name, last_name, employee_id LIMIT ?3" :
	    "SELECT " ROSTER_COLUMNS " FROM roster WHERE "
	    "(coalesce(first_name, '') LIKE ?4 ESCAPE '\\' OR "
	    "coalesce(last_name, '') LIKE ?4 ESCAPE '\\') AND ("
	    "(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) LIKE ?1 ESCAPE '\\' "
	    "OR (coalesce(first_name, '') || ' ' || coalesce(last_name, '')) = ?2 COLLATE NOCASE) "
	    "ORDER BY CASE WHEN (coalesce(first_name, '') || ' ' || coalesce(last_name, '')) = ?2 "
	    "COLLATE NOCASE THEN 0 ELSE 1 END, first_name, last_name, employee_id LIMIT ?3",
	    &st, err);
	if (rc != BS_OK) {
		sb_clear(&pat);
		sb_clear(&fpat);
		sb_clear(&phrase);
		return rc;
	}
	sqlite3_bind_text(st, 1, pat.buf, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	sqlite3_bind_text(st, 4, fpat.buf, -1, SQLITE_TRANSIENT);
	if (phrase.len > 0)
		sqlite3_bind_text(st, 5, phrase.buf, -1, SQLITE_TRANSIENT);
	sb_clear(&phrase);
	sb_clear(&pat);
	sb_clear(&fpat);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 8;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		read_row(st, &out->v[out->n++]);
	}
	if (r != SQLITE_DONE) {
		rc = store_fail(s, err, "looking up a name in the Alleo roster");
		roster_rows_clear(out);
	}
	sqlite3_finalize(st);
	/* exact names come first: keep only them when there are some */
	for (size_t i = 0; rc == BS_OK && i < out->n; i++) {
		char *n = xasprintf("%s %s", out->v[i].first_name ? out->v[i].first_name : "",
		    out->v[i].last_name ? out->v[i].last_name : "");
		if (strcasecmp(n, text) == 0)
			exact++;
		free(n);
	}
	if (exact > 0) {
		for (size_t i = exact; i < out->n; i++)
			roster_row_clear(&out->v[i]);
		out->n = exact;
	}
	return rc;
}

static void
bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

#define ROSTER_NCOLUMNS 12	/* in ROSTER_COLUMNS */

/* A row's ROSTER_NCOLUMNS values from parameter at + 1 on. */
static void
bind_row(sqlite3_stmt *st, int at, const struct roster_row *r, int64_t now)
{
	bind_opt(st, at + 1, r->employee_id);
	bind_opt(st, at + 2, r->email);
	bind_opt(st, at + 3, r->first_name);
	bind_opt(st, at + 4, r->last_name);
	bind_opt(st, at + 5, r->start_date);
	bind_opt(st, at + 6, r->end_date);
	bind_opt(st, at + 7, r->budgets);
	bind_opt(st, at + 8, r->remote_id);
	sqlite3_bind_int(st, at + 9, r->active ? 1 : 0);
	bind_opt(st, at + 10, r->offboard_date);
	bind_opt(st, at + 11, r->content_hash);
	sqlite3_bind_int64(st, at + 12, now);
}

#define ROSTER_PUT "INSERT OR REPLACE INTO roster(" ROSTER_COLUMNS ") VALUES "
#define ROSTER_ROW_VALUES "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define ROSTER_PUT_MANY 200	/* rows a statement: 2,400 parameters */

bs_rc
store_roster_put(struct store *s, const struct roster_row *r, int64_t now, struct bs_error *err)
{
	sqlite3_stmt *st = NULL;
	bs_rc rc;

	if (r == NULL || str_empty(r->employee_id))
		return bs_fail(err, BS_ERR_INVALID, "a roster row needs an employee id");
	if (s == NULL || store_db(s) == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store");
	st = store_stmt_cached(s, STORE_STMT_ROSTER_PUT, ROSTER_PUT ROSTER_ROW_VALUES);
	if (st == NULL)
		return store_fail(s, err, "saving the Alleo roster");
	bind_row(st, 0, r, now);
	rc = sqlite3_step(st) == SQLITE_DONE ? BS_OK : store_fail(s, err, "saving the Alleo roster");
	store_stmt_done(s, st);
	return rc;
}

/* n rows in statements of up to ROSTER_PUT_MANY rows: the triggers of
 * the names' full-text index (migration 5) fire in one statement, and
 * FTS5 writes its pending rows out at every statement that changes it,
 * so row by row a thousand rows cost a thousand small index segments and
 * their merges (at 62,000 rows about 3 s of CPU more than this). */
bs_rc
store_roster_put_many(struct store *s, const struct roster_row *rows, size_t n, int64_t now,
    struct bs_error *err)
{
	struct strbuf sql;
	size_t built = 0;
	sqlite3_stmt *st = NULL;
	bs_rc rc = BS_OK;

	if (s == NULL || store_db(s) == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no state store");
	for (size_t i = 0; i < n; i++)
		if (str_empty(rows[i].employee_id))
			return bs_fail(err, BS_ERR_INVALID, "a roster row needs an employee id");
	sb_init(&sql, 0);
	for (size_t i = 0; i < n && rc == BS_OK; i += ROSTER_PUT_MANY) {
		size_t k = n - i < ROSTER_PUT_MANY ? n - i : ROSTER_PUT_MANY;

		if (k != built) {
			/* the first statement, and a shorter one for the rest */
			sqlite3_finalize(st);
			st = NULL;
			sb_reset(&sql);
			sb_puts(&sql, ROSTER_PUT);
			for (size_t j = 0; j < k; j++) {
				if (j > 0)
					sb_puts(&sql, ", ");
				sb_puts(&sql, ROSTER_ROW_VALUES);
			}
			if (sqlite3_prepare_v2(store_db(s), sql.buf, -1, &st, NULL) != SQLITE_OK) {
				st = NULL;
				rc = store_fail(s, err, "saving the Alleo roster");
				break;
			}
			built = k;
		}
		for (size_t j = 0; j < k; j++)
			bind_row(st, (int)(ROSTER_NCOLUMNS * j), &rows[i + j], now);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = store_fail(s, err, "saving the Alleo roster");
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	sqlite3_finalize(st);
	sb_clear(&sql);
	return rc;
}

long
store_roster_count_active(struct store *s)
{
	sqlite3_stmt *st = NULL;
	long n = -1;

	if (s == NULL || store_db(s) == NULL)
		return -1;
	/* kept by the roster's triggers (store.c, migration 4) */
	if (sqlite3_prepare_v2(store_db(s), "SELECT n FROM counts WHERE name = 'roster_active'", -1,
	    &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

void
roster_row_clear(struct roster_row *r)
{
	if (r == NULL)
		return;
	if (r->block != NULL) {
		free(r->block);
		memset(r, 0, sizeof *r);
		return;
	}
	free(r->employee_id);
	free(r->email);
	free(r->first_name);
	free(r->last_name);
	free(r->start_date);
	free(r->end_date);
	free(r->budgets);
	free(r->remote_id);
	free(r->offboard_date);
	free(r->content_hash);
	memset(r, 0, sizeof *r);
}

void
roster_row_copy(struct roster_row *dst, const struct roster_row *src)
{
	memset(dst, 0, sizeof *dst);
	if (src == NULL)
		return;
	dst->employee_id = xstrdup(src->employee_id);
	dst->email = xstrdup(src->email);
	dst->first_name = xstrdup(src->first_name);
	dst->last_name = xstrdup(src->last_name);
	dst->start_date = xstrdup(src->start_date);
	dst->end_date = xstrdup(src->end_date);
	dst->budgets = xstrdup(src->budgets);
	dst->remote_id = xstrdup(src->remote_id);
	dst->active = src->active;
	dst->offboard_date = xstrdup(src->offboard_date);
	dst->content_hash = xstrdup(src->content_hash);
	dst->updated_at = src->updated_at;
}

struct roster_row *
roster_row_pack(const struct roster_row *src)
{
	struct roster_row r = *src;
	char **const dst[] = { &r.employee_id, &r.email, &r.first_name, &r.last_name,
	    &r.start_date, &r.end_date, &r.budgets, &r.remote_id, &r.offboard_date,
	    &r.content_hash };
	const char *const from[] = { src->employee_id, src->email, src->first_name,
	    src->last_name, src->start_date, src->end_date, src->budgets, src->remote_id,
	    src->offboard_date, src->content_hash };
	struct roster_row *block = str_pack(sizeof r, dst, from, ARRAY_LEN(from), NULL);

	r.block = NULL;		/* freed with free(), not roster_row_clear */
	memcpy(block, &r, sizeof r);	/* its strings follow it */
	return block;
}

void
roster_rows_clear(struct roster_rows *rows)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < rows->n; i++)
		roster_row_clear(&rows->v[i]);
	free(rows->v);
	memset(rows, 0, sizeof *rows);
}

const struct roster_row *
roster_rows_find(const struct roster_rows *rows, const char *employee_id)
{
	size_t lo = 0, hi;

	if (rows == NULL || employee_id == NULL)
		return NULL;
	hi = rows->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(rows->v[mid].employee_id, employee_id);
		if (c == 0)
			return &rows->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
