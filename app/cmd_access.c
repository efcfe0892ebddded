/* cmd_access.c - bobsync access export FILE | access set yes|no EMAIL|ID...
 *
 * export writes a CSV for HiBob's People > Import: the work email (what the
 * importer matches people on) and the eligibility field with each person's
 * current value, empty when unset, so an admin fills the blanks and
 * imports it.  set writes the field through the API (PUT /people/{id} with
 * the list item id of yes or no).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "commands.h"
#include "conf.h"
#include "hibob.h"
#include "output.h"
#include "roster.h"
#include "session.h"
#include "util.h"

#define ACCESS_MAX_IDS 100000	/* identifiers read from stdin at most */
#define ACCESS_LINE_MAX 512

static const char *
field_name(const struct app *a)
{
	const char *n = conf_get(a->conf, "hibob.eligibility_field");
	return str_empty(n) ? "alleo_access" : n;
}

/* The value to show for a person: yes/no, another value as read, or "". */
static const char *
access_cell(const struct bob_person *p)
{
	switch (p->access) {
	case BOB_ACCESS_YES: return "yes";
	case BOB_ACCESS_NO: return "no";
	case BOB_ACCESS_OTHER: return p->access_value ? p->access_value : "";
	case BOB_ACCESS_UNSET:
	case BOB_ACCESS_UNREADABLE:
	default: return "";
	}
}

static int
by_email(const void *x, const void *y)
{
	const struct bob_person *p = *(const struct bob_person *const *)x;
	const struct bob_person *q = *(const struct bob_person *const *)y;
	int c = strcasecmp(p->email ? p->email : "", q->email ? q->email : "");
	return c ? c : strcmp(p->id ? p->id : "", q->id ? q->id : "");
}

static int
access_export(struct app *a, const char *file)
{
	struct app_ctx ctx;
	struct bs_error err = { 0 };
	struct roster_source src;
	struct out_progress prog;
	struct bs_progress pcb = { out_progress_cb, &prog };
	const struct bob_person **order;
	char *buf = NULL;
	size_t len = 0, rows = 0, blanks = 0;
	FILE *mem;
	int status = 0;

	if (app_ctx_open(a, APP_NEED_VAULT, &ctx, &err) != BS_OK)
		return app_error(a, &err);
	out_progress_init(&prog, a);
	if (roster_source_fetch(&ctx.s, &pcb, &src, &err) != BS_OK) {
		out_progress_done(&prog);
		status = app_error(a, &err);
		app_ctx_close(&ctx);
		return status;
	}
	out_progress_done(&prog);
	if (src.access_field == NULL) {
		bs_fail(&err, BS_ERR_CHECK_FAILED, "%s; an import file for it would be refused by "
		    "HiBob ('bobsync check' says how to fix it)", src.field_problem);
		status = app_error(a, &err);
		goto out;
	}
	order = xcalloc(src.people.n + 1, sizeof *order);
	for (size_t i = 0; i < src.people.n; i++)
		order[i] = &src.people.v[i];
	qsort(order, src.people.n, sizeof *order, by_email);
	mem = open_memstream(&buf, &len);
	if (mem == NULL) {
		free(order);
		bs_fail(&err, BS_ERR_NOMEM, "cannot build the export");
		status = app_error(a, &err);
		goto out;
	}
	{
		const char *hdr[] = { "Email", field_name(a) };
		out_csv_row(mem, 2, hdr);
	}
	for (size_t i = 0; i < src.people.n; i++) {
		const struct bob_person *p = order[i];
		const char *cells[2];
		/* the importer matches on the work email: without one, a row
		 * cannot be imported */
		if (str_empty(p->email))
			continue;
		cells[0] = p->email;
		cells[1] = access_cell(p);
		out_csv_row(mem, 2, cells);
		rows++;
		blanks += *cells[1] == '\0';
	}
	fclose(mem);
	free(order);
	if (strcmp(file, "-") == 0) {
		if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
			bs_fail(&err, BS_ERR_IO, "writing to standard output: %s", strerror(errno));
			status = app_error(a, &err);
		}
	} else if (util_write_atomic(file, buf, len, 0600, &err) != BS_OK) {
		status = app_error(a, &err);
	} else if (!a->quiet) {
		fprintf(stderr, "Wrote %s: %zu people, %zu without a value. Fill in yes or no, then "
		    "import it in Bob: People > Import.\n", file, rows, blanks);
	}
out:
	free(buf);
	roster_source_free(&src);
	app_ctx_close(&ctx);
	return status;
}

/* Identifiers from argv, or one per line from stdin for "-". */
static char **
read_ids(int argc, char **argv, size_t *n)
{
	char **v = NULL, line[ACCESS_LINE_MAX];
	size_t cnt = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-") != 0) {
			v = xreallocarray(v, cnt + 1, sizeof *v);
			v[cnt++] = xstrdup(argv[i]);
			continue;
		}
		while (cnt < ACCESS_MAX_IDS && fgets(line, sizeof line, stdin) != NULL) {
			char *t = str_trim(line);
			if (*t == '\0' || *t == '#')
				continue;
			v = xreallocarray(v, cnt + 1, sizeof *v);
			v[cnt++] = xstrdup(t);
		}
	}
	*n = cnt;
	return v;
}

static int
access_set(struct app *a, const char *value, int argc, char **argv)
{
	struct app_ctx ctx;
	struct bs_error err = { 0 };
	struct roster_source src;
	struct bob_client *bob;
	const char *item;
	char **ids;
	size_t nids, failed = 0, changed_n = 0, same = 0;
	int status = 0, stop = 0;

	ids = read_ids(argc, argv, &nids);
	if (nids == 0) {
		free(ids);
		return app_usage(a, "access", "say whose access to set: emails or HiBob ids, or '-' "
		    "to read them from standard input");
	}
	if (app_ctx_open(a, APP_NEED_VAULT, &ctx, &err) != BS_OK) {
		bob_strings_free(ids, nids);
		return app_error(a, &err);
	}
	memset(&src, 0, sizeof src);
	if (session_bob(&ctx.s, &bob, &err) != BS_OK ||
	    roster_source_fetch(&ctx.s, NULL, &src, &err) != BS_OK) {
		status = app_error(a, &err);
		goto out;
	}
	if (src.access_field == NULL) {
		bs_fail(&err, BS_ERR_CHECK_FAILED, "%s", src.field_problem);
		status = app_error(a, &err);
		goto out;
	}
	item = bob_list_id_of(&src.access_list, value);
	if (item == NULL) {
		bs_fail(&err, BS_ERR_CHECK_FAILED, "the list of '%s' has no option '%s' (or it cannot "
		    "be read): 'bobsync check' says how to fix the field", field_name(a), value);
		status = app_error(a, &err);
		goto out;
	}
	for (size_t i = 0; i < nids; i++) {
		const struct bob_person *p = roster_source_find(&src, ids[i], NULL);
		struct bs_error e = { 0 };
		int changed = 0;
		char *shown = xstrdup(ids[i]);
		bs_rc rc;

		util_strip_controls(shown);
		if (stop) {
			printf("%s: not tried\n", shown);
			failed++;
		} else if (p == NULL) {
			printf("%s: failed: no one with that email or id is visible to the service "
			    "user\n", shown);
			failed++;
		} else if ((rc = bob_update_field(bob, p->id, src.access_field->id, item, &changed,
		    &e)) != BS_OK) {
			char *msg = xstrdup(bs_error_text(&e));
			util_strip_controls(msg);
			printf("%s: failed: %s\n", shown, msg);
			free(msg);
			failed++;
			/* HiBob blocks a caller that repeats 401/403: stop asking */
			if (rc == BS_ERR_AUTH || rc == BS_ERR_FORBIDDEN)
				stop = 1;
		} else if (changed) {
			printf("%s: set to %s (was %s)\n", shown, value,
			    *access_cell(p) ? access_cell(p) : "unset");
			changed_n++;
		} else {
			printf("%s: already %s (HiBob changed nothing)\n", shown, value);
			same++;
		}
		free(shown);
	}
	if (!a->quiet)
		fprintf(stderr, "%zu changed, %zu already %s, %zu failed.\n", changed_n, same, value,
		    failed);
	status = failed ? 1 : 0;
out:
	roster_source_free(&src);
	bob_strings_free(ids, nids);
	app_ctx_close(&ctx);
	return status;
}

int
cmd_access(struct app *a, int argc, char **argv)
{
	if (argc < 2)
		return app_usage(a, "access", "say what to do: export FILE, or set yes|no EMAIL|ID...");
	if (strcmp(argv[1], "export") == 0) {
		if (argc != 3)
			return app_usage(a, "access", "export needs one file name ('-' for standard "
			    "output)");
		return access_export(a, argv[2]);
	}
	if (strcmp(argv[1], "set") == 0) {
		if (argc < 3 || (strcmp(argv[2], "yes") != 0 && strcmp(argv[2], "no") != 0))
			return app_usage(a, "access", "set needs yes or no, then emails or HiBob ids");
		return access_set(a, argv[2], argc - 3, argv + 3);
	}
	return app_usage(a, "access", "unknown subcommand '%s'", argv[1]);
}
