/* status.c - the state of each sync, read from the store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "config/conf.h"
#include "base/lock.h"
#include "base/paths.h"
#include "admin/status.h"
#include "store/store.h"
#include "store/store_roster.h"
#include "base/humantime.h"
#include "base/util.h"
#include "config/vault.h"
#include "net/webhook.h"

static long
count_rows(struct store *st, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	long n = 0;

	if (st == NULL)
		return 0;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

static long
kv_long(struct store *st, const char *key)
{
	char *v = NULL;
	long n = 0;

	if (store_kv_get(st, key, &v, NULL) == BS_OK && v != NULL)
		n = strtol(v, NULL, 10);
	free(v);
	return n;
}

static void
read_webhook(const struct conf *conf, struct store *st, int64_t now, struct status_webhook *w)
{
	char *v = NULL, today[21];

	w->on = !str_empty(conf_get(conf, "webhook.listen"));
	if (st == NULL)
		return;
	w->last_at = kv_long(st, WEBHOOK_KV_LAST_AT);
	if (store_kv_get(st, WEBHOOK_KV_LAST_TYPE, &v, NULL) == BS_OK && v != NULL)
		snprintf(w->last_type, sizeof w->last_type, "%s", v);
	free(v);
	v = NULL;
	date_format(ht_local_today(now), today);	/* the local day the daemon counts in */
	if (store_kv_get(st, WEBHOOK_KV_DAY, &v, NULL) == BS_OK && str_eq(v, today)) {
		w->accepted_today = kv_long(st, WEBHOOK_KV_ACCEPTED);
		w->rejected_today = kv_long(st, WEBHOOK_KV_REJECTED);
	}
	free(v);
}

/* A sync started from the command line writes its job state only at its
 * end: while it runs, and after it was killed, the newest run in the store
 * is the one to show.  A roster run belongs to the roster job; a time-off
 * run to the time-off sync, and to the reconciliation as well when it was
 * a full comparison. */
static void
read_open_runs(struct store *st, const struct bs_paths *paths, struct bs_status *out)
{
	static const char *const targets[] = { "roster", "timeoff" };
	int64_t held = -1;	/* asked once, when a run is open */

	for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
		struct store_run r;
		enum job_kind k[2] = { t == 0 ? JOB_ROSTER : JOB_TIMEOFF, JOB_COUNT };

		if (store_run_last(st, targets[t], &r, NULL) != BS_OK)
			continue;
		/* running, or killed and closed by the run now planning (its
		 * end is unknown: store_runs_close_killed) */
		if (str_eq(r.result, "running") ||
		    (str_eq(r.result, "interrupted") && r.finished_at == 0)) {
			if (held < 0 && str_eq(r.result, "running"))
				held = lock_held_since(paths->lock_file);
			if (t == 1 && str_eq(r.kind, "reconcile"))
				k[1] = JOB_RECONCILE;
			for (int i = 0; i < 2; i++) {
				struct status_job *j;
				if (k[i] == JOB_COUNT)
					continue;
				j = &out->jobs[k[i]];
				if (r.started_at < j->st.last_run)
					continue;	/* a later end is recorded */
				j->open_run = r.id;
				j->open_started = r.started_at;
				j->open_live = str_eq(r.result, "running") &&
				    store_run_live(r.started_at, held);
			}
		}
		store_run_clear(&r);
	}
}

bs_rc
status_read(const struct conf *conf, const struct bs_paths *paths, struct store *st,
    struct bs_status *out, struct bs_error *err)
{
	struct vault_info vi;
	int any_enabled = 0;

	memset(out, 0, sizeof *out);
	out->now = clock_now();
	if (vault_info(paths->vault_file, &vi, NULL) == BS_OK && vi.exists) {
		out->vault_exists = 1;
		out->configured = vi.stored_at[VAULT_HIBOB_TOKEN] != 0;
	}
	for (int i = 0; i < JOB_COUNT; i++) {
		struct status_job *j = &out->jobs[i];
		j->kind = (enum job_kind)i;
		j->enabled = job_enabled(conf, j->kind);
		any_enabled |= j->enabled;
		if (st != NULL) {
			bs_rc rc = job_state_load(st, j->kind, &j->st, err);
			if (rc != BS_OK)
				return rc;
		}
		j->due = j->enabled ? job_due(conf, j->kind, &j->st, out->now) : 0;
		j->lag = j->st.last_ok ? out->now - j->st.last_ok : -1;
		if (j->st.quarantine[0] != '\0')
			out->quarantine = 1;
	}
	if (st != NULL)
		read_open_runs(st, paths, out);
	/* a counter, not a count of the roster (store_roster.c) */
	out->jobs[JOB_ROSTER].count = st != NULL ? store_roster_count_active(st) : 0;
	if (out->jobs[JOB_ROSTER].count < 0)
		out->jobs[JOB_ROSTER].count = 0;
	out->jobs[JOB_TIMEOFF].count = count_rows(st, "SELECT count(*) FROM timeoff_events");
	out->jobs[JOB_RECONCILE].count = out->jobs[JOB_TIMEOFF].count;
	/* alleo.mode pull with nothing to sync is set up too: Alleo reads
	 * HiBob itself, bobsync checks and previews */
	out->configured = out->configured &&
	    (any_enabled || str_eq(conf_get(conf, "alleo.mode"), "pull"));
	read_webhook(conf, st, out->now, &out->webhook);
	{
		struct store *other = NULL, *cst = core_store(st, paths->state_db, &other);

		core_status_read(conf, cst, out->now, &out->core);
		core_stall_alert(conf, cst, &out->core);
		store_close(&other);
	}
	return BS_OK;
}

static json_t *
iso_or_null(int64_t t)
{
	char buf[21];

	if (t <= 0)
		return json_null();
	time_format_utc(t, buf);
	return json_string(buf);
}

/* {"run_id", "started", "state": "running" | "interrupted"} or null */
static json_t *
open_run_json(const struct status_job *j)
{
	json_t *o;

	if (j->open_run == 0)
		return json_null();
	o = json_object();
	json_object_set_new(o, "run_id", json_integer(j->open_run));
	json_object_set_new(o, "started", iso_or_null(j->open_started));
	json_object_set_new(o, "state", json_string(j->open_live ? "running" : "interrupted"));
	return o;
}

static json_t *
pause_json(const struct core_pause *p)
{
	json_t *o;

	if (!p->on)
		return json_null();
	o = json_object();
	json_object_set_new(o, "by", json_string(p->by));
	json_object_set_new(o, "at", iso_or_null(p->at));
	json_object_set_new(o, "until", iso_or_null(p->until));
	return o;
}

/* core: {running, state, mode, enabled, pid, since, heartbeat_at, version,
 * paused: {roster, timeoff}} */
static json_t *
core_to_json(const struct core_status *c)
{
	json_t *o = json_object(), *p = json_object();
	int beat = c->beat.pid != 0;

	json_object_set_new(o, "running", json_boolean(c->state == CORE_RUNNING));
	json_object_set_new(o, "state", json_string(core_state_name(c->state)));
	json_object_set_new(o, "mode", beat ? json_string(c->beat.mode) : c->enabled[0] ?
	    json_string(c->enabled) : json_null());
	json_object_set_new(o, "enabled", c->enabled[0] ? json_string(c->enabled) : json_null());
	json_object_set_new(o, "pid", beat ? json_integer(c->beat.pid) : json_null());
	json_object_set_new(o, "since", iso_or_null(beat ? c->beat.since : 0));
	json_object_set_new(o, "heartbeat_at", iso_or_null(beat ? c->beat.beat : 0));
	json_object_set_new(o, "version", beat && c->beat.version[0] ?
	    json_string(c->beat.version) : json_null());
	json_object_set_new(p, "roster", pause_json(&c->pause[0]));
	json_object_set_new(p, "timeoff", pause_json(&c->pause[1]));
	json_object_set_new(o, "paused", p);
	return o;
}

json_t *
status_to_json(const struct bs_status *s)
{
	json_t *j = json_object();

	json_object_set_new(j, "configured", json_boolean(s->configured));
	for (int i = 0; i < JOB_COUNT; i++) {
		const struct status_job *sj = &s->jobs[i];
		json_t *o = json_object();
		json_object_set_new(o, "enabled", json_boolean(sj->enabled));
		json_object_set_new(o, "last_run", iso_or_null(sj->st.last_run));
		json_object_set_new(o, "last_ok", iso_or_null(sj->st.last_ok));
		json_object_set_new(o, "result", sj->st.last_result[0] ? json_string(sj->st.last_result)
		    : json_null());
		json_object_set_new(o, "next_run", iso_or_null(sj->due));
		json_object_set_new(o, "lag_seconds", sj->lag >= 0 ? json_integer(sj->lag) : json_null());
		json_object_set_new(o, "run_id", sj->st.last_run_id ? json_integer(sj->st.last_run_id)
		    : json_null());
		json_object_set_new(o, "failures", json_integer(sj->st.failures));
		json_object_set_new(o, "message", json_string(sj->st.message));
		json_object_set_new(o, "blocked_plan", sj->st.blocked_plan[0] ?
		    json_string(sj->st.blocked_plan) : json_null());
		json_object_set_new(o, "quarantine", sj->st.quarantine[0] ?
		    json_string(sj->st.quarantine) : json_false());
		json_object_set_new(o, "backoff_until", iso_or_null(sj->st.backoff_until));
		json_object_set_new(o, "open_run", open_run_json(sj));
		if (i == JOB_ROSTER)
			json_object_set_new(o, "provisioned", json_integer(sj->count));
		else
			json_object_set_new(o, "synced_events", json_integer(sj->count));
		json_object_set_new(j, job_name(sj->kind), o);
	}
	json_object_set_new(j, "quarantine", json_boolean(s->quarantine));
	{
		json_t *w = json_object();

		json_object_set_new(w, "on", json_boolean(s->webhook.on));
		json_object_set_new(w, "last_at", iso_or_null(s->webhook.last_at));
		json_object_set_new(w, "last_type", s->webhook.last_type[0] ?
		    json_string(s->webhook.last_type) : json_null());
		json_object_set_new(w, "accepted_today", json_integer(s->webhook.accepted_today));
		json_object_set_new(w, "rejected_today", json_integer(s->webhook.rejected_today));
		json_object_set_new(j, "webhook", w);
	}
	json_object_set_new(j, "core", core_to_json(&s->core));
	return j;
}
