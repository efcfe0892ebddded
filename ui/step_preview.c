/* step_preview.c - setup steps 6 and 7: the employee list and the
 * time-off preview.  The step opens its list at once (screen_employees.c,
 * screen_timeoff.c), where Enter goes on; Esc there comes back to the
 * step's words, where v opens the list again and Enter goes on too. */
#include <stdio.h>
#include <stdlib.h>

#include "base/util.h"
#include "console.h"
#include "base/text.h"
#include "tui.h"

enum { ACT_NEXT = 1, ACT_VIEW };

static const char *const intro_employees[] = {
	"Who gets an Alleo account, and why: everyone HiBob lists, with the eligibility "
	"rule that decided. To change someone, set alleo_access in Bob (People > the "
	"person > Work), or select people in the list and bulk-set it there.",
	"v opens the list again; Enter goes on to the time-off preview.",
};
static const char *const intro_timeoff[] = {
	"The time-off requests in the window, with sync or skip and the reason, and the "
	"event times as they will be created in Assembled. Policies and approvals are "
	"managed in Bob (Time off > Policies).",
	"v opens the list again; Enter goes on to the first sync.",
};

static const struct tui_action actions[] = {
	{ ACT_NEXT, "Next", UK_ENTER, "go on to the next step", 0 },
	{ ACT_VIEW, "View", 'v', "open the list again", 0 },
};

struct preview {
	struct dash_env *e;
	int step;
	wizard_done_fn *done;
	int (*list_push)(struct tui *, struct dash_env *, const char *,
	    void (*)(struct tui *, void *), void *);
	const char *const *intro;
	size_t nintro;
	char crumbs[160];
	int opened;		/* the list was opened once */
};

static void
pv_draw(struct tui *ui, struct tui_screen *s, int y, int x, int h, int w)
{
	struct preview *p = s->data;
	size_t starts[16], lens[16];
	int row = y + 1, stop = y + h - 1;
	char line[1024];

	(void)ui;
	for (size_t k = 0; k < p->nintro; k++) {
		size_t n = text_wrap(p->intro[k], w - 4, starts, lens, 16);
		for (size_t i = 0; i < n && row < stop; i++, row++) {
			snprintf(line, sizeof line, "%.*s", (int)lens[i], p->intro[k] + starts[i]);
			text_put(row, x + 2, line, w - 4, ROLE_NORMAL);
		}
		if (row < stop)
			row++;
	}
}

/* Enter in the list: close it and go on. */
static void
list_next(struct tui *ui, void *ctx)
{
	struct preview *p = ctx;

	tui_pop(ui);		/* the list; this step stays below it */
	p->done(ui, p->e, p->step);
}

static int
pv_tick(struct tui *ui, struct tui_screen *s)
{
	struct preview *p = s->data;

	if (p->opened)
		return 0;
	p->opened = 1;
	p->list_push(ui, p->e, p->crumbs, list_next, p);
	return TUI_REDRAW;
}

static int
pv_key(struct tui *ui, struct tui_screen *s, int key, int action)
{
	struct preview *p = s->data;

	(void)key;
	if (action == ACT_NEXT) {
		p->done(ui, p->e, p->step);
		return TUI_HANDLED;
	}
	if (action == ACT_VIEW) {
		p->opened = 0;
		return pv_tick(ui, s);
	}
	return TUI_UNHANDLED;
}

static const struct tui_action *
pv_actions(struct tui_screen *s, size_t *n)
{
	(void)s;
	*n = ARRAY_LEN(actions);
	return actions;
}

static void
pv_close(struct tui *ui, struct tui_screen *s)
{
	(void)ui;
	free(s->data);
}

static const struct tui_screen_ops preview_ops = {
	.name = "setup",
	.draw = pv_draw,
	.handle_key = pv_key,
	.close = pv_close,
	.actions = pv_actions,
	.tick = pv_tick,
};

static int
push(struct tui *ui, struct dash_env *e, int step, const char *crumbs, wizard_done_fn *done,
    const char *name, int (*list_push)(struct tui *, struct dash_env *, const char *,
    void (*)(struct tui *, void *), void *),
    const char *const *intro, size_t nintro)
{
	struct preview *p = xcalloc(1, sizeof *p);

	p->e = e;
	p->step = step;
	p->done = done;
	p->list_push = list_push;
	p->intro = intro;
	p->nintro = nintro;
	snprintf(p->crumbs, sizeof p->crumbs, "%s", crumbs ? crumbs : "");
	if (tui_push(ui, &preview_ops, p, name, crumbs) != 0) {
		free(p);
		return -1;
	}
	return 0;
}

int
screen_step_employees_push(struct tui *ui, struct dash_env *e, int step, const char *crumbs,
    wizard_done_fn *done)
{
	return push(ui, e, step, crumbs, done, "Employees", screen_employees_step_push,
	    intro_employees, ARRAY_LEN(intro_employees));
}

int
screen_step_timeoff_push(struct tui *ui, struct dash_env *e, int step, const char *crumbs,
    wizard_done_fn *done)
{
	return push(ui, e, step, crumbs, done, "Time off", screen_timeoff_step_push, intro_timeoff,
	    ARRAY_LEN(intro_timeoff));
}
