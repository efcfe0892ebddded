/* main.c - bobsync: parse the command line and dispatch. */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <curl/curl.h>
#include <sodium.h>

#include "app.h"
#include "commands.h"
#include "base/log.h"
#include "output.h"

static const struct command {
	const char *name;
	int (*fn)(struct app *, int, char **);
	int needs_conf;		/* refuse to run with an invalid bobsync.conf */
} commands[] = {
	{ "setup",       cmd_tui,         1 },
	{ "check",       cmd_check,       1 },
	{ "preview",     cmd_preview,     1 },
	{ "plan",        cmd_plan,        1 },
	{ "sync",        cmd_sync,        1 },
	{ "reconcile",   cmd_reconcile,   1 },
	{ "explain",     cmd_explain,     1 },
	{ "status",      cmd_status,      1 },
	{ "log",         cmd_log,         1 },
	{ "daemon",      cmd_daemon,      1 },
	{ "config",      cmd_config,      0 },
	{ "credentials", cmd_credentials, 1 },
	{ "access",      cmd_access,      1 },
};

static void
usage(FILE *f)
{
	fputs(
"usage: bobsync [COMMAND] [OPTIONS]\n"
"\n"
"Feed HiBob people into Alleo and approved time off into Assembled.\n"
"\n"
"  bobsync                              console: setup steps first, then the dashboard\n"
"  bobsync setup                        the console at its setup steps\n"
"  bobsync check [--json] [--record FILE]\n"
"                                       run every setup check against the live services;\n"
"                                       --record: the answers' shapes (no values) to FILE\n"
"  bobsync preview employees [--json|--csv]\n"
"  bobsync preview timeoff [--from DATE] [--to DATE] [--json|--csv]\n"
"  bobsync plan roster|timeoff [--reconcile] [--json]\n"
"                                      what a sync (or reconcile) would do now, with the plan id\n"
"  bobsync sync roster|timeoff|all [--dry-run] [--approve PLAN_ID] [--json]\n"
"  bobsync reconcile timeoff [--approve PLAN_ID] [--json]\n"
"                                      compare the whole window and repair drift\n"
"  bobsync explain NAME|EMAIL|EMPLOYEE_ID [--json]\n"
"  bobsync status [--json]\n"
"  bobsync log [--run N] [--person WHO] [--result R] [--limit N] [--json]\n"
"  bobsync daemon [--once]              run the schedules in the foreground\n"
"  bobsync config list | get KEY | set KEY VALUE | unset KEY\n"
"  bobsync credentials set hibob|assembled|alleo|webhook [--check]\n"
"  bobsync credentials status | forget NAME\n"
"  bobsync credentials rekey [--passphrase|--key-file|--both]\n"
"  bobsync access export FILE           CSV (email, alleo_access) for HiBob People > Import\n"
"  bobsync access set yes|no EMAIL|ID...\n"
"  bobsync --help | --version\n"
"\n"
"Exit status: 0 done, 1 a check or action failed, 2 usage, 3 blocked by a guard\n"
"(approve the printed plan id), 4 not configured or vault locked, 5 another run\n"
"holds the lock, 6 credentials or permissions rejected, 130 interrupted (Ctrl-C).\n"
"\n"
"Files live in $BOBSYNC_HOME, else $XDG_CONFIG_HOME/bobsync and\n"
"$XDG_STATE_HOME/bobsync.  See bobsync(1).\n", f);
}

/* No core files with secrets in them, and no ptrace or /proc/PID/mem by
 * other processes of the same user.  0, or -1 with a message. */
static int
harden_process(void)
{
	struct rlimit rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) != 0) {
		fprintf(stderr, "bobsync: cannot turn off core files: %s\n", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) {
		fprintf(stderr, "bobsync: cannot mark the process not dumpable: %s\n",
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct app app;
	struct bs_error err = { 0 };
	const struct command *cmd = NULL;
	const char *name;
	int status;

	setlocale(LC_ALL, "");
	if (harden_process() != 0)
		return 1;	/* secrets would be exposed: refuse to run */
	if (sodium_init() < 0) {
		fputs("bobsync: cannot initialise libsodium\n", stderr);
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fputs("bobsync: cannot initialise libcurl\n", stderr);
		return 1;
	}

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
		printf("bobsync %s\n", BOBSYNC_VERSION);
		return 0;
	}

	name = argc >= 2 ? argv[1] : NULL;
	if (name != NULL) {
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (strcmp(commands[i].name, name) == 0)
				cmd = &commands[i];
		if (cmd == NULL) {
			fprintf(stderr, "bobsync: unknown command '%s'\n", name);
			fputs("Run 'bobsync --help' for the list of commands.\n", stderr);
			return 2;
		}
	}

	/* every command-line command prints through the sanitiser */
	if (cmd != NULL && cmd->fn != cmd_tui)
		out_guard_streams();
	if (app_init(&app, argv[0], &err) != BS_OK &&
	    (cmd == NULL || cmd->needs_conf)) {
		status = app_error(&app, &err);
		app_done(&app);
		return status;
	}
	if (cmd == NULL)
		status = cmd_tui(&app, argc - 1, argv + 1);
	else
		status = cmd->fn(&app, argc - 1, argv + 1);
	app_done(&app);
	log_forget_secrets();
	curl_global_cleanup();
	return status;
}
