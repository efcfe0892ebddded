/* unlock.c - unlock the vault for a command, and read secrets without
 * echo.  Secrets never come from the command line: from a file named in
 * the environment, the systemd credential folder, the key file, or a
 * prompt on the terminal. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "app.h"
#include "base/log.h"
#include "unlock.h"
#include "base/util.h"
#include "config/vault.h"

#define PASSPHRASE_TRIES 3

/* ---- reading a line without echo ---- */

static const int caught[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define NCAUGHT (sizeof caught / sizeof caught[0])

static struct termios saved_tio;
static struct sigaction saved_act[NCAUGHT];
static volatile sig_atomic_t interrupted;

/* Restore the terminal, put the previous action back and deliver the
 * signal again (so Ctrl-C still ends the program, with echo on). */
static void
on_signal(int sig)
{
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	interrupted = 1;
	for (size_t i = 0; i < NCAUGHT; i++)
		if (caught[i] == sig)
			sigaction(sig, &saved_act[i], NULL);
	raise(sig);
}

static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: read() returns EINTR */
	for (size_t i = 0; i < NCAUGHT; i++)
		sigaction(caught[i], &sa, &saved_act[i]);
}

static void
release_signals(void)
{
	for (size_t i = 0; i < NCAUGHT; i++)
		sigaction(caught[i], &saved_act[i], NULL);
}

/* Read one line from fd, a byte at a time so nothing past the newline is
 * consumed (the next line may be the next secret).  NULL on EOF before any
 * byte, on a line longer than max, on a read error or an interrupt. */
static char *
read_line_fd(int fd, size_t max)
{
	char *buf = sodium_malloc(max + 1);
	size_t n = 0;
	int any = 0, overflow = 0;

	if (buf == NULL)
		return NULL;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0) {
			if (errno == EINTR && !interrupted)
				continue;
			goto fail;
		}
		if (r == 0) {
			if (!any)
				goto fail;
			break;
		}
		any = 1;
		if (c == '\n')
			break;
		if (n < max)
			buf[n++] = c;
		else
			overflow = 1;
	}
	if (overflow) {
		fprintf(stderr, "bobsync: input line longer than %zu bytes\n", max);
		goto fail;
	}
	while (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return buf;
fail:
	sodium_free(buf);
	return NULL;
}

char *
app_read_line(const char *prompt, int echo)
{
	struct termios quiet;
	char *line;

	if (sodium_init() < 0)
		return NULL;
	if (!isatty(STDIN_FILENO))
		return read_line_fd(STDIN_FILENO, APP_SECRET_LINE_MAX);
	if (prompt != NULL) {
		fputs(prompt, stderr);
		fflush(stderr);
	}
	if (echo)
		return read_line_fd(STDIN_FILENO, APP_SECRET_LINE_MAX);
	if (tcgetattr(STDIN_FILENO, &saved_tio) < 0) {
		fprintf(stderr, "\nbobsync: cannot turn off echo on this terminal: %s\n",
		    strerror(errno));
		return NULL;
	}
	interrupted = 0;
	catch_signals();
	quiet = saved_tio;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	quiet.c_lflag |= ECHONL;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0) {
		release_signals();
		fprintf(stderr, "\nbobsync: cannot turn off echo on this terminal: %s\n",
		    strerror(errno));
		return NULL;
	}
	line = read_line_fd(STDIN_FILENO, APP_SECRET_LINE_MAX);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	release_signals();
	if (line == NULL)
		fputc('\n', stderr);
	return line;
}

char *
app_read_secret(const char *prompt)
{
	return app_read_line(prompt, 0);
}

void
app_free_secret(char **s)
{
	if (s == NULL || *s == NULL)
		return;
	sodium_free(*s);
	*s = NULL;
}

/* ---- passphrases from files ---- */

/* Read a passphrase file into guarded memory, trailing newlines stripped. */
static bs_rc
read_passphrase_file(const char *path, const char *what, int credential, char **out,
    struct bs_error *err)
{
	char *buf = NULL;
	size_t n = 0;
	struct stat st;
	int fd;
	bs_rc rc = BS_OK;

	*out = NULL;
	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ELOOP)
		return bs_fail(err, BS_ERR_KEY_PERMS, "the passphrase file %s (%s) is a symbolic "
		    "link; name the real file (mode 0600)", path, what);
	if (fd < 0)
		return bs_fail(err, BS_ERR_VAULT_PASSPHRASE, "cannot read the passphrase file %s "
		    "(%s): %s", path, what, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = bs_fail(err, BS_ERR_VAULT_PASSPHRASE, "the passphrase file %s (%s) is not a "
		    "regular file", path, what);
		goto out;
	}
	/* owned by us or root, readable by no one else: refused like the key
	 * file.  systemd's credential files are exempt from the mode rule:
	 * systemd guards their folder and may grant access through an ACL,
	 * which shows as group bits. */
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		rc = bs_fail(err, BS_ERR_KEY_PERMS, "the passphrase file %s (%s) belongs to uid "
		    "%u, not to you (uid %u) nor root: run 'chown %u %s' as root", path, what,
		    (unsigned)st.st_uid, (unsigned)geteuid(), (unsigned)geteuid(), path);
		goto out;
	}
	if (!credential && (st.st_mode & 077) != 0) {
		rc = bs_fail(err, BS_ERR_KEY_PERMS, "the passphrase file %s (%s) can be read or "
		    "changed by other users (mode %04o): run 'chmod 600 %s'", path, what,
		    (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	buf = sodium_malloc(APP_SECRET_LINE_MAX + 2);
	if (buf == NULL) {
		rc = bs_fail(err, BS_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	while (n < APP_SECRET_LINE_MAX + 1) {
		ssize_t r = read(fd, buf + n, APP_SECRET_LINE_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = bs_fail(err, BS_ERR_VAULT_PASSPHRASE, "cannot read the passphrase file "
			    "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n > APP_SECRET_LINE_MAX) {
		rc = bs_fail(err, BS_ERR_VAULT_PASSPHRASE, "the passphrase file %s is longer than "
		    "%d bytes", path, APP_SECRET_LINE_MAX);
		goto out;
	}
	if (n == 0 || memchr(buf, '\0', n) != NULL) {
		rc = bs_fail(err, BS_ERR_VAULT_PASSPHRASE, "the passphrase file %s (%s) is %s",
		    path, what, n == 0 ? "empty" : "not text");
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	buf = NULL;
out:
	if (buf != NULL)
		sodium_free(buf);
	close(fd);
	return rc;
}

bs_rc
app_env_passphrase(char **out, const char **source, struct bs_error *err)
{
	const char *file = getenv("BOBSYNC_PASSPHRASE_FILE");
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char *path;
	bs_rc rc;

	*out = NULL;
	if (source != NULL)
		*source = NULL;
	if (sodium_init() < 0)
		return bs_fail(err, BS_ERR_INTERNAL, "cannot initialise libsodium");
	if (!str_empty(file)) {
		if (source != NULL)
			*source = "BOBSYNC_PASSPHRASE_FILE";
		return read_passphrase_file(file, "BOBSYNC_PASSPHRASE_FILE", 0, out, err);
	}
	if (str_empty(dir))
		return BS_OK;
	path = xasprintf("%s/bobsync-passphrase", dir);
	if (access(path, F_OK) != 0) {
		free(path);
		return BS_OK;
	}
	if (source != NULL)
		*source = "the systemd credential bobsync-passphrase";
	rc = read_passphrase_file(path, "systemd credential", 1, out, err);
	free(path);
	return rc;
}

/* ---- unlocking ---- */

static bs_rc
no_way_to_unlock(const char *vpath, const struct vault_info *info, const char *key_file,
    struct bs_error *err)
{
	if (info->has_passphrase_slot && info->has_keyfile_slot)
		return bs_fail(err, BS_ERR_VAULT_PASSPHRASE,
		    "cannot unlock the vault %s: its key file %s is missing and there is no "
		    "terminal to ask for the passphrase; restore the key file, set "
		    "BOBSYNC_PASSPHRASE_FILE to a file holding the passphrase, or under systemd "
		    "use LoadCredentialEncrypted=bobsync-passphrase", vpath, key_file);
	if (info->has_passphrase_slot)
		return bs_fail(err, BS_ERR_VAULT_PASSPHRASE,
		    "the vault %s is protected by a passphrase and there is no terminal to ask "
		    "for it: set BOBSYNC_PASSPHRASE_FILE to a file (mode 0600) holding the "
		    "passphrase, or under systemd use LoadCredentialEncrypted=bobsync-passphrase",
		    vpath);
	return bs_fail(err, BS_ERR_VAULT_PASSPHRASE,
	    "the vault %s is protected by the key file %s, which is missing: restore it from "
	    "your backup, or remove the vault and store the credentials again", vpath, key_file);
}

char *
app_credential_key_file(void)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char *path;
	struct stat st;

	if (str_empty(dir) || dir[0] != '/')
		return NULL;
	path = xasprintf("%s/bobsync-key", dir);
	if (lstat(path, &st) == 0)
		return path;
	free(path);
	return NULL;
}

bs_rc
app_open_vault(struct app *a, struct vault **out, struct bs_error *err)
{
	char *cred_key = app_credential_key_file();
	bs_rc rc = app_open_vault_with(a, cred_key != NULL ? cred_key : a->paths.key_file, out,
	    err);

	free(cred_key);
	return rc;
}

bs_rc
app_open_vault_with(struct app *a, const char *key_file, struct vault **out,
    struct bs_error *err)
{
	const char *vpath = a->paths.vault_file;
	struct vault_unlock how = { NULL, NULL };
	struct vault_info info;
	struct stat st;
	char *pass = NULL, *prompt = NULL;
	bs_rc rc;

	*out = NULL;
	rc = vault_info(vpath, &info, err);
	if (rc != BS_OK)
		return rc;
	if (!info.exists)
		return bs_fail(err, BS_ERR_VAULT_MISSING, "no credentials stored yet: run "
		    "'bobsync setup' or 'bobsync credentials set hibob'");
	if (info.has_passphrase_slot) {
		rc = app_env_passphrase(&pass, NULL, err);
		if (rc != BS_OK)
			return rc;
	}
	/* lstat: a symbolic link in its place is reported, not skipped */
	if (info.has_keyfile_slot && lstat(key_file, &st) == 0)
		how.key_file = key_file;
	if (pass != NULL || how.key_file != NULL) {
		how.passphrase = pass;
		if (pass != NULL)
			log_register_secret(pass);
		rc = vault_open(vpath, &how, out, err);
		goto out;
	}
	if (!info.has_passphrase_slot || !isatty(STDIN_FILENO)) {
		rc = no_way_to_unlock(vpath, &info, key_file, err);
		goto out;
	}
	prompt = xasprintf("Passphrase for the bobsync vault %s: ", vpath);
	for (int attempt = 1; attempt <= PASSPHRASE_TRIES; attempt++) {
		pass = app_read_secret(prompt);
		if (pass == NULL) {
			rc = bs_fail(err, BS_ERR_VAULT_PASSPHRASE, "no passphrase given");
			goto out;
		}
		log_register_secret(pass);
		how.passphrase = pass;
		rc = vault_open(vpath, &how, out, err);
		app_free_secret(&pass);
		if (rc != BS_ERR_VAULT_PASSPHRASE || attempt == PASSPHRASE_TRIES)
			break;
		fputs("Wrong passphrase, try again.\n", stderr);
	}
out:
	app_free_secret(&pass);
	free(prompt);
	return rc;
}
