/* console.h - every screen of the console, in one place.  Each screen is a
 * toolkit screen (tui.h) pushed on the one struct tui that dash_run starts
 * and works on the dash_env of dash.h (session, settings, vault, store);
 * long reads and writes run as the screen's job (tui_job_start, tui.h) in
 * a worker thread, so the screen keeps drawing and Esc cancels.  A screen's entry point is screen_<name>_push;
 * each returns 0, or -1 when the screen could not open (the reason is then
 * on the message line).
 *
 * The welcome screen (the first setup step) says what bobsync will do and
 * which HiBob to talk to; its choice is saved to hibob.base_url when the
 * user continues, and only if it changed.  Keys: 1/2/3 pick production/
 * sandbox/another address, Tab/Up/Down move between the choice and the
 * address field, Enter continues, Esc or q leave the setup, ? or F1 help. */
#ifndef BS_CONSOLE_H
#define BS_CONSOLE_H

#include <stddef.h>

#include "config/vault.h"

struct dash_env;
struct tui;

#define SETUP_STEPS 8
#define DOT "\xc2\xb7"		/* the crumbs separator */

/* dash_conf_write with the reason as text; 0, or -1 with the reason in
 * why. */
int dash_conf_set(struct dash_env *e, const char *key, const char *value,
    char *why, size_t whylen);
/* Store a secret in the open vault and save it (vault_store); the
 * session's clients are made again with it on their next use.  0, or -1
 * with the reason in why. */
int dash_secret_set(struct dash_env *e, enum vault_key k, const char *value,
    char *why, size_t whylen);
/* The same for n secrets stored together (one save; none on failure). */
int dash_secrets_set(struct dash_env *e, const enum vault_key *keys,
    const char *const *values, size_t n, char *why, size_t whylen);
/* Read bobsync.conf and the vault again when they changed on disk since
 * the console last read or wrote them (another bobsync, an editor), and
 * make the session again; 1 when something was re-read.  why gets a
 * problem to show ("" when none).  Called before each action. */
int dash_reread(struct dash_env *e, char *why, size_t whylen);
/* The console's way to change a setting: the files read again when they
 * changed (dash_reread), then conf_update (validated, one key into
 * bobsync.conf as it is on disk now, the value in memory put back when the
 * save fails; value NULL: back to the default).  Nothing is written when
 * the value does not change.  The session's clients follow by themselves
 * (conf_generation). */
bs_rc dash_conf_write(struct dash_env *e, const char *key, const char *value,
    struct bs_error *err);
/* Make the session again (new settings or credentials). */
void dash_session_reset(struct dash_env *e);

/* The setup (wizard.c): eight steps in a table that owns their order,
 * their crumbs and the finish.  Each step is a screen pushed with its
 * number, its crumbs and an "on done" callback it calls when the admin
 * goes on from it; the wizard then opens the next step. */
typedef void wizard_done_fn(struct tui *ui, struct dash_env *e, int step);

/* "Setup · Step k of 8 · name" into buf (name NULL: the step's own). */
char *setup_crumbs(char *buf, size_t sz, int step, const char *name);
/* Open setup step (1..8) on top; 0 or -1. */
int screen_setup_push(struct tui *ui, struct dash_env *e, int step);
/* The setup is complete: remember it, close every screen, open the
 * dashboard. */
void setup_done(struct tui *ui, struct dash_env *e);

/* The steps made of a form (step_form.h): 2 the HiBob credentials into
 * the vault, 4 Alleo, 5 Assembled.  Enter walks the fields and, on the
 * last, saves the step and calls done. */
int screen_step_credentials_push(struct tui *ui, struct dash_env *e, int step,
    const char *crumbs, wizard_done_fn *done);
int screen_step_alleo_push(struct tui *ui, struct dash_env *e, int step, const char *crumbs,
    wizard_done_fn *done);
int screen_step_assembled_push(struct tui *ui, struct dash_env *e, int step,
    const char *crumbs, wizard_done_fn *done);
/* Steps 6 and 7 (step_preview.c): open the employee list or the time-off
 * preview at once; v opens it again, Enter calls done. */
int screen_step_employees_push(struct tui *ui, struct dash_env *e, int step,
    const char *crumbs, wizard_done_fn *done);
int screen_step_timeoff_push(struct tui *ui, struct dash_env *e, int step,
    const char *crumbs, wizard_done_fn *done);
/* Step 3: the checks; Enter calls done once nothing fails and the
 * warnings are acknowledged. */
int screen_checks_step_push(struct tui *ui, struct dash_env *e, int step, const char *crumbs,
    wizard_done_fn *done);
/* Step 8: the first sync of each job in jobs (SYNC_SETUP), then how to
 * keep it running; Enter there calls done. */
int screen_sync_step_push(struct tui *ui, struct dash_env *e, int step, unsigned jobs,
    const char *crumbs, wizard_done_fn *done);

/* The dashboard. */
int screen_home_push(struct tui *ui, struct dash_env *e);

/* The setup checks, run live with a spinner per check, on the dashboard
 * (setup_step 0; the setup's step 3 is screen_checks_step_push). */
int screen_checks_push(struct tui *ui, struct dash_env *e, const char *crumbs, int setup_step);

/* Sync now: the plan (a dry run), a confirmation, then the run with a
 * progress bar and live counts.  jobs is a bitmask of 1 << JOB_*, done in
 * order (roster, then time off).  APPROVE shows what a blocked plan
 * removes and applies it with its approval; SETUP is step 8: after the
 * runs, the admin picks how the sync core runs (console_core_enable), then
 * Enter opens the dashboard. */
enum sync_mode { SYNC_NOW, SYNC_APPROVE, SYNC_SETUP };
int screen_sync_push(struct tui *ui, struct dash_env *e, enum sync_mode mode, unsigned jobs,
    const char *crumbs);

/* The audit log: runs (filter by result), the actions of a run, the
 * actions about one person. */
int screen_log_push(struct tui *ui, struct dash_env *e, const char *crumbs);

/* The sync core from the console (core_ctl.c; setup step 8 and the
 * dashboard): a chooser, then core/admin/service.c does it; out gets what
 * was done, a line each.  enable: -1 cancelled, 0 "not yet", 1 enabled,
 * 2 failed (out says why).  disable, pause, resume: 1 done, 0 not, 2 failed. */
int console_core_enable(struct tui *ui, struct dash_env *e, char *out, size_t n);
int console_core_disable(struct tui *ui, struct dash_env *e, char *out, size_t n);
int console_core_pause(struct tui *ui, struct dash_env *e, char *out, size_t n);
int console_core_resume(struct tui *ui, struct dash_env *e, char *out, size_t n);

/* How to keep the sync running: lines of text (daemon, systemd, cron). */
extern const char *const dash_keep_running[];
extern const size_t dash_keep_running_n;

/* The screens both the setup steps and the dashboard open. */
/* Who gets an Alleo account and why: every person, counts at the top,
 * '/' filter, sort by column, detail pane with the reason, and bulk-set of
 * alleo_access for the selected or filtered people (through the API, or a
 * CSV for People > Import). */
int screen_employees_push(struct tui *ui, struct dash_env *e, const char *crumbs);
/* The same in the setup (step 6): Enter calls on_next(ui, ctx), which
 * closes the list (tui_pop) and goes on; e explains the person. */
int screen_employees_step_push(struct tui *ui, struct dash_env *e, const char *crumbs,
    void (*on_next)(struct tui *, void *), void *ctx);

/* The time-off requests in the window: sync or skip with the reason, and
 * the event times as they will be created in Assembled. */
int screen_timeoff_push(struct tui *ui, struct dash_env *e, const char *crumbs);
/* The same in the setup (step 7): Enter calls on_next(ui, ctx), which
 * closes the list (tui_pop) and goes on. */
int screen_timeoff_step_push(struct tui *ui, struct dash_env *e, const char *crumbs,
    void (*on_next)(struct tui *, void *), void *ctx);

/* Explain one person (asked for by name, email or id when who is NULL):
 * the source values, each eligibility rule, and what the target holds. */
int screen_explain_push(struct tui *ui, struct dash_env *e, const char *who,
    const char *crumbs);

/* The settings table: every key with its value and meaning, edited in
 * place, validated on entry (conf_set) and saved at once. */
int screen_settings_push(struct tui *ui, struct dash_env *e, const char *crumbs);

/* Replace the HiBob Service User ID and token, the Assembled key or the
 * SCIM secret in the vault (masked entry, confirmed before writing). */
int screen_credentials_push(struct tui *ui, struct dash_env *e, const char *crumbs);

/* The first setup step. */
struct conf;

#define WELCOME_PRODUCTION_URL "https://api.hibob.com/v1"
#define WELCOME_SANDBOX_URL "https://api.sandbox.hibob.com/v1"

/* Push the step on ui.  *result becomes 1 when the user continued (and the
 * address is saved), and stays 0 otherwise.  conf and conf_path must
 * outlive the screen.  0, or -1 when it could not open. */
int screen_welcome_push(struct tui *ui, struct conf *conf, const char *conf_path,
    const char *crumbs, int *result);

/* The same, but continuing calls next_fn(ui, ctx) (which opens the next
 * step) instead of ending the loop. */
int screen_welcome_push_then(struct tui *ui, struct conf *conf, const char *conf_path,
    const char *crumbs, void (*next_fn)(struct tui *, void *), void *ctx);

/* The same, with the address saved by save_fn(ctx, url, why, whylen)
 * (0, or -1 with the reason) instead of conf_save: the setup writes the
 * one key to the file as it is and makes its clients again. */
int screen_welcome_push_save(struct tui *ui, struct conf *conf, const char *conf_path,
    const char *crumbs, void (*next_fn)(struct tui *, void *),
    int (*save_fn)(void *, const char *, char *, size_t), void *ctx);

#endif
