/* plan_print.h - plans and run results for people to read. */
#ifndef BS_PLAN_PRINT_H
#define BS_PLAN_PRINT_H

#include <stdio.h>

#include "engine/plan.h"

/* approve: the command that applies the plan when a guard holds it
 * ("reconcile timeoff"); NULL: "sync roster" or "sync timeoff" */
void print_plan(FILE *f, const struct plan *p, int width, const char *approve);
void print_sync_result(FILE *f, const struct sync_result *r);

#endif
