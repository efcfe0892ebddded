/* paths.c - resolve BOBSYNC_HOME / XDG locations. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/paths.h"
#include "base/util.h"

/* An absolute value of the variable, else NULL (XDG: relative is invalid). */
static const char *
abs_env(const char *name)
{
	const char *v = getenv(name);
	return (v != NULL && v[0] == '/') ? v : NULL;
}

static const char *
home_dir(void)
{
	const char *h = abs_env("HOME");
	struct passwd *pw;

	if (h != NULL)
		return h;
	pw = getpwuid(getuid());
	return (pw != NULL && pw->pw_dir != NULL) ? pw->pw_dir : NULL;
}

bs_rc
paths_resolve(struct bs_paths *p, struct bs_error *err)
{
	const char *home = getenv("BOBSYNC_HOME");
	const char *xc, *xs, *hd, *kf;

	memset(p, 0, sizeof *p);
	if (home != NULL && *home != '\0') {
		p->config_dir = xstrdup(home);
		p->state_dir = xstrdup(home);
	} else {
		xc = abs_env("XDG_CONFIG_HOME");
		xs = abs_env("XDG_STATE_HOME");
		hd = home_dir();
		if ((xc == NULL || xs == NULL) && hd == NULL)
			return bs_fail(err, BS_ERR_CONFIG,
			    "cannot find a home folder: set BOBSYNC_HOME or HOME");
		p->config_dir = xc ? xasprintf("%s/bobsync", xc) : xasprintf("%s/.config/bobsync", hd);
		p->state_dir = xs ? xasprintf("%s/bobsync", xs) : xasprintf("%s/.local/state/bobsync", hd);
	}
	p->conf_file = xasprintf("%s/bobsync.conf", p->config_dir);
	p->vault_file = xasprintf("%s/vault", p->config_dir);
	/* the key file can live away from the vault (a backup of the config
	 * folder then does not carry both) */
	kf = getenv("BOBSYNC_KEY_FILE");
	if (kf != NULL && *kf != '\0' && kf[0] != '/') {
		paths_clear(p);
		return bs_fail(err, BS_ERR_CONFIG, "BOBSYNC_KEY_FILE must be an absolute path");
	}
	p->key_file = (kf != NULL && *kf != '\0') ? xstrdup(kf) :
	    xasprintf("%s/vault.key", p->config_dir);
	p->state_db = xasprintf("%s/state.db", p->state_dir);
	p->lock_file = xasprintf("%s/bobsync.lock", p->state_dir);
	return BS_OK;
}

/* Owned by us or by root: the owners whose files we may trust. */
static int
trusted_uid(uid_t uid)
{
	return uid == geteuid() || uid == 0;
}

static bs_rc
bad_owner(const char *what, const char *path, const struct stat *st, struct bs_error *err)
{
	return bs_fail(err, BS_ERR_CONFIG,
	    "%s %s belongs to uid %u, not to you (uid %u) nor root: another account could "
	    "change what bobsync reads; run 'chown %u %s' as root, or use a folder you own "
	    "(BOBSYNC_HOME)", what, path, (unsigned)st->st_uid, (unsigned)geteuid(),
	    (unsigned)geteuid(), path);
}

/* One existing folder on the way: a real folder (a symbolic link only
 * when its owner is trusted, and then its target is checked), owned by us
 * or root, writable by no one else.  An ancestor that others may write is
 * accepted only with the sticky bit (/tmp): others cannot rename what we
 * put there.  ENOENT is passed back (*missing = 1). */
static bs_rc
check_one_dir(const char *path, int is_ancestor, int *missing, struct bs_error *err)
{
	struct stat st;
	const char *what = is_ancestor ? "the folder" : "the bobsync folder";

	*missing = 0;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT) {
			*missing = 1;
			return BS_OK;
		}
		return bs_fail(err, BS_ERR_IO, "cannot check %s: %s", path, strerror(errno));
	}
	if (S_ISLNK(st.st_mode)) {
		if (!is_ancestor)
			return bs_fail(err, BS_ERR_CONFIG,
			    "the bobsync folder %s is a symbolic link; use the real folder "
			    "(BOBSYNC_HOME) instead", path);
		if (!trusted_uid(st.st_uid))
			return bad_owner("the symbolic link", path, &st, err);
		if (stat(path, &st) < 0) {
			if (errno == ENOENT) {
				*missing = 1;
				return BS_OK;
			}
			return bs_fail(err, BS_ERR_IO, "cannot check %s: %s", path, strerror(errno));
		}
	}
	if (!S_ISDIR(st.st_mode))
		return bs_fail(err, BS_ERR_CONFIG, "%s is not a folder", path);
	if (!trusted_uid(st.st_uid))
		return bad_owner(what, path, &st, err);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (is_ancestor ? !(st.st_mode & S_ISVTX) : 1))
		return bs_fail(err, BS_ERR_CONFIG,
		    "%s %s can be changed by other users (mode %04o); run 'chmod %s %s'",
		    what, path, (unsigned)(st.st_mode & 07777), is_ancestor ? "go-w" : "700", path);
	return BS_OK;
}

bs_rc
paths_check_dir(const char *dir, struct bs_error *err)
{
	char *p, *cwd = NULL;
	bs_rc rc = BS_OK;
	int missing = 0;

	if (dir == NULL || *dir == '\0')
		return bs_fail(err, BS_ERR_INVALID, "no folder to check");
	if (dir[0] != '/') {
		cwd = getcwd(NULL, 0);
		if (cwd == NULL)
			return bs_fail(err, BS_ERR_IO, "cannot find the current folder: %s",
			    strerror(errno));
		p = xasprintf("%s/%s", cwd, dir);
		free(cwd);
	} else {
		p = xstrdup(dir);
	}
	for (size_t n = strlen(p); n > 1 && p[n - 1] == '/'; n--)
		p[n - 1] = '\0';
	/* every prefix from the root down; stop at the first missing one
	 * (what follows is created by us, mode 0700, and checked again) */
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			int last;
			*s = '\0';
			last = (c == '\0');
			if (s > p + 1 || last) {
				rc = check_one_dir(s == p ? "/" : p, !last, &missing, err);
				if (rc != BS_OK || missing) {
					*s = c;
					break;
				}
			}
			*s = c;
			if (last)
				break;
			while (s[1] == '/')
				s++;
		}
	}
	if (rc == BS_OK && !missing)
		rc = check_one_dir("/", 1, &missing, err);
	free(p);
	return rc;
}

bs_rc
paths_check(const struct bs_paths *p, struct bs_error *err)
{
	bs_rc rc = paths_check_dir(p->config_dir, err);
	if (rc == BS_OK && strcmp(p->state_dir, p->config_dir) != 0)
		rc = paths_check_dir(p->state_dir, err);
	return rc;
}

bs_rc
paths_check_file_fd(int fd, const char *what, const char *path, int private,
    struct bs_error *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return bs_fail(err, BS_ERR_IO, "cannot check %s %s: %s", what, path,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return bs_fail(err, BS_ERR_CONFIG, "%s %s is not a regular file", what, path);
	if (!trusted_uid(st.st_uid))
		return bad_owner(what, path, &st, err);
	if ((st.st_mode & (private ? 077u : (unsigned)(S_IWGRP | S_IWOTH))) != 0)
		return bs_fail(err, BS_ERR_CONFIG,
		    "%s %s can be %s by other users (mode %04o); run 'chmod 600 %s'", what, path,
		    private ? "read or changed" : "changed", (unsigned)(st.st_mode & 07777), path);
	return BS_OK;
}

bs_rc
paths_ensure(const struct bs_paths *p, struct bs_error *err)
{
	bs_rc rc = paths_check(p, err);
	if (rc == BS_OK)
		rc = util_mkdir_p(p->config_dir, 0700, err);
	if (rc == BS_OK)
		rc = util_mkdir_p(p->state_dir, 0700, err);
	/* again: a folder someone else made first, between the check and
	 * mkdir, is refused here */
	if (rc == BS_OK)
		rc = paths_check(p, err);
	return rc;
}

void
paths_clear(struct bs_paths *p)
{
	FREE(p->config_dir);
	FREE(p->state_dir);
	FREE(p->conf_file);
	FREE(p->vault_file);
	FREE(p->key_file);
	FREE(p->state_db);
	FREE(p->lock_file);
}
