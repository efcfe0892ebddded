/* preview_timeoff.c - bobsync preview timeoff [--from DATE] [--to DATE] [--json|--csv] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "engine/describe.h"
#include "commands.h"
#include "output.h"
#include "engine/timeoff_preview.h"
#include "base/util.h"

static const char *
sync_word(const struct toff_preview_item *it)
{
	return it->sync ? "yes" : "no";
}

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static void
print_json(const struct toff_preview *p)
{
	json_t *j = json_object(), *sum = json_object(), *why = json_object(), *arr = json_array();

	json_object_set_new(sum, "total", json_integer(p->total));
	json_object_set_new(sum, "sync", json_integer(p->sync));
	json_object_set_new(sum, "skip", json_integer(p->skip));
	for (int w = 0; w <= TOFF_WHY_OTHER; w++)
		if (w != TOFF_WHY_SYNC && p->per_why[w] > 0)
			json_object_set_new(why, toff_why_name((enum toff_why)w), json_integer(p->per_why[w]));
	json_object_set_new(sum, "reasons", why);
	json_object_set_new(sum, "from", json_string(p->from));
	json_object_set_new(sum, "to", json_string(p->to));
	json_object_set_new(sum, "assembled", json_boolean(p->assembled));
	if (!p->assembled && p->assembled_problem[0] != '\0')
		json_object_set_new(sum, "assembled_problem", json_string(p->assembled_problem));
	json_object_set_new(j, "summary", sum);
	for (size_t i = 0; i < p->n; i++) {
		const struct toff_preview_item *it = &p->v[i];
		json_t *o = json_object();
		json_object_set_new(o, "request_id", json_integer(it->request_id));
		json_object_set_new(o, "employee_id", str_or_null(it->employee_id));
		json_object_set_new(o, "email", str_or_null(it->email));
		json_object_set_new(o, "name", str_or_null(it->name));
		json_object_set_new(o, "policy", str_or_null(it->policy));
		json_object_set_new(o, "type", str_or_null(it->type));
		json_object_set_new(o, "status", str_or_null(it->status));
		json_object_set_new(o, "sync", json_boolean(it->sync));
		json_object_set_new(o, "reason_code", json_string(toff_why_name(it->why)));
		json_object_set_new(o, "reason", str_or_null(it->reason));
		json_object_set_new(o, "zone", str_or_null(it->zone));
		json_object_set_new(o, "agent_id", str_or_null(it->agent_id));
		json_object_set_new(o, "start", it->start[0] ? json_string(it->start) : json_null());
		json_object_set_new(o, "end", it->end[0] ? json_string(it->end) : json_null());
		json_object_set_new(o, "events", json_integer((json_int_t)it->nevents));
		json_array_append_new(arr, o);
	}
	json_object_set_new(j, "requests", arr);
	out_json(j);
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
		out_table_row(t, row);
		free(when);
	}
	out_table_print(t, stdout, out_term_width());
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

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			a->json = 1;
		else if (strcmp(argv[i], "--csv") == 0)
			a->csv = 1;
		else if (strcmp(argv[i], "--from") == 0 || strcmp(argv[i], "--to") == 0) {
			if (i + 1 >= argc)
				return app_usage(a, "preview", "%s needs a date (YYYY-MM-DD)", argv[i]);
			if (date_parse(argv[i + 1], &d) != 0)
				return app_usage(a, "preview", "%s '%s' is not a date (YYYY-MM-DD)",
				    argv[i], argv[i + 1]);
			if (argv[i][2] == 'f')
				from = argv[i + 1];
			else
				to = argv[i + 1];
			i++;
		} else if (strncmp(argv[i], "--from=", 7) == 0 || strncmp(argv[i], "--to=", 5) == 0) {
			const char *v = strchr(argv[i], '=') + 1;
			if (date_parse(v, &d) != 0)
				return app_usage(a, "preview", "'%s' is not a date (YYYY-MM-DD)", v);
			if (argv[i][2] == 'f')
				from = v;
			else
				to = v;
		} else {
			return app_usage(a, "preview", "unknown option '%s'", argv[i]);
		}
	}
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
	toff_preview_free(&p);
	app_ctx_close(&ctx);
	return 0;
}
