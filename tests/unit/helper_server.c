/* helper_server.c - Python test servers for unit tests (libc only). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "helper_server.h"

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

const char *
test_repo_root(void)
{
	static char root[PATH_MAX];
	const char *env = getenv("BOBSYNC_SRCDIR");
	char probe[PATH_MAX + 64];

	if (root[0] != '\0')
		return root;
	if (env != NULL && *env != '\0') {
		snprintf(root, sizeof root, "%s", env);
		return root;
	}
	if (getcwd(root, sizeof root) == NULL) {
		root[0] = '\0';
		return NULL;
	}
	for (;;) {
		char *slash;
		snprintf(probe, sizeof probe, "%s/tests/sandbox", root);
		if (file_exists(probe)) {
			snprintf(probe, sizeof probe, "%s/core", root);
			if (file_exists(probe))
				return root;
		}
		slash = strrchr(root, '/');
		if (slash == NULL || slash == root) {
			root[0] = '\0';
			return NULL;
		}
		*slash = '\0';
	}
}

int
test_mkdtemp(char *out, size_t outsz)
{
	if (outsz < sizeof "/tmp/bs-test-XXXXXX")
		return -1;
	snprintf(out, outsz, "/tmp/bs-test-XXXXXX");
	return mkdtemp(out) ? 0 : -1;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void
test_rm_rf(const char *path)
{
	if (path == NULL || path[0] == '\0' || strcmp(path, "/") == 0)
		return;
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
test_count(const char *hay, const char *needle)
{
	int n = 0;
	size_t l;

	if (hay == NULL || needle == NULL || (l = strlen(needle)) == 0)
		return 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + l, needle))
		n++;
	return n;
}

static int
read_port(const char *file)
{
	char buf[32];
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	long v;
	char *end;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	if (end == buf || v <= 0 || v > 65535)
		return -1;
	return (int)v;
}

static int
port_ready(const char *file)
{
	return read_port(file) > 0;
}

static int
nonempty(const char *file)
{
	struct stat st;
	return stat(file, &st) == 0 && st.st_size > 0;
}

/* Run argv (argv[0] the interpreter) as s->pid, dying with the test, and
 * wait up to seconds for ready(ready_file).  0, or -1 with a message. */
static int
spawn_and_wait(struct test_server *s, const char *const *argv, const char *ready_file,
    int (*ready)(const char *), int seconds)
{
	int status;

	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0) {
		perror("test server: fork");
		s->pid = 0;
		return -1;
	}
	if (s->pid == 0) {
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGTERM);	/* die with the test */
#endif
		{	/* its chatter would mix with the test's report */
			int null = open("/dev/null", O_WRONLY);
			if (null >= 0)
				dup2(null, STDOUT_FILENO);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < seconds * 100; i++) {
		if (ready(ready_file))
			return 0;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			fprintf(stderr, "test server: %s exited before it was ready\n", argv[1]);
			s->pid = 0;
			return -1;
		}
		sleep_ms(10);
	}
	fprintf(stderr, "test server: %s was not ready in %d s\n", argv[1], seconds);
	return -1;
}

int
test_server_start(struct test_server *s, const char *script,
    const char *const *extra_args)
{
	char script_path[PATH_MAX + 256], port_file[sizeof s->dir + 16], life[32];
	const char *argv[64];
	const char *root = test_repo_root(), *lt = getenv("TEST_SERVER_LIFETIME");
	size_t argc = 0;

	memset(s, 0, sizeof *s);
	if (script == NULL)
		return -1;
	if (script[0] == '/')
		snprintf(script_path, sizeof script_path, "%s", script);
	else if (root != NULL)
		snprintf(script_path, sizeof script_path, "%s/%s", root, script);
	else {
		fprintf(stderr, "test_server_start: repository root not found "
		    "(set BOBSYNC_SRCDIR)\n");
		return -1;
	}
	if (!file_exists(script_path)) {
		fprintf(stderr, "test_server_start: %s not found\n", script_path);
		return -1;
	}
	if (test_mkdtemp(s->dir, sizeof s->dir) != 0) {
		perror("test_server_start: mkdtemp");
		return -1;
	}
	snprintf(port_file, sizeof port_file, "%s/port", s->dir);
	snprintf(life, sizeof life, "%d", lt && atoi(lt) > 0 ? atoi(lt) : TEST_SERVER_LIFETIME_S);
	argv[argc++] = TEST_PYTHON;
	argv[argc++] = script_path;
	argv[argc++] = "--port-file";
	argv[argc++] = port_file;
	argv[argc++] = "--lifetime";
	argv[argc++] = life;
	for (size_t i = 0; extra_args && extra_args[i] && argc < sizeof argv / sizeof argv[0] - 1; i++)
		argv[argc++] = extra_args[i];
	argv[argc] = NULL;

	if (spawn_and_wait(s, argv, port_file, port_ready, 10) != 0)
		goto fail;
	s->port = read_port(port_file);
	return 0;
fail:
	test_server_stop(s);
	return -1;
}

int
test_sandbox_start(struct test_server *s, const char *people, char *state_file, size_t len)
{
	char script[PATH_MAX + 64], life[32];
	const char *root = test_repo_root(), *lt = getenv("TEST_SERVER_LIFETIME");
	const char *argv[] = { TEST_PYTHON, script, "--state-file", state_file, "--lifetime", life,
	    people ? "--people" : NULL, people, NULL };

	memset(s, 0, sizeof *s);
	if (root == NULL) {
		fprintf(stderr, "test_sandbox_start: repository root not found (set BOBSYNC_SRCDIR)\n");
		return -1;
	}
	if (test_mkdtemp(s->dir, sizeof s->dir) != 0) {
		perror("test_sandbox_start: mkdtemp");
		return -1;
	}
	snprintf(script, sizeof script, "%s/tests/sandbox/sandbox.py", root);
	snprintf(state_file, len, "%s/state.json", s->dir);
	snprintf(life, sizeof life, "%d", lt && atoi(lt) > 0 ? atoi(lt) : TEST_SERVER_LIFETIME_S);
	/* the state file is written atomically once all three servers listen */
	if (spawn_and_wait(s, argv, state_file, nonempty, 30) != 0) {
		test_server_stop(s);
		return -1;
	}
	return 0;
}

void
test_server_stop(struct test_server *s)
{
	int status;

	if (s == NULL)
		return;
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		for (int i = 0; i < 200; i++) {
			if (waitpid(s->pid, &status, WNOHANG) != 0)
				break;
			if (i == 199) {
				kill(s->pid, SIGKILL);
				waitpid(s->pid, &status, 0);
			}
			sleep_ms(10);
		}
	}
	s->pid = 0;
	s->port = 0;
	if (s->dir[0] != '\0')
		test_rm_rf(s->dir);
	s->dir[0] = '\0';
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

char *
test_http_request(int port, const char *method, const char *path, const char *body,
    int *status)
{
	struct sockaddr_in sa;
	struct timeval tv = { 5, 0 };
	char head[1024], *buf = NULL, *p, *out = NULL;
	size_t len = 0, cap = 0, blen = body ? strlen(body) : 0;
	int fd, st = 0;

	if (status)
		*status = 0;
	if (port <= 0 || method == NULL || path == NULL)
		return NULL;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		goto out;
	snprintf(head, sizeof head, "%s %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", method, path, port, blen);
	if (write_all(fd, head, strlen(head)) != 0 || write_all(fd, body ? body : "", blen) != 0)
		goto out;
	for (;;) {
		ssize_t r;
		if (cap - len < 4096) {
			char *nb;
			if (cap > (64u << 20))
				goto out;	/* the control routes never send this much */
			cap = cap ? cap * 2 : 8192;
			if ((nb = realloc(buf, cap + 1)) == NULL)
				goto out;
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (buf == NULL)
		goto out;
	buf[len] = '\0';
	if (sscanf(buf, "HTTP/%*d.%*d %d", &st) != 1)
		goto out;
	if ((p = strstr(buf, "\r\n\r\n")) == NULL)
		goto out;
	out = strdup(p + 4);
	if (status)
		*status = st;
out:
	free(buf);
	close(fd);
	return out;
}

char *
test_http_post(int port, const char *path, const char *json)
{
	return test_http_request(port, "POST", path, json, NULL);
}

char *
test_http_get(int port, const char *path)
{
	return test_http_request(port, "GET", path, NULL, NULL);
}
