/* core_ctl.c - enabling, disabling, pausing and resuming the sync core
 * from the console: the questions here, the work in core/admin/service.c
 * (the same functions as bobsync enable, disable, pause and resume). */
#include <stdio.h>
#include <string.h>

#include "admin/service.h"
#include "base/humantime.h"
#include "base/paths.h"
#include "base/util.h"
#include "console.h"
#include "dash.h"
#include "store/store.h"
#include "tui.h"

struct collect {
	char *out;
	size_t n;
};

static void
collect_line(void *ctx, const char *line)
{
	struct collect *c = ctx;
	size_t l = strlen(c->out);

	if (c->n > l + 1)
		snprintf(c->out + l, c->n - l, "%s\n", line);
}

int
console_core_enable(struct tui *ui, struct dash_env *e, char *out, size_t n)
{
	const char *choices[4];
	int nc = 0, bg, cron, notyet, sysd = -1, c;
	struct collect col = { out, n };
	struct core_opts o = { collect_line, &col, NULL, 0, NULL, 0 };
	struct bs_error err = { 0 };
	long long pid = 0;
	bs_rc rc;

	out[0] = '\0';
	bg = nc;
	choices[nc++] = "In the background now (a trial: runs until disabled or a reboot)";
	cron = nc;
	choices[nc++] = "With cron (every 5 minutes, as this user)";
	notyet = nc;
	choices[nc++] = "Not yet (nothing syncs until it is enabled)";
	if (core_systemd_available()) {
		sysd = nc;
		choices[nc++] = "As a system service (systemd: user, folders, unit)";
	}
	c = tui_choose(ui, "Enable the sync core", "How should bobsync keep syncing after you "
	    "close the console?", choices, nc, 0);
	if (c < 0)
		return -1;
	if (c == notyet) {
		snprintf(out, n, "Not enabled: nothing syncs until it is enabled (E on the dashboard, "
		    "or 'bobsync enable').\n");
		return 0;
	}
	tui_say(ui, ROLE_DIM, " Enabling the sync core...");
	tui_draw(ui);
	if (c == bg)
		rc = core_enable_background(e->paths, e->store, &o, &pid, &err);
	else if (c == cron)
		rc = core_enable_cron(e->paths, e->store, &o, &err);
	else if (c == sysd)
		rc = core_enable_systemd(e->paths, e->store, &o, &err);
	else
		return -1;
	if (rc != BS_OK) {
		collect_line(&col, bs_error_text(&err));
		tui_say(ui, ROLE_ERROR, " Not enabled: %s", bs_error_text(&err));
		return 2;
	}
	tui_say(ui, ROLE_OK, " The sync core is enabled.");
	return 1;
}

int
console_core_disable(struct tui *ui, struct dash_env *e, char *out, size_t n)
{
	struct collect col = { out, n };
	struct core_opts o = { collect_line, &col, NULL, 0, NULL, 0 };
	struct bs_error err = { 0 };

	out[0] = '\0';
	if (!tui_confirm(ui, "Disable the sync core", "Stop the sync core and remove what "
	    "enabled it (service, crontab line or background daemon)? Nothing syncs on its own "
	    "afterwards.", 1))
		return 0;
	if (core_disable(e->paths, e->store, &o, &err) != BS_OK) {
		tui_say(ui, ROLE_ERROR, " Not disabled: %s", bs_error_text(&err));
		return 2;
	}
	tui_say(ui, ROLE_WARN, " The sync core is off: nothing syncs until it is enabled (E).");
	return 1;
}

static const char *const whats[] = { "all", "timeoff", "roster" };

int
console_core_pause(struct tui *ui, struct dash_env *e, char *out, size_t n)
{
	static const char *const what_names[] = { "Every sync", "Time off only", "Roster only" };
	static const char *const for_names[] = { "Until resumed", "For 1 hour", "For 2 hours",
	    "For 8 hours", "For a day" };
	static const long long for_secs[] = { 0, 3600, 7200, 8 * 3600, 86400 };
	struct store *other = NULL, *st;
	struct bs_error err = { 0 };
	int w, f;
	int64_t now = clock_now();
	char who[64], until[48];
	bs_rc rc;

	out[0] = '\0';
	w = tui_choose(ui, "Pause", "Pause which sync? (nothing is uninstalled)", what_names, 3, 0);
	if (w < 0)
		return 0;
	f = tui_choose(ui, "Pause", "For how long?", for_names, 5, 0);
	if (f < 0)
		return 0;
	st = core_store(e->store, e->paths->state_db, &other);
	rc = core_pause(st, whats[w], core_who(who, sizeof who), now, for_secs[f] ? now +
	    for_secs[f] : 0, &err);
	store_close(&other);
	if (rc != BS_OK) {
		tui_say(ui, ROLE_ERROR, " Not paused: %s", bs_error_text(&err));
		return 2;
	}
	snprintf(out, n, "Paused %s %s%s.", w == 0 ? "every sync" : w == 1 ? "time off" :
	    "the roster", for_secs[f] ? "until " : "until resumed", for_secs[f] ?
	    human_time(until, sizeof until, (time_t)(now + for_secs[f]), (time_t)now) : "");
	tui_say(ui, ROLE_WARN, " %s The sync core skips it from its next tick; u resumes.", out);
	return 1;
}

int
console_core_resume(struct tui *ui, struct dash_env *e, char *out, size_t n)
{
	struct store *other = NULL, *st;
	struct bs_error err = { 0 };
	bs_rc rc;

	out[0] = '\0';
	st = core_store(e->store, e->paths->state_db, &other);
	rc = core_resume(st, "all", &err);
	store_close(&other);
	if (rc != BS_OK) {
		tui_say(ui, ROLE_ERROR, " Not resumed: %s", bs_error_text(&err));
		return 2;
	}
	snprintf(out, n, "Resumed: the sync core runs every sync again from its next tick.");
	tui_say(ui, ROLE_OK, " %s", out);
	return 1;
}
