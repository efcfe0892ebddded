/* test_alleo_csv.c - Alleo's CSV file: formatting, the pickup pattern, the
 * atomic local write, and SFTP uploads to a real OpenSSH server on loopback.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include "vendor/alleo_csv.h"
#include "config/conf.h"
#include "helper_server.h"
#include "base/util.h"

/* Alleo's default import column names (targets-api.md B.5/B.6) */
#define HEADER "Email,First name,Last name,Onboarding date,Offboarding date,external_id"

/* ---- alleo_csv_format ---- */

static void
format_no_rows_is_header_only(void **state)
{
	size_t len = 0;
	char *s;

	(void)state;
	s = alleo_csv_format(NULL, 0, NULL, 0, &len);
	assert_string_equal(s, HEADER "\r\n");
	assert_int_equal(len, strlen(HEADER) + 2);
	free(s);
}

static void
format_row_with_empty_cells(void **state)
{
	struct alleo_csv_row r = { "ann@example.com", "Ann", "Lee", "2026-01-05", NULL, "101",
	    NULL };
	char *s;

	(void)state;
	s = alleo_csv_format(NULL, 0, &r, 1, NULL);
	assert_string_equal(s, HEADER "\r\nann@example.com,Ann,Lee,2026-01-05,,101\r\n");
	free(s);
}

static void
format_quotes_commas_quotes_and_newlines(void **state)
{
	struct alleo_csv_row r = { "o'neil@example.com", "Mary, Jr.", "O\"Neil", NULL, NULL, "7",
	    NULL };
	struct alleo_csv_row r2 = { "x@example.com", " padded", "two\nlines", NULL, NULL, "8",
	    NULL };
	struct alleo_csv_row rows[2];
	char *s;

	(void)state;
	rows[0] = r;
	rows[1] = r2;
	s = alleo_csv_format(NULL, 0, rows, 2, NULL);
	assert_non_null(strstr(s, "\r\no'neil@example.com,\"Mary, Jr.\",\"O\"\"Neil\",,,7\r\n"));
	assert_non_null(strstr(s, "\r\nx@example.com,\" padded\",\"two\nlines\",,,8\r\n"));
	free(s);
}

static void
format_keeps_non_ascii_names_as_utf8(void **state)
{
	struct alleo_csv_row r = { "zoe@example.com", "Zo\xc3\xab",
	    "\xc5\x81ukasiewicz-\xc3\x98sterg\xc3\xa5rd", "2026-03-01", "2026-10-31", "55", NULL };
	char *s;

	(void)state;
	s = alleo_csv_format(NULL, 0, &r, 1, NULL);
	assert_non_null(strstr(s, "zoe@example.com,Zo\xc3\xab,\xc5\x81ukasiewicz-\xc3\x98sterg"
	    "\xc3\xa5rd,2026-03-01,2026-10-31,55\r\n"));
	/* no byte order mark */
	assert_int_equal(s[0], 'E');
	free(s);
}

static void
format_budget_columns_in_order_with_dot_decimals(void **state)
{
	const char *names[] = { "alleo_monthly_all_budget", "alleo_oneoff_health_budget" };
	struct alleo_csv_row rows[3] = {
		{ "a@x.nl", "A", "B", NULL, NULL, "1",
		  "{\"alleo_monthly_all_budget\": 150, \"alleo_oneoff_health_budget\": 1234.5}" },
		{ "b@x.nl", "C", "D", NULL, NULL, "2", "{\"alleo_oneoff_health_budget\": 0.005}" },
		{ "c@x.nl", "E", "F", NULL, NULL, "3", NULL },
	};
	char *s;

	(void)state;
	/* a locale with a decimal comma must not leak into the file */
	setlocale(LC_NUMERIC, "de_DE.UTF-8");
	s = alleo_csv_format(names, 2, rows, 3, NULL);
	setlocale(LC_NUMERIC, "C");
	assert_non_null(strstr(s, HEADER ",alleo_monthly_all_budget,alleo_oneoff_health_budget\r\n"));
	assert_non_null(strstr(s, "\r\na@x.nl,A,B,,,1,150.00,1234.50\r\n"));
	assert_non_null(strstr(s, "\r\nb@x.nl,C,D,,,2,,0.01\r\n"));
	assert_non_null(strstr(s, "\r\nc@x.nl,E,F,,,3,,\r\n"));
	free(s);
}

static void
format_negative_and_garbage_budgets(void **state)
{
	const char *names[] = { "alleo_monthly_all_budget" };
	struct alleo_csv_row rows[2] = {
		{ "a@x.nl", "A", "B", NULL, NULL, "1", "{\"alleo_monthly_all_budget\": -12.345}" },
		{ "b@x.nl", "C", "D", NULL, NULL, "2", "not json" },
	};
	char *s;

	(void)state;
	s = alleo_csv_format(names, 1, rows, 2, NULL);
	assert_non_null(strstr(s, "\r\na@x.nl,A,B,,,1,-12.35\r\n"));
	assert_non_null(strstr(s, "\r\nb@x.nl,C,D,,,2,\r\n"));
	free(s);
}

/* ---- the pickup pattern ---- */

static void
pattern_rejects_null_and_temp_names(void **state)
{
	char *tmp;

	(void)state;
	assert_false(alleo_csv_name_matches(NULL));
	assert_false(alleo_csv_name_matches(""));
	assert_true(alleo_csv_name_matches("alleo_employees_current.csv"));
	assert_true(alleo_csv_name_matches("alleo_employees_.csv"));
	assert_false(alleo_csv_name_matches("alleo_employees_current.csv.tmp"));
	assert_false(alleo_csv_name_matches("employees_current.csv"));
	tmp = alleo_csv_temp_name("alleo_employees_current.csv");
	assert_string_equal(tmp, ".alleo_employees_current.csv.tmp");
	assert_false(alleo_csv_name_matches(tmp));
	free(tmp);
	/* util_write_atomic's own temporary name */
	assert_false(alleo_csv_name_matches(".alleo_employees_current.csv.tmp.Ab12Cd"));
}

/* ---- local folder ---- */

static int
count_matching(const char *dir, int *others)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	*others = 0;
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (alleo_csv_name_matches(e->d_name))
			n++;
		else
			(*others)++;
	}
	closedir(d);
	return n;
}

static void
local_write_rejects_bad_input(void **state)
{
	struct bs_error err = { 0 };

	(void)state;
	assert_int_equal(alleo_csv_write_local(NULL, "alleo_employees_a.csv", "x", 1, &err),
	    BS_ERR_INVALID);
	assert_int_equal(alleo_csv_write_local("/tmp", "../x.csv", "x", 1, &err), BS_ERR_INVALID);
	assert_int_equal(alleo_csv_write_local("/nonexistent/bobsync", "alleo_employees_a.csv",
	    "x", 1, &err), BS_ERR_IO);
	assert_non_null(strstr(err.detail, "/nonexistent/bobsync"));
}

static void
local_write_replaces_the_one_file(void **state)
{
	char dir[256], *path, *got = NULL;
	struct bs_error err = { 0 };
	struct stat st;
	size_t len;
	int others;

	(void)state;
	assert_int_equal(test_mkdtemp(dir, sizeof dir), 0);
	assert_int_equal(alleo_csv_write_local(dir, "alleo_employees_current.csv", "one\r\n", 5,
	    &err), BS_OK);
	assert_int_equal(alleo_csv_write_local(dir, "alleo_employees_current.csv", "two\r\n", 5,
	    &err), BS_OK);
	assert_int_equal(count_matching(dir, &others), 1);
	assert_int_equal(others, 0);	/* no temporary file left */
	path = xasprintf("%s/alleo_employees_current.csv", dir);
	assert_int_equal(util_read_file(path, 1024, &got, &len, &err), BS_OK);
	assert_string_equal(got, "two\r\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(got);
	free(path);
	test_rm_rf(dir);
}

static void
deliver_and_check_by_settings(void **state)
{
	struct conf *c = conf_new();
	struct bs_error err = { 0 };
	char dir[256];
	int others;

	(void)state;
	assert_int_equal(alleo_csv_check(c, &err), BS_ERR_NOT_CONFIGURED);
	assert_int_equal(alleo_csv_deliver(c, "x", 1, &err), BS_ERR_NOT_CONFIGURED);
	assert_int_equal(test_mkdtemp(dir, sizeof dir), 0);
	assert_int_equal(conf_set(c, "alleo.csv_target", dir, &err), BS_OK);
	assert_int_equal(alleo_csv_check(c, &err), BS_OK);
	assert_int_equal(count_matching(dir, &others), 0);
	assert_int_equal(others, 0);	/* the check leaves nothing behind */
	assert_int_equal(alleo_csv_deliver(c, "a\r\n", 3, &err), BS_OK);
	assert_int_equal(count_matching(dir, &others), 1);
	test_rm_rf(dir);
	assert_int_equal(alleo_csv_check(c, &err), BS_ERR_IO);
	assert_non_null(strstr(err.detail, "does not exist"));
	conf_free(&c);
}

/* ---- SFTP against a real OpenSSH server ---- */

struct sshd {
	pid_t pid;
	int port;
	char dir[256];
	char key[300], known[300], wrong_known[300], folder[300];
};

static struct sshd sd;

static int
free_port(void)
{
	struct sockaddr_in a;
	socklen_t l = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &l) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static int
run(const char *cmd)
{
	int r = system(cmd);
	return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

static int
port_open(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static int
sshd_setup(void **state)
{
	char cmd[2048], conf[300];
	FILE *f;

	(void)state;
	memset(&sd, 0, sizeof sd);
	if (access("/usr/sbin/sshd", X_OK) != 0 || geteuid() != 0) {
		fprintf(stderr, "sshd tests need root and /usr/sbin/sshd (openssh-server)\n");
		return -1;
	}
	if (test_mkdtemp(sd.dir, sizeof sd.dir) != 0)
		return -1;
	sd.port = free_port();
	snprintf(sd.key, sizeof sd.key, "%s/user_key", sd.dir);
	snprintf(sd.known, sizeof sd.known, "%s/known_hosts", sd.dir);
	snprintf(sd.wrong_known, sizeof sd.wrong_known, "%s/wrong_known_hosts", sd.dir);
	snprintf(sd.folder, sizeof sd.folder, "%s/drop", sd.dir);
	snprintf(conf, sizeof conf, "%s/sshd_config", sd.dir);
	mkdir("/run/sshd", 0755);
	snprintf(cmd, sizeof cmd,
	    "cd '%s' && mkdir drop && "
	    "ssh-keygen -q -t ed25519 -N '' -f host_key && "
	    "ssh-keygen -q -t ed25519 -N '' -f other_host_key && "
	    "ssh-keygen -q -t ecdsa -b 256 -m PEM -N '' -f user_key && "
	    "cp user_key.pub authorized_keys && "
	    "printf '[127.0.0.1]:%d %%s\\n' \"$(cut -d' ' -f1,2 host_key.pub)\" > known_hosts && "
	    "printf '[127.0.0.1]:%d %%s\\n' \"$(cut -d' ' -f1,2 other_host_key.pub)\" > wrong_known_hosts",
	    sd.dir, sd.port, sd.port);
	if (run(cmd) != 0)
		return -1;
	f = fopen(conf, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "ListenAddress 127.0.0.1\nPort %d\nHostKey %s/host_key\n"
	    "AuthorizedKeysFile %s/authorized_keys\nPasswordAuthentication no\n"
	    "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\nStrictModes no\n"
	    "PidFile %s/sshd.pid\nSubsystem sftp internal-sftp\nUsePAM no\nPermitRootLogin yes\n"
	    "LogLevel ERROR\n", sd.port, sd.dir, sd.dir, sd.dir);
	fclose(f);
	sd.pid = fork();
	if (sd.pid == 0) {
		/* bounded lifetime: the server goes even if this test dies */
		char log[300];
		int fd;

		alarm(120);
		snprintf(log, sizeof log, "%s/sshd.log", sd.dir);
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0)
			dup2(fd, 2);
		execl("/usr/sbin/sshd", "/usr/sbin/sshd", "-D", "-e", "-f", conf, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && !port_open(sd.port); i++)
		usleep(50000);
	if (!port_open(sd.port)) {
		fprintf(stderr, "sshd did not start on port %d\n", sd.port);
		return -1;
	}
	return 0;
}

static int
sshd_teardown(void **state)
{
	(void)state;
	if (sd.pid > 0) {
		kill(sd.pid, SIGTERM);
		waitpid(sd.pid, NULL, 0);
		sd.pid = 0;
	}
	if (sd.dir[0])
		test_rm_rf(sd.dir);
	return 0;
}

static char *
folder_url(void)
{
	return xasprintf("sftp://root@127.0.0.1:%d%s/", sd.port, sd.folder);
}

static void
sftp_refuses_missing_settings(void **state)
{
	struct bs_error err = { 0 };
	char *url = folder_url();

	(void)state;
	assert_int_equal(alleo_sftp_upload(url, "alleo_employees_a.csv", sd.key, NULL, "x", 1,
	    &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "known_hosts"));
	assert_int_equal(alleo_sftp_upload(url, "alleo_employees_a.csv", NULL, sd.known, "x", 1,
	    &err), BS_ERR_CONFIG);
	assert_int_equal(alleo_sftp_upload("https://example.com/", "alleo_employees_a.csv",
	    sd.key, sd.known, "x", 1, &err), BS_ERR_CONFIG);
	free(url);
}

/* issue 17 item 12: the SFTP private key is checked like the key file */
static void
sftp_key_mode_and_owner(void **state)
{
	char dir[64], *key, *lnk;
	struct bs_error err = { 0 };
	FILE *f;
	(void)state;

	assert_int_equal(test_mkdtemp(dir, sizeof dir), 0);
	key = xasprintf("%s/id_ed25519", dir);
	lnk = xasprintf("%s/link", dir);
	f = fopen(key, "w");
	assert_non_null(f);
	fputs("not really a key\n", f);
	fclose(f);
	assert_int_equal(chmod(key, 0644), 0);
	assert_int_equal(alleo_sftp_upload("sftp://127.0.0.1:1/x/", "alleo_employees_a.csv", key,
	    key, "x", 1, &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "chmod 600"));
	assert_int_equal(symlink(key, lnk), 0);
	assert_int_equal(chmod(key, 0600), 0);
	assert_int_equal(alleo_sftp_upload("sftp://127.0.0.1:1/x/", "alleo_employees_a.csv", lnk,
	    key, "x", 1, &err), BS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "symbolic link"));
	if (geteuid() == 0) {
		assert_int_equal(chown(key, 54321, 54321), 0);
		assert_int_equal(alleo_sftp_upload("sftp://127.0.0.1:1/x/", "alleo_employees_a.csv",
		    key, key, "x", 1, &err), BS_ERR_CONFIG);
		assert_non_null(strstr(err.detail, "uid 54321"));
	}
	free(key);
	free(lnk);
	test_rm_rf(dir);
}

static void
sftp_upload_twice_leaves_one_file(void **state)
{
	struct bs_error err = { 0 };
	char *url = folder_url(), *path, *got = NULL, *names = NULL;
	size_t len;
	int others;

	(void)state;
	assert_int_equal(alleo_sftp_upload(url, "alleo_employees_current.csv", sd.key, sd.known,
	    "first\r\n", 7, &err), BS_OK);
	assert_int_equal(alleo_sftp_upload(url, "alleo_employees_current.csv", sd.key, sd.known,
	    "second,\xc3\xab\r\n", 11, &err), BS_OK);
	assert_int_equal(count_matching(sd.folder, &others), 1);
	assert_int_equal(others, 0);		/* no temporary file left behind */
	path = xasprintf("%s/alleo_employees_current.csv", sd.folder);
	assert_int_equal(util_read_file(path, 1024, &got, &len, &err), BS_OK);
	assert_string_equal(got, "second,\xc3\xab\r\n");
	assert_int_equal(alleo_sftp_list(url, sd.key, sd.known, &names, &err), BS_OK);
	assert_non_null(strstr(names, "alleo_employees_current.csv"));
	free(names);
	free(got);
	free(path);
	free(url);
}

static void
sftp_refuses_unknown_host_key(void **state)
{
	struct bs_error err = { 0 };
	char *url = folder_url(), *path;
	struct stat st;

	(void)state;
	assert_int_equal(alleo_sftp_upload(url, "alleo_employees_other.csv", sd.key,
	    sd.wrong_known, "x\r\n", 3, &err), BS_ERR_TLS);
	assert_non_null(strstr(err.detail, "host key"));
	path = xasprintf("%s/alleo_employees_other.csv", sd.folder);
	assert_int_not_equal(stat(path, &st), 0);
	assert_int_equal(alleo_sftp_list(url, sd.key, sd.wrong_known, NULL, &err), BS_ERR_TLS);
	free(path);
	free(url);
}

static void
sftp_check_by_settings(void **state)
{
	struct conf *c = conf_new();
	struct bs_error err = { 0 };
	char *url = folder_url(), *bad;

	(void)state;
	assert_int_equal(conf_set(c, "alleo.csv_target", url, &err), BS_OK);
	assert_int_equal(conf_set(c, "alleo.sftp_key", sd.key, &err), BS_OK);
	assert_int_equal(conf_set(c, "alleo.sftp_known_hosts", sd.known, &err), BS_OK);
	assert_int_equal(alleo_csv_check(c, &err), BS_OK);
	bad = xasprintf("sftp://root@127.0.0.1:%d%s/missing/", sd.port, sd.dir);
	assert_int_equal(conf_set(c, "alleo.csv_target", bad, &err), BS_OK);
	assert_int_not_equal(alleo_csv_check(c, &err), BS_OK);
	free(bad);
	free(url);
	conf_free(&c);
}

int
main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(format_no_rows_is_header_only),
		cmocka_unit_test(format_row_with_empty_cells),
		cmocka_unit_test(format_quotes_commas_quotes_and_newlines),
		cmocka_unit_test(format_keeps_non_ascii_names_as_utf8),
		cmocka_unit_test(format_budget_columns_in_order_with_dot_decimals),
		cmocka_unit_test(format_negative_and_garbage_budgets),
		cmocka_unit_test(pattern_rejects_null_and_temp_names),
		cmocka_unit_test(local_write_rejects_bad_input),
		cmocka_unit_test(local_write_replaces_the_one_file),
		cmocka_unit_test(deliver_and_check_by_settings),
	};
	const struct CMUnitTest sftp[] = {
		cmocka_unit_test(sftp_refuses_missing_settings),
		cmocka_unit_test(sftp_key_mode_and_owner),
		cmocka_unit_test(sftp_upload_twice_leaves_one_file),
		cmocka_unit_test(sftp_refuses_unknown_host_key),
		cmocka_unit_test(sftp_check_by_settings),
	};
	int failed;

	failed = cmocka_run_group_tests_name("alleo_csv", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("alleo_sftp", sftp, sshd_setup, sshd_teardown);
	return failed ? 1 : 0;
}
