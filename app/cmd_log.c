/* cmd_log.c - bobsync log [--run N] [--person WHO] [--result R] [--limit N] [--json] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "engine/describe.h"
#include "base/humantime.h"
#include "base/lock.h"
#include "commands.h"
#include "output.h"
#include "store/store.h"
#include "store/store_roster.h"
#include "base/util.h"

static json_t *
run_json(const struct store_run *r)
{
	json_t *o = json_object();
	char t[21];

	json_object_set_new(o, "run_id", json_integer(r->id));
	json_object_set_new(o, "target", json_string(r->target ? r->target : ""));
	json_object_set_new(o, "kind", json_string(r->kind ? r->kind : ""));
	json_object_set_new(o, "origin", r->origin && *r->origin ? json_string(r->origin) :
	    json_null());
	json_object_set_new(o, "plan_id", r->plan_id ? json_string(r->plan_id) : json_null());
	time_format_utc(r->started_at, t);
	json_object_set_new(o, "started_at", json_string(t));
	if (r->finished_at > 0) {
		time_format_utc(r->finished_at, t);
		json_object_set_new(o, "finished_at", json_string(t));
	} else {
		json_object_set_new(o, "finished_at", json_null());
	}
	json_object_set_new(o, "result", json_string(r->result ? r->result : ""));
	json_object_set_new(o, "applied", json_integer(r->applied));
	json_object_set_new(o, "failed", json_integer(r->failed));
	json_object_set_new(o, "skipped", json_integer(r->skipped));
	json_object_set_new(o, "requests", json_integer(r->requests));
	json_object_set_new(o, "bytes", json_integer(r->bytes));
	json_object_set_new(o, "message", json_string(r->message ? r->message : ""));
	return o;
}

static json_t *
action_json(const struct store_action *x)
{
	json_t *o = json_object();
	char t[21];

	json_object_set_new(o, "run_id", json_integer(x->run_id));
	json_object_set_new(o, "target", json_string(x->target ? x->target : ""));
	json_object_set_new(o, "op", json_string(x->op ? x->op : ""));
	json_object_set_new(o, "subject", json_string(x->subject ? x->subject : ""));
	json_object_set_new(o, "email", x->email ? json_string(x->email) : json_null());
	json_object_set_new(o, "reason", json_string(x->reason ? x->reason : ""));
	json_object_set_new(o, "before", x->before ? json_loads(x->before, JSON_DECODE_ANY, NULL) :
	    json_null());
	json_object_set_new(o, "after", x->after ? json_loads(x->after, JSON_DECODE_ANY, NULL) :
	    json_null());
	json_object_set_new(o, "result", json_string(x->state ? x->state : ""));
	json_object_set_new(o, "error", x->error ? json_string(x->error) : json_null());
	json_object_set_new(o, "remote_id", x->remote_id ? json_string(x->remote_id) : json_null());
	time_format_utc(x->updated_at, t);
	json_object_set_new(o, "at", json_string(t));
	return o;
}

/* A person's name from the roster table (by id, else email), or NULL;
 * caller frees. */
static char *
name_of(struct store *st, const struct store_action *x)
{
	struct roster_row r;
	char *n = NULL;

	memset(&r, 0, sizeof r);
	if ((str_eq(x->target, "alleo") && x->subject != NULL &&
	    store_roster_get(st, x->subject, &r, NULL) == BS_OK) ||
	    (x->email != NULL && store_roster_find_email(st, x->email, &r, NULL) == BS_OK)) {
		if (!str_empty(r.first_name) || !str_empty(r.last_name))
			n = xasprintf("%s%s%s", r.first_name ? r.first_name : "",
			    !str_empty(r.first_name) && !str_empty(r.last_name) ? " " : "",
			    r.last_name ? r.last_name : "");
	}
	roster_row_clear(&r);
	return n;
}

static void
print_actions(struct store *st, const struct store_action *acts, size_t n)
{
	static const char *const hdr[] = { "RUN", "ACTION", "WHO", "RESULT", "REASON / ERROR",
	    "CHANGES" };
	struct out_table *t = out_table_new(6, hdr);
	int64_t now = clock_now();

	for (size_t i = 0; i < n; i++) {
		const struct store_action *x = &acts[i];
		char run[24];
		char *why = x->error ? xasprintf("%s: %s", x->reason ? x->reason : "", x->error)
		    : xstrdup(x->reason ? x->reason : "");
		/* the before/after in words (engine/describe.c) */
		char *changes = describe_action(x->target, x->op, x->before, x->after, now);
		/* the name when the roster table knows it, else the email */
		char *name = name_of(st, x);
		const char *row[] = { run, x->op, name ? name : x->email ? x->email : x->subject,
		    x->state, why, changes };
		snprintf(run, sizeof run, "%lld", (long long)x->run_id);
		out_table_row(t, row);
		free(why);
		free(changes);
		free(name);
	}
	out_table_print(t, stdout, out_term_width());
	out_table_free(&t);
}

/* --person WHO: an email or an id as it is; otherwise (a letter, no @) a
 * name or part of one, looked up in the roster table: one match is that
 * person (by email, else id); several are listed and exit 2 (usage: say
 * which); none leaves WHO as it is.  *key: a copy of what to filter on. */
static int
resolve_person(struct app *a, struct store *st, const char *who, char **key)
{
	struct roster_rows rows = { 0 };
	struct bs_error err = { 0 };
	int letter = 0;

	for (const char *p = who; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (unsigned char)*p >= 0x80)
			letter = 1;
	if (!letter || strchr(who, '@') != NULL) {
		*key = xstrdup(who);
		return 0;
	}
	if (store_roster_find_name(st, who, 0, &rows, &err) != BS_OK)
		return app_error(a, &err);
	if (rows.n == 1) {
		*key = xstrdup(!str_empty(rows.v[0].email) ? rows.v[0].email : rows.v[0].employee_id);
	} else if (rows.n == 0) {
		*key = xstrdup(who);
	} else {
		static const char *const hdr[] = { "NAME", "EMAIL", "EMPLOYEE ID" };
		struct out_table *t = out_table_new(3, hdr);
		fprintf(stderr, "bobsync: %zu%s people match '%s'; say which with the email or the "
		    "id:\n", rows.n, rows.n == 50 ? " or more" : "", who);
		for (size_t i = 0; i < rows.n; i++) {
			char *n = xasprintf("%s%s%s", rows.v[i].first_name ? rows.v[i].first_name : "",
			    rows.v[i].first_name && rows.v[i].last_name ? " " : "",
			    rows.v[i].last_name ? rows.v[i].last_name : "");
			const char *row[] = { n, rows.v[i].email ? rows.v[i].email : "",
			    rows.v[i].employee_id };
			out_table_row(t, row);
			free(n);
		}
		out_table_print(t, stderr, 0);
		out_table_free(&t);
		roster_rows_clear(&rows);
		return 2;
	}
	roster_rows_clear(&rows);
	return 0;
}

static int
newest_first(const void *x, const void *y)
{
	const struct store_run *a = x, *b = y;

	return a->id < b->id ? 1 : a->id > b->id ? -1 : 0;
}

/* `log --result interrupted`: the runs still marked "running" join those
 * the store calls interrupted, newest first (store_runs_settle then tells
 * the killed ones, which are shown, from a live one, which is not). */
static bs_rc
add_killed(struct store *st, size_t want, struct store_run **runs, size_t *n,
    struct bs_error *err)
{
	struct store_run *more = NULL;
	size_t m = 0;
	bs_rc rc = store_runs_with_result(st, "running", want, &more, &m, err);

	if (rc != BS_OK)
		return rc;
	if (m > 0) {
		*runs = xreallocarray(*runs, *n + m, sizeof **runs);
		memcpy(*runs + *n, more, m * sizeof *more);
		*n += m;
		qsort(*runs, *n, sizeof **runs, newest_first);
	}
	free(more);	/* its strings moved into *runs */
	return BS_OK;
}

int
cmd_log(struct app *a, int argc, char **argv)
{
	struct store *st = NULL;
	struct bs_error err = { 0 };
	long long run = 0;
	long limit = 0;
	const char *person = NULL, *result = NULL;
	char *person_key = NULL;
	int status = 0;

	if (argc > 1)
		return app_usage(a, "log", "unexpected argument '%s'", argv[1]);
	if (a->opt[APP_OPT_RUN] != NULL) {
		char *end;
		run = strtoll(a->opt[APP_OPT_RUN], &end, 10);
		if (*end || run <= 0)
			return app_usage(a, "log", "--run needs a run number");
	}
	if (a->opt[APP_OPT_LIMIT] != NULL) {
		char *end;
		limit = strtol(a->opt[APP_OPT_LIMIT], &end, 10);
		if (*end || limit <= 0 || limit > 100000)
			return app_usage(a, "log", "--limit needs a number from 1 to 100000");
	}
	person = a->opt[APP_OPT_PERSON];
	result = a->opt[APP_OPT_RESULT];
	if (result != NULL && str_eq(result, "not_run"))
		result = "not run";	/* the spelling a shell word allows */
	if (access(a->paths.state_db, F_OK) != 0) {
		if (a->json)
			out_json(json_pack("{s:[]}", "runs"));
		else
			puts("No runs yet.");
		return 0;
	}
	if (store_open(a->paths.state_db, &st, &err) != BS_OK)
		return app_error(a, &err);

	if (person != NULL) {
		status = resolve_person(a, st, person, &person_key);
		if (status != 0)
			goto out;
		person = person_key;
	}
	if (run > 0 || person != NULL) {
		struct store_action_filter f = { run, person, result, (size_t)(limit ? limit : 500) };
		struct store_action *acts = NULL;
		struct store_run r;
		size_t n = 0;
		int have_run = 0;

		memset(&r, 0, sizeof r);
		if (run > 0) {
			if (store_run_get(st, run, &r, &err) != BS_OK) {
				status = app_error(a, &err);
				goto out;
			}
			have_run = 1;
			store_runs_settle(&r, 1, lock_held_since(a->paths.lock_file));
		}
		if (store_actions_list(st, &f, &acts, &n, &err) != BS_OK) {
			store_run_clear(&r);
			status = app_error(a, &err);
			goto out;
		}
		if (a->json) {
			json_t *j = json_object(), *arr = json_array();
			if (have_run)
				json_object_set_new(j, "run", run_json(&r));
			for (size_t i = 0; i < n; i++)
				json_array_append_new(arr, action_json(&acts[i]));
			json_object_set_new(j, "actions", arr);
			out_json(j);
		} else {
			if (have_run) {
				char t[HT_MAX];
				ht_time_rel(r.started_at, clock_now(), NULL, t);
				printf("Run %lld: %s %s started %s%s%s, %s: %ld applied, %ld failed, "
				    "%ld skipped%s%s\n", (long long)r.id, r.target, r.kind, t,
				    r.origin && *r.origin ? " from the " : "", r.origin ? r.origin : "",
				    r.result, r.applied, r.failed,
				    r.skipped, r.message && *r.message ? "\n  " : "", r.message ? r.message : "");
				if (r.plan_id)
					printf("  plan %s\n", r.plan_id);
				putchar('\n');
			}
			if (n == 0)
				puts(person ? "No actions for that person." : "No actions in this run.");
			else
				print_actions(st, acts, n);
		}
		store_actions_free(acts, n);
		store_run_clear(&r);
	} else {
		struct store_run *runs = NULL;
		size_t n = 0, want = (size_t)(limit ? limit : 20), shown = 0;
		/* with --result, the newest runs that have it, from the
		 * runs_result index (not the newest runs, filtered) */
		int64_t held = lock_held_since(a->paths.lock_file);
		if ((result ? store_runs_with_result(st, result, want, &runs, &n, &err) :
		    store_runs_list(st, NULL, want, &runs, &n, &err)) != BS_OK) {
			status = app_error(a, &err);
			goto out;
		}
		/* a killed run is still "running" in the store until the next run
		 * starts: it is shown, and found, as the interrupted run it is */
		if (result != NULL && str_eq(result, "interrupted") &&
		    add_killed(st, want, &runs, &n, &err) != BS_OK) {
			store_runs_free(runs, n);
			status = app_error(a, &err);
			goto out;
		}
		store_runs_settle(runs, n, held);
		for (size_t i = 0; i < n; i++)
			if (result == NULL || str_eq(runs[i].result, result))
				shown++;
		if (a->json) {
			json_t *j = json_object(), *arr = json_array();
			for (size_t i = 0; i < n && json_array_size(arr) < want; i++)
				if (result == NULL || str_eq(runs[i].result, result))
					json_array_append_new(arr, run_json(&runs[i]));
			json_object_set_new(j, "runs", arr);
			out_json(j);
		} else if (n == 0 && result == NULL) {
			puts("No runs yet.");
		} else if (shown == 0) {
			/* none with that result: are there runs at all? */
			struct store_run last;
			if (store_run_last(st, NULL, &last, NULL) != BS_OK)
				puts("No runs yet.");
			else
				printf("No run with the result '%s'.\n", result);
			store_run_clear(&last);
		} else {
			int64_t now = clock_now();
			shown = 0;
			static const char *const hdr[] = { "RUN", "STARTED", "SYNC", "KIND", "BY",
			    "RESULT", "APPLIED", "FAILED", "MESSAGE" };
			struct out_table *t = out_table_new(9, hdr);
			for (size_t i = 0; i < n; i++) {
				char id[24], when[HT_MAX], ap[16], fa[16];
				const struct store_run *r = &runs[i];
				if (result != NULL && !str_eq(r->result, result))
					continue;
				if (shown++ == want)
					break;
				snprintf(id, sizeof id, "%lld", (long long)r->id);
				ht_time(r->started_at, now, NULL, when);
				snprintf(ap, sizeof ap, "%ld", r->applied);
				snprintf(fa, sizeof fa, "%ld", r->failed);
				const char *row[] = { id, when, r->target, r->kind,
				    r->origin && *r->origin ? r->origin : "-", r->result, ap, fa,
				    r->message ? r->message : "" };
				out_table_row(t, row);
			}
			out_table_print(t, stdout, out_term_width());
			out_table_free(&t);
		}
		store_runs_free(runs, n);
	}
out:
	store_close(&st);
	free(person_key);
	return status;
}
