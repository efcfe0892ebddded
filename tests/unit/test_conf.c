/* test_conf.c - the settings table, value checks, bobsync.conf parsing and
 * writing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/conf.h"
#include "config/vault.h"
#include "engine/session.h"
#include "base/util.h"

/* ---- helpers ---- */

struct fixture {
	char dir[64];
	char path[128];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/bs_conf_XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/bobsync.conf", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	DIR *d = opendir(f->dir);
	struct dirent *e;
	char p[512];

	chmod(f->dir, 0700);
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", f->dir, e->d_name);
		if (unlink(p) < 0)
			rmdir(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static char *
read_all(const char *path)
{
	char *text = NULL;
	size_t len;

	assert_int_equal(util_read_file(path, 1 << 20, &text, &len, NULL), BS_OK);
	return text;
}

static int
count_dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Parse text; returns the rc and leaves the error in err. */
static bs_rc
parse(struct conf *c, const char *text, struct bs_error *err)
{
	bs_error_clear(err);
	return conf_parse(c, text, strlen(text), "test.conf", err);
}

/* 1 when the option accepts the value. */
static int
ok(const char *key, const char *value)
{
	struct bs_error err = { 0 };
	const struct conf_option *o = conf_find(key);

	assert_non_null(o);
	return conf_check_value(o, value, &err) == BS_OK;
}

/* The detail of a rejected value. */
static const char *
why(const char *key, const char *value)
{
	static struct bs_error err;
	const struct conf_option *o = conf_find(key);

	assert_non_null(o);
	bs_error_clear(&err);
	assert_int_equal(conf_check_value(o, value, &err), BS_ERR_CONFIG);
	return err.detail;
}

/* ---- the table ---- */

static void
table_degenerate(void **state)
{
	size_t n = 0;
	(void)state;

	assert_null(conf_find(NULL));
	assert_null(conf_find(""));
	assert_null(conf_find("hibob"));
	assert_null(conf_find("HIBOB.BASE_URL"));
	assert_non_null(conf_options(NULL));
	assert_non_null(conf_options(&n));
	assert_true(n > 30);
	assert_null(conf_get(NULL, "no.such_key"));
	assert_string_equal(conf_get(NULL, "alleo.mode"), "off");	/* defaults without a conf */
	assert_int_equal(conf_get_int(NULL, "nope"), 0);
	assert_int_equal(conf_get_bool(NULL, "nope"), 0);
	assert_true(conf_get_number(NULL, "nope") == 0);
	assert_int_equal(conf_is_set(NULL, "alleo.mode"), 0);
	conf_free(NULL);
}

/* cli.md "Settings": every key with its documented default (NULL = none). */
static const struct {
	const char *key;
	const char *def;
} cli_md[] = {
	{ "hibob.base_url", "https://api.hibob.com/v1" },
	{ "hibob.eligibility_field", "alleo_access" },
	{ "tls.ca_file", NULL },
	{ "alleo.mode", "off" },
	{ "alleo.scim_url", NULL },
	{ "alleo.token_url", NULL },
	{ "alleo.csv_target", NULL },
	{ "alleo.prestart_days", "0" },
	{ "assembled.enabled", "false" },
	{ "assembled.base_url", "https://api.assembledhq.com/v0" },
	{ "assembled.timeoff_type", NULL },
	{ "assembled.policy_map", NULL },
	{ "assembled.allow_conflicts", "true" },
	{ "assembled.default_timezone", "UTC" },
	{ "timeoff.lookback_days", "30" },
	{ "timeoff.sync_until", "+365d" },
	{ "timeoff.split_chunks", "false" },
	{ "timeoff.poll_minutes", "5" },
	{ "roster.run_at", "02:00" },
	{ "guard.max_removals", "3" },
	{ "guard.max_removal_percent", "10" },
	{ "guard.min_source_ratio", "0.8" },
	{ "alert.command", NULL },
};

static void
table_has_every_cli_md_key(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cli_md); i++) {
		const struct conf_option *o = conf_find(cli_md[i].key);
		if (o == NULL)
			fail_msg("cli.md setting %s is missing from the table", cli_md[i].key);
		if (cli_md[i].def == NULL)
			assert_null(o->def);
		else
			assert_string_equal(o->def, cli_md[i].def);
		assert_string_equal(conf_get(NULL, cli_md[i].key) ? conf_get(NULL, cli_md[i].key) :
		    "(none)", cli_md[i].def ? cli_md[i].def : "(none)");
	}
	assert_string_equal(conf_find("tls.ca_file")->def_doc, "(system)");
	assert_non_null(strstr(conf_find("assembled.timeoff_type")->def_doc, "Time Off"));
	assert_string_equal(conf_find("alleo.mode")->choices, "off|pull|scim|csv");
}

static void
table_extra_keys(void **state)
{
	static const struct {
		const char *key;
		enum conf_type type;
		const char *def;
		double min, max;
	} extra[] = {
		{ "hibob.site_timezones", CONF_PAIRS, "", 0, 0 },
		{ "hibob.default_timezone", CONF_TIMEZONE, "UTC", 0, 0 },
		{ "alleo.csv_name", CONF_STRING, "alleo_employees_current.csv", 0, 0 },
		{ "alleo.sftp_key", CONF_PATH, NULL, 0, 0 },
		{ "alleo.sftp_known_hosts", CONF_PATH, NULL, 0, 0 },
		{ "alleo.budget_fields", CONF_STRING, "auto", 0, 0 },
		{ "assembled.schedule_id", CONF_STRING, NULL, 0, 0 },
		{ "timeoff.hours_start", CONF_TIME, "09:00", 0, 0 },
		{ "timeoff.reconcile_at", CONF_TIME, "03:00", 0, 0 },
		{ "timeoff.overlap_minutes", CONF_INT, "10", 0, 1440 },
		{ "timeoff.poll_minutes", CONF_INT, "5", 1, 60 },
		{ "alleo.prestart_days", CONF_INT, "0", 0, 365 },
		{ "guard.max_removals", CONF_INT, "3", 0, 1000000 },
		{ "guard.max_removal_percent", CONF_NUMBER, "10", 0, 100 },
		{ "guard.timeoff_max_removals", CONF_INT, "10", 0, 1000000 },
		{ "guard.timeoff_max_removal_percent", CONF_NUMBER, "5", 0, 100 },
		{ "guard.min_source_ratio", CONF_NUMBER, "0.8", 0, 1 },
		{ "log.level", CONF_LEVEL, "warning", 0, 0 },
		{ "log.retention_days", CONF_INT, "90", 1, 3650 },
		{ "http.timeout_seconds", CONF_INT, "120", 5, 3600 },
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(extra); i++) {
		const struct conf_option *o = conf_find(extra[i].key);
		if (o == NULL)
			fail_msg("setting %s is missing", extra[i].key);
		assert_int_equal(o->type, extra[i].type);
		if (extra[i].def == NULL)
			assert_null(o->def);
		else
			assert_string_equal(o->def, extra[i].def);
		if (o->type == CONF_INT || o->type == CONF_NUMBER) {
			assert_true(o->min == extra[i].min);
			assert_true(o->max == extra[i].max);
		}
	}
	assert_string_equal(conf_find("assembled.schedule_id")->def_doc, "(master schedule)");
}

static void
table_is_consistent(void **state)
{
	size_t n;
	const struct conf_option *t = conf_options(&n);
	(void)state;

	assert_string_equal(t[0].key, "hibob.base_url");	/* display order */
	for (size_t i = 0; i < n; i++) {
		struct bs_error err = { 0 };
		assert_non_null(t[i].help);
		assert_true(strlen(t[i].help) > 10 && strlen(t[i].help) < 110);
		assert_null(strchr(t[i].help, '\n'));
		assert_true(conf_find(t[i].key) == &t[i]);	/* unique keys */
		assert_non_null(strchr(t[i].key, '.'));
		assert_true(*conf_type_name(t[i].type) != '\0');
		if (t[i].def != NULL && conf_check_value(&t[i], t[i].def, &err) != BS_OK)
			fail_msg("default of %s is rejected: %s", t[i].key, err.detail);
		if (t[i].type == CONF_ENUM)
			assert_non_null(t[i].choices);
	}
	assert_string_equal(conf_type_name(CONF_INT), "integer");
	assert_string_equal(conf_type_name(CONF_BOOL), "true|false");
}

/* ---- value checks, by type ---- */

static void
check_degenerate(void **state)
{
	struct bs_error err = { 0 };
	char big[5000];
	(void)state;

	assert_int_equal(conf_check_value(NULL, "x", &err), BS_ERR_INVALID);
	assert_int_equal(conf_check_value(conf_find("alert.command"), NULL, &err), BS_ERR_INVALID);
	/* control characters and broken UTF-8 never pass, whatever the type */
	assert_false(ok("alert.command", "echo a\nrm -rf /"));
	assert_false(ok("assembled.timeoff_type", "Time\tOff"));
	assert_false(ok("assembled.timeoff_type", "bad \xff byte"));
	assert_false(ok("assembled.timeoff_type", "C1 \xc2\x9b control"));
	assert_true(ok("assembled.timeoff_type", "Vakantie \xc3\xa9t\xc3\xa9"));
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_non_null(strstr(why("assembled.timeoff_type", big), "longer than"));
	/* empty: only where it means something */
	assert_true(ok("assembled.policy_map", ""));
	assert_true(ok("alert.command", ""));
	assert_non_null(strstr(why("guard.max_removals", ""), "config unset guard.max_removals"));
	assert_false(ok("hibob.eligibility_field", ""));
}

static void
check_bool(void **state)
{
	static const char *const good[] = { "true", "false", "yes", "no", "on", "off", "1", "0",
		"TRUE", "Yes" };
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(good); i++)
		assert_true(ok("assembled.enabled", good[i]));
	assert_false(ok("assembled.enabled", "2"));
	assert_false(ok("assembled.enabled", "y"));
	assert_false(ok("assembled.enabled", "true "));
	assert_non_null(strstr(why("assembled.enabled", "enabled"), "true or false"));
}

static void
check_int(void **state)
{
	(void)state;
	assert_true(ok("alleo.prestart_days", "0"));
	assert_true(ok("alleo.prestart_days", "365"));
	assert_true(ok("alleo.prestart_days", "+7"));
	assert_false(ok("alleo.prestart_days", "366"));
	assert_false(ok("alleo.prestart_days", "-1"));
	assert_false(ok("alleo.prestart_days", "7.5"));
	assert_false(ok("alleo.prestart_days", "7d"));
	assert_false(ok("alleo.prestart_days", "0x10"));
	assert_false(ok("alleo.prestart_days", "-"));
	assert_false(ok("alleo.prestart_days", "99999999999999999999999"));
	assert_true(ok("timeoff.poll_minutes", "1"));
	assert_false(ok("timeoff.poll_minutes", "0"));
	assert_true(ok("timeoff.poll_minutes", "60"));
	assert_false(ok("timeoff.poll_minutes", "61"));
	assert_true(ok("guard.max_removals", "1000000"));
	assert_false(ok("guard.max_removals", "1000001"));
	assert_true(ok("http.timeout_seconds", "5"));
	assert_false(ok("http.timeout_seconds", "4"));
	assert_false(ok("log.retention_days", "0"));
	assert_string_equal(why("timeoff.poll_minutes", "0"), "must be a whole number from 1 to 60");
}

static void
check_number(void **state)
{
	(void)state;
	assert_true(ok("guard.min_source_ratio", "0"));
	assert_true(ok("guard.min_source_ratio", "1"));
	assert_true(ok("guard.min_source_ratio", "0.95"));
	assert_true(ok("guard.min_source_ratio", ".5"));
	assert_false(ok("guard.min_source_ratio", "1.01"));
	assert_false(ok("guard.min_source_ratio", "-0.1"));
	assert_false(ok("guard.min_source_ratio", "nan"));
	assert_false(ok("guard.min_source_ratio", "inf"));
	assert_false(ok("guard.min_source_ratio", "1e-1"));
	assert_false(ok("guard.min_source_ratio", "0,8"));
	assert_false(ok("guard.min_source_ratio", "."));
	assert_true(ok("guard.max_removal_percent", "100"));
	assert_true(ok("guard.max_removal_percent", "12.5"));
	assert_false(ok("guard.max_removal_percent", "100.5"));
	assert_string_equal(why("guard.min_source_ratio", "2"), "must be a number from 0 to 1");
}

static void
check_enum_and_level(void **state)
{
	(void)state;
	assert_true(ok("alleo.mode", "off"));
	assert_true(ok("alleo.mode", "pull"));
	assert_true(ok("alleo.mode", "scim"));
	assert_true(ok("alleo.mode", "csv"));
	assert_false(ok("alleo.mode", "SCIM"));
	assert_false(ok("alleo.mode", "sci"));
	assert_false(ok("alleo.mode", "csv|scim"));
	assert_false(ok("alleo.mode", "|"));
	assert_string_equal(why("alleo.mode", "ftp"), "must be one of: off, pull, scim, csv");
	assert_true(ok("log.level", "debug"));
	assert_true(ok("log.level", "error"));
	assert_false(ok("log.level", "warn"));
	assert_false(ok("log.level", "verbose"));
}

static void
check_url(void **state)
{
	(void)state;
	assert_true(ok("hibob.base_url", "https://api.sandbox.hibob.com/v1"));
	assert_true(ok("hibob.base_url", "http://127.0.0.1:8080/v1"));
	assert_true(ok("hibob.base_url", "http://localhost:9000"));
	assert_false(ok("hibob.base_url", "http://api.hibob.com/v1"));
	assert_false(ok("hibob.base_url", "ftp://api.hibob.com/"));
	assert_false(ok("hibob.base_url", "api.hibob.com"));
	assert_false(ok("hibob.base_url", "https://api.hibob.com/v1 extra"));
	assert_false(ok("alleo.scim_url", ""));
}

static void
check_time(void **state)
{
	(void)state;
	assert_true(ok("roster.run_at", "00:00"));
	assert_true(ok("roster.run_at", "23:59"));
	assert_true(ok("roster.run_at", "09:30"));
	assert_false(ok("roster.run_at", "24:00"));
	assert_false(ok("roster.run_at", "12:60"));
	assert_false(ok("roster.run_at", "9:30"));
	assert_false(ok("roster.run_at", "09:30:00"));
	assert_false(ok("roster.run_at", "0930"));
	assert_false(ok("roster.run_at", "ab:cd"));
	assert_non_null(strstr(why("timeoff.hours_start", "9am"), "HH:MM"));
}

static void
check_date_spec(void **state)
{
	(void)state;
	assert_true(ok("timeoff.sync_until", "+365d"));
	assert_true(ok("timeoff.sync_until", "+0d"));
	assert_true(ok("timeoff.sync_until", "+3660d"));
	assert_true(ok("timeoff.sync_until", "2026-12-31"));
	assert_true(ok("timeoff.sync_until", "2028-02-29"));
	assert_false(ok("timeoff.sync_until", "2027-02-29"));
	assert_false(ok("timeoff.sync_until", "+3661d"));
	assert_false(ok("timeoff.sync_until", "365d"));
	assert_false(ok("timeoff.sync_until", "+365"));
	assert_false(ok("timeoff.sync_until", "+d"));
	assert_false(ok("timeoff.sync_until", "-5d"));
	assert_false(ok("timeoff.sync_until", "2026-12-31T00:00"));
	assert_false(ok("timeoff.sync_until", "31-12-2026"));
}

static void
check_timezone(void **state)
{
	(void)state;
	assert_true(ok("assembled.default_timezone", "UTC"));
	assert_true(ok("assembled.default_timezone", "Europe/Amsterdam"));
	assert_true(ok("assembled.default_timezone", "America/New_York"));
	assert_true(ok("hibob.default_timezone", "Etc/GMT+5"));
	assert_false(ok("hibob.default_timezone", "Europe/Atlantis"));
	assert_false(ok("hibob.default_timezone", "europe/amsterdam/"));
	assert_false(ok("hibob.default_timezone", "../../../etc/passwd"));
	assert_false(ok("hibob.default_timezone", "Europe/../UTC"));
	assert_false(ok("hibob.default_timezone", "/usr/share/zoneinfo/UTC"));
	assert_false(ok("hibob.default_timezone", "/etc/localtime"));
	assert_false(ok("hibob.default_timezone", "zone.tab"));	/* a file, not a zone */
	assert_false(ok("hibob.default_timezone", "Europe"));		/* a folder */
	assert_false(ok("hibob.default_timezone", "Europe Amsterdam"));
	assert_false(ok("hibob.default_timezone", ""));
	assert_non_null(strstr(why("hibob.default_timezone", "Mars/Olympus"), "Europe/Amsterdam"));
}

static void
check_path_and_target(void **state)
{
	(void)state;
	assert_true(ok("tls.ca_file", "/etc/ssl/certs/proxy.pem"));
	assert_false(ok("tls.ca_file", "certs/proxy.pem"));
	assert_false(ok("tls.ca_file", "~/proxy.pem"));
	assert_false(ok("tls.ca_file", ""));

	assert_true(ok("alleo.csv_target", "/srv/alleo/"));
	assert_true(ok("alleo.csv_target", "/srv/alleo"));
	assert_true(ok("alleo.csv_target", "sftp://sftp.example.com/upload/"));
	assert_true(ok("alleo.csv_target", "sftp://sftp.example.com:2222/upload/in/"));
	assert_true(ok("alleo.csv_target", "sftp://alleo@10.0.0.5/upload/"));
	assert_true(ok("alleo.csv_target", "sftp://[::1]:22/upload/"));
	assert_false(ok("alleo.csv_target", "sftp://sftp.example.com/upload"));	/* no final / */
	assert_false(ok("alleo.csv_target", "sftp:///upload/"));
	assert_false(ok("alleo.csv_target", "sftp://host:0/upload/"));
	assert_false(ok("alleo.csv_target", "sftp://host:65536/upload/"));
	assert_false(ok("alleo.csv_target", "sftp://host:/upload/"));
	assert_false(ok("alleo.csv_target", "sftp://host:22x/upload/"));
	assert_false(ok("alleo.csv_target", "sftp://ho_st/upload/"));
	assert_false(ok("alleo.csv_target", "sftp://host"));
	assert_false(ok("alleo.csv_target", "sftp://host/my folder/"));
	assert_false(ok("alleo.csv_target", "ftp://host/upload/"));
	assert_false(ok("alleo.csv_target", "upload/"));
	assert_non_null(strstr(why("alleo.csv_target", "sftp://user:pw@host/up/"), "password"));
}

static void
check_pairs(void **state)
{
	(void)state;
	assert_true(ok("assembled.policy_map", "Holiday=Vacation"));
	assert_true(ok("assembled.policy_map", " Holiday = Vacation , Sick=Sick leave "));
	assert_false(ok("assembled.policy_map", "Holiday"));
	assert_false(ok("assembled.policy_map", "Holiday="));
	assert_false(ok("assembled.policy_map", "=Vacation"));
	assert_false(ok("assembled.policy_map", "a=b,,c=d"));
	assert_false(ok("assembled.policy_map", "a=b,"));
	assert_false(ok("assembled.policy_map", "a=b=c"));
	assert_false(ok("assembled.policy_map", "a=b,A=c"));	/* a name twice */
	/* site time zones must name real zones */
	assert_true(ok("hibob.site_timezones",
	    "Amsterdam=Europe/Amsterdam,New York=America/New_York"));
	assert_true(ok("hibob.site_timezones", ""));
	assert_non_null(strstr(why("hibob.site_timezones", "Amsterdam=Europe/Amsterdan"),
	    "site 'Amsterdam'"));
}

static void
check_special_settings(void **state)
{
	(void)state;
	assert_true(ok("alleo.csv_name", "alleo_employees_current.csv"));
	assert_true(ok("alleo.csv_name", "alleo_employees_acme-1.csv"));
	assert_false(ok("alleo.csv_name", "employees.csv"));
	assert_false(ok("alleo.csv_name", "alleo_employees_x.txt"));
	assert_false(ok("alleo.csv_name", "alleo_employees.csv"));
	assert_false(ok("alleo.csv_name", "alleo_employees_../x.csv"));
	assert_false(ok("alleo.csv_name", "../alleo_employees_x.csv"));
	assert_non_null(strstr(why("alleo.csv_name", "x.csv"), "alleo_employees_*.csv"));

	assert_true(ok("alleo.budget_fields", "auto"));
	assert_true(ok("alleo.budget_fields", "none"));
	assert_true(ok("alleo.budget_fields", "alleo_monthly_all_budget"));
	assert_true(ok("alleo.budget_fields",
	    "alleo_monthly_all_budget, alleo_oneoff_health_budget"));
	assert_false(ok("alleo.budget_fields", ""));
	assert_false(ok("alleo.budget_fields", ","));
	assert_false(ok("alleo.budget_fields", "a,,b"));
	assert_false(ok("alleo.budget_fields", "a, ,b"));
	assert_false(ok("alleo.budget_fields", "a,"));

	assert_true(ok("alert.command", "/usr/local/bin/page-oncall --team hr \"bob # sync\""));
}

/* ---- pairs and date specs ---- */

struct collect {
	char buf[256];
	int stop_after;
	int calls;
};

static int
collect_pair(void *ctx, const char *k, const char *v)
{
	struct collect *c = ctx;
	size_t len = strlen(c->buf);

	snprintf(c->buf + len, sizeof c->buf - len, "[%s|%s]", k, v);
	c->calls++;
	return c->stop_after && c->calls >= c->stop_after ? 7 : 0;
}

static void
pairs_each(void **state)
{
	struct collect c = { "", 0, 0 };
	(void)state;

	assert_int_equal(conf_pairs_each(NULL, collect_pair, &c), 0);
	assert_int_equal(conf_pairs_each("", collect_pair, &c), 0);
	assert_int_equal(conf_pairs_each("  ", collect_pair, &c), 0);
	assert_int_equal(c.calls, 0);
	assert_int_equal(conf_pairs_each(" New York = America/New_York ,a=b", collect_pair, &c), 0);
	assert_string_equal(c.buf, "[New York|America/New_York][a|b]");
	/* malformed: nothing is called, not even for the good pairs before */
	memset(&c, 0, sizeof c);
	assert_int_equal(conf_pairs_each("a=b,broken", collect_pair, &c), -1);
	assert_int_equal(conf_pairs_each("a=b,a=c", collect_pair, &c), -1);
	assert_int_equal(c.calls, 0);
	/* the callback can stop the walk; its value comes back */
	c.stop_after = 1;
	assert_int_equal(conf_pairs_each("a=b,c=d", collect_pair, &c), 7);
	assert_int_equal(c.calls, 1);
}

static void
date_spec_resolve(void **state)
{
	long long d = -1;
	int64_t want;
	(void)state;

	assert_int_equal(conf_date_spec_resolve(NULL, 100, &d), -1);
	assert_int_equal(conf_date_spec_resolve("+1d", 100, NULL), -1);
	assert_int_equal(conf_date_spec_resolve("", 100, &d), -1);
	assert_int_equal(conf_date_spec_resolve("+365d", 20000, &d), 0);
	assert_int_equal(d, 20365);
	assert_int_equal(conf_date_spec_resolve("+0d", 20000, &d), 0);
	assert_int_equal(d, 20000);
	assert_int_equal(conf_date_spec_resolve("2026-12-31", 20000, &d), 0);
	assert_int_equal(date_parse("2026-12-31", &want), 0);
	assert_int_equal(d, want);
	assert_int_equal(conf_date_spec_resolve("+99999d", 0, &d), -1);
	assert_int_equal(conf_date_spec_resolve("+12", 0, &d), -1);
	assert_int_equal(conf_date_spec_resolve("2026-13-01", 0, &d), -1);
	assert_int_equal(conf_date_spec_resolve("2026-12-31x", 0, &d), -1);
}

/* ---- getters and set/unset ---- */

static void
get_set_unset(void **state)
{
	struct conf *c = conf_new();
	struct bs_error err = { 0 };
	(void)state;

	assert_non_null(c);
	assert_string_equal(conf_get(c, "alleo.mode"), "off");
	assert_int_equal(conf_is_set(c, "alleo.mode"), 0);
	assert_null(conf_get(c, "alleo.scim_url"));
	assert_null(conf_get(c, "tls.ca_file"));	/* "(system)" is only documentation */
	assert_int_equal(conf_get_bool(c, "assembled.allow_conflicts"), 1);
	assert_int_equal(conf_get_int(c, "timeoff.poll_minutes"), 5);
	assert_true(conf_get_number(c, "guard.min_source_ratio") == 0.8);

	assert_int_equal(conf_set(c, "assembled.enabled", "yes", &err), BS_OK);
	assert_string_equal(conf_get(c, "assembled.enabled"), "yes");	/* stored as given */
	assert_int_equal(conf_get_bool(c, "assembled.enabled"), 1);
	assert_int_equal(conf_set(c, "assembled.allow_conflicts", "Off", &err), BS_OK);
	assert_int_equal(conf_get_bool(c, "assembled.allow_conflicts"), 0);
	assert_int_equal(conf_set(c, "guard.max_removals", "25", &err), BS_OK);
	assert_int_equal(conf_get_int(c, "guard.max_removals"), 25);
	assert_int_equal(conf_is_set(c, "guard.max_removals"), 1);
	/* a value equal to the default is still set explicitly */
	assert_int_equal(conf_set(c, "alleo.mode", "off", &err), BS_OK);
	assert_int_equal(conf_is_set(c, "alleo.mode"), 1);

	/* a bad value changes nothing and says why, with the key */
	assert_int_equal(conf_set(c, "guard.max_removals", "many", &err), BS_ERR_CONFIG);
	assert_string_equal(err.detail, "guard.max_removals: must be a whole number from 0 to 1000000");
	assert_int_equal(conf_get_int(c, "guard.max_removals"), 25);
	assert_int_equal(conf_set(c, "guard.max_removal", "5", &err), BS_ERR_CONFIG);
	assert_string_equal(err.detail,
	    "unknown setting 'guard.max_removal'; did you mean 'guard.max_removals'?");
	assert_int_equal(conf_set(c, NULL, "5", &err), BS_ERR_INVALID);
	assert_int_equal(conf_set(c, "guard.max_removals", NULL, &err), BS_ERR_INVALID);

	assert_int_equal(conf_unset(c, "guard.max_removals", &err), BS_OK);
	assert_int_equal(conf_is_set(c, "guard.max_removals"), 0);
	assert_int_equal(conf_get_int(c, "guard.max_removals"), 3);
	assert_int_equal(conf_unset(c, "guard.max_removals", &err), BS_OK);	/* again: fine */
	assert_int_equal(conf_unset(c, "nope.nothing_like_it", &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "unknown setting 'nope.nothing_like_it'; "
	    "'bobsync config list'"));
	conf_free(&c);
	assert_null(c);
}

/* ---- parsing ---- */

static void
parse_degenerate(void **state)
{
	struct conf *c = conf_new();
	struct bs_error err = { 0 };
	(void)state;

	assert_int_equal(conf_parse(NULL, "", 0, "x", &err), BS_ERR_INVALID);
	assert_int_equal(conf_parse(c, NULL, 0, "x", &err), BS_OK);
	assert_int_equal(conf_parse(c, "", 0, NULL, &err), BS_OK);
	assert_int_equal(parse(c, "\n\n   \n# only comments\n\t# indented\n", &err), BS_OK);
	assert_string_equal(conf_get(c, "alleo.mode"), "off");
	conf_free(&c);
}

static void
parse_values(void **state)
{
	struct conf *c = conf_new();
	struct bs_error err = { 0 };
	const char *text =
	    "\xef\xbb\xbf# settings\r\n"
	    "alleo.mode = csv\r\n"
	    "  guard.max_removals=7   # more than usual\n"
	    "alleo.csv_target=/srv/alleo/\n"
	    "assembled.timeoff_type = \"  Time Off # really  \"   # kept spaces and #\n"
	    "alert.command = notify \"a # b\" --flag # comment\n"
	    "assembled.schedule_id = abc#def\n"
	    "hibob.eligibility_field = \"say \\\"yes\\\" \\\\ no\"\n"
	    "assembled.policy_map =\n"
	    "hibob.site_timezones = \"\"";
	(void)state;

	assert_int_equal(parse(c, text, &err), BS_OK);
	assert_string_equal(conf_get(c, "alleo.mode"), "csv");
	assert_int_equal(conf_get_int(c, "guard.max_removals"), 7);
	assert_string_equal(conf_get(c, "alleo.csv_target"), "/srv/alleo/");
	assert_string_equal(conf_get(c, "assembled.timeoff_type"), "  Time Off # really  ");
	assert_string_equal(conf_get(c, "alert.command"), "notify \"a # b\" --flag");
	assert_string_equal(conf_get(c, "assembled.schedule_id"), "abc#def");
	assert_string_equal(conf_get(c, "hibob.eligibility_field"), "say \"yes\" \\ no");
	assert_string_equal(conf_get(c, "assembled.policy_map"), "");
	assert_int_equal(conf_is_set(c, "assembled.policy_map"), 1);
	assert_string_equal(conf_get(c, "hibob.site_timezones"), "");
	assert_int_equal(conf_is_set(c, "timeoff.poll_minutes"), 0);
	conf_free(&c);
}

static void
parse_errors_name_file_line_key(void **state)
{
	struct conf *c = conf_new();
	struct bs_error err = { 0 };
	char *big;
	(void)state;

	assert_int_equal(parse(c, "# x\nguard.max_removal = 5\n", &err), BS_ERR_CONFIG);
	assert_string_equal(err.detail,
	    "test.conf:2: unknown setting 'guard.max_removal'; did you mean 'guard.max_removals'?");
	assert_int_equal(bs_exit_code(err.rc), 2);

	assert_int_equal(parse(c, "Alleo.Mode = csv\n", &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "did you mean 'alleo.mode'?"));

	assert_int_equal(parse(c, "completely.unrelated = 1\n", &err), BS_ERR_CONFIG);
	assert_string_equal(err.detail, "test.conf:1: unknown setting 'completely.unrelated'; "
	    "'bobsync config list' shows every setting");

	assert_int_equal(parse(c, "\n\ntimeoff.poll_minutes = 0\n", &err), BS_ERR_CONFIG);
	assert_string_equal(err.detail,
	    "test.conf:3: timeoff.poll_minutes: must be a whole number from 1 to 60");

	assert_int_equal(parse(c, "alleo.mode csv\n", &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "test.conf:1: alleo.mode csv: no '='"));
	assert_non_null(strstr(err.detail, "key = value"));

	assert_int_equal(parse(c, " = csv\n", &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "test.conf:1: a value without a key"));

	assert_int_equal(parse(c, "alleo.mode = csv\n# again\nalleo.mode = scim\n", &err),
	    BS_ERR_CONFIG);
	assert_string_equal(err.detail,
	    "test.conf:3: alleo.mode: set twice (first on line 1); keep one of the lines");

	assert_int_equal(parse(c, "alert.command = say \"hi\n", &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "test.conf:1: alert.command: unterminated quote"));

	assert_int_equal(parse(c, "alleo.mode = c\x01sv\n", &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "test.conf:1: alleo.mode: contains control"));

	/* an unknown key with control characters is shown safely */
	assert_int_equal(parse(c, "bad\x1b[31mkey = 1\n", &err), BS_ERR_CONFIG);
	assert_null(strchr(err.detail, '\x1b'));

	big = xmalloc(20000);
	memset(big, 'x', 19999);
	big[19999] = '\0';
	memcpy(big, "# ", 2);
	assert_int_equal(parse(c, big, &err), BS_ERR_CONFIG);
	assert_string_equal(err.detail, "test.conf:1: line longer than 16384 bytes");
	free(big);

	assert_int_equal(conf_parse(c, "a\0b = 1\n", 8, "test.conf", &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "test.conf:1: contains a NUL byte"));

	big = xmalloc(1024 * 1024 + 2);
	memset(big, '\n', 1024 * 1024 + 1);
	big[1024 * 1024 + 1] = '\0';
	assert_int_equal(parse(c, big, &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "larger than 1 MiB"));
	free(big);
	conf_free(&c);
}

static void
parse_failure_changes_nothing(void **state)
{
	struct conf *c = conf_new();
	struct bs_error err = { 0 };
	(void)state;

	assert_int_equal(parse(c, "alleo.mode = scim\n", &err), BS_OK);
	assert_int_equal(parse(c, "alleo.mode = csv\nguard.max_removals = x\n", &err),
	    BS_ERR_CONFIG);
	assert_string_equal(conf_get(c, "alleo.mode"), "scim");
	/* a good parse replaces everything, so a removed line means the default */
	assert_int_equal(parse(c, "guard.max_removals = 9\n", &err), BS_OK);
	assert_string_equal(conf_get(c, "alleo.mode"), "off");
	assert_int_equal(conf_get_int(c, "guard.max_removals"), 9);
	conf_free(&c);
}

static void
parse_arbitrary_bytes(void **state)
{
	struct conf *c = conf_new();
	struct bs_error err = { 0 };
	static const char *const pieces[] = { "alleo.mode", "=", " ", "\"", "#", "\n", "\\",
		"csv", "guard.max_removals", "7", "\r", "\xff", "\xc3", ",", "a=b",
		"assembled.policy_map", "alert.command", "\t" };
	unsigned seed = 12345;
	(void)state;

	for (int round = 0; round < 3000; round++) {
		char buf[256];
		size_t len = 0;
		int n = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 24;
		for (int i = 0; i < n && len < sizeof buf - 32; i++) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 4 == 0) {
				buf[len++] = (char)(seed >> 8);	/* any byte, NUL too */
			} else {
				const char *p = pieces[(seed >> 16) % ARRAY_LEN(pieces)];
				memcpy(buf + len, p, strlen(p));
				len += strlen(p);
			}
		}
		conf_parse(c, buf, len, "fuzz", &err);
		{
			int usable;
			struct conf *d = conf_new();
			char *text;
			conf_parse_lenient(d, buf, len, "fuzz", &usable, &err);
			text = conf_format(d);
			assert_non_null(text);
			free(text);
			conf_free(&d);
		}
	}
	conf_free(&c);
}

/* ---- writing ---- */

static void
format_new_file(void **state)
{
	struct conf *c = conf_new();
	struct conf *back = conf_new();
	struct bs_error err = { 0 };
	char *text;
	(void)state;

	text = conf_format(NULL);
	assert_string_equal(text, "");
	free(text);
	text = conf_format(c);
	assert_string_equal(text, "# bobsync settings: 'bobsync config list' shows them all with help.\n");
	free(text);
	assert_int_equal(conf_set(c, "guard.max_removals", "5", &err), BS_OK);
	assert_int_equal(conf_set(c, "alleo.mode", "csv", &err), BS_OK);
	text = conf_format(c);
	/* in table order, not in the order they were set */
	assert_string_equal(text, "# bobsync settings: 'bobsync config list' shows them all with help.\n"
	    "alleo.mode = csv\n"
	    "guard.max_removals = 5\n");
	assert_int_equal(parse(back, text, &err), BS_OK);
	assert_string_equal(conf_get(back, "alleo.mode"), "csv");
	free(text);
	conf_free(&back);
	conf_free(&c);
}

static void
format_quotes_what_needs_it(void **state)
{
	static const char *const values[] = { "plain", "  leading", "trailing  ", "a # b",
		"#start", "\"quoted\"", "say \"hi\"", "back\\slash", "odd \" quote", "",
		"x \"a # b\" y", "\"a\" # b", "\\\"", "tab-free #", "ends with \\" };
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(values); i++) {
		struct conf *c = conf_new(), *back = conf_new();
		struct bs_error err = { 0 };
		char *text;

		assert_int_equal(conf_set(c, "alert.command", values[i], &err), BS_OK);
		text = conf_format(c);
		if (parse(back, text, &err) != BS_OK)
			fail_msg("value [%s] written as [%s] does not read back: %s", values[i], text,
			    err.detail);
		if (strcmp(conf_get(back, "alert.command"), values[i]) != 0)
			fail_msg("value [%s] read back as [%s]", values[i],
			    conf_get(back, "alert.command"));
		free(text);
		conf_free(&c);
		conf_free(&back);
	}
}

static void
save_keeps_comments_and_order(void **state)
{
	struct fixture *f = *state;
	struct conf *c = conf_new();
	struct bs_error err = { 0 };
	char *text;
	const char *orig =
	    "# Company settings\n"
	    "\n"
	    "guard.max_removals = 7   # agreed with HR\n"
	    "alleo.mode=csv\n"
	    "   # indented note\n"
	    "alleo.csv_target = /srv/alleo/ # the share\n"
	    "timeoff.poll_minutes = 5\n"
	    "# trailing comment";
	(void)state;

	write_file(f->path, orig, 0600);
	assert_int_equal(conf_load(c, f->path, &err), BS_OK);
	/* nothing changed: written back byte for byte (plus the final newline) */
	text = conf_format(c);
	assert_int_equal(strncmp(text, orig, strlen(orig)), 0);
	assert_string_equal(text + strlen(orig), "\n");
	free(text);

	assert_int_equal(conf_set(c, "guard.max_removals", "12", &err), BS_OK);
	assert_int_equal(conf_unset(c, "alleo.csv_target", &err), BS_OK);
	assert_int_equal(conf_unset(c, "timeoff.lookback_days", &err), BS_OK);	/* not there */
	assert_int_equal(conf_set(c, "log.level", "debug", &err), BS_OK);
	assert_int_equal(conf_set(c, "alleo.mode", "scim", &err), BS_OK);
	assert_int_equal(conf_save(c, f->path, &err), BS_OK);
	text = read_all(f->path);
	assert_string_equal(text,
	    "# Company settings\n"
	    "\n"
	    "guard.max_removals = 12 # agreed with HR\n"
	    "alleo.mode = scim\n"
	    "   # indented note\n"
	    "# the share\n"
	    "timeoff.poll_minutes = 5\n"
	    "# trailing comment\n"
	    "log.level = debug\n");
	free(text);
	conf_free(&c);
}

static void
save_is_private_and_atomic(void **state)
{
	struct fixture *f = *state;
	struct conf *c = conf_new();
	struct bs_error err = { 0 };
	struct stat before, after;
	char copy[160], *text;
	mode_t old;
	(void)state;

	write_file(f->path, "alleo.mode = csv\n", 0644);
	snprintf(copy, sizeof copy, "%s/old-copy", f->dir);
	assert_int_equal(link(f->path, copy), 0);
	assert_int_equal(stat(f->path, &before), 0);

	assert_int_equal(conf_load(c, f->path, &err), BS_OK);
	assert_int_equal(conf_set(c, "alleo.mode", "scim", &err), BS_OK);
	old = umask(0);		/* a careless umask must not matter */
	assert_int_equal(conf_save(c, f->path, &err), BS_OK);
	umask(old);

	assert_int_equal(stat(f->path, &after), 0);
	assert_int_equal(after.st_mode & 0777, 0600);
	/* a new file took the name: the old one was never written in place */
	assert_true(before.st_ino != after.st_ino);
	text = read_all(copy);
	assert_string_equal(text, "alleo.mode = csv\n");
	free(text);
	text = read_all(f->path);
	assert_string_equal(text, "alleo.mode = scim\n");
	free(text);
	/* no temporary file is left behind */
	assert_int_equal(count_dir_entries(f->dir), 2);
	conf_free(&c);
}

static void
save_failure_keeps_old_file(void **state)
{
	struct fixture *f = *state;
	struct conf *c = conf_new();
	struct bs_error err = { 0 };
	char *text;

	assert_int_equal(conf_save(NULL, f->path, &err), BS_ERR_INVALID);
	assert_int_equal(conf_save(c, NULL, &err), BS_ERR_INVALID);
	write_file(f->path, "alleo.mode = csv\n", 0600);
	assert_int_equal(conf_set(c, "alleo.mode", "scim", &err), BS_OK);
	if (geteuid() != 0) {	/* root writes anywhere */
		assert_int_equal(chmod(f->dir, 0500), 0);
		assert_int_equal(conf_save(c, f->path, &err), BS_ERR_IO);
		assert_int_equal(chmod(f->dir, 0700), 0);
		text = read_all(f->path);
		assert_string_equal(text, "alleo.mode = csv\n");
		free(text);
		assert_int_equal(count_dir_entries(f->dir), 1);
	}
	assert_int_equal(conf_save(c, "/nonexistent-bobsync/bobsync.conf", &err), BS_ERR_IO);
	conf_free(&c);
}

static void
round_trip_set_unset_save_load(void **state)
{
	struct fixture *f = *state;
	struct conf *c = conf_new(), *d = conf_new();
	struct bs_error err = { 0 };
	size_t n;
	const struct conf_option *t = conf_options(&n);

	/* every setting set to its default (or something valid) survives */
	for (size_t i = 0; i < n; i++) {
		const char *v = t[i].def;
		if (v == NULL) {
			switch (t[i].type) {
			case CONF_URL: v = "https://scim.example.com/v2"; break;
			case CONF_PATH: v = "/etc/bobsync/key"; break;
			case CONF_TARGET: v = "sftp://sftp.example.com:2222/in/"; break;
			case CONF_PAIRS: v = "Holiday=Vacation,Sick=Sick Leave"; break;
			default: v = "some text # with a hash"; break;
			}
		}
		assert_int_equal(conf_set(c, t[i].key, v, &err), BS_OK);
	}
	assert_int_equal(conf_save(c, f->path, &err), BS_OK);
	assert_int_equal(conf_load(d, f->path, &err), BS_OK);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(conf_is_set(d, t[i].key), 1);
		assert_string_equal(conf_get(d, t[i].key), conf_get(c, t[i].key));
	}
	/* unset and save again: the line is gone, the default is back */
	assert_int_equal(conf_unset(d, "guard.max_removals", &err), BS_OK);
	assert_int_equal(conf_save(d, f->path, &err), BS_OK);
	conf_free(&c);
	c = conf_new();
	assert_int_equal(conf_load(c, f->path, &err), BS_OK);
	assert_int_equal(conf_is_set(c, "guard.max_removals"), 0);
	assert_int_equal(conf_get_int(c, "guard.max_removals"), 3);
	assert_int_equal(conf_is_set(c, "alleo.mode"), 1);
	conf_free(&c);
	conf_free(&d);
}

/* ---- loading ---- */

static void
load_missing_and_refused_files(void **state)
{
	struct fixture *f = *state;
	struct conf *c = conf_new();
	struct bs_error err = { 0 };

	assert_int_equal(conf_load(NULL, f->path, &err), BS_ERR_INVALID);
	assert_int_equal(conf_load(c, NULL, &err), BS_ERR_INVALID);
	/* no file: the defaults */
	assert_int_equal(conf_set(c, "alleo.mode", "csv", &err), BS_OK);
	assert_int_equal(conf_load(c, f->path, &err), BS_OK);
	assert_string_equal(conf_get(c, "alleo.mode"), "off");

	/* a file others may change could run any alert.command: refused */
	write_file(f->path, "alert.command = /tmp/evil\n", 0666);
	assert_int_equal(conf_load(c, f->path, &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "chmod 600"));
	assert_null(conf_get(c, "alert.command"));
	write_file(f->path, "alert.command = /usr/bin/true\n", 0644);
	assert_int_equal(conf_load(c, f->path, &err), BS_OK);
	assert_string_equal(conf_get(c, "alert.command"), "/usr/bin/true");

	/* errors carry the path */
	write_file(f->path, "alleo.mode = maybe\n", 0600);
	assert_int_equal(conf_load(c, f->path, &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, f->path));
	assert_non_null(strstr(err.detail, ":1: alleo.mode: must be one of"));

	/* a folder is not a settings file */
	assert_int_equal(conf_load(c, f->dir, &err), BS_ERR_CONFIG);
	conf_free(&c);
}

static void
lenient_repair(void **state)
{
	struct fixture *f = *state;
	struct conf *c = conf_new();
	struct bs_error err = { 0 };
	int usable = -1;
	char *text;

	write_file(f->path,
	    "# mine\n"
	    "alleo.mode = csv\n"
	    "guard.max_removals = lots # typo\n"
	    "guard.max_removal = 4\n"
	    "timeoff.poll_minutes = 0\n", 0600);
	assert_int_equal(conf_load(c, f->path, &err), BS_ERR_CONFIG);
	/* repair mode reads it all and reports the first problem */
	assert_int_equal(conf_load_lenient(c, f->path, &usable, &err), BS_ERR_CONFIG);
	assert_int_equal(usable, 1);
	assert_non_null(strstr(err.detail, ":3: guard.max_removals:"));
	assert_string_equal(conf_get(c, "alleo.mode"), "csv");
	assert_int_equal(conf_is_set(c, "guard.max_removals"), 0);

	assert_int_equal(conf_set(c, "guard.max_removals", "10", &err), BS_OK);
	assert_int_equal(conf_drop_lines(c, "guard.max_removal"), 1);
	assert_int_equal(conf_drop_lines(c, "alleo.mode"), 0);	/* known keys: use unset */
	assert_int_equal(conf_save(c, f->path, &err), BS_OK);
	text = read_all(f->path);
	assert_string_equal(text,
	    "# mine\n"
	    "alleo.mode = csv\n"
	    "guard.max_removals = 10 # typo\n"
	    "timeoff.poll_minutes = 0\n");	/* other broken lines untouched */
	free(text);
	assert_int_equal(conf_load(c, f->path, &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, ":4: timeoff.poll_minutes:"));

	/* text that cannot be kept whole is not usable for repair */
	usable = -1;
	assert_int_equal(conf_parse_lenient(c, "alleo.mode = csv\n\0x\n", 20, "t", &usable, &err),
	    BS_ERR_CONFIG);
	assert_int_equal(usable, 0);
	assert_int_equal(conf_parse_lenient(c, "alleo.mode = scim\n", 18, "t", &usable, &err),
	    BS_OK);
	assert_int_equal(usable, 1);
	assert_string_equal(conf_get(c, "alleo.mode"), "scim");
	conf_free(&c);
}

/* Entry-time checks: a sync-until date in the past is refused (nothing
 * would sync), today and later are taken, other keys pass through. */
static void
entry_sync_until_past(void **state)
{
	struct bs_error err = { 0 };
	int64_t now = days_from_civil(2026, 12, 6) * 86400 + 3600;

	(void)state;
	assert_int_equal(conf_check_entry("timeoff.sync_until", "2026-12-05", now, &err),
	    BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "nothing would sync"));
	assert_int_equal(conf_check_entry("timeoff.sync_until", "2026-12-06", now, &err), BS_OK);
	assert_int_equal(conf_check_entry("timeoff.sync_until", "+0d", now, &err), BS_OK);
	assert_int_equal(conf_check_entry("timeoff.sync_until", "2027-01-01", now, &err), BS_OK);
	assert_int_equal(conf_check_entry("timeoff.lookback_days", "0", now, &err), BS_OK);
}

/* ---- conf_update: the one way to change a setting ---- */

/* One key into the file as it is on disk now: comments, order, lines the
 * caller never read and a line with a problem all stay. */
static void
update_writes_one_key(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct conf *c = conf_new();
	unsigned long g;
	char *text;

	write_file(f->path, "# mine\nlog.level = info # keep\n", 0600);
	assert_int_equal(conf_load(c, f->path, &err), BS_OK);
	/* changed behind the caller's back, with a line that has a problem */
	write_file(f->path, "# mine\nlog.level = info # keep\nalleo.mode = scim\n"
	    "guard.max_removals = many\n", 0600);
	g = conf_generation(c);
	assert_int_equal(conf_update(c, f->path, "alleo.prestart_days", "5", &err), BS_OK);
	assert_string_equal(conf_get(c, "alleo.prestart_days"), "5");
	assert_true(conf_generation(c) != g);
	text = read_all(f->path);
	assert_string_equal(text, "# mine\nlog.level = info # keep\nalleo.mode = scim\n"
	    "guard.max_removals = many\nalleo.prestart_days = 5\n");
	free(text);
	/* NULL: back to the default, its line gone */
	assert_int_equal(conf_update(c, f->path, "log.level", NULL, &err), BS_OK);
	assert_false(conf_is_set(c, "log.level"));
	assert_string_equal(conf_get(c, "log.level"), "warning");
	text = read_all(f->path);
	assert_null(strstr(text, "log.level"));
	assert_non_null(strstr(text, "# keep"));
	free(text);
	conf_free(&c);
}

/* A refused value changes nothing, in memory or on disk, and the error
 * names the key (the CLI prints it as it is). */
static void
update_refuses_bad_values(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct conf *c = conf_new();
	unsigned long g = conf_generation(c);

	assert_int_equal(conf_update(c, f->path, "alleo.prestart_days", "400", &err),
	    BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "alleo.prestart_days: "));
	assert_int_equal(conf_update(c, f->path, "timeoff.sync_until", "2001-01-01", &err),
	    BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "timeoff.sync_until: "));
	assert_non_null(strstr(err.detail, "in the past"));
	assert_int_not_equal(conf_update(c, f->path, "no.such_key", "1", &err), BS_OK);
	assert_int_not_equal(conf_update(NULL, f->path, "log.level", "info", &err), BS_OK);
	assert_int_not_equal(conf_update(c, NULL, "log.level", "info", &err), BS_OK);
	assert_false(conf_is_set(c, "alleo.prestart_days"));
	assert_int_equal(conf_generation(c), g);
	assert_int_not_equal(access(f->path, F_OK), 0);
	conf_free(&c);
}

/* A save that fails (the folder is gone; root writes into read-only
 * folders, so a missing one is what fails for everyone) puts the value in
 * memory back as it was: set, unset, or at its default. */
static void
update_rolls_back_failed_save(void **state)
{
	struct fixture *f = *state;
	struct bs_error err = { 0 };
	struct conf *c = conf_new();
	char gone[256];

	snprintf(gone, sizeof gone, "%s/missing/bobsync.conf", f->dir);
	assert_int_equal(conf_set(c, "log.level", "info", &err), BS_OK);
	assert_int_not_equal(conf_update(c, gone, "log.level", "debug", &err), BS_OK);
	assert_true(err.detail[0] != '\0');
	assert_string_equal(conf_get(c, "log.level"), "info");
	assert_int_not_equal(conf_update(c, gone, "log.level", NULL, &err), BS_OK);
	assert_true(conf_is_set(c, "log.level"));
	assert_string_equal(conf_get(c, "log.level"), "info");
	assert_int_not_equal(conf_update(c, gone, "alleo.mode", "csv", &err), BS_OK);
	assert_false(conf_is_set(c, "alleo.mode"));
	assert_string_equal(conf_get(c, "alleo.mode"), "off");
	/* a file that cannot be read back is not overwritten */
	write_file(f->path, "log.level = info\n", 0600);
	{
		FILE *fp = fopen(f->path, "a");	/* a NUL byte: not readable to the end */
		assert_non_null(fp);
		fputs("x = \n", fp);
		fputc('\0', fp);
		fclose(fp);
	}
	assert_int_not_equal(conf_update(c, f->path, "log.level", "debug", &err), BS_OK);
	assert_string_equal(conf_get(c, "log.level"), "info");
	conf_free(&c);
}

/* The generation moves on every change of a value, and only then. */
static void
generation_counts_changes(void **state)
{
	struct conf *c = conf_new();
	struct bs_error err = { 0 };
	unsigned long g;

	(void)state;
	assert_int_equal(conf_generation(NULL), 0);
	g = conf_generation(c);
	assert_int_equal(conf_set(c, "log.level", "info", &err), BS_OK);
	assert_true(conf_generation(c) != g);
	g = conf_generation(c);
	assert_int_equal(conf_set(c, "log.level", "info", &err), BS_OK);
	assert_int_equal(conf_generation(c), g);	/* the same value */
	assert_int_not_equal(conf_set(c, "log.level", "loud", &err), BS_OK);
	assert_int_equal(conf_generation(c), g);	/* refused */
	assert_int_equal(conf_unset(c, "alleo.mode", &err), BS_OK);
	assert_int_equal(conf_generation(c), g);	/* was not set */
	assert_int_equal(conf_unset(c, "log.level", &err), BS_OK);
	assert_true(conf_generation(c) != g);
	g = conf_generation(c);
	assert_int_equal(conf_parse(c, "log.level = debug\n", 18, "t", &err), BS_OK);
	assert_true(conf_generation(c) != g);
	conf_free(&c);
}

/* The session's clients are made again when a setting or a secret changed
 * since they were made, and kept while nothing did. */
static void
session_follows_generations(void **state)
{
	struct fixture *f = *state;
	struct conf *c = conf_new();
	struct vault *v = NULL;
	struct vault_unlock how = { "a passphrase for tests", NULL };
	struct bs_error err = { 0 };
	struct bs_session s;
	struct bob_client *bob, *again;
	char vpath[256];
	const enum vault_key k = VAULT_HIBOB_TOKEN;
	const char *tok = "token-two";

	setenv("BOBSYNC_KDF", "min", 1);
	snprintf(vpath, sizeof vpath, "%s/vault", f->dir);
	assert_int_equal(vault_create(vpath, &how, &v, &err), BS_OK);
	assert_int_equal(vault_set(v, VAULT_HIBOB_ID, "SU-1", 0, &err), BS_OK);
	assert_int_equal(vault_set(v, VAULT_HIBOB_TOKEN, "token-one", 0, &err), BS_OK);
	session_init(&s, c, v, NULL, NULL);
	assert_int_equal(session_bob(&s, &bob, &err), BS_OK);
	assert_int_equal(session_bob(&s, &again, &err), BS_OK);
	assert_ptr_equal(bob, again);		/* nothing changed: kept */
	assert_int_equal(s.conf_gen, conf_generation(c));
	assert_int_equal(conf_set(c, "http.timeout_seconds", "30", &err), BS_OK);
	assert_true(s.conf_gen != conf_generation(c));
	assert_int_equal(session_bob(&s, &bob, &err), BS_OK);
	assert_int_equal(s.conf_gen, conf_generation(c));	/* made again */
	assert_int_equal(vault_store(v, &k, &tok, 1, 0, &err), BS_OK);
	assert_true(s.vault_gen != vault_generation(v));
	assert_int_equal(session_bob(&s, &bob, &err), BS_OK);
	assert_int_equal(s.vault_gen, vault_generation(v));
	/* a secret taken away is seen at once: no client without it */
	tok = NULL;
	assert_int_equal(vault_store(v, &k, &tok, 1, 0, &err), BS_OK);
	assert_int_equal(session_bob(&s, &bob, &err), BS_ERR_NOT_CONFIGURED);
	session_close(&s);
	vault_close(&v);
	conf_free(&c);
}

/* The console's forms name settings by their label; an ENUM's choices
 * come one by one from the table. */
static void
labels_and_choices(void **state)
{
	const struct conf_option *mode = conf_find("alleo.mode");
	char buf[16];

	(void)state;
	assert_string_equal(conf_label(conf_find("alleo.scim_url")), "SCIM address");
	assert_string_equal(conf_label(conf_find("timeoff.sync_until")), "Sync until");
	assert_string_equal(conf_label(conf_find("log.level")), "log.level");	/* no label */
	assert_string_equal(conf_label(NULL), "");
	assert_string_equal(conf_choice(mode, 0, buf, sizeof buf), "off");
	assert_string_equal(conf_choice(mode, 2, buf, sizeof buf), "scim");
	assert_string_equal(conf_choice(mode, 3, buf, sizeof buf), "csv");
	assert_string_equal(conf_choice(mode, 4, buf, sizeof buf), "");
	assert_string_equal(conf_choice(mode, -1, buf, sizeof buf), "");
	assert_string_equal(conf_choice(conf_find("log.level"), 0, buf, sizeof buf), "");
	assert_string_equal(conf_choice(mode, 1, buf, 3), "pu");	/* cut to the buffer */
}

#define T(fn) cmocka_unit_test(fn)
#define TF(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(table_degenerate),
		T(entry_sync_until_past),
		T(table_has_every_cli_md_key),
		T(table_extra_keys),
		T(table_is_consistent),
		T(check_degenerate),
		T(check_bool),
		T(check_int),
		T(check_number),
		T(check_enum_and_level),
		T(check_url),
		T(check_time),
		T(check_date_spec),
		T(check_timezone),
		T(check_path_and_target),
		T(check_pairs),
		T(check_special_settings),
		T(pairs_each),
		T(date_spec_resolve),
		T(get_set_unset),
		T(parse_degenerate),
		T(parse_values),
		T(parse_errors_name_file_line_key),
		T(parse_failure_changes_nothing),
		T(parse_arbitrary_bytes),
		T(format_new_file),
		T(format_quotes_what_needs_it),
		TF(save_keeps_comments_and_order),
		TF(save_is_private_and_atomic),
		TF(save_failure_keeps_old_file),
		TF(round_trip_set_unset_save_load),
		TF(load_missing_and_refused_files),
		TF(lenient_repair),
		TF(update_writes_one_key),
		TF(update_refuses_bad_values),
		TF(update_rolls_back_failed_save),
		T(generation_counts_changes),
		TF(session_follows_generations),
		T(labels_and_choices),
	};

	unsetenv("TZDIR");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
