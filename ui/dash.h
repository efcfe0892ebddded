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

/* Runs until the user quits; returns the exit status (0, or 1 when the
 * terminal cannot host the console, with the reason on stderr). */
int dash_run(struct bs_session *s, const struct bs_paths *paths);

#endif
