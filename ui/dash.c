/* dash.c - the console: start the toolkit, open the setup steps or the
 * dashboard, run the loop, restore the terminal, give the exit status.
 * Also what the console's screens share: settings and secrets saved as
 * one step, the session made again after either changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "dash.h"
#include "dash_screens.h"
#include "log.h"
#include "paths.h"
#include "session.h"
#include "tui.h"
#include "util.h"
#include "vault.h"

const char *const dash_keep_running[] = {
	"Run it in the foreground (time off every 5 minutes, the roster daily):",
	"    bobsync daemon",
	"As a system service (the unit is installed by make install):",
	"    systemctl enable --now bobsync",
	"Or from cron (crontab -e), one pass of every sync that is due:",
	"    */5 * * * * bobsync daemon --once",
	"Check on it any time with  bobsync status  (or this dashboard).",
};
const size_t dash_keep_running_n = sizeof dash_keep_running / sizeof dash_keep_running[0];

int
dash_conf_set(struct dash_env *e, const char *key, const char *value, char *why,
    size_t whylen)
{
	struct bs_error err = { 0 };

	if (str_eq(conf_get(e->conf, key), value) && conf_is_set(e->conf, key))
		return 0;
	if (conf_set(e->conf, key, value, &err) != BS_OK ||
	    conf_save(e->conf, e->paths->conf_file, &err) != BS_OK) {
		snprintf(why, whylen, "%s", bs_error_text(&err));
		return -1;
	}
	return 0;
}

void
dash_session_reset(struct dash_env *e)
{
	session_close(e->s);
	session_init(e->s, e->conf, *e->vault, e->store, NULL);
}

int
dash_secret_set(struct dash_env *e, enum vault_key k, const char *value, char *why,
    size_t whylen)
{
	struct bs_error err = { 0 };

	if (*e->vault == NULL) {
		snprintf(why, whylen, "no vault yet: store the HiBob credentials first (step 2)");
		return -1;
	}
	log_register_secret(value);
	if (vault_set(*e->vault, k, value, clock_now(), &err) != BS_OK ||
	    vault_save(*e->vault, &err) != BS_OK) {
		snprintf(why, whylen, "%s", bs_error_text(&err));
		return -1;
	}
	dash_session_reset(e);
	return 0;
}

int
dash_run(struct dash_env *e, int wizard)
{
	struct tui *ui;
	char why[256];
	int rc;

	if (tui_start(&ui, why, sizeof why) != 0) {
		fprintf(stderr, "bobsync: %s; use 'bobsync credentials set', 'bobsync check', "
		    "'bobsync preview employees', 'bobsync status' and 'bobsync sync' instead\n", why);
		return 1;
	}
	tui_say(ui, ROLE_DIM, " Press ? for the keys of each screen.");
	if ((wizard ? setup_push(ui, e, 1) : home_push(ui, e)) != 0) {
		tui_stop(&ui);
		fprintf(stderr, "bobsync: the console could not open\n");
		return 1;
	}
	rc = tui_run(ui);
	tui_stop(&ui);
	return rc == TUI_EXIT_INTERRUPTED ? 130 : 0;
}
