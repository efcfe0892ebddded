/* dash.c - the console: start the toolkit, open the setup steps or the
 * dashboard, run the loop, restore the terminal, give the exit status.
 * Also what the console's screens share: settings and secrets saved as
 * one step, the session made again after either changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/conf.h"
#include "dash.h"
#include "console.h"
#include "base/log.h"
#include "base/paths.h"
#include "engine/session.h"
#include "tui.h"
#include "base/util.h"
#include "config/vault.h"

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

/* ---- one source of truth: the files, re-read before each action ---- */

struct file_stamp {
	int exists;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

static struct file_stamp conf_seen, vault_seen;
static int stamps_taken;

static void
stamp_of(const char *path, struct file_stamp *f)
{
	struct stat st;

	memset(f, 0, sizeof *f);
	if (path != NULL && stat(path, &st) == 0) {
		f->exists = 1;
		f->ino = st.st_ino;
		f->size = st.st_size;
		f->mtime = st.st_mtim;
	}
}

static int
stamp_differs(const struct file_stamp *a, const struct file_stamp *b)
{
	return a->exists != b->exists || a->ino != b->ino || a->size != b->size ||
	    a->mtime.tv_sec != b->mtime.tv_sec || a->mtime.tv_nsec != b->mtime.tv_nsec;
}

/* Make the console's settings those of from (values only: the console
 * never writes its copy whole, see dash_conf_write). */
static void
conf_adopt(struct conf *to, const struct conf *from)
{
	size_t n;
	const struct conf_option *o = conf_options(&n);

	for (size_t i = 0; i < n; i++) {
		const char *k = o[i].key;
		if (conf_is_set(from, k)) {
			if (!conf_is_set(to, k) || !str_eq(conf_get(to, k), conf_get(from, k)))
				conf_set(to, k, conf_get(from, k), NULL);
		} else if (conf_is_set(to, k)) {
			conf_unset(to, k, NULL);
		}
	}
}

int
dash_reread(struct dash_env *e, char *why, size_t whylen)
{
	struct file_stamp c, v;
	struct bs_error err = { 0 };
	int changed = 0;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	stamp_of(e->paths->conf_file, &c);
	stamp_of(e->paths->vault_file, &v);
	if (!stamps_taken) {
		conf_seen = c;
		vault_seen = v;
		stamps_taken = 1;
		return 0;
	}
	if (stamp_differs(&c, &conf_seen)) {
		struct conf *fresh = conf_new();
		if (conf_load(fresh, e->paths->conf_file, &err) == BS_OK) {
			conf_adopt(e->conf, fresh);
			conf_seen = c;
			changed = 1;
		} else if (why != NULL) {
			snprintf(why, whylen, "bobsync.conf changed but cannot be read (%s); the "
			    "settings read before are kept", bs_error_text(&err));
		}
		conf_free(&fresh);
	}
	if (stamp_differs(&v, &vault_seen)) {
		struct vault_unlock how = { NULL, e->paths->key_file };
		struct vault *fresh = NULL;
		if (v.exists && access(e->paths->key_file, F_OK) == 0 &&
		    vault_open(e->paths->vault_file, &how, &fresh, &err) == BS_OK) {
			vault_close(e->vault);
			*e->vault = fresh;
			vault_seen = v;
			changed = 1;
		} else if (why != NULL && why[0] == '\0') {
			snprintf(why, whylen, "the vault was changed outside the console and cannot be "
			    "opened again without its passphrase: restart the console to use the new "
			    "credentials");
		}
	}
	if (changed)
		dash_session_reset(e);
	return changed;
}

bs_rc
dash_conf_write(struct dash_env *e, const char *key, const char *value, struct bs_error *err)
{
	bs_rc rc;

	dash_reread(e, NULL, 0);	/* the file as it is now */
	if (value != NULL ? conf_is_set(e->conf, key) && str_eq(conf_get(e->conf, key), value) :
	    !conf_is_set(e->conf, key))
		return BS_OK;	/* nothing changes */
	/* one key into the file; the session's clients see the new
	 * conf_generation and are made again on their next use */
	rc = conf_update(e->conf, e->paths->conf_file, key, value, err);
	if (rc == BS_OK)
		stamp_of(e->paths->conf_file, &conf_seen);
	return rc;
}

int
dash_conf_set(struct dash_env *e, const char *key, const char *value, char *why,
    size_t whylen)
{
	struct bs_error err = { 0 };

	if (dash_conf_write(e, key, value, &err) != BS_OK) {
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
dash_secrets_set(struct dash_env *e, const enum vault_key *keys, const char *const *values,
    size_t n, char *why, size_t whylen)
{
	struct bs_error err = { 0 };

	if (*e->vault == NULL) {
		snprintf(why, whylen, "no vault yet: store the HiBob credentials first (step 2)");
		return -1;
	}
	dash_reread(e, NULL, 0);	/* the other secrets as they are in the file now */
	if (vault_store(*e->vault, keys, values, n, clock_now(), &err) != BS_OK) {
		snprintf(why, whylen, "%s", bs_error_text(&err));
		return -1;
	}
	stamp_of(e->paths->vault_file, &vault_seen);
	/* a vault made just now (step 2) is not yet the session's; the
	 * clients of one that is follow vault_generation by themselves */
	if (e->s->vault != *e->vault)
		dash_session_reset(e);
	return 0;
}

int
dash_secret_set(struct dash_env *e, enum vault_key k, const char *value, char *why,
    size_t whylen)
{
	return dash_secrets_set(e, &k, &value, 1, why, whylen);
}

int
dash_run(struct dash_env *e, int wizard)
{
	struct tui *ui;
	char why[256];
	int rc;

	dash_reread(e, NULL, 0);	/* what the files look like now */
	if (tui_start(&ui, why, sizeof why) != 0) {
		fprintf(stderr, "bobsync: %s; use 'bobsync credentials set', 'bobsync check', "
		    "'bobsync preview employees', 'bobsync status' and 'bobsync sync' instead\n", why);
		return 1;
	}
	tui_say(ui, ROLE_DIM, " Press ? for the keys of each screen.");
	if ((wizard ? screen_setup_push(ui, e, 1) : screen_home_push(ui, e)) != 0) {
		tui_stop(&ui);
		fprintf(stderr, "bobsync: the console could not open\n");
		return 1;
	}
	rc = tui_run(ui);
	tui_stop(&ui);
	return rc == TUI_EXIT_INTERRUPTED ? 130 : 0;
}
