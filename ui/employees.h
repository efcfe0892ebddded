/* employees.h - the model behind the employee screen (screen_employees.c):
 * the roster read from HiBob as list rows (cells, the detail with the rule
 * that decided, the counts line) and which people a bulk action applies to.
 * Pure: no curses, so the unit tests drive it with a hand-made roster. */
#ifndef BS_EMPLOYEES_H
#define BS_EMPLOYEES_H

#include <stddef.h>

#include "engine/roster.h"
#include "widget_list.h"

enum emp_col { EMP_NAME, EMP_EMAIL, EMP_ACCESS, EMP_ACCOUNT, EMP_LIFECYCLE, EMP_NCOLS };

struct emp_model {
	struct roster_source src;	/* owned once emp_model_init ran */
	char **names;			/* shown names, parallel to src.people.v */
	struct wlist list;
	char detail[2048];
};

/* Take src over (it is moved; the caller's copy must not be freed) and set
 * up the list: every person, in HiBob's order, detail pane shown,
 * multi-select. */
void emp_model_init(struct emp_model *m, struct roster_source *src);
void emp_model_clear(struct emp_model *m);

/* The list's callbacks (ctx is the model). */
const char *emp_cell(void *ctx, size_t row, int col);
const char *emp_detail(void *ctx, size_t row);
/* "Account" column: "yes", "no" or "held" (access not set or unreadable). */
const char *emp_account_word(enum roster_verdict v);

/* "320 people: 201 get an Alleo account, 100 do not, 19 held (...)" and,
 * when a filter or selection is active, what it holds.  Returns out. */
char *emp_counts(const struct emp_model *m, char *out, size_t outsz);

/* Select every person that passes the filter; when all of them already
 * are, unselect them instead.  Returns how many are selected now. */
size_t emp_select_filtered(struct emp_model *m);

/* Whom a bulk action applies to: the selected people when any are
 * selected, else everyone passing the filter.  Row indices into out
 * (caller frees), count in *n; *selected says which it was. */
size_t *emp_targets(const struct emp_model *m, size_t *n, int *selected);

#endif
