/* paths.h - where bobsync keeps its files (cli.md "Files and environment").
 *
 * BOBSYNC_HOME, when set, holds everything.  Otherwise settings and the
 * vault go to $XDG_CONFIG_HOME/bobsync (default ~/.config/bobsync) and the
 * state store and lock to $XDG_STATE_HOME/bobsync (~/.local/state/bobsync).
 * Relative XDG values are ignored, as the XDG spec says.
 */
#ifndef BS_PATHS_H
#define BS_PATHS_H

#include "result.h"

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
/* Create both folders with mode 0700 if missing. */
bs_rc paths_ensure(const struct bs_paths *p, struct bs_error *err);
void paths_free(struct bs_paths *p);

#endif
