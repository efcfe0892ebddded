/* test_service.c - the sync core's state (issue 15): the heartbeat and
 * whether it means running, stalled or not running; a stall alerts once;
 * pause with and without an end, resume; the crontab text edit (added once,
 * the rest kept, removed); durations; the local human times. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin/service.h"
#include "base/humantime.h"
#include "base/paths.h"
#include "base/util.h"
#include "config/conf.h"
#include "store/store.h"

static struct store *
mem_store(void)
{
	struct store *st = NULL;
	struct bs_error err = { 0 };

	assert_int_equal(store_open(":memory:", &st, &err), BS_OK);
	return st;
}

static void
heartbeat_round_trip_and_clear(void **state)
{
	struct store *st = mem_store();
	struct core_beat b = { 0 }, got;
	(void)state;

	assert_int_equal(core_beat_load(st, &got, NULL), BS_OK);
	assert_int_equal(got.pid, 0);
	b.pid = 4242;
	snprintf(b.mode, sizeof b.mode, "background");
	b.since = 1000;
	b.beat = 1060;
	assert_int_equal(core_beat_save(st, &b, NULL), BS_OK);
	assert_int_equal(core_beat_load(st, &got, NULL), BS_OK);
	assert_int_equal(got.pid, 4242);
	assert_string_equal(got.mode, "background");
	assert_int_equal(got.since, 1000);
	assert_int_equal(got.beat, 1060);
	assert_true(got.version[0] != '\0');
	core_beat_clear(st, 99);	/* not its pid: kept */
	core_beat_load(st, &got, NULL);
	assert_int_equal(got.pid, 4242);
	core_beat_clear(st, 4242);
	core_beat_load(st, &got, NULL);
	assert_int_equal(got.pid, 0);
	store_close(&st);
}

/* This process is alive: a fresh beat is running, an old one stalled; a
 * pid that is gone is not running whatever the beat. */
static void
state_running_stalled_not_running(void **state)
{
	struct store *st = mem_store();
	struct conf *c = conf_new();
	struct core_beat b = { 0 };
	struct core_status cs;
	int64_t now = 2000000000;
	(void)state;

	unsetenv("BOBSYNC_TEST_POLL_SECONDS");
	core_status_read(c, st, now, &cs);
	assert_int_equal(cs.state, CORE_NOT_RUNNING);
	assert_false(cs.scheduled);
	b.pid = getpid();
	snprintf(b.mode, sizeof b.mode, "systemd");
	b.since = now - 3600;
	b.beat = now - 40;
	core_beat_save(st, &b, NULL);
	core_status_read(c, st, now, &cs);
	assert_int_equal(cs.state, CORE_RUNNING);
	assert_int_equal(cs.period, 300);	/* timeoff.poll_minutes 5 */
	assert_true(cs.scheduled);
	b.beat = now - 600;	/* twice the poll: still running */
	core_beat_save(st, &b, NULL);
	core_status_read(c, st, now, &cs);
	assert_int_equal(cs.state, CORE_RUNNING);
	b.beat = now - 601;	/* older than twice the poll interval */
	core_beat_save(st, &b, NULL);
	core_status_read(c, st, now, &cs);
	assert_int_equal(cs.state, CORE_STALLED);
	assert_string_equal(core_state_name(cs.state), "stalled");
	b.pid = 999999999;	/* no such process */
	b.beat = now - 1;
	core_beat_save(st, &b, NULL);
	core_status_read(c, st, now, &cs);
	assert_int_equal(cs.state, CORE_NOT_RUNNING);
	assert_false(cs.scheduled);
	conf_free(&c);
	store_close(&st);
}

/* cron: one pass per run, the process gone; running while cron is enabled
 * and the beat younger than two cron periods. */
static void
state_cron(void **state)
{
	struct store *st = mem_store();
	struct conf *c = conf_new();
	struct core_beat b = { 0 };
	struct core_status cs;
	int64_t now = 2000000000;
	(void)state;

	b.pid = 999999999;
	snprintf(b.mode, sizeof b.mode, "cron");
	b.since = b.beat = now - 200;
	core_beat_save(st, &b, NULL);
	core_status_read(c, st, now, &cs);
	assert_int_equal(cs.state, CORE_NOT_RUNNING);	/* cron not enabled by bobsync */
	store_kv_set(st, "core.enabled", "{\"mode\":\"cron\",\"store\":\"\"}", now, NULL);
	core_status_read(c, st, now, &cs);
	assert_int_equal(cs.state, CORE_RUNNING);
	core_status_read(c, st, now + 601, &cs);
	assert_int_equal(cs.state, CORE_STALLED);
	assert_true(cs.scheduled);
	conf_free(&c);
	store_close(&st);
}

static void
stall_alerts_once(void **state)
{
	struct store *st = mem_store();
	struct conf *c = conf_new();
	struct core_beat b = { 0 };
	struct core_status cs;
	struct bs_error err = { 0 };
	char dir[] = "/tmp/bs_stall_XXXXXX", *cmd, *path, *text = NULL;
	int64_t now = clock_now();
	(void)state;

	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/alerts", dir);
	cmd = xasprintf("echo \"$BOBSYNC_EVENT $BOBSYNC_SYNC\" >> %s", path);
	assert_int_equal(conf_set(c, "alert.command", cmd, &err), BS_OK);
	b.pid = getpid();
	snprintf(b.mode, sizeof b.mode, "background");
	b.since = now - 7200;
	b.beat = now - 3600;
	core_beat_save(st, &b, NULL);
	core_status_read(c, st, now, &cs);
	assert_int_equal(cs.state, CORE_STALLED);
	assert_int_equal(core_stall_alert(c, st, &cs), 1);
	assert_int_equal(core_stall_alert(c, st, &cs), 0);	/* once */
	core_status_read(c, st, now, &cs);
	assert_int_equal(core_stall_alert(c, st, &cs), 0);
	assert_int_equal(util_read_file(path, 4096, &text, NULL, &err), BS_OK);
	assert_string_equal(text, "stalled core\n");
	free(text);
	/* a later stall (a new beat that went stale again) alerts again */
	b.beat = now - 1800;
	core_beat_save(st, &b, NULL);
	core_status_read(c, st, now, &cs);
	assert_int_equal(core_stall_alert(c, st, &cs), 1);
	unlink(path);
	rmdir(dir);
	free(path);
	free(cmd);
	conf_free(&c);
	store_close(&st);
}

static void
pause_and_resume(void **state)
{
	struct store *st = mem_store();
	struct core_pause p;
	struct bs_error err = { 0 };
	int64_t now = 2000000000;
	(void)state;

	assert_false(core_paused(st, JOB_TIMEOFF, now, NULL));
	assert_int_equal(core_pause(st, "timeoff", "ana", now, now + 7200, &err), BS_OK);
	assert_true(core_paused(st, JOB_TIMEOFF, now + 10, &p));
	assert_string_equal(p.by, "ana");
	assert_int_equal(p.at, now);
	assert_int_equal(p.until, now + 7200);
	assert_true(core_paused(st, JOB_RECONCILE, now + 10, NULL));	/* follows time off */
	assert_false(core_paused(st, JOB_ROSTER, now + 10, NULL));
	assert_false(core_paused(st, JOB_TIMEOFF, now + 7201, NULL));	/* expired */
	assert_int_equal(core_pause(st, "all", "bo", now, 0, &err), BS_OK);
	assert_true(core_paused(st, JOB_ROSTER, now + 999999, &p));	/* until resumed */
	assert_int_equal(p.until, 0);
	assert_int_equal(core_resume(st, "roster", &err), BS_OK);
	assert_false(core_paused(st, JOB_ROSTER, now, NULL));
	assert_true(core_paused(st, JOB_TIMEOFF, now, NULL));
	assert_int_equal(core_resume(st, "all", &err), BS_OK);
	assert_false(core_paused(st, JOB_TIMEOFF, now, NULL));
	assert_int_equal(core_pause(st, "payroll", "x", now, 0, &err), BS_ERR_INVALID);
	store_close(&st);
}

static void
durations(void **state)
{
	(void)state;
	assert_int_equal(core_parse_duration("2h"), 7200);
	assert_int_equal(core_parse_duration("30m"), 1800);
	assert_int_equal(core_parse_duration("90s"), 90);
	assert_int_equal(core_parse_duration("1d"), 86400);
	assert_int_equal(core_parse_duration("2"), -1);
	assert_int_equal(core_parse_duration("h"), -1);
	assert_int_equal(core_parse_duration("-1h"), -1);
	assert_int_equal(core_parse_duration("0h"), -1);
	assert_int_equal(core_parse_duration("2w"), -1);
}

static void
crontab_edit(void **state)
{
	const char *mine = "MAILTO=ana@example.com\n0 3 * * * backup.sh\n";
	char *once, *twice, *gone, *from_empty;
	int removed = -1;
	(void)state;

	once = core_crontab_add(mine, "*/5 * * * * bobsync daemon --once");
	assert_non_null(strstr(once, "MAILTO=ana@example.com\n0 3 * * * backup.sh\n"));
	assert_non_null(strstr(once, "# bobsync sync core"));
	assert_non_null(strstr(once, "\n*/5 * * * * bobsync daemon --once\n"));
	twice = core_crontab_add(once, "*/5 * * * * bobsync daemon --once");
	assert_string_equal(twice, once);	/* idempotent */
	gone = core_crontab_remove(twice, &removed);
	assert_int_equal(removed, 1);
	assert_string_equal(gone, mine);	/* the rest kept, as it was */
	free(gone);
	gone = core_crontab_remove(mine, &removed);
	assert_int_equal(removed, 0);
	assert_string_equal(gone, mine);
	from_empty = core_crontab_add("", "X");
	assert_string_equal(strchr(from_empty, '\n') + 1, "X\n");
	free(from_empty);
	free(gone);
	free(once);
	free(twice);
}

static void
cron_line_and_next(void **state)
{
	struct bs_paths p = { 0 };
	char *line;
	time_t t;
	struct tm tm;
	(void)state;

	p.state_dir = (char *)"/srv/it's 100%";
	setenv("BOBSYNC_HOME", "/srv/home", 1);
	line = core_cron_line(&p, "/usr/bin/bobsync");
	assert_non_null(strstr(line, "*/5 * * * * BOBSYNC_STARTED_BY=cron "));
	assert_non_null(strstr(line, "BOBSYNC_HOME='/srv/home' "));
	assert_non_null(strstr(line, "'/usr/bin/bobsync' daemon --once"));
	/* a quote closed and reopened, % escaped for cron */
	assert_non_null(strstr(line, ">>'/srv/it'\\''s 100\\%/cron.log' 2>&1"));
	free(line);
	unsetenv("BOBSYNC_HOME");
	t = (time_t)core_cron_next(2000000000);
	assert_true(t > 2000000000 && t <= 2000000000 + 300);
	localtime_r(&t, &tm);
	assert_int_equal(tm.tm_min % 5, 0);
	assert_int_equal(tm.tm_sec, 0);
}

static void
human_times(void **state)
{
	char buf[48];
	time_t now;
	struct tm tm = { 0 };
	(void)state;

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	tm.tm_year = 2026 - 1900;
	tm.tm_mon = 11;
	tm.tm_mday = 6;
	tm.tm_hour = 10;
	tm.tm_min = 30;
	tm.tm_isdst = -1;
	now = mktime(&tm);
	assert_string_equal(human_time(buf, sizeof buf, now + 3 * 3600 + 35 * 60, now),
	    "today 14:05");
	assert_string_equal(human_time(buf, sizeof buf, now + 15 * 3600 + 30 * 60, now),
	    "tomorrow 02:00");
	assert_string_equal(human_time(buf, sizeof buf, now - 11 * 3600, now), "yesterday 23:30");
	assert_string_equal(human_time(buf, sizeof buf, now + 3 * 86400, now), "Wed 9 Dec 10:30");
	assert_string_equal(human_time(buf, sizeof buf, now + 18 * 86400, now), "Thu 24 Dec 10:30");
	assert_string_equal(human_time(buf, sizeof buf, 0, now), "never");
	assert_string_equal(human_ago(buf, sizeof buf, 40), "40 s ago");
	assert_string_equal(human_ago(buf, sizeof buf, 600), "10 min ago");
	assert_string_equal(human_ago(buf, sizeof buf, 3 * 3600), "3 h ago");
	unsetenv("TZ");
	tzset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(heartbeat_round_trip_and_clear),
		cmocka_unit_test(state_running_stalled_not_running),
		cmocka_unit_test(state_cron),
		cmocka_unit_test(stall_alerts_once),
		cmocka_unit_test(pause_and_resume),
		cmocka_unit_test(durations),
		cmocka_unit_test(crontab_edit),
		cmocka_unit_test(cron_line_and_next),
		cmocka_unit_test(human_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
