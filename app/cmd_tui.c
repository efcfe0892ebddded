/* cmd_tui.c - `bobsync` and `bobsync setup`: the full-screen console.
 * The vault is unlocked here, before curses starts, so a passphrase is
 * asked on the plain terminal.  `setup`, or no HiBob credentials yet
 * (however the rest was configured), starts with the setup steps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "commands.h"
#include "dash.h"
#include "store/store.h"
#include "config/vault.h"

int
cmd_tui(struct app *a, int argc, char **argv)
{
	struct app_ctx ctx;
	struct bs_error err = { 0 };
	struct vault_info info;
	struct dash_env env;
	unsigned need = APP_NEED_STORE;
	int status, wizard;

	int setup = argc >= 1 && argv[0] != NULL && strcmp(argv[0], "setup") == 0;

	for (int i = 1; i < argc; i++)
		return app_usage(a, "setup", "unknown option '%s'", argv[i]);
	if (vault_info(a->paths.vault_file, &info, &err) != BS_OK)
		return app_error(a, &err);
	if (info.exists)
		need |= APP_NEED_VAULT;
	if (app_ctx_open(a, need, &ctx, &err) != BS_OK)
		return app_error(a, &err);
	wizard = setup || ctx.vault == NULL || vault_get(ctx.vault, VAULT_HIBOB_TOKEN) == NULL;
	env.s = &ctx.s;
	env.paths = &a->paths;
	env.conf = a->conf;
	env.vault = &ctx.vault;
	env.store = ctx.store;
	status = dash_run(&env, wizard);
	app_ctx_close(&ctx);
	return status;
}
