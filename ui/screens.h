/* screens.h - the console's screens that both the setup steps and the
 * dashboard open.  Each pushes itself on ui and works on the dash_env of
 * dash.h (session, settings, vault, store); long reads and writes run in a
 * worker thread (task.h) so the screen keeps drawing and Esc cancels.
 * Each returns 0, or -1 when the screen could not open (the reason is then
 * on the message line). */
#ifndef BS_SCREENS_H
#define BS_SCREENS_H

struct dash_env;
struct tui;

/* Who gets an Alleo account and why: every person, counts at the top,
 * '/' filter, sort by column, detail pane with the reason, and bulk-set of
 * alleo_access for the selected or filtered people (through the API, or a
 * CSV for People > Import). */
int screen_employees_push(struct tui *ui, struct dash_env *e, const char *crumbs);

/* The time-off requests in the window: sync or skip with the reason, and
 * the event times as they will be created in Assembled. */
int screen_timeoff_push(struct tui *ui, struct dash_env *e, const char *crumbs);

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

#endif
