/* app.h - what every command shares: paths, settings, output mode. */
#ifndef BS_APP_H
#define BS_APP_H

#include <stdio.h>

#include "config/conf.h"
#include "base/paths.h"
#include "base/result.h"

struct vault;
struct store;

/* The command line's options, parsed once by main.c from its command table
 * (getopt_long); a command reads a->opt[APP_OPT_X]: NULL when not given, ""
 * for a flag, the value otherwise. */
enum app_opt {
	APP_OPT_JSON, APP_OPT_CSV, APP_OPT_RECORD, APP_OPT_FROM, APP_OPT_TO,
	APP_OPT_RECONCILE, APP_OPT_DRY_RUN, APP_OPT_APPROVE, APP_OPT_RUN, APP_OPT_PERSON,
	APP_OPT_RESULT, APP_OPT_LIMIT, APP_OPT_ONCE, APP_OPT_CHECK, APP_OPT_PASSPHRASE,
	APP_OPT_KEY_FILE, APP_OPT_BOTH, APP_OPT_ROOT, APP_OPT_FOR,
	APP_OPT_COUNT
};
#define APP_OPT(x) (1u << APP_OPT_##x)

struct app {
	const char *prog;
	const char *opt[APP_OPT_COUNT];
	struct bs_paths paths;
	struct conf *conf;
	int conf_loaded;	/* bobsync.conf was read without error */
	int json;		/* --json: machine output on stdout, messages on stderr */
	int csv;		/* --csv */
	int quiet;
	int tty_out;		/* stdout is a terminal */
	int tty_err;		/* stderr is a terminal: show progress */
};

/* Resolve paths and load settings (an invalid bobsync.conf is an error,
 * exit 2). */
bs_rc app_init(struct app *a, const char *prog, struct bs_error *err);
void app_done(struct app *a);

/* Print "bobsync: <detail>" on stderr and return the exit status for rc. */
int app_error(struct app *a, const struct bs_error *err);
/* Print a usage error for a command and return 2. */
int app_usage(struct app *a, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A usage error (2) when an option outside allowed (APP_OPT() bits) was
 * given, naming it and what it was given to ("config get"); 0 otherwise. */
int app_only_opts(struct app *a, const char *cmd, const char *what, unsigned allowed);
/* The option's spelling, "--json". */
const char *app_opt_name(enum app_opt o);

/* Open (and create) the state store at paths.state_db. */
bs_rc app_open_store(struct app *a, struct store **out, struct bs_error *err);

/* Unlock the vault: BOBSYNC_PASSPHRASE_FILE, then
 * $CREDENTIALS_DIRECTORY/bobsync-passphrase, then vault.key, then a prompt
 * when stdin is a terminal.  BS_ERR_VAULT_MISSING when there is none. */
bs_rc app_open_vault(struct app *a, struct vault **out, struct bs_error *err);

/* Everything a command that talks to the services holds. */
#include "engine/session.h"
enum {
	APP_NEED_VAULT = 1,	/* unlock the vault (credentials) */
	APP_NEED_STORE = 2,	/* open the state store */
	APP_NEED_LOCK = 4	/* hold the run lock (exit 5 when held) */
};
struct app_ctx {
	struct vault *vault;
	struct store *store;
	int lock_fd;
	struct bs_session s;
};
bs_rc app_ctx_open(struct app *a, unsigned need, struct app_ctx *ctx, struct bs_error *err);
void app_ctx_close(struct app_ctx *ctx);

/* Read a secret: without echo from the terminal, else one line from stdin.
 * Returned in sodium_malloc'd memory (free with sodium_free); NULL on EOF. */
char *app_read_secret(const char *prompt);

#endif
