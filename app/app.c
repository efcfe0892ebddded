/* app.c - shared state of a command run. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "base/lock.h"
#include "base/log.h"
#include "config/vault.h"
#include "store/store.h"
#include "base/util.h"

bs_rc
app_init(struct app *a, const char *prog, struct bs_error *err)
{
	const char *lvl = getenv("BOBSYNC_LOG");
	enum log_level level;
	bs_rc rc;

	memset(a, 0, sizeof *a);
	a->prog = prog;
	a->tty_out = isatty(STDOUT_FILENO);
	a->tty_err = isatty(STDERR_FILENO);
	a->conf = conf_new();
	if (lvl != NULL && log_parse_level(lvl, &level) == 0)
		log_set_level(level);
	rc = paths_resolve(&a->paths, err);
	if (rc != BS_OK)
		return rc;
	/* before reading anything: folders someone else controls are refused */
	rc = paths_check(&a->paths, err);
	if (rc != BS_OK)
		return rc;
	rc = conf_load(a->conf, a->paths.conf_file, err);
	if (rc != BS_OK)
		return rc;
	a->conf_loaded = 1;
	if (lvl == NULL && conf_get(a->conf, "log.level") != NULL &&
	    log_parse_level(conf_get(a->conf, "log.level"), &level) == 0)
		log_set_level(level);
	return BS_OK;
}

void
app_done(struct app *a)
{
	conf_free(&a->conf);
	paths_clear(&a->paths);
}

int
app_error(struct app *a, const struct bs_error *err)
{
	char *msg = log_mask(bs_error_text(err));

	(void)a;
	util_strip_controls(msg);
	fprintf(stderr, "bobsync: %s\n", msg);
	free(msg);
	return bs_exit_code(err->rc);
}

int
app_usage(struct app *a, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	(void)a;
	fputs("bobsync: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun 'bobsync %s --help' for its usage.\n", cmd);
	return 2;
}

bs_rc
app_open_store(struct app *a, struct store **out, struct bs_error *err)
{
	bs_rc rc = paths_ensure(&a->paths, err);
	if (rc != BS_OK)
		return rc;
	return store_open(a->paths.state_db, out, err);
}

bs_rc
app_ctx_open(struct app *a, unsigned need, struct app_ctx *ctx, struct bs_error *err)
{
	bs_rc rc = BS_OK;

	memset(ctx, 0, sizeof *ctx);
	ctx->lock_fd = -1;
	if (need & (APP_NEED_LOCK | APP_NEED_STORE)) {
		rc = paths_ensure(&a->paths, err);
		if (rc != BS_OK)
			goto fail;
	}
	if (need & APP_NEED_LOCK) {
		rc = lock_acquire(a->paths.lock_file, &ctx->lock_fd, err);
		if (rc != BS_OK)
			goto fail;
	}
	if (need & APP_NEED_VAULT) {
		rc = app_open_vault(a, &ctx->vault, err);
		if (rc != BS_OK)
			goto fail;
	}
	if (need & APP_NEED_STORE) {
		rc = store_open(a->paths.state_db, &ctx->store, err);
		if (rc != BS_OK)
			goto fail;
	}
	session_init(&ctx->s, a->conf, ctx->vault, ctx->store, NULL);
	return BS_OK;
fail:
	app_ctx_close(ctx);
	return rc;
}

void
app_ctx_close(struct app_ctx *ctx)
{
	if (ctx->s.http != NULL)
		session_close(&ctx->s);
	store_close(&ctx->store);
	vault_close(&ctx->vault);
	lock_release(&ctx->lock_fd);
}
