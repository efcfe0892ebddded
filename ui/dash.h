/* dash.h - the admin dashboard: status of each sync, and from it the
 * setup checks, the employee preview, sync now (plan shown, confirmed,
 * applied with progress) and the audit log.
 *
 * The caller (app/cmd_tui.c) opens the session before curses starts, so a
 * vault passphrase is asked on the plain terminal. */
#ifndef BS_DASH_H
#define BS_DASH_H

struct bs_session;
struct bs_paths;
struct conf;
struct store;
struct vault;

/* What the console works on.  The setup steps write settings (conf, saved
 * to paths->conf_file) and create or fill the vault; after storing
 * credentials they re-initialise the session with the vault. */
struct dash_env {
	struct bs_session *s;
	const struct bs_paths *paths;
	struct conf *conf;		/* the settings s->conf points at */
	struct vault **vault;		/* the open vault, *vault NULL when none */
	struct store *store;
};

/* The setup steps first when wizard is set, then the dashboard; returns
 * the exit status (0, or 1 when the terminal cannot host the console, with
 * the reason on stderr). */
int dash_run(struct dash_env *e, int wizard);

#endif
