/* cmd_access.c - bobsync access export FILE | access set yes|no EMAIL|ID...
 *
 * export writes a CSV for HiBob's People > Import: the work email (what the
 * importer matches people on) and the eligibility field with each person's
 * current value, empty when unset, so an admin fills the blanks and
 * imports it.  set writes the field through the API (PUT /people/{id} with
 * the list item id of yes or no).  Both are core/admin/access.c's, shared with
 * the console's employee screen; this file reads the arguments and prints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/access.h"
#include "app.h"
#include "commands.h"
#include "config/conf.h"
#include "vendor/hibob.h"
#include "output.h"
#include "engine/roster.h"
#include "engine/session.h"
#include "base/util.h"

#define ACCESS_MAX_IDS 100000	/* identifiers read from stdin at most */
#define ACCESS_LINE_MAX 512

static int
access_export(struct app *a, const char *file)
{
	struct app_ctx ctx;
	struct bs_error err = { 0 };
	struct roster_source src;
	struct out_progress prog;
	struct bs_progress pcb = { out_progress_cb, &prog };
	struct access_export x = { 0 };
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
	if (access_export_build(&src, a->conf, NULL, 0, NULL, &x, &err) != BS_OK) {
		status = app_error(a, &err);
	} else if (strcmp(file, "-") == 0) {
		if (fwrite(x.text, 1, x.len, stdout) != x.len || fflush(stdout) != 0) {
			bs_fail(&err, BS_ERR_IO, "writing to standard output: %s", strerror(errno));
			status = app_error(a, &err);
		}
	} else if (util_write_atomic(file, x.text, x.len, 0600, &err) != BS_OK) {
		status = app_error(a, &err);
	} else if (!a->quiet) {
		fprintf(stderr, "Wrote %s: %zu people, %zu without a value. Fill in yes or no, then "
		    "import it in Bob: People > Import.\n", file, x.rows, x.blanks);
	}
	free(x.text);
	roster_source_clear(&src);
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

static void
print_result(void *ctx, const struct access_result *r)
{
	char line[BS_ERROR_DETAIL_MAX + 1024];

	printf("%s\n", access_result_line(r, ctx, line, sizeof line));
}

static int
access_set(struct app *a, const char *value, int argc, char **argv)
{
	struct app_ctx ctx;
	struct bs_error err = { 0 };
	struct roster_source src;
	struct access_tally t;
	struct bob_client *bob;
	char **ids;
	size_t nids;
	int status = 0;

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
	    roster_source_fetch(&ctx.s, NULL, &src, &err) != BS_OK ||
	    access_set_run(&ctx.s, &src, value, (const char *const *)ids, nids, NULL,
	    print_result, (void *)value, &t, &err) != BS_OK) {
		status = app_error(a, &err);
		goto out;
	}
	if (!a->quiet)
		fprintf(stderr, "%zu changed, %zu already %s, %zu failed.\n", t.changed, t.same,
		    value, t.failed);
	status = t.failed ? 1 : 0;
out:
	roster_source_clear(&src);
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
