/* preview_timeoff.c - bobsync preview timeoff [--from DATE] [--to DATE] [--json|--csv] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "engine/describe.h"
#include "commands.h"
#include "output.h"
#include "engine/timeoff_preview.h"
#include "base/jwrite.h"
#include "base/util.h"

static const char *
sync_word(const struct toff_preview_item *it)
{
	return it->sync ? "yes" : "no";
}

/* Written as it goes (jwrite.h: the text json_dumpf gave for the tree this
 * built before): 100,000 requests need no tree in memory. */
static void
print_json(const struct toff_preview *p)
{
	FILE *f = out_raw(stdout);
	struct jwriter w;

	/* as out_json: JSON escapes C0 itself; the filter is bypassed */
	fflush(stdout);
	jw_init(&w, f, 2);
	jw_object_begin(&w);
	jw_key(&w, "summary");
	jw_object_begin(&w);
	jw_key(&w, "total");
	jw_int(&w, (long long)p->total);
	jw_key(&w, "sync");
	jw_int(&w, (long long)p->sync);
	jw_key(&w, "skip");
	jw_int(&w, (long long)p->skip);
	jw_key(&w, "reasons");
	jw_object_begin(&w);
	for (int k = 0; k <= TOFF_WHY_OTHER; k++)
		if (k != TOFF_WHY_SYNC && p->per_why[k] > 0) {
			jw_key(&w, toff_why_name((enum toff_why)k));
			jw_int(&w, (long long)p->per_why[k]);
		}
	jw_object_end(&w);
	jw_key(&w, "from");
	jw_string(&w, p->from);
	jw_key(&w, "to");
	jw_string(&w, p->to);
	jw_key(&w, "assembled");
	jw_bool(&w, p->assembled);
	if (!p->assembled && p->assembled_problem[0] != '\0') {
		jw_key(&w, "assembled_problem");
		jw_string(&w, p->assembled_problem);
	}
	jw_object_end(&w);
	jw_key(&w, "requests");
	jw_array_begin(&w);
	for (size_t i = 0; i < p->n; i++) {
		const struct toff_preview_item *it = &p->v[i];
		jw_object_begin(&w);
		jw_key(&w, "request_id");
		jw_int(&w, it->request_id);
		jw_key(&w, "employee_id");
		jw_string(&w, it->employee_id);
		jw_key(&w, "email");
		jw_string(&w, it->email);
		jw_key(&w, "name");
		jw_string(&w, it->name);
		jw_key(&w, "policy");
		jw_string(&w, it->policy);
		jw_key(&w, "type");
		jw_string(&w, it->type);
		jw_key(&w, "status");
		jw_string(&w, it->status);
		jw_key(&w, "sync");
		jw_bool(&w, it->sync);
		jw_key(&w, "reason_code");
		jw_string(&w, toff_why_name(it->why));
		jw_key(&w, "reason");
		jw_string(&w, it->reason);
		jw_key(&w, "zone");
		jw_string(&w, it->zone);
		jw_key(&w, "agent_id");
		jw_string(&w, it->agent_id);
		jw_key(&w, "start");
		jw_string(&w, it->start[0] ? it->start : NULL);
		jw_key(&w, "end");
		jw_string(&w, it->end[0] ? it->end : NULL);
		jw_key(&w, "events");
		jw_int(&w, (long long)it->nevents);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
	jw_finish(&w);
	fputc('\n', f);
	fflush(f);
}

static void
print_csv(const struct toff_preview *p)
{
	static const char *const hdr[] = { "request_id", "employee_id", "email", "name", "policy",
	    "type", "status", "sync", "reason_code", "reason", "zone", "start", "end" };

	out_csv_row(stdout, ARRAY_LEN(hdr), hdr);
	for (size_t i = 0; i < p->n; i++) {
		const struct toff_preview_item *it = &p->v[i];
		char id[32];
		const char *row[ARRAY_LEN(hdr)];
		snprintf(id, sizeof id, "%lld", it->request_id);
		row[0] = id;
		row[1] = it->employee_id;
		row[2] = it->email;
		row[3] = it->name;
		row[4] = it->policy;
		row[5] = it->type;
		row[6] = it->status;
		row[7] = sync_word(it);
		row[8] = toff_why_name(it->why);
		row[9] = it->reason;
		row[10] = it->zone;
		row[11] = it->start;
		row[12] = it->end;
		out_csv_row(stdout, ARRAY_LEN(hdr), row);
	}
}

static void
print_table(const struct toff_preview *p)
{
	static const char *const hdr[] = { "REQUEST", "NAME", "POLICY", "STATUS", "SYNC", "WHEN",
	    "ZONE", "REASON" };
	struct out_table *t = out_table_new(ARRAY_LEN(hdr), hdr);
	int64_t now = clock_now();
	int first = 1;

	/* measured, then printed row by row (a year of a company's requests
	 * is not copied into the table) */
	for (int put = 0; put < 2; put++) {
		if (put)
			out_table_begin(t, stdout, out_term_width());
		for (size_t i = 0; i < p->n; i++) {
			const struct toff_preview_item *it = &p->v[i];
			char id[32];
			const char *row[ARRAY_LEN(hdr)];
			snprintf(id, sizeof id, "%lld", it->request_id);
			row[0] = id;
			row[1] = it->name ? it->name : it->email ? it->email : it->employee_id;
			row[2] = it->policy;
			row[3] = it->status;
			row[4] = sync_word(it);
			/* in the person's zone, in words (--json and --csv keep ISO) */
			char *when = describe_span(it->t_start, it->t_end, it->zone, now);
			row[5] = when;
			row[6] = it->zone;
			row[7] = it->reason;
			if (put)
				out_table_put(t, row);
			else
				out_table_measure(t, row);
			free(when);
		}
	}
	out_table_free(&t);
	printf("\n%s to %s: %ld request%s, %ld will sync to Assembled, %ld will not",
	    p->from, p->to, p->total, p->total == 1 ? "" : "s", p->sync, p->skip);
	for (int w = 0; w <= TOFF_WHY_OTHER; w++) {
		if (w == TOFF_WHY_SYNC || p->per_why[w] == 0)
			continue;
		printf("%s%ld %s", first ? " (" : ", ", p->per_why[w], toff_why_name((enum toff_why)w));
		first = 0;
	}
	printf("%s.\n", first ? "" : ")");
	if (!p->assembled && p->assembled_problem[0] != '\0')
		printf("Assembled was not read: %s.\n", p->assembled_problem);
}

int
cmd_preview_timeoff(struct app *a, int argc, char **argv)
{
	struct app_ctx ctx;
	struct bs_error err = { 0 };
	struct toff_preview p;
	struct out_progress prog;
	struct bs_progress pcb = { out_progress_cb, &prog };
	const char *from = NULL, *to = NULL;
	int64_t d;
	bs_rc rc;

	if (argc > 1)
		return app_usage(a, "preview", "unexpected argument '%s'", argv[1]);
	from = a->opt[APP_OPT_FROM];
	to = a->opt[APP_OPT_TO];
	if (from != NULL && date_parse(from, &d) != 0)
		return app_usage(a, "preview", "--from '%s' is not a date (YYYY-MM-DD)", from);
	if (to != NULL && date_parse(to, &d) != 0)
		return app_usage(a, "preview", "--to '%s' is not a date (YYYY-MM-DD)", to);
	if (a->json && a->csv)
		return app_usage(a, "preview", "choose one of --json and --csv");
	if (app_ctx_open(a, APP_NEED_VAULT, &ctx, &err) != BS_OK)
		return app_error(a, &err);
	out_progress_init(&prog, a);
	rc = toff_preview_run(&ctx.s, from, to, &pcb, &p, &err);
	out_progress_done(&prog);
	if (rc != BS_OK) {
		app_ctx_close(&ctx);
		return app_error(a, &err);
	}
	if (a->json)
		print_json(&p);
	else if (a->csv)
		print_csv(&p);
	else
		print_table(&p);
	toff_preview_clear(&p);
	app_ctx_close(&ctx);
	return 0;
}
