/* step_alleo.c - setup step 4: how eligible people reach Alleo (off,
 * pull, SCIM or a CSV file), the SCIM address and secrets, the CSV target,
 * prestart days and budget fields.  The fields of settings are made from
 * the settings table; HiBob's budget fields are read in a worker to show
 * which "auto" would take. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "config/conf.h"
#include "engine/roster.h"
#include "engine/session.h"
#include "dash.h"
#include "step_form.h"
#include "tui.h"
#include "vendor/hibob.h"

enum { A_MODE, A_SCIM_URL, A_TOKEN_URL, A_CLIENT_ID, A_SECRET, A_CSV, A_SFTP_KEY,
	A_KNOWN_HOSTS, A_PRESTART, A_BUDGET };
/* alleo.mode's choices (off|pull|scim|csv in the table), as the field
 * names them */
enum { MODE_OFF, MODE_PULL, MODE_SCIM, MODE_CSV, MODES };

static const char *const intro[] = {
	"How eligible people reach Alleo: pull (Alleo reads HiBob itself; bobsync only "
	"checks and previews), SCIM (bobsync creates and deactivates the accounts; Alleo "
	"gives you the SCIM address and a client id and secret), or a CSV file in a folder "
	"or on SFTP that Alleo picks up.",
	"Budget fields: numeric HiBob fields whose values travel with each person (\"auto\" "
	"takes every field found below).",
};

static const char *const mode_titles[MODES] = {
	"off", "pull (Alleo reads HiBob)", "SCIM (bobsync pushes)", "CSV file or SFTP"
};

struct alleo {
	struct bob_fields bfields;	/* read from HiBob */
};

static void
build(struct step_form *st)
{
	const struct conf_option *o = conf_find("alleo.mode");
	char c[16];
	int m = 0;

	for (int i = 0; i < MODES; i++)
		if (str_eq(step_conf(st, "alleo.mode"), conf_choice(o, i, c, sizeof c)))
			m = i;
	step_add_choice(st, conf_label(o), "Left/Right: off, pull, SCIM or CSV", mode_titles,
	    MODES, m);
	step_add_setting(st, "alleo.scim_url", "from Alleo, e.g. "
	    "https://scim.alleo.example/scim/v2");
	step_add_setting(st, "alleo.token_url", "the OAuth2 token URL from Alleo");
	step_add_text(st, "Client id", "the SCIM client id from Alleo (kept in the vault)",
	    step_secret(st, VAULT_ALLEO_CLIENT_ID), 0);
	step_add_text(st, "Client secret", "the SCIM client secret (kept in the vault)",
	    step_secret(st, VAULT_ALLEO_CLIENT_SECRET), 1);
	step_add_setting(st, "alleo.csv_target", "a folder, or sftp://user@host/path");
	step_add_setting(st, "alleo.sftp_key", "private key file for SFTP (empty: none)");
	step_add_setting(st, "alleo.sftp_known_hosts", "known_hosts file for SFTP (empty: the "
	    "default)");
	step_add_setting(st, "alleo.prestart_days", "accounts this many days before the start "
	    "date");
	step_add_setting(st, "alleo.budget_fields", st->help[A_BUDGET]);
	snprintf(st->help[A_BUDGET], sizeof st->help[A_BUDGET], "auto, or field names separated "
	    "by commas (reading HiBob's fields...)");
}

static void
sync(struct step_form *st)
{
	int m = st->f[A_MODE].choice;

	for (int i = A_SCIM_URL; i <= A_SECRET; i++)
		st->f[i].disabled = m != MODE_SCIM;
	for (int i = A_CSV; i <= A_KNOWN_HOSTS; i++)
		st->f[i].disabled = m != MODE_CSV;
	st->f[A_PRESTART].disabled = st->f[A_BUDGET].disabled = m == MODE_OFF;
}

static bs_rc
read_fields(void *arg, const struct bs_progress *p, struct bs_error *err)
{
	struct step_form *st = arg;
	struct alleo *a = st->data;
	struct bob_client *bob;
	bs_rc rc;

	(void)p;
	if ((rc = session_bob(st->e->s, &bob, err)) != BS_OK)
		return rc;
	return bob_get_fields(bob, &a->bfields, err);
}

static void
opened(struct tui *ui, struct step_form *st)
{
	step_form_read(ui, st, read_fields, " Reading the fields HiBob has...");
}

static void
read_done(struct tui *ui, struct step_form *st, bs_rc rc, const struct bs_error *err)
{
	struct alleo *a = st->data;
	struct strbuf sb;
	char *txt;
	int n = 0;

	if (rc != BS_OK) {
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(err));
		snprintf(st->help[A_BUDGET], sizeof st->help[A_BUDGET], "auto, or field names "
		    "separated by commas");
		return;
	}
	sb_init(&sb, 0);
	for (size_t i = 0; i < a->bfields.n; i++) {
		const struct bob_field *f = &a->bfields.v[i];
		if (f->name == NULL || !roster_is_budget_field_name(f->name))
			continue;
		if (n++)
			sb_append(&sb, ", ", 2);
		sb_append(&sb, f->name, strlen(f->name));
	}
	txt = sb_detach(&sb);
	if (n)
		snprintf(st->help[A_BUDGET], sizeof st->help[A_BUDGET], "auto, or names; found in "
		    "HiBob: %s", txt);
	else
		snprintf(st->help[A_BUDGET], sizeof st->help[A_BUDGET], "auto, or names; no budget "
		    "field found in HiBob");
	free(txt);
	tui_say(ui, ROLE_DIM, " Fields read from HiBob.");
}

static int
save(struct tui *ui, struct step_form *st)
{
	char why[256], mode[16];
	int m = st->f[A_MODE].choice;

	if (step_save_setting(ui, st, A_SCIM_URL, "alleo.scim_url", 1) ||
	    step_save_setting(ui, st, A_TOKEN_URL, "alleo.token_url", 1) ||
	    step_save_secret(ui, st, A_CLIENT_ID, VAULT_ALLEO_CLIENT_ID) ||
	    step_save_secret(ui, st, A_SECRET, VAULT_ALLEO_CLIENT_SECRET) ||
	    step_save_setting(ui, st, A_CSV, "alleo.csv_target", 1) ||
	    step_save_setting(ui, st, A_SFTP_KEY, "alleo.sftp_key", 1) ||
	    step_save_setting(ui, st, A_KNOWN_HOSTS, "alleo.sftp_known_hosts", 1) ||
	    step_save_setting(ui, st, A_PRESTART, "alleo.prestart_days", 0) ||
	    step_save_setting(ui, st, A_BUDGET, "alleo.budget_fields", 0))
		return -1;
	if (m == MODE_SCIM && (step_secret(st, VAULT_ALLEO_CLIENT_ID) == NULL ||
	    step_secret(st, VAULT_ALLEO_CLIENT_SECRET) == NULL))
		return step_fail_field(ui, st, A_CLIENT_ID, "SCIM needs the client id and secret");
	conf_choice(conf_find("alleo.mode"), m, mode, sizeof mode);
	if (dash_conf_set(st->e, "alleo.mode", mode, why, sizeof why) != 0)
		return step_fail_field(ui, st, A_MODE, why);
	return 0;
}

static void
free_alleo(struct step_form *st)
{
	struct alleo *a = st->data;

	bob_fields_clear(&a->bfields);
}

static const struct step_kind kind = {
	.name = "Alleo",
	.intro = intro,
	.nintro = ARRAY_LEN(intro),
	.size = sizeof(struct alleo),
	.build = build,
	.sync = sync,
	.opened = opened,
	.save = save,
	.read_done = read_done,
	.free = free_alleo,
};

int
screen_step_alleo_push(struct tui *ui, struct dash_env *e, int step, const char *crumbs,
    wizard_done_fn *done)
{
	return step_form_push(ui, e, &kind, step, crumbs, done);
}
