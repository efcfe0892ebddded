/* paths.h - where bobsync keeps its files (cli.md "Files and environment").
 *
 * BOBSYNC_HOME, when set, holds everything.  Otherwise settings and the
 * vault go to $XDG_CONFIG_HOME/bobsync (default ~/.config/bobsync) and the
 * state store and lock to $XDG_STATE_HOME/bobsync (~/.local/state/bobsync).
 * Relative XDG values are ignored, as the XDG spec says.
 */
#ifndef BS_PATHS_H
#define BS_PATHS_H

#include "base/result.h"

struct bs_paths {
	char *config_dir;
	char *state_dir;
	char *conf_file;	/* bobsync.conf */
	char *vault_file;	/* vault */
	char *key_file;		/* vault.key */
	char *state_db;		/* state.db */
	char *lock_file;	/* bobsync.lock */
};

bs_rc paths_resolve(struct bs_paths *p, struct bs_error *err);
/* sshd StrictModes for our folders: each folder, and every folder above
 * it, must be a real folder owned by the user or root and writable by no
 * one else (a folder above may be writable by all only with the sticky
 * bit, like /tmp).  Missing folders are fine (they are created 0700).
 * The error names the path and the fix.  Called before anything is read. */
bs_rc paths_check_dir(const char *dir, struct bs_error *err);
bs_rc paths_check(const struct bs_paths *p, struct bs_error *err);
/* An opened file (use O_NOFOLLOW): regular, owned by the user or root, not
 * writable by others; with private set, not readable by them either.
 * what: "the settings file", "the vault", ... */
bs_rc paths_check_file_fd(int fd, const char *what, const char *path, int private,
    struct bs_error *err);
/* Check, create both folders with mode 0700 if missing, check again. */
bs_rc paths_ensure(const struct bs_paths *p, struct bs_error *err);
void paths_clear(struct bs_paths *p);

#endif
