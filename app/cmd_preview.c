/* cmd_preview.c - bobsync preview employees|timeoff */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "commands.h"
#include "base/jwrite.h"
#include "output.h"
#include "engine/roster.h"
#include "base/util.h"

/* A person's place in the preview's order: the name made once, not at
 * each of the sort's comparisons (a million of them at 100,000 people). */
struct by_name_key {
	char *name;
	const char *id;
	size_t at;
};

static int
by_name(const void *a, const void *b)
{
	const struct by_name_key *x = a, *y = b;
	int c = strcoll(x->name, y->name);

	if (c == 0)
		c = strcmp(x->id ? x->id : "", y->id ? y->id : "");
	return c;
}

static const char *
verdict_word(enum roster_verdict v)
{
	switch (v) {
	case ROSTER_ELIGIBLE: return "yes";
	case ROSTER_INELIGIBLE: return "no";
	case ROSTER_UNKNOWN: return "held";
	}
	return "?";
}

static int
preview_employees(struct app *a, int argc, char **argv)
{
	struct app_ctx ctx;
	struct bs_error err = { 0 };
	struct roster_source src;
	struct out_progress prog;
	struct bs_progress pcb = { out_progress_cb, &prog };
	struct by_name_key *order;

	if (argc > 1)
		return app_usage(a, "preview", "unexpected argument '%s'", argv[1]);
	if (app_only_opts(a, "preview", "preview employees", APP_OPT(JSON) | APP_OPT(CSV)) != 0)
		return 2;
	if (a->json && a->csv)
		return app_usage(a, "preview", "choose one of --json and --csv");
	if (app_ctx_open(a, APP_NEED_VAULT, &ctx, &err) != BS_OK)
		return app_error(a, &err);
	out_progress_init(&prog, a);
	if (roster_source_fetch(&ctx.s, &pcb, &src, &err) != BS_OK) {
		out_progress_done(&prog);
		app_ctx_close(&ctx);
		return app_error(a, &err);
	}
	out_progress_done(&prog);
	if (src.field_problem[0] != '\0')
		fprintf(stderr, "bobsync: warning: %s; everyone's access is unknown "
		    "(run 'bobsync check' for the fix)\n", src.field_problem);
	for (size_t i = 0; i < src.nmissing_sections; i++)
		fprintf(stderr, "bobsync: warning: HiBob returned nothing from the %s section "
		    "(permission group; run 'bobsync check')\n", src.missing_sections[i]);

	order = xcalloc(src.people.n + 1, sizeof *order);
	for (size_t i = 0; i < src.people.n; i++)
		order[i] = (struct by_name_key){ bob_person_name(&src.people.v[i]),
		    src.people.v[i].id, i };
	qsort(order, src.people.n, sizeof *order, by_name);

	if (a->json) {
		/* written as it goes: 100,000 people need no tree in memory */
		struct jwriter w;
		jw_init(&w, stdout, 2);
		jw_object_begin(&w);
		jw_key(&w, "summary");
		jw_object_begin(&w);
		jw_key(&w, "total");
		jw_int(&w, (long long)src.people.n);
		jw_key(&w, "eligible");
		jw_int(&w, src.eligible);
		jw_key(&w, "ineligible");
		jw_int(&w, src.ineligible);
		jw_key(&w, "unset");
		jw_int(&w, src.unknown);
		jw_object_end(&w);
		jw_key(&w, "employees");
		jw_array_begin(&w);
		for (size_t k = 0; k < src.people.n; k++) {
			const struct bob_person *p = &src.people.v[order[k].at];
			const struct roster_kept_eval *e = &src.evals[order[k].at];
			const char *nm = order[k].name;
			jw_object_begin(&w);
			jw_key(&w, "id");
			jw_string(&w, p->id);
			jw_key(&w, "email");
			jw_string(&w, p->email);
			jw_key(&w, "name");
			jw_string(&w, nm);
			jw_key(&w, "access");
			jw_string(&w, bob_access_name(p->access));
			if (p->access == BOB_ACCESS_OTHER && p->access_value) {
				jw_key(&w, "access_value");
				jw_string(&w, p->access_value);
			}
			jw_key(&w, "lifecycle");
			jw_string(&w, p->lifecycle);
			jw_key(&w, "eligible");
			jw_bool(&w, e->verdict == ROSTER_ELIGIBLE);
			jw_key(&w, "verdict");
			jw_string(&w, roster_verdict_name(e->verdict));
			jw_key(&w, "reason");
			jw_string(&w, e->reason);
			jw_key(&w, "site");
			jw_string(&w, p->site);
			jw_key(&w, "department");
			jw_string(&w, p->department);
			jw_key(&w, "start_date");
			jw_string(&w, p->start_date);
			jw_key(&w, "termination_date");
			jw_string(&w, p->termination_date);
			jw_object_end(&w);
		}
		jw_array_end(&w);
		if (src.field_problem[0] != '\0') {
			jw_key(&w, "field_problem");
			jw_string(&w, src.field_problem);
		}
		jw_object_end(&w);
		jw_finish(&w);
		fputc('\n', stdout);
	} else if (a->csv) {
		static const char *const hdr[] = { "id", "email", "name", "access", "lifecycle",
		    "eligible", "reason" };
		out_csv_row(stdout, 7, hdr);
		for (size_t k = 0; k < src.people.n; k++) {
			const struct bob_person *p = &src.people.v[order[k].at];
			const struct roster_kept_eval *e = &src.evals[order[k].at];
			const char *nm = order[k].name;
			const char *row[] = { p->id, p->email, nm, bob_access_name(p->access),
			    p->lifecycle, verdict_word(e->verdict), e->reason };
			out_csv_row(stdout, 7, row);
		}
	} else {
		static const char *const hdr[] = { "NAME", "EMAIL", "ACCESS", "LIFECYCLE", "SYNC",
		    "REASON" };
		struct out_table *t = out_table_new(6, hdr);
		/* measured, then printed row by row: a company's rows are not
		 * copied into the table */
		for (int put = 0; put < 2; put++) {
			if (put)
				out_table_begin(t, stdout, out_term_width());
			for (size_t k = 0; k < src.people.n; k++) {
				const struct bob_person *p = &src.people.v[order[k].at];
				const struct roster_kept_eval *e = &src.evals[order[k].at];
				const char *row[] = { order[k].name, p->email, bob_access_name(p->access),
				    p->lifecycle, verdict_word(e->verdict), e->reason };
				if (put)
					out_table_put(t, row);
				else
					out_table_measure(t, row);
			}
		}
		out_table_free(&t);
		printf("\n%zu people: %ld will have an Alleo account, %ld will not, %ld held "
		    "(alleo_access not set or not readable: never removed, decide in HiBob).\n",
		    src.people.n, src.eligible, src.ineligible, src.unknown);
	}
	for (size_t i = 0; i < src.people.n; i++)
		free(order[i].name);
	free(order);
	roster_source_clear(&src);
	app_ctx_close(&ctx);
	return 0;
}

int
cmd_preview(struct app *a, int argc, char **argv)
{
	if (argc < 2)
		return app_usage(a, "preview", "say what to preview: employees or timeoff");
	if (strcmp(argv[1], "employees") == 0)
		return preview_employees(a, argc - 1, argv + 1);
	if (strcmp(argv[1], "timeoff") == 0)
		return cmd_preview_timeoff(a, argc - 1, argv + 1);
	return app_usage(a, "preview", "unknown preview '%s' (employees or timeoff)", argv[1]);
}
