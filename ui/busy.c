/* busy.c - a screen's background job (busy.h). */
#include <stdio.h>
#include <string.h>

#include "busy.h"
#include "text.h"
#include "tui.h"
#include "widget_progress.h"

int
busy_start(struct tui *ui, struct busy *b, const char *what, task_fn fn, void *arg)
{
	struct bs_error err = { 0 };

	if (b->t != NULL) {
		tui_say(ui, ROLE_WARN, " still busy: %s", b->what);
		return -1;
	}
	snprintf(b->what, sizeof b->what, "%s", what);
	b->cancelled = 0;
	b->t = task_start(fn, arg, &err);
	if (b->t == NULL) {
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
		return -1;
	}
	return 0;
}

int
busy_running(const struct busy *b)
{
	return b->t != NULL;
}

void
busy_cancel(struct busy *b)
{
	if (b->t != NULL) {
		task_cancel(b->t);
		b->cancelled = 1;
	}
}

int
busy_done(struct busy *b, bs_rc *rc, struct bs_error *err)
{
	if (b->t == NULL || !task_finished(b->t))
		return 0;
	*rc = task_wait(&b->t, err);
	return 1;
}

void
busy_free(struct busy *b)
{
	task_free(&b->t);
}

void
busy_draw(struct busy *b, struct tui *ui, int y, int x, int w)
{
	struct task_snapshot s;
	char line[256];

	if (b->t == NULL)
		return;
	task_snapshot(b->t, &s);
	snprintf(line, sizeof line, "%s %s%s", wprog_spinner(tui_frame_count(ui), 1), b->what,
	    b->cancelled ? " (stopping at the next safe point)" : " (Esc stops)");
	text_put(y, x, line, w, b->cancelled ? ROLE_WARN : ROLE_NORMAL);
	if (s.events > 0)
		wprog_draw(y + 1, x, w, s.phase, s.done, s.total, s.applied, s.failed, s.skipped,
		    s.item, tui_frame_count(ui));
}
