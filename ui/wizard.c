/* wizard.c - the setup: its steps in order, their crumbs, and the finish.
 *
 * Each step is a screen that takes an "on done" callback (console.h,
 * wizard_done_fn); the wizard pushes it with its number and crumbs, and
 * when the admin goes on from it, next() pushes the one after it (or
 * finishes after the last).  Steps are pushed on the ones before them, so
 * Esc goes back a step and Esc on the first leaves the setup.  No step
 * knows which one comes next. */
#include <stdio.h>

#include "admin/jobs.h"
#include "base/paths.h"
#include "base/util.h"
#include "config/conf.h"
#include "console.h"
#include "dash.h"
#include "store/store.h"
#include "tui.h"

static wizard_done_fn next;

/* Step 1: the welcome screen, its address saved as one setting. */
static void
welcome_next(struct tui *ui, void *ctx)
{
	next(ui, ctx, 1);
}

static int
welcome_save(void *ctx, const char *url, char *why, size_t whylen)
{
	return dash_conf_set(ctx, "hibob.base_url", url, why, whylen);
}

static int
step_welcome(struct tui *ui, struct dash_env *e, int step, const char *crumbs,
    wizard_done_fn *done)
{
	(void)step;
	(void)done;	/* welcome_next is the wizard's own */
	return screen_welcome_push_save(ui, e->conf, e->paths->conf_file, crumbs, welcome_next,
	    welcome_save, e);
}

/* Step 8: the first syncs of every job that is on. */
static int
step_enable(struct tui *ui, struct dash_env *e, int step, const char *crumbs,
    wizard_done_fn *done)
{
	unsigned jobs = 0;

	if (job_enabled(e->conf, JOB_ROSTER))
		jobs |= 1u << JOB_ROSTER;
	if (job_enabled(e->conf, JOB_TIMEOFF))
		jobs |= 1u << JOB_TIMEOFF;
	return screen_sync_step_push(ui, e, step, jobs, crumbs, done);
}

/* The steps, in order: the one place that says which comes after which. */
static const struct wizard_step {
	const char *name;
	int (*push)(struct tui *ui, struct dash_env *e, int step, const char *crumbs,
	    wizard_done_fn *done);
} steps[] = {
	{ "Welcome", step_welcome },
	{ "Credentials", screen_step_credentials_push },
	{ "Validation", screen_checks_step_push },
	{ "Alleo", screen_step_alleo_push },
	{ "Assembled", screen_step_assembled_push },
	{ "Employees", screen_step_employees_push },
	{ "Time off", screen_step_timeoff_push },
	{ "Enable", step_enable },
};

_Static_assert(ARRAY_LEN(steps) == SETUP_STEPS, "SETUP_STEPS is the number of steps");

char *
setup_crumbs(char *buf, size_t sz, int step, const char *name)
{
	if (name == NULL)
		name = step >= 1 && step <= SETUP_STEPS ? steps[step - 1].name : "";
	snprintf(buf, sz, "Setup " DOT " Step %d of %d " DOT " %s", step, SETUP_STEPS, name);
	return buf;
}

int
screen_setup_push(struct tui *ui, struct dash_env *e, int step)
{
	char crumbs[160];

	if (step < 1 || step > SETUP_STEPS)
		return -1;
	setup_crumbs(crumbs, sizeof crumbs, step, NULL);
	return steps[step - 1].push(ui, e, step, crumbs, next);
}

/* A step is done: the next one, or the finish after the last. */
static void
next(struct tui *ui, struct dash_env *e, int step)
{
	if (step >= SETUP_STEPS)
		setup_done(ui, e);
	else
		screen_setup_push(ui, e, step + 1);
}

void
setup_done(struct tui *ui, struct dash_env *e)
{
	struct bs_error err = { 0 };

	if (e->store != NULL &&
	    store_kv_set(e->store, "setup.done", "1", clock_now(), &err) != BS_OK)
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
	while (tui_top(ui) != NULL)
		tui_pop(ui);
	screen_home_push(ui, e);
	tui_say(ui, ROLE_OK, " Setup is done. This is the dashboard; ? lists its keys.");
}
