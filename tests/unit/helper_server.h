/* helper_server.h - start a Python test server on loopback, talk to it, stop it.
 *
 * Linked into every unit test, so it uses libc only.  The server is any
 * script that takes "--port-file F" (and "--lifetime S"), listens on
 * 127.0.0.1 and writes its port to F once it is listening, such as
 * tests/sandbox/faultserver.py.  The repository root is taken from
 * $BOBSYNC_SRCDIR, else found by walking up from the working directory.
 */
#ifndef BS_HELPER_SERVER_H
#define BS_HELPER_SERVER_H

#include <stddef.h>
#include <sys/types.h>

#define TEST_PYTHON "/usr/bin/python3"
#define TEST_SERVER_LIFETIME_S 120	/* default --lifetime; $TEST_SERVER_LIFETIME overrides */

struct test_server {
	pid_t pid;		/* 0 when not running */
	int port;
	char dir[256];		/* private temp folder holding the port file */
};

/* Repository root (static buffer), or NULL when it cannot be found. */
const char *test_repo_root(void);

/* Start `script` (a path relative to the repository root, or absolute) with
 * --port-file and --lifetime, then extra_args (NULL-terminated, may be
 * NULL).  Waits up to 10 s for the port.  0, or -1 with a message on
 * stderr. */
int test_server_start(struct test_server *s, const char *script,
    const char *const *extra_args);
/* Start tests/sandbox/sandbox.py (people NULL: its default company) and
 * wait up to 30 s for its state file (URLs, demo credentials, control
 * addresses), whose path goes to state_file.  Stop it with
 * test_server_stop.  0, or -1 with a message on stderr. */
int test_sandbox_start(struct test_server *s, const char *people, char *state_file,
    size_t len);
/* SIGTERM, then SIGKILL after 2 s; removes the temp folder.  Safe to call
 * twice or on a server that never started. */
void test_server_stop(struct test_server *s);

/* A minimal HTTP/1.0 client over a raw socket to 127.0.0.1:port, so tests
 * can script and inspect a server without the code under test.  Returns
 * the response body (caller frees) or NULL on failure; *status (may be
 * NULL) gets the HTTP status.  5 s timeout. */
char *test_http_request(int port, const char *method, const char *path,
    const char *body, int *status);
char *test_http_post(int port, const char *path, const char *json);
char *test_http_get(int port, const char *path);

/* Make a private temp folder ("/tmp/bs-test-XXXXXX"); 0 or -1. */
int test_mkdtemp(char *out, size_t outsz);
/* Remove a folder and everything in it (no symlinks followed). */
void test_rm_rf(const char *path);

/* Count non-overlapping occurrences of needle in hay (NULL-safe). */
int test_count(const char *hay, const char *needle);

#endif
