/* main.c - bobsync: parse the command line and dispatch. */
#include <errno.h>
#include <getopt.h>
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

/* Every option of every command: its spelling, whether it takes a value,
 * and what the value is (for "--run needs a run number"). */
static const struct {
	const char *name;
	const char *needs;	/* NULL: a flag */
} opt_info[APP_OPT_COUNT] = {
	[APP_OPT_JSON] = { "json", NULL },
	[APP_OPT_CSV] = { "csv", NULL },
	[APP_OPT_RECORD] = { "record", "a file name" },
	[APP_OPT_FROM] = { "from", "a date (YYYY-MM-DD)" },
	[APP_OPT_TO] = { "to", "a date (YYYY-MM-DD)" },
	[APP_OPT_RECONCILE] = { "reconcile", NULL },
	[APP_OPT_DRY_RUN] = { "dry-run", NULL },
	[APP_OPT_APPROVE] = { "approve", "the plan id" },
	[APP_OPT_RUN] = { "run", "a run number" },
	[APP_OPT_PERSON] = { "person", "a name, an email or an employee id" },
	[APP_OPT_RESULT] = { "result", "a result (ok, partial, blocked, failed, aborted, interrupted, not_run)" },
	[APP_OPT_LIMIT] = { "limit", "a number from 1 to 100000" },
	[APP_OPT_ONCE] = { "once", NULL },
	[APP_OPT_CHECK] = { "check", NULL },
	[APP_OPT_PASSPHRASE] = { "passphrase", NULL },
	[APP_OPT_KEY_FILE] = { "key-file", NULL },
	[APP_OPT_BOTH] = { "both", NULL },
	[APP_OPT_ROOT] = { "root", "an absolute folder" },
	[APP_OPT_FOR] = { "for", "a duration such as 30m, 2h or 1d" },
};

/* The commands: name, function, whether an invalid bobsync.conf stops it,
 * the options it takes, and its lines of `bobsync --help` (usage is made
 * from this table, so a command cannot be missing from it). */
static const struct command {
	const char *name;
	int (*fn)(struct app *, int, char **);
	int needs_conf;
	unsigned opts;
	int quiet_unknown;	/* an unknown word may be a secret: never echo it */
	const char *help;
} commands[] = {
	{ "setup", cmd_tui, 1, 0, 0,
"  bobsync setup                        the console at its setup steps\n" },
	{ "check", cmd_check, 1, APP_OPT(JSON) | APP_OPT(RECORD), 0,
"  bobsync check [--json] [--record FILE]\n"
"                                       run every setup check against the live services;\n"
"                                       --record: the answers' shapes (no values) to FILE\n" },
	{ "preview", cmd_preview, 1, APP_OPT(JSON) | APP_OPT(CSV) | APP_OPT(FROM) | APP_OPT(TO), 0,
"  bobsync preview employees [--json|--csv]\n"
"  bobsync preview timeoff [--from DATE] [--to DATE] [--json|--csv]\n" },
	{ "plan", cmd_plan, 1, APP_OPT(JSON) | APP_OPT(RECONCILE), 0,
"  bobsync plan roster|timeoff [--reconcile] [--json]\n"
"                                      what a sync (or reconcile) would do now, with the plan id\n" },
	{ "sync", cmd_sync, 1, APP_OPT(JSON) | APP_OPT(DRY_RUN) | APP_OPT(APPROVE), 0,
"  bobsync sync roster|timeoff|all [--dry-run] [--approve PLAN_ID] [--json]\n" },
	{ "reconcile", cmd_reconcile, 1, APP_OPT(JSON) | APP_OPT(APPROVE), 0,
"  bobsync reconcile timeoff [--approve PLAN_ID] [--json]\n"
"                                      compare the whole window and repair drift\n" },
	{ "explain", cmd_explain, 1, APP_OPT(JSON), 0,
"  bobsync explain NAME|EMAIL|EMPLOYEE_ID [--json]\n" },
	{ "status", cmd_status, 1, APP_OPT(JSON), 0,
"  bobsync status [--json]\n" },
	{ "log", cmd_log, 1, APP_OPT(JSON) | APP_OPT(RUN) | APP_OPT(PERSON) | APP_OPT(RESULT) |
	    APP_OPT(LIMIT), 0,
"  bobsync log [--run N] [--person WHO] [--result R] [--limit N] [--json]\n" },
	{ "daemon", cmd_daemon, 1, APP_OPT(ONCE), 0,
"  bobsync daemon [--once]              run the schedules in the foreground\n" },
	{ "enable", cmd_enable, 1, APP_OPT(DRY_RUN) | APP_OPT(ROOT), 0,
"  bobsync enable systemd|cron|background [--dry-run] [--root DIR]\n"
"                                       keep the sync core running: a system service,\n"
"                                       a crontab line, or a daemon in the background\n" },
	{ "disable", cmd_disable, 0, APP_OPT(DRY_RUN), 0,
"  bobsync disable [--dry-run]          undo enable: nothing syncs on its own any more\n" },
	{ "pause", cmd_pause, 0, APP_OPT(FOR), 0,
"  bobsync pause [roster|timeoff|all] [--for 2h]\n" },
	{ "resume", cmd_pause, 0, 0, 0,
"  bobsync resume [roster|timeoff|all]  the sync core skips a paused sync until resumed\n" },
	{ "config", cmd_config, 0, APP_OPT(JSON), 0,
"  bobsync config list | get KEY | set KEY VALUE | unset KEY\n" },
	{ "credentials", cmd_credentials, 1, APP_OPT(JSON) | APP_OPT(CHECK) | APP_OPT(PASSPHRASE) |
	    APP_OPT(KEY_FILE) | APP_OPT(BOTH), 1,
"  bobsync credentials set hibob|assembled|alleo|webhook [--check]\n"
"  bobsync credentials status | forget NAME\n"
"  bobsync credentials rekey [--passphrase|--key-file|--both]\n" },
	{ "access", cmd_access, 1, 0, 0,
"  bobsync access export FILE           CSV (email, alleo_access) for HiBob People > Import\n"
"  bobsync access set yes|no EMAIL|ID...\n" },
};

static void
usage(FILE *f)
{
	fputs(
"usage: bobsync [COMMAND] [OPTIONS]\n"
"\n"
"Feed HiBob people into Alleo and approved time off into Assembled.\n"
"\n"
"  bobsync                              console: setup steps first, then the dashboard\n", f);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fputs(commands[i].help, f);
	fputs(
"  bobsync --help | --version           one command's: bobsync COMMAND --help\n"
"\n"
"Exit status: 0 done, 1 a check or action failed, 2 usage, 3 blocked by a guard\n"
"(approve the printed plan id), 4 not configured or vault locked, 5 another run\n"
"holds the lock, 6 credentials or permissions rejected, 130 interrupted (Ctrl-C;\n"
"143 SIGTERM): a sync stops at its next safe point and records the run.\n"
"\n"
"Files live in $BOBSYNC_HOME, else $XDG_CONFIG_HOME/bobsync and\n"
"$XDG_STATE_HOME/bobsync.  See bobsync(1).\n", f);
}

const char *
app_opt_name(enum app_opt o)
{
	return (unsigned)o < APP_OPT_COUNT ? opt_info[o].name : "?";
}

/* Parse cmd's options out of argv (argv[0] is the command's name) into
 * a->opt, leaving the operands in argv[0..*argc).  GNU getopt_long
 * permutes, so options may stand anywhere; "--" ends them.  0, or the
 * usage exit status with the reason printed. */
static int
parse_options(struct app *a, const struct command *cmd, int *argc, char **argv)
{
	struct option lo[APP_OPT_COUNT + 1];
	size_t n = 0;
	int c, k = 1;

	for (int o = 0; o < APP_OPT_COUNT; o++)
		if (cmd->opts & (1u << o))
			lo[n++] = (struct option){ opt_info[o].name,
			    opt_info[o].needs != NULL ? required_argument : no_argument, NULL, o };
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(*argc, argv, ":", lo, NULL)) != -1) {
		const char *word = argv[optind - 1];
		if (c == ':') {
			if (optopt >= 0 && optopt < APP_OPT_COUNT && opt_info[optopt].needs != NULL)
				return app_usage(a, cmd->name, "--%s needs %s", opt_info[optopt].name,
				    opt_info[optopt].needs);
			return app_usage(a, cmd->name, "'%s' needs a value", word);
		}
		if (c == '?') {
			if (cmd->quiet_unknown)
				return app_usage(a, cmd->name, "%s: an unknown option or word (not "
				    "repeated here: it may be a secret)", cmd->name);
			return app_usage(a, cmd->name, "unknown option '%s'", word);
		}
		if (opt_info[c].needs != NULL && optarg[0] == '\0')
			return app_usage(a, cmd->name, "--%s needs %s", opt_info[c].name,
			    opt_info[c].needs);
		a->opt[c] = optarg != NULL ? optarg : "";
	}
	for (int i = optind; i < *argc; i++)
		argv[k++] = argv[i];
	*argc = k;
	a->json = a->opt[APP_OPT_JSON] != NULL;
	a->csv = a->opt[APP_OPT_CSV] != NULL;
	return 0;
}

int
app_only_opts(struct app *a, const char *cmd, const char *what, unsigned allowed)
{
	for (int o = 0; o < APP_OPT_COUNT; o++)
		if (a->opt[o] != NULL && !(allowed & (1u << o)))
			return app_usage(a, cmd, "unknown option '--%s' for %s", opt_info[o].name, what);
	return 0;
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
		/* `bobsync sync --help`: that command's lines, before any option
		 * is checked (an operand after "--" is not asking) */
		for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
			if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
				printf("usage:\n%s\nAll commands: bobsync --help; the details: "
				    "man bobsync.\n", cmd->help);
				return 0;
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
	if (cmd == NULL) {
		status = cmd_tui(&app, argc - 1, argv + 1);
	} else {
		int cargc = argc - 1;
		status = parse_options(&app, cmd, &cargc, argv + 1);
		if (status == 0)
			status = cmd->fn(&app, cargc, argv + 1);
	}
	app_done(&app);
	log_forget_secrets();
	/* libcurl is opened (and initialised) by the first command that uses
	 * it (core/net/lazylib.c); this does nothing when none did */
	curl_global_cleanup();
	return status;
}
