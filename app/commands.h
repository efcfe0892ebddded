/* commands.h - one function per top-level command; each returns the exit
 * status of cli.md. */
#ifndef BS_COMMANDS_H
#define BS_COMMANDS_H

struct app;

int cmd_tui(struct app *a, int argc, char **argv);	/* bobsync, bobsync setup */
int cmd_check(struct app *a, int argc, char **argv);
int cmd_preview(struct app *a, int argc, char **argv);
int cmd_plan(struct app *a, int argc, char **argv);
int cmd_sync(struct app *a, int argc, char **argv);
int cmd_reconcile(struct app *a, int argc, char **argv);
int cmd_explain(struct app *a, int argc, char **argv);
int cmd_status(struct app *a, int argc, char **argv);
int cmd_log(struct app *a, int argc, char **argv);
int cmd_daemon(struct app *a, int argc, char **argv);
int cmd_config(struct app *a, int argc, char **argv);
int cmd_credentials(struct app *a, int argc, char **argv);
int cmd_access(struct app *a, int argc, char **argv);
int cmd_enable(struct app *a, int argc, char **argv);	/* cmd_core.c */
int cmd_disable(struct app *a, int argc, char **argv);
int cmd_pause(struct app *a, int argc, char **argv);	/* pause and resume */

/* Parts of commands owned by the engines' files. */
int cmd_preview_timeoff(struct app *a, int argc, char **argv);	/* preview_timeoff.c */

#endif
