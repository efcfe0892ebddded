/* cmd_status.c - bobsync status [--json] */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "commands.h"
#include "config/conf.h"
#include "output.h"
#include "engine/apply.h"
#include "admin/status.h"
#include "base/humantime.h"
#include "store/store.h"
#include "base/util.h"

static const char *const titles[JOB_COUNT] = {
	"Roster to Alleo", "Time off to Assembled", "Time-off reconciliation"
};

/* In the admin's zone, with the distance: "today 02:00 (8 h ago)";
 * "never" for 0.  UTC ISO only in --json. */
static int64_t now_for_when;

static void
when(int64_t t, char buf[HT_MAX])
{
	ht_time_rel(t, now_for_when, NULL, buf);
}

/* The sync core: running, stalled or not, and what is paused. */
static void
print_core(const struct core_status *c, int64_t now)
{
	char since[HT_MAX], ago[HT_MAX], until[HT_MAX], at[HT_MAX];
	static const char *const what[2] = { "roster", "time off" };

	if (c->state == CORE_NOT_RUNNING)
		printf("%-26s not running: nothing syncs on its own; 'bobsync enable "
		    "systemd|cron|background' enables it\n", "Sync core");
	else {
		when(c->beat.since, since);
		human_ago(ago, sizeof ago, now - c->beat.beat);
		printf("%-26s %s (%s, pid %lld, since %s, last beat %s)\n", "Sync core",
		    c->state == CORE_STALLED ? "STALLED" : "running", c->beat.mode, c->beat.pid,
		    since, ago);
	}
	for (int i = 0; i < 2; i++) {
		const struct core_pause *p = &c->pause[i];
		if (!p->on)
			continue;
		when(p->at, at);
		when(p->until, until);
		printf("%-26s %s paused by %s at %s, %s%s; 'bobsync resume' resumes it\n", "",
		    what[i], p->by, at, p->until > 0 ? "until " : "until resumed",
		    p->until > 0 ? until : "");
	}
}

int
cmd_status(struct app *a, int argc, char **argv)
{
	struct store *st = NULL;
	struct bs_status s;
	struct bs_error err = { 0 };
	bs_rc rc;

	if (argc > 1)
		return app_usage(a, "status", "unexpected argument '%s'", argv[1]);
	/* reading status never creates anything */
	if (access(a->paths.state_db, F_OK) == 0 &&
	    store_open(a->paths.state_db, &st, &err) != BS_OK)
		return app_error(a, &err);
	rc = status_read(a->conf, &a->paths, st, &s, &err);
	store_close(&st);
	if (rc != BS_OK)
		return app_error(a, &err);
	/* not configured: exit 4 (cli.md: "not configured, credentials
	 * missing"), after printing what there is */
	if (a->json) {
		out_json(status_to_json(&s));
		return s.configured ? 0 : 4;
	}
	now_for_when = s.now;
	if (!s.configured)
		printf("bobsync is not configured yet: run 'bobsync setup' (or 'bobsync credentials set "
		    "hibob' and 'bobsync config set ...').\n\n");
	print_core(&s.core, s.now);
	for (int i = 0; i < JOB_COUNT; i++) {
		const struct status_job *j = &s.jobs[i];
		char last[HT_MAX], next[HT_MAX];
		if (!j->enabled) {
			printf("%-26s off\n", titles[i]);
			continue;
		}
		when(j->st.last_run, last);
		/* only when something will make it happen */
		if (s.core.scheduled)
			when(j->due, next);
		else
			snprintf(next, sizeof next, "not scheduled");
		printf("%-26s last run %s: %s; next run %s", titles[i], last,
		    j->st.last_result[0] ? j->st.last_result : "-", next);
		if (i == JOB_ROSTER)
			printf("; %ld provisioned\n", j->count);
		else if (i == JOB_TIMEOFF)
			printf("; %ld events in Assembled\n", j->count);
		else
			putchar('\n');
		if (j->open_run != 0) {
			char started[HT_MAX];
			when(j->open_started, started);
			if (j->open_live)
				printf("%-26s running now: run %lld, started %s\n", "",
				    (long long)j->open_run, started);
			else
				printf("%-26s run %lld, started %s, stopped before it finished\n"
				    "%-26s (killed, crashed or the machine went down); the next run "
				    "settles it\n", "", (long long)j->open_run, started, "");
		}
		if (j->st.quarantine[0] != '\0')
			printf("%-26s QUARANTINED: %s\n%-26s fix it, then 'bobsync sync %s' clears it\n", "",
			    j->st.quarantine, "", i == JOB_ROSTER ? "roster" : "timeoff");
		else if (j->st.blocked_plan[0] != '\0' && run_result_parse(j->st.last_result) == RUN_BLOCKED)
			printf("%-26s BLOCKED by a guard: %s\n%-26s review: bobsync %s; approve: bobsync "
			    "%s --approve %s\n", "", j->st.message, "", job_review_command(j->kind),
			    job_approve_command(j->kind), j->st.blocked_plan);
		else if (j->st.failures > 0)
			printf("%-26s %d failed run%s in a row: %s\n", "", j->st.failures,
			    j->st.failures == 1 ? "" : "s", j->st.message);
	}
	if (s.webhook.on) {
		char last[HT_MAX];

		when(s.webhook.last_at, last);
		printf("%-26s last received %s%s%s%s; today %ld accepted, %ld refused\n",
		    "HiBob webhooks", last, s.webhook.last_type[0] ? " (" : "", s.webhook.last_type,
		    s.webhook.last_type[0] ? ")" : "", s.webhook.accepted_today,
		    s.webhook.rejected_today);
	}
	return s.configured ? 0 : 4;
}
