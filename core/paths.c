/* paths.c - resolve BOBSYNC_HOME / XDG locations. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "util.h"

/* An absolute value of the variable, else NULL (XDG: relative is invalid). */
static const char *
abs_env(const char *name)
{
	const char *v = getenv(name);
	return (v != NULL && v[0] == '/') ? v : NULL;
}

static const char *
home_dir(void)
{
	const char *h = abs_env("HOME");
	struct passwd *pw;

	if (h != NULL)
		return h;
	pw = getpwuid(getuid());
	return (pw != NULL && pw->pw_dir != NULL) ? pw->pw_dir : NULL;
}

bs_rc
paths_resolve(struct bs_paths *p, struct bs_error *err)
{
	const char *home = getenv("BOBSYNC_HOME");
	const char *xc, *xs, *hd;

	memset(p, 0, sizeof *p);
	if (home != NULL && *home != '\0') {
		p->config_dir = xstrdup(home);
		p->state_dir = xstrdup(home);
	} else {
		xc = abs_env("XDG_CONFIG_HOME");
		xs = abs_env("XDG_STATE_HOME");
		hd = home_dir();
		if ((xc == NULL || xs == NULL) && hd == NULL)
			return bs_fail(err, BS_ERR_CONFIG,
			    "cannot find a home folder: set BOBSYNC_HOME or HOME");
		p->config_dir = xc ? xasprintf("%s/bobsync", xc) : xasprintf("%s/.config/bobsync", hd);
		p->state_dir = xs ? xasprintf("%s/bobsync", xs) : xasprintf("%s/.local/state/bobsync", hd);
	}
	p->conf_file = xasprintf("%s/bobsync.conf", p->config_dir);
	p->vault_file = xasprintf("%s/vault", p->config_dir);
	p->key_file = xasprintf("%s/vault.key", p->config_dir);
	p->state_db = xasprintf("%s/state.db", p->state_dir);
	p->lock_file = xasprintf("%s/bobsync.lock", p->state_dir);
	return BS_OK;
}

bs_rc
paths_ensure(const struct bs_paths *p, struct bs_error *err)
{
	bs_rc rc = util_mkdir_p(p->config_dir, 0700, err);
	if (rc == BS_OK)
		rc = util_mkdir_p(p->state_dir, 0700, err);
	return rc;
}

void
paths_free(struct bs_paths *p)
{
	FREE(p->config_dir);
	FREE(p->state_dir);
	FREE(p->conf_file);
	FREE(p->vault_file);
	FREE(p->key_file);
	FREE(p->state_db);
	FREE(p->lock_file);
}
