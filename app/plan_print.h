/* plan_print.h - plans and run results for people to read. */
#ifndef BS_PLAN_PRINT_H
#define BS_PLAN_PRINT_H

#include <stdio.h>

#include "engine/plan.h"

void print_plan(FILE *f, const struct plan *p, int width);
void print_sync_result(FILE *f, const struct sync_result *r);

#endif
