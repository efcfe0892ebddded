/* dash_screens.h - the console's own screens (setup steps, dashboard,
 * checks, sync, audit log) and what they share.  Each screen is a toolkit
 * screen (tui.h) pushed on the one struct tui that dash_run starts; long
 * work runs in a worker thread (task.h).  The screens hB owns (employees,
 * time off, explain, settings, credentials) are in screens.h. */
#ifndef BS_DASH_SCREENS_H
#define BS_DASH_SCREENS_H

#include <stddef.h>

#include "config/vault.h"

struct dash_env;
struct tui;

#define SETUP_STEPS 8
#define DOT "\xc2\xb7"		/* the crumbs separator */

/* conf_set (validated) then conf_save to the settings file; 0, or -1
 * with the reason in why. */
int dash_conf_set(struct dash_env *e, const char *key, const char *value,
    char *why, size_t whylen);
/* Store a secret in the open vault, save it, and make the session's
 * clients again with it; 0, or -1 with the reason in why. */
int dash_secret_set(struct dash_env *e, enum vault_key k, const char *value,
    char *why, size_t whylen);
/* Read bobsync.conf and the vault again when they changed on disk since
 * the console last read or wrote them (another bobsync, an editor), and
 * make the session again; 1 when something was re-read.  why gets a
 * problem to show ("" when none).  Called before each action. */
int dash_reread(struct dash_env *e, char *why, size_t whylen);
/* Change one key in bobsync.conf as it is on disk now (value NULL: back
 * to the default), then adopt the file and make the session again. */
bs_rc dash_conf_write(struct dash_env *e, const char *key, const char *value,
    struct bs_error *err);
/* Make the session again (new settings or credentials). */
void dash_session_reset(struct dash_env *e);

/* "Setup · Step k of 8 · name" into buf. */
char *setup_crumbs(char *buf, size_t sz, int step, const char *name);
/* Open setup step (1..8) on top; 0 or -1. */
int setup_push(struct tui *ui, struct dash_env *e, int step);
/* The setup is complete: remember it, close every screen, open the
 * dashboard. */
void setup_done(struct tui *ui, struct dash_env *e);

/* The dashboard. */
int home_push(struct tui *ui, struct dash_env *e);

/* The setup checks, run live with a spinner per check.  setup_step 0 on
 * the dashboard; in the setup (3) Enter goes on once nothing fails and
 * the warnings are acknowledged. */
int checks_push(struct tui *ui, struct dash_env *e, const char *crumbs, int setup_step);

/* Sync now: the plan (a dry run), a confirmation, then the run with a
 * progress bar and live counts.  jobs is a bitmask of 1 << JOB_*, done in
 * order (roster, then time off).  APPROVE shows what a blocked plan
 * removes and applies it with its approval; SETUP is step 8: after the
 * runs, how to keep it running, and Enter opens the dashboard. */
enum sync_mode { SYNC_NOW, SYNC_APPROVE, SYNC_SETUP };
int sync_push(struct tui *ui, struct dash_env *e, enum sync_mode mode, unsigned jobs,
    const char *crumbs);

/* The audit log: runs (filter by result), the actions of a run, the
 * actions about one person. */
int log_push(struct tui *ui, struct dash_env *e, const char *crumbs);

/* How to keep the sync running: lines of text (daemon, systemd, cron). */
extern const char *const dash_keep_running[];
extern const size_t dash_keep_running_n;

#endif
