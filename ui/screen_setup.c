/* screen_setup.c - the setup steps: 1 welcome (screen_welcome.c),
 * 2 credentials into the vault, 3 validation (screen_checks.c), 4 Alleo,
 * 5 Assembled, 6 and 7 the previews (console.h), 8 enable (screen_sync.c).
 * Each step is a screen pushed on the one before it, so Esc goes back a
 * step and Esc on the first leaves the setup; Enter walks the fields and,
 * on the last, saves the step and opens the next.  Settings go through
 * conf_set (validated) and conf_save; secrets go into the vault at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "vendor/assembled.h"
#include "config/conf.h"
#include "dash.h"
#include "console.h"
#include "vendor/hibob.h"
#include "admin/jobs.h"
#include "base/paths.h"
#include "engine/roster.h"
#include "engine/session.h"
#include "setup_rules.h"
#include "store/store.h"
#include "task.h"
#include "tui.h"
#include "base/util.h"
#include "config/vault.h"
#include "widget_form.h"

static const char *const step_names[SETUP_STEPS + 1] = {
	"", "Welcome", "Credentials", "Validation", "Alleo", "Assembled", "Employees",
	"Time off", "Enable",
};

char *
setup_crumbs(char *buf, size_t sz, int step, const char *name)
{
	snprintf(buf, sz, "Setup " DOT " Step %d of %d " DOT " %s", step, SETUP_STEPS,
	    name ? name : step_names[step]);
	return buf;
}

enum { ACT_NEXT = 1, ACT_READ, ACT_VIEW };
#define MAXF 10

/* Paragraphs shown above a step's form: what to do, in Bob and here. */
static const char *const intro2[] = {
	"In Bob: Settings > Integrations > Service Users. Create a Service User (or open "
	"yours), copy its ID, and create a token: it is shown only once. Paste both here "
	"(the token stays hidden; Ctrl-R shows it while typing).",
	"They are stored at once, encrypted, in the vault on this machine. Protect the vault "
	"with a passphrase (asked whenever bobsync opens) or a key file (for unattended runs "
	"such as the daemon).",
};
static const char *const intro4[] = {
	"How eligible people reach Alleo: pull (Alleo reads HiBob itself; bobsync only "
	"checks and previews), SCIM (bobsync creates and deactivates the accounts; Alleo "
	"gives you the SCIM address and a client id and secret), or a CSV file in a folder "
	"or on SFTP that Alleo picks up.",
	"Budget fields: numeric HiBob fields whose values travel with each person (\"auto\" "
	"takes every field found below).",
};
static const char *const intro5[] = {
	"Approved HiBob time off becomes events on the Assembled schedule. The API key is "
	"in Assembled under Settings > API keys. F5 reads the time-off types from Assembled "
	"and the policy types from HiBob.",
	"Allow conflicts: on, the event is added beside the shifts it overlaps; off, "
	"Assembled deletes those shifts.",
};
static const char *const intro6[] = {
	"Who gets an Alleo account, and why: everyone HiBob lists, with the eligibility "
	"rule that decided. To change someone, set alleo_access in Bob (People > the "
	"person > Work), or select people in the list and bulk-set it there.",
	"v opens the list again; Enter goes on to the time-off preview.",
};
static const char *const intro7[] = {
	"The time-off requests in the window, with sync or skip and the reason, and the "
	"event times as they will be created in Assembled. Policies and approvals are "
	"managed in Bob (Time off > Policies).",
	"v opens the list again; Enter goes on to the first sync.",
};

struct step {
	struct dash_env *e;
	int n;			/* the step number */
	struct wform_field f[MAXF];
	int nf;
	struct wform form;
	char help[MAXF][256];	/* dynamic help under fields */
	int opened;		/* 6 and 7: the preview was opened once */
	/* 5: choices read from the live APIs */
	struct task *t;
	struct asm_activity_types types;
	char **policies;
	size_t npolicies;
	const char **type_choices;
	int ntype_choices;
	struct bob_fields bfields;	/* 4: fields read from HiBob */
	char budget_found[512];
};

/* field indexes */
enum { C_ID, C_TOKEN, C_PROTECT, C_PASS1, C_PASS2 };
enum { A_MODE, A_SCIM_URL, A_TOKEN_URL, A_CLIENT_ID, A_SECRET, A_CSV, A_SFTP_KEY,
	A_KNOWN_HOSTS, A_PRESTART, A_BUDGET };
enum { S_ENABLED, S_KEY, S_TYPE, S_POLICY, S_TZ, S_CONFLICTS, S_UNTIL };

static const char *const protect_choices[] = { "a passphrase", "a key file (unattended runs)" };
static const char *const mode_choices[] = { "off", "pull", "scim", "csv" };
static const char *const mode_titles[] = {
	"off", "pull (Alleo reads HiBob)", "SCIM (bobsync pushes)", "CSV file or SFTP"
};

static struct wform_field *
add_text(struct step *st, const char *label, const char *help, const char *value, int masked)
{
	struct wform_field *f = &st->f[st->nf++];

	f->kind = WFORM_TEXT;
	f->label = label;
	f->help = help;
	wtext_init(&f->text, 1000, masked);
	if (value != NULL)
		wtext_set(&f->text, value);
	return f;
}

static struct wform_field *
add_choice(struct step *st, const char *label, const char *help, const char *const *c, int n,
    int cur)
{
	struct wform_field *f = &st->f[st->nf++];

	f->kind = WFORM_CHOICE;
	f->label = label;
	f->help = help;
	f->choices = c;
	f->nchoices = n;
	f->choice = cur;
	return f;
}

static struct wform_field *
add_check(struct step *st, const char *label, const char *help, int on)
{
	struct wform_field *f = &st->f[st->nf++];

	f->kind = WFORM_CHECK;
	f->label = label;
	f->help = help;
	f->checked = on;
	return f;
}

static const char *
conf_or_empty(struct dash_env *e, const char *key)
{
	const char *v = conf_get(e->conf, key);
	return v ? v : "";
}

static const char *
secret(struct dash_env *e, enum vault_key k)
{
	return *e->vault != NULL ? vault_get(*e->vault, k) : NULL;
}

/* The text of field i into guarded memory (caller sodium_frees); NULL
 * when out of memory. */
static char *
field_value(struct step *st, int i)
{
	char *v = sodium_malloc(4096);

	if (v == NULL)
		return NULL;
	if (wtext_get(&st->f[i].text, v, 4096) == (size_t)-1)
		v[0] = '\0';
	str_trim(v);
	return v;
}

/* ---- per-step set-up ---- */

static void
sync_disabled(struct step *st)
{
	if (st->n == 2) {
		int novault = *st->e->vault == NULL;
		st->f[C_PROTECT].disabled = !novault;
		st->f[C_PASS1].disabled = st->f[C_PASS2].disabled =
		    !novault || st->f[C_PROTECT].choice != 0;
	} else if (st->n == 4) {
		int m = st->f[A_MODE].choice;
		for (int i = A_SCIM_URL; i <= A_SECRET; i++)
			st->f[i].disabled = m != 2;
		for (int i = A_CSV; i <= A_KNOWN_HOSTS; i++)
			st->f[i].disabled = m != 3;
		st->f[A_PRESTART].disabled = st->f[A_BUDGET].disabled = m == 0;
	} else if (st->n == 5) {
		for (int i = S_KEY; i <= S_UNTIL; i++)
			st->f[i].disabled = !st->f[S_ENABLED].checked;
	}
	if (st->form.focus >= 0 && st->f[st->form.focus].disabled)
		wform_focus_next(&st->form, 1);
}

static void
build_credentials(struct step *st)
{
	struct dash_env *e = st->e;
	struct vault_info vi = { 0 };
	struct bs_error verr = { 0 };
	int keyfile = 0;

	/* an existing vault keeps its protection: show the one it has */
	if (*e->vault != NULL && vault_info(e->paths->vault_file, &vi, &verr) == BS_OK)
		keyfile = vi.has_keyfile_slot && !vi.has_passphrase_slot;
	add_text(st, "Service User ID", "the ID of the Service User (Settings > Integrations "
	    "> Service Users)", secret(e, VAULT_HIBOB_ID), 0);
	add_text(st, "Token", "its token; paste works (Ctrl-R shows it)",
	    secret(e, VAULT_HIBOB_TOKEN), 1);
	add_choice(st, "Protect with", *e->vault != NULL ? "the vault exists already: its "
	    "protection stays" : "Left/Right: a passphrase, or a key file next to the vault",
	    protect_choices, 2, keyfile);
	add_text(st, "Passphrase", st->help[C_PASS1], NULL, 1);
	add_text(st, "Repeat it", "the same passphrase again", NULL, 1);
	snprintf(st->help[C_PASS1], sizeof st->help[C_PASS1], "8 characters or more; a few "
	    "unrelated words are best");
}

static void
build_alleo(struct step *st)
{
	struct dash_env *e = st->e;
	const char *mode = conf_or_empty(e, "alleo.mode");
	int m = 0;

	for (int i = 0; i < 4; i++)
		if (str_eq(mode, mode_choices[i]))
			m = i;
	add_choice(st, "Delivery", "Left/Right: off, pull, SCIM or CSV", mode_titles, 4, m);
	add_text(st, "SCIM address", "from Alleo, e.g. https://scim.alleo.example/scim/v2",
	    conf_or_empty(e, "alleo.scim_url"), 0);
	add_text(st, "Token address", "the OAuth2 token URL from Alleo",
	    conf_or_empty(e, "alleo.token_url"), 0);
	add_text(st, "Client id", "the SCIM client id from Alleo (kept in the vault)",
	    secret(e, VAULT_ALLEO_CLIENT_ID), 0);
	add_text(st, "Client secret", "the SCIM client secret (kept in the vault)",
	    secret(e, VAULT_ALLEO_CLIENT_SECRET), 1);
	add_text(st, "CSV target", "a folder, or sftp://user@host/path",
	    conf_or_empty(e, "alleo.csv_target"), 0);
	add_text(st, "SFTP key", "private key file for SFTP (empty: none)",
	    conf_or_empty(e, "alleo.sftp_key"), 0);
	add_text(st, "known_hosts", "known_hosts file for SFTP (empty: the default)",
	    conf_or_empty(e, "alleo.sftp_known_hosts"), 0);
	add_text(st, "Prestart days", "accounts this many days before the start date (0-365)",
	    conf_or_empty(e, "alleo.prestart_days"), 0);
	add_text(st, "Budget fields", st->budget_found, conf_or_empty(e, "alleo.budget_fields"), 0);
	snprintf(st->budget_found, sizeof st->budget_found, "auto, or field names separated by "
	    "commas (reading HiBob's fields...)");
}

static void
build_assembled(struct step *st)
{
	struct dash_env *e = st->e;
	static const char *const none[] = { "(the default: \"Time Off\")" };

	add_check(st, "Sync time off", "Space turns the time-off sync on or off",
	    conf_get_bool(e->conf, "assembled.enabled"));
	add_text(st, "API key", "from Assembled: Settings > API keys (kept in the vault); "
	    "then F5", secret(e, VAULT_ASSEMBLED_KEY), 1);
	add_choice(st, "Time-off type", "Left/Right: the Assembled type for time off (F5 reads "
	    "them)", none, 1, 0);
	add_text(st, "Policy map", st->help[S_POLICY], conf_or_empty(e, "assembled.policy_map"), 0);
	add_text(st, "Time zone", "for people without one in Assembled, e.g. Europe/Berlin",
	    conf_or_empty(e, "assembled.default_timezone"), 0);
	add_check(st, "Allow conflicts", "on: events beside overlapping shifts; off: Assembled "
	    "deletes the shifts they overlap", conf_get_bool(e->conf, "assembled.allow_conflicts"));
	add_text(st, "Sync until", "a date YYYY-MM-DD or +Nd (days ahead), e.g. +365d",
	    conf_or_empty(e, "timeoff.sync_until"), 0);
	snprintf(st->help[S_POLICY], sizeof st->help[S_POLICY], "HiBob policy type=Assembled "
	    "type, comma-separated (F5 lists them)");
}

/* ---- reading choices from the live APIs (steps 4 and 5) ---- */

static bs_rc
read_fields_fn(void *arg, const struct bs_progress *p, struct bs_error *err)
{
	struct step *st = arg;
	struct bob_client *bob;
	bs_rc rc;

	(void)p;
	if ((rc = session_bob(st->e->s, &bob, err)) != BS_OK)
		return rc;
	return bob_get_fields(bob, &st->bfields, err);
}

static bs_rc
read_types_fn(void *arg, const struct bs_progress *p, struct bs_error *err)
{
	struct step *st = arg;
	struct asm_client *asmc;
	struct bob_client *bob;
	struct bs_error perr = { 0 };
	bs_rc rc;

	(void)p;
	if ((rc = session_assembled(st->e->s, &asmc, err)) != BS_OK ||
	    (rc = asm_get_activity_types(asmc, &st->types, err)) != BS_OK)
		return rc;
	/* the policy types are a help: their failure is not the step's */
	if (session_bob(st->e->s, &bob, &perr) == BS_OK)
		bob_policy_types(bob, &st->policies, &st->npolicies, &perr);
	return BS_OK;
}

static void
start_read(struct tui *ui, struct step *st)
{
	struct bs_error err = { 0 };

	if (st->t != NULL)
		return;
	st->t = task_start(st->n == 4 ? read_fields_fn : read_types_fn, st, &err);
	if (st->t == NULL)
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
	else
		tui_say(ui, ROLE_DIM, st->n == 4 ? " Reading the fields HiBob has..." :
		    " Reading the time-off types from Assembled...");
}

static void
fields_read(struct step *st)
{
	struct strbuf sb;
	char *txt;
	int n = 0;

	sb_init(&sb, 0);
	for (size_t i = 0; i < st->bfields.n; i++) {
		const struct bob_field *f = &st->bfields.v[i];
		if (f->name == NULL || !roster_is_budget_field_name(f->name))
			continue;
		if (n++)
			sb_append(&sb, ", ", 2);
		sb_append(&sb, f->name, strlen(f->name));
	}
	txt = sb_detach(&sb);
	if (n)
		snprintf(st->budget_found, sizeof st->budget_found, "auto, or names; found in "
		    "HiBob: %s", txt);
	else
		snprintf(st->budget_found, sizeof st->budget_found, "auto, or names; no budget "
		    "field found in HiBob");
	free(txt);
}

static void
types_read(struct step *st)
{
	const char *want = conf_get(st->e->conf, "assembled.timeoff_type");
	struct strbuf sb;
	char *txt;
	int cur = 0;

	free(st->type_choices);
	st->type_choices = xcalloc(st->types.n + 2, sizeof *st->type_choices);
	st->ntype_choices = 0;
	st->type_choices[st->ntype_choices++] = "(the default: \"Time Off\")";
	for (size_t i = 0; i < st->types.n; i++) {
		if (!st->types.v[i].timeoff)
			continue;
		if (want != NULL && (str_eq(want, st->types.v[i].name) ||
		    str_eq(want, st->types.v[i].id)))
			cur = st->ntype_choices;
		st->type_choices[st->ntype_choices++] = st->types.v[i].name;
	}
	st->f[S_TYPE].choices = st->type_choices;
	st->f[S_TYPE].nchoices = st->ntype_choices;
	st->f[S_TYPE].choice = cur;
	sb_init(&sb, 0);
	for (size_t i = 0; i < st->npolicies; i++) {
		if (i)
			sb_append(&sb, ", ", 2);
		sb_append(&sb, st->policies[i], strlen(st->policies[i]));
	}
	txt = sb_detach(&sb);
	if (st->npolicies)
		snprintf(st->help[S_POLICY], sizeof st->help[S_POLICY], "Policy=Type pairs; HiBob "
		    "has: %s", txt);
	free(txt);
}

/* ---- saving a step ---- */

static int
fail_field(struct tui *ui, struct step *st, int i, const char *why)
{
	wtext_set_msg(&st->f[i].text, why);
	st->form.focus = i;
	tui_say(ui, ROLE_ERROR, " %s", why);
	return -1;
}

static int
save_credentials(struct tui *ui, struct step *st)
{
	struct dash_env *e = st->e;
	struct bs_error err = { 0 };
	char *id = field_value(st, C_ID), *tok = field_value(st, C_TOKEN);
	char *p1 = field_value(st, C_PASS1), *p2 = field_value(st, C_PASS2), why[256];
	char untried[200] = "";
	int rc = -1, tried = 1;

	if (id == NULL || tok == NULL || p1 == NULL || p2 == NULL)
		goto out;
	if (id[0] == '\0') {
		fail_field(ui, st, C_ID, "the Service User ID is needed");
		goto out;
	}
	if (tok[0] == '\0') {
		fail_field(ui, st, C_TOKEN, "the token is needed");
		goto out;
	}
	/* a new token is tried before it is stored: one cheap call, and a
	 * token HiBob rejects is never kept (issue 13: tested when stored) */
	if (!str_eq(id, secret(e, VAULT_HIBOB_ID)) || !str_eq(tok, secret(e, VAULT_HIBOB_TOKEN))) {
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
			fail_field(ui, st, C_TOKEN, why);
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
				fail_field(ui, st, C_PASS1, "the passphrase is too short: 8 characters "
				    "or more");
				goto out;
			}
			if (strcmp(p1, p2) != 0) {
				fail_field(ui, st, C_PASS2, "the two passphrases differ");
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
	if ((!str_eq(id, secret(e, VAULT_HIBOB_ID)) &&
	    dash_secret_set(e, VAULT_HIBOB_ID, id, why, sizeof why) != 0) ||
	    (!str_eq(tok, secret(e, VAULT_HIBOB_TOKEN)) &&
	    dash_secret_set(e, VAULT_HIBOB_TOKEN, tok, why, sizeof why) != 0)) {
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

/* Save field i to key (when enabled); -1 with the message on the field. */
static int
save_conf_field(struct tui *ui, struct step *st, int i, const char *key, int allow_unset)
{
	char *v = field_value(st, i), why[256];
	struct bs_error err = { 0 };
	int rc = 0;

	if (v == NULL)
		return -1;
	if (!st->f[i].disabled) {
		if (v[0] == '\0' && allow_unset) {
			if (conf_is_set(st->e->conf, key) &&
			    dash_conf_write(st->e, key, NULL, &err) != BS_OK)
				rc = fail_field(ui, st, i, bs_error_text(&err));
		} else if (job_check_type_names(st->e->s, key, v, why, sizeof why) == 0)
			rc = fail_field(ui, st, i, why);	/* a type Assembled does not have */
		else if (dash_conf_set(st->e, key, v, why, sizeof why) != 0)
			rc = fail_field(ui, st, i, why);
	}
	sodium_free(v);
	return rc;
}

static int
save_secret_field(struct tui *ui, struct step *st, int i, enum vault_key k)
{
	char *v = field_value(st, i), why[256];
	int rc = 0;

	if (v == NULL)
		return -1;
	if (!st->f[i].disabled && v[0] != '\0' && !str_eq(v, secret(st->e, k)) &&
	    dash_secret_set(st->e, k, v, why, sizeof why) != 0)
		rc = fail_field(ui, st, i, why);
	sodium_free(v);
	return rc;
}

static int
save_alleo(struct tui *ui, struct step *st)
{
	char why[256];
	int m = st->f[A_MODE].choice;

	if (save_conf_field(ui, st, A_SCIM_URL, "alleo.scim_url", 1) ||
	    save_conf_field(ui, st, A_TOKEN_URL, "alleo.token_url", 1) ||
	    save_secret_field(ui, st, A_CLIENT_ID, VAULT_ALLEO_CLIENT_ID) ||
	    save_secret_field(ui, st, A_SECRET, VAULT_ALLEO_CLIENT_SECRET) ||
	    save_conf_field(ui, st, A_CSV, "alleo.csv_target", 1) ||
	    save_conf_field(ui, st, A_SFTP_KEY, "alleo.sftp_key", 1) ||
	    save_conf_field(ui, st, A_KNOWN_HOSTS, "alleo.sftp_known_hosts", 1) ||
	    save_conf_field(ui, st, A_PRESTART, "alleo.prestart_days", 0) ||
	    save_conf_field(ui, st, A_BUDGET, "alleo.budget_fields", 0))
		return -1;
	if (m == 2 && (secret(st->e, VAULT_ALLEO_CLIENT_ID) == NULL ||
	    secret(st->e, VAULT_ALLEO_CLIENT_SECRET) == NULL))
		return fail_field(ui, st, A_CLIENT_ID, "SCIM needs the client id and secret");
	if (dash_conf_set(st->e, "alleo.mode", mode_choices[m], why, sizeof why) != 0) {
		st->form.focus = A_MODE;
		tui_say(ui, ROLE_ERROR, " %s", why);
		return -1;
	}
	dash_session_reset(st->e);
	return 0;
}

static int
save_assembled(struct tui *ui, struct step *st)
{
	char why[256] = "";
	struct bs_error err = { 0 };
	int on = st->f[S_ENABLED].checked, t = st->f[S_TYPE].choice;

	if (save_secret_field(ui, st, S_KEY, VAULT_ASSEMBLED_KEY))
		return -1;
	if (on && secret(st->e, VAULT_ASSEMBLED_KEY) == NULL)
		return fail_field(ui, st, S_KEY, "the time-off sync needs the Assembled API key");
	if (on && st->ntype_choices > 0 && (t == 0 ? (conf_is_set(st->e->conf,
	    "assembled.timeoff_type") && dash_conf_write(st->e, "assembled.timeoff_type", NULL,
	    &err) != BS_OK) : dash_conf_set(st->e, "assembled.timeoff_type",
	    st->type_choices[t], why, sizeof why) != 0)) {
		st->form.focus = S_TYPE;
		tui_say(ui, ROLE_ERROR, " %s", why);
		return -1;
	}
	if (save_conf_field(ui, st, S_POLICY, "assembled.policy_map", 1) ||
	    save_conf_field(ui, st, S_TZ, "assembled.default_timezone", 0) ||
	    save_conf_field(ui, st, S_UNTIL, "timeoff.sync_until", 0))
		return -1;
	if ((on && dash_conf_set(st->e, "assembled.allow_conflicts",
	    st->f[S_CONFLICTS].checked ? "true" : "false", why, sizeof why) != 0) ||
	    dash_conf_set(st->e, "assembled.enabled", on ? "true" : "false", why,
	    sizeof why) != 0) {
		tui_say(ui, ROLE_ERROR, " %s", why);
		return -1;
	}
	dash_session_reset(st->e);
	return 0;
}

static int
next(struct tui *ui, struct step *st)
{
	int rc = 0;

	if (st->t != NULL) {
		tui_say(ui, ROLE_WARN, " Still reading from the live services: wait a moment, or "
		    "Esc.");
		return TUI_HANDLED;
	}
	switch (st->n) {
	case 2: rc = save_credentials(ui, st); break;
	case 4: rc = save_alleo(ui, st); break;
	case 5: rc = save_assembled(ui, st); break;
	default: break;
	}
	if (rc == 0)
		screen_setup_push(ui, st->e, st->n + 1);
	return TUI_HANDLED;
}

/* ---- the screen ---- */

static const struct tui_action form_actions[] = {
	{ ACT_NEXT, "Next", UK_ENTER, "the next field; on the last one, save and go to the "
	  "next step", 0 },
	{ 0, NULL, UK_TAB, "the next field (Shift-Tab, Up/Down move too)", TUI_ACT_NOBAR },
	{ 0, NULL, UK_CTRL('r'), "show or hide a hidden value while typing", TUI_ACT_NOBAR },
	{ 0, NULL, UK_CTRL('u'), "clear the field up to the cursor", TUI_ACT_NOBAR },
};

static const struct tui_action assembled_actions[] = {
	{ ACT_NEXT, "Next", UK_ENTER, "the next field; on the last one, save and go to the "
	  "next step", 0 },
	{ ACT_READ, "Read types", UK_F5, "store the API key and read the time-off types from "
	  "Assembled (and the policy types from HiBob)", 0 },
	{ 0, NULL, UK_TAB, "the next field (Shift-Tab, Up/Down move too)", TUI_ACT_NOBAR },
	{ 0, NULL, ' ', "turn a [ ] setting on or off", TUI_ACT_NOBAR },
};

static const struct tui_action preview_actions[] = {
	{ ACT_NEXT, "Next", UK_ENTER, "go on to the next step", 0 },
	{ ACT_VIEW, "View", 'v', "open the list again", 0 },
};

static const char *const *
intro_of(int n, size_t *count)
{
	switch (n) {
	case 2: *count = ARRAY_LEN(intro2); return intro2;
	case 4: *count = ARRAY_LEN(intro4); return intro4;
	case 5: *count = ARRAY_LEN(intro5); return intro5;
	case 6: *count = ARRAY_LEN(intro6); return intro6;
	default: *count = ARRAY_LEN(intro7); return intro7;
	}
}

static int
step_open(struct tui *ui, struct tui_screen *s)
{
	struct step *st = s->data;

	switch (st->n) {
	case 2: build_credentials(st); break;
	case 4: build_alleo(st); break;
	case 5: build_assembled(st); break;
	default: return 0;
	}
	wform_init(&st->form, st->f, st->nf);
	st->form.focus = 0;
	sync_disabled(st);
	if (st->n == 4)
		start_read(ui, st);
	else if (st->n == 5 && secret(st->e, VAULT_ASSEMBLED_KEY) != NULL &&
	    conf_get_bool(st->e->conf, "assembled.enabled"))
		start_read(ui, st);
	return 0;
}

static void
step_close(struct tui *ui, struct tui_screen *s)
{
	struct step *st = s->data;

	(void)ui;
	task_free(&st->t);
	for (int i = 0; i < st->nf; i++)
		if (st->f[i].kind == WFORM_TEXT)
			wtext_release(&st->f[i].text);
	asm_activity_types_free(&st->types);
	bob_strings_free(st->policies, st->npolicies);
	bob_fields_free(&st->bfields);
	free(st->type_choices);
	free(st);
}

static const struct tui_action *
step_actions(struct tui_screen *s, size_t *n)
{
	struct step *st = s->data;

	if (st->n == 6 || st->n == 7) {
		*n = ARRAY_LEN(preview_actions);
		return preview_actions;
	}
	if (st->n == 5) {
		*n = ARRAY_LEN(assembled_actions);
		return assembled_actions;
	}
	*n = ARRAY_LEN(form_actions);
	return form_actions;
}

static int
step_typing(struct tui_screen *s)
{
	struct step *st = s->data;

	return st->nf > 0 && wform_typing(&st->form);
}

static void
step_draw(struct tui *ui, struct tui_screen *s, int y, int x, int h, int w)
{
	struct step *st = s->data;
	size_t np, starts[16], lens[16];
	const char *const *intro = intro_of(st->n, &np);
	int row = y + 1, form_h = st->nf ? st->nf + wform_hint_rows(&st->form, w - 4) : 0, stop = y + h - form_h - 1;
	char line[1024];

	(void)ui;
	for (size_t p = 0; p < np; p++) {
		size_t n = text_wrap(intro[p], w - 4, starts, lens, 16);
		for (size_t i = 0; i < n && row < stop; i++, row++) {
			snprintf(line, sizeof line, "%.*s", (int)lens[i], intro[p] + starts[i]);
			text_put(row, x + 2, line, w - 4, ROLE_NORMAL);
		}
		if (row < stop)
			row++;
	}
	if (st->n == 2 && *st->e->vault != NULL && secret(st->e, VAULT_HIBOB_ID) != NULL &&
	    row < stop)
		text_put(row++, x + 2, "Credentials are stored already: Enter keeps them.", w - 4,
		    ROLE_OK);
	if (st->nf)
		wform_draw(&st->form, y + h - form_h, x + 2, form_h, w - 4);
}

static int
step_tick(struct tui *ui, struct tui_screen *s)
{
	struct step *st = s->data;
	struct task_snapshot snap;
	struct bs_error err = { 0 };

	if ((st->n == 6 || st->n == 7) && !st->opened) {
		char crumbs[160];
		st->opened = 1;
		setup_crumbs(crumbs, sizeof crumbs, st->n, NULL);
		if (st->n == 6)
			screen_employees_push(ui, st->e, crumbs);
		else
			screen_timeoff_push(ui, st->e, crumbs);
		return TUI_REDRAW;
	}
	if (st->t == NULL)
		return 0;
	task_snapshot(st->t, &snap);
	if (!snap.finished)
		return 0;
	if (task_wait(&st->t, &err) != BS_OK) {
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
		if (st->n == 4)
			snprintf(st->budget_found, sizeof st->budget_found, "auto, or field names "
			    "separated by commas");
		return TUI_REDRAW;
	}
	if (st->n == 4) {
		fields_read(st);
		tui_say(ui, ROLE_DIM, " Fields read from HiBob.");
	} else {
		types_read(st);
		tui_say(ui, ROLE_OK, " %d time-off type%s read from Assembled.",
		    st->ntype_choices - 1, st->ntype_choices == 2 ? "" : "s");
	}
	return TUI_REDRAW;
}

static int
step_key(struct tui *ui, struct tui_screen *s, int key, int action)
{
	struct step *st = s->data;
	char why[256];

	if (st->n == 6 || st->n == 7) {
		if (action == ACT_NEXT)
			return next(ui, st);
		if (action == ACT_VIEW) {
			st->opened = 0;
			return step_tick(ui, s);
		}
		return TUI_UNHANDLED;
	}
	if (key == UK_ESC) {
		if (st->t != NULL) {
			task_free(&st->t);
			tui_say(ui, ROLE_DIM, " Reading stopped.");
			return TUI_HANDLED;
		}
		return TUI_UNHANDLED;	/* back a step */
	}
	if (action == ACT_READ) {
		/* the key and the switch are saved first: the client needs both */
		char *k = field_value(st, S_KEY);
		int bad = k == NULL || (k[0] != '\0' && !str_eq(k, secret(st->e, VAULT_ASSEMBLED_KEY)) &&
		    dash_secret_set(st->e, VAULT_ASSEMBLED_KEY, k, why, sizeof why) != 0);
		sodium_free(k);
		if (bad)
			return fail_field(ui, st, S_KEY, why), TUI_HANDLED;
		if (!st->f[S_ENABLED].checked) {
			tui_say(ui, ROLE_WARN, " Turn the time-off sync on first (Space on the first "
			    "line).");
			return TUI_HANDLED;
		}
		if (dash_conf_set(st->e, "assembled.enabled", "true", why, sizeof why) != 0) {
			tui_say(ui, ROLE_ERROR, " %s", why);
			return TUI_HANDLED;
		}
		dash_session_reset(st->e);
		start_read(ui, st);
		return TUI_HANDLED;
	}
	if (action == ACT_NEXT) {
		int last = st->nf - 1;
		while (last > 0 && st->f[last].disabled)
			last--;
		if (st->form.focus < last) {
			wform_focus_next(&st->form, 1);
			return TUI_HANDLED;
		}
		return next(ui, st);
	}
	switch (wform_key(&st->form, key)) {
	case WFORM_CHANGED:
		if (st->form.focus >= 0 && st->f[st->form.focus].kind == WFORM_TEXT)
			wtext_set_msg(&st->f[st->form.focus].text, NULL);
		if (st->n == 2 && st->form.focus == C_PASS1) {
			char *p = field_value(st, C_PASS1);
			if (p != NULL) {
				char hint[200];
				setup_passphrase_strength(p, hint, sizeof hint);
				snprintf(st->help[C_PASS1], sizeof st->help[C_PASS1], "strength: %s",
				    hint);
				sodium_free(p);
			}
		}
		sync_disabled(st);
		return TUI_HANDLED;
	case WFORM_HANDLED:
		sync_disabled(st);
		return TUI_HANDLED;
	default:
		return TUI_UNHANDLED;
	}
}

static const struct tui_screen_ops step_ops = {
	.name = "setup",
	.open = step_open,
	.draw = step_draw,
	.handle_key = step_key,
	.close = step_close,
	.actions = step_actions,
	.tick = step_tick,
	.typing = step_typing,
};

static void
welcome_next(struct tui *ui, void *ctx)
{
	screen_setup_push(ui, ctx, 2);
}

/* Step 1's address: one key into the file, and the session made again,
 * so step 3 talks to the new address. */
static int
welcome_save(void *ctx, const char *url, char *why, size_t whylen)
{
	return dash_conf_set(ctx, "hibob.base_url", url, why, whylen);
}

static unsigned
enabled_jobs(struct dash_env *e)
{
	unsigned m = 0;

	if (job_enabled(e->conf, JOB_ROSTER))
		m |= 1u << JOB_ROSTER;
	if (job_enabled(e->conf, JOB_TIMEOFF))
		m |= 1u << JOB_TIMEOFF;
	return m;
}

int
screen_setup_push(struct tui *ui, struct dash_env *e, int n)
{
	char crumbs[160];
	struct step *st;

	setup_crumbs(crumbs, sizeof crumbs, n, NULL);
	switch (n) {
	case 1:
		return screen_welcome_push_save(ui, e->conf, e->paths->conf_file, crumbs, welcome_next,
		    welcome_save, e);
	case 3:
		return screen_checks_push(ui, e, crumbs, 3);
	case 8:
		return screen_sync_push(ui, e, SYNC_SETUP, enabled_jobs(e), crumbs);
	default:
		break;
	}
	st = xcalloc(1, sizeof *st);
	st->e = e;
	st->n = n;
	if (tui_push(ui, &step_ops, st, step_names[n], crumbs) != 0) {
		free(st);
		return -1;
	}
	return 0;
}

void
setup_done(struct tui *ui, struct dash_env *e)
{
	struct bs_error err = { 0 };

	if (e->store != NULL &&
	    store_kv_set(e->store, "setup.done", "1", clock_now(), &err) != BS_OK)
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
	while (tui_top(ui) != NULL)
		tui_pop(ui);
	screen_home_push(ui, e);
	tui_say(ui, ROLE_OK, " Setup is done. This is the dashboard; ? lists its keys.");
}
