/* cmd_tui.c - `bobsync` and `bobsync setup`: the full-screen console.
 * The vault is unlocked here, before curses starts, so a passphrase is
 * asked on the plain terminal. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "commands.h"
#include "dash.h"
#include "vault.h"

int
cmd_tui(struct app *a, int argc, char **argv)
{
	struct app_ctx ctx;
	struct bs_error err = { 0 };
	struct vault_info info;
	unsigned need = APP_NEED_STORE;
	int status;

	for (int i = 1; i < argc; i++)
		return app_usage(a, "setup", "unknown option '%s'", argv[i]);
	if (vault_info(a->paths.vault_file, &info, &err) != BS_OK)
		return app_error(a, &err);
	if (info.exists)
		need |= APP_NEED_VAULT;
	if (app_ctx_open(a, need, &ctx, &err) != BS_OK)
		return app_error(a, &err);
	status = dash_run(&ctx.s, &a->paths);
	app_ctx_close(&ctx);
	return status;
}
