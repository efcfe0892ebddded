/* step_credentials.c - setup step 2: the HiBob Service User ID and token,
 * tried against HiBob and stored in the vault, and (the first time) how
 * the vault is protected: a passphrase or a key file.  A vault that
 * exists keeps its protection; its fields say so. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base/paths.h"
#include "base/util.h"
#include "config/vault.h"
#include "dash.h"
#include "engine/session.h"
#include "setup_rules.h"
#include "step_form.h"
#include "tui.h"

/* field indexes */
enum { C_ID, C_TOKEN, C_PROTECT, C_PASS1, C_PASS2 };

static const char *const intro[] = {
	"In Bob: Settings > Integrations > Service Users. Create a Service User (or open "
	"yours), copy its ID, and create a token: it is shown only once. Paste both here "
	"(the token stays hidden; Ctrl-R shows it while typing).",
	"They are stored at once, encrypted, in the vault on this machine. Protect the vault "
	"with a passphrase (asked whenever bobsync opens) or a key file (for unattended runs "
	"such as the daemon).",
};

static const char *const protect_choices[] = { "a passphrase", "a key file (unattended runs)" };

static void
build(struct step_form *st)
{
	struct dash_env *e = st->e;
	struct vault_info vi = { 0 };
	struct bs_error verr = { 0 };
	int keyfile = 0;

	/* an existing vault keeps its protection: show the one it has */
	if (*e->vault != NULL && vault_info(e->paths->vault_file, &vi, &verr) == BS_OK)
		keyfile = vi.has_keyfile_slot && !vi.has_passphrase_slot;
	step_add_text(st, "Service User ID", "the ID of the Service User (Settings > "
	    "Integrations > Service Users)", step_secret(st, VAULT_HIBOB_ID), 0);
	step_add_text(st, "Token", "its token; paste works (Ctrl-R shows it)",
	    step_secret(st, VAULT_HIBOB_TOKEN), 1);
	step_add_choice(st, "Protect with", *e->vault != NULL ? "the vault exists already: its "
	    "protection stays" : "Left/Right: a passphrase, or a key file next to the vault",
	    protect_choices, 2, keyfile);
	step_add_text(st, "Passphrase", st->help[C_PASS1], NULL, 1);
	step_add_text(st, "Repeat it", "the same passphrase again", NULL, 1);
	snprintf(st->help[C_PASS1], sizeof st->help[C_PASS1], "8 characters or more; a few "
	    "unrelated words are best");
}

static void
sync(struct step_form *st)
{
	int novault = *st->e->vault == NULL;

	st->f[C_PROTECT].disabled = !novault;
	st->f[C_PASS1].disabled = st->f[C_PASS2].disabled =
	    !novault || st->f[C_PROTECT].choice != 0;
	/* what cannot be changed says why */
	st->f[C_PROTECT].disabled_why = novault ? NULL : "kept: the vault exists";
	st->f[C_PASS1].disabled_why = st->f[C_PASS2].disabled_why = !novault ?
	    "kept: the vault exists" : st->f[C_PROTECT].disabled ? NULL :
	    "not needed with a key file";
}

static void
changed(struct step_form *st, int field)
{
	char *p;
	char hint[200];

	if (field != C_PASS1 || (p = step_field_value(st, C_PASS1)) == NULL)
		return;
	setup_passphrase_strength(p, hint, sizeof hint);
	snprintf(st->help[C_PASS1], sizeof st->help[C_PASS1], "strength: %s", hint);
	sodium_free(p);
}

static const char *
note(struct step_form *st, int *role)
{
	*role = ROLE_OK;
	if (*st->e->vault != NULL && step_secret(st, VAULT_HIBOB_ID) != NULL)
		return "Credentials are stored already: Enter keeps them.";
	return NULL;
}

static int
save(struct tui *ui, struct step_form *st)
{
	struct dash_env *e = st->e;
	struct bs_error err = { 0 };
	char *id = step_field_value(st, C_ID), *tok = step_field_value(st, C_TOKEN);
	char *p1 = step_field_value(st, C_PASS1), *p2 = step_field_value(st, C_PASS2), why[256];
	char untried[200] = "";
	int rc = -1, tried = 1;

	if (id == NULL || tok == NULL || p1 == NULL || p2 == NULL)
		goto out;
	if (id[0] == '\0') {
		step_fail_field(ui, st, C_ID, "the Service User ID is needed");
		goto out;
	}
	if (tok[0] == '\0') {
		step_fail_field(ui, st, C_TOKEN, "the token is needed");
		goto out;
	}
	/* a new token is tried before it is stored: one cheap call, and a
	 * token HiBob rejects is never kept (issue 13: tested when stored) */
	if (!str_eq(id, step_secret(st, VAULT_HIBOB_ID)) ||
	    !str_eq(tok, step_secret(st, VAULT_HIBOB_TOKEN))) {
		bs_rc trc;

		tui_say(ui, ROLE_DIM, " Asking HiBob whether it accepts the Service User...");
		tui_draw(ui);
		dash_reread(e, NULL, 0);	/* the HiBob address as saved in step 1 */
		trc = session_try_secrets(e->conf, "hibob", id, tok, &err);
		if (trc == BS_ERR_AUTH || trc == BS_ERR_FORBIDDEN) {
			snprintf(why, sizeof why, "HiBob %s, nothing stored: check them in Bob "
			    "(Settings > Integrations > Service Users)", trc == BS_ERR_AUTH ?
			    "did not accept the ID or token" : "accepted the ID and token but refused "
			    "access");
			step_fail_field(ui, st, C_TOKEN, why);
			goto out;
		}
		tried = trc == BS_OK;
		if (!tried)
			snprintf(untried, sizeof untried, "%s", bs_error_text(&err));
		bs_error_clear(&err);
	}
	if (*e->vault == NULL) {
		struct vault_unlock how = { NULL, NULL };
		if (st->f[C_PROTECT].choice == 0) {
			if (setup_passphrase_strength(p1, why, sizeof why) == PASS_REFUSED) {
				step_fail_field(ui, st, C_PASS1, "the passphrase is too short: 8 "
				    "characters or more");
				goto out;
			}
			if (strcmp(p1, p2) != 0) {
				step_fail_field(ui, st, C_PASS2, "the two passphrases differ");
				goto out;
			}
			how.passphrase = p1;
		} else
			how.key_file = e->paths->key_file;
		tui_say(ui, ROLE_DIM, " Protecting the vault...");
		tui_draw(ui);
		if (paths_ensure(e->paths, &err) != BS_OK ||
		    vault_create(e->paths->vault_file, &how, e->vault, &err) != BS_OK) {
			tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
			goto out;
		}
	}
	/* the two together: one save, and neither when it fails */
	if ((!str_eq(id, step_secret(st, VAULT_HIBOB_ID)) ||
	    !str_eq(tok, step_secret(st, VAULT_HIBOB_TOKEN))) &&
	    dash_secrets_set(e, (const enum vault_key[]){ VAULT_HIBOB_ID, VAULT_HIBOB_TOKEN },
	    (const char *const[]){ id, tok }, 2, why, sizeof why) != 0) {
		tui_say(ui, ROLE_ERROR, " %s", why);
		goto out;
	}
	if (tried)
		tui_say(ui, ROLE_OK, " Credentials accepted by HiBob and stored in the vault.");
	else
		tui_say(ui, ROLE_WARN, " Credentials stored, untried: HiBob could not be asked (%s).",
		    untried);
	rc = 0;
out:
	sodium_free(id);
	sodium_free(tok);
	sodium_free(p1);
	sodium_free(p2);
	return rc;
}

static const struct step_kind kind = {
	.name = "Credentials",
	.intro = intro,
	.nintro = ARRAY_LEN(intro),
	.build = build,
	.sync = sync,
	.save = save,
	.changed = changed,
	.note = note,
};

int
screen_step_credentials_push(struct tui *ui, struct dash_env *e, int step, const char *crumbs,
    wizard_done_fn *done)
{
	return step_form_push(ui, e, &kind, step, crumbs, done);
}
