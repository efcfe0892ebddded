/* step_assembled.c - setup step 5: the time-off sync to Assembled, its API
 * key, the time-off type and policy map (F5 reads the choices from
 * Assembled and HiBob in a worker), the default time zone, conflicts and
 * how far ahead to sync.  The fields of settings are made from the
 * settings table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/util.h"
#include "config/conf.h"
#include "engine/session.h"
#include "dash.h"
#include "step_form.h"
#include "tui.h"
#include "vendor/assembled.h"
#include "vendor/hibob.h"

enum { S_ENABLED, S_KEY, S_TYPE, S_POLICY, S_TZ, S_CONFLICTS, S_UNTIL };
enum { ACT_NEXT = STEP_ACT_NEXT, ACT_READ };

static const char *const intro[] = {
	"Approved HiBob time off becomes events on the Assembled schedule. The API key is "
	"in Assembled under Settings > API keys. F5 reads the time-off types from Assembled "
	"and the policy types from HiBob.",
	"Allow conflicts: on, the event is added beside the shifts it overlaps; off, "
	"Assembled deletes those shifts.",
};

static const struct tui_action actions[] = {
	{ ACT_NEXT, "Next", UK_ENTER, "the next field; on the last one, save and go to the "
	  "next step", 0 },
	{ ACT_READ, "Read types", UK_F5, "store the API key and read the time-off types from "
	  "Assembled (and the policy types from HiBob)", 0 },
	{ 0, NULL, UK_TAB, "the next field (Shift-Tab, Up/Down move too)", TUI_ACT_NOBAR },
	{ 0, NULL, ' ', "turn a [ ] setting on or off", TUI_ACT_NOBAR },
};

static const char *const no_types[] = { "(the default: \"Time Off\")" };

struct assembled {
	struct asm_activity_types types;	/* read from Assembled */
	char **policies;			/* read from HiBob */
	size_t npolicies;
	const char **type_choices;		/* [0] the default, then the names */
	int ntype_choices;
};

static void
build(struct step_form *st)
{
	step_add_setting(st, "assembled.enabled", "Space turns the time-off sync on or off");
	step_add_text(st, "API key", "from Assembled: Settings > API keys (kept in the vault); "
	    "then F5", step_secret(st, VAULT_ASSEMBLED_KEY), 1);
	step_add_choice(st, conf_label(conf_find("assembled.timeoff_type")), "Left/Right: the "
	    "Assembled type for time off (F5 reads them)", no_types, 1, 0);
	step_add_setting(st, "assembled.policy_map", st->help[S_POLICY]);
	step_add_setting(st, "assembled.default_timezone", "for people without one in "
	    "Assembled, e.g. Europe/Berlin");
	step_add_setting(st, "assembled.allow_conflicts", "on: events beside overlapping shifts; "
	    "off: Assembled deletes the shifts they overlap");
	step_add_setting(st, "timeoff.sync_until", "a date YYYY-MM-DD or +Nd (days ahead), e.g. "
	    "+365d");
	snprintf(st->help[S_POLICY], sizeof st->help[S_POLICY], "HiBob policy type=Assembled "
	    "type, comma-separated (F5 lists them)");
}

static void
sync(struct step_form *st)
{
	for (int i = S_KEY; i <= S_UNTIL; i++)
		st->f[i].disabled = !st->f[S_ENABLED].checked;
}

static bs_rc
read_types(void *arg, const struct bs_progress *p, struct bs_error *err)
{
	struct step_form *st = arg;
	struct assembled *a = st->data;
	struct asm_client *asmc;
	struct bob_client *bob;
	struct bs_error perr = { 0 };
	bs_rc rc;

	(void)p;
	if ((rc = session_assembled(st->e->s, &asmc, err)) != BS_OK ||
	    (rc = asm_get_activity_types(asmc, &a->types, err)) != BS_OK)
		return rc;
	/* the policy types are a help: their failure is not the step's */
	if (session_bob(st->e->s, &bob, &perr) == BS_OK)
		bob_policy_types(bob, &a->policies, &a->npolicies, &perr);
	return BS_OK;
}

static void
start_read(struct tui *ui, struct step_form *st)
{
	step_form_read(ui, st, read_types, " Reading the time-off types from Assembled...");
}

static void
opened(struct tui *ui, struct step_form *st)
{
	if (step_secret(st, VAULT_ASSEMBLED_KEY) != NULL &&
	    conf_get_bool(st->e->conf, "assembled.enabled"))
		start_read(ui, st);
}

static void
read_done(struct tui *ui, struct step_form *st, bs_rc rc, const struct bs_error *err)
{
	struct assembled *a = st->data;
	const char *want = conf_get(st->e->conf, "assembled.timeoff_type");
	struct strbuf sb;
	char *txt;
	int cur = 0;

	if (rc != BS_OK) {
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(err));
		return;
	}
	free(a->type_choices);
	a->type_choices = xcalloc(a->types.n + 2, sizeof *a->type_choices);
	a->ntype_choices = 0;
	a->type_choices[a->ntype_choices++] = no_types[0];
	for (size_t i = 0; i < a->types.n; i++) {
		if (!a->types.v[i].timeoff)
			continue;
		if (want != NULL && (str_eq(want, a->types.v[i].name) ||
		    str_eq(want, a->types.v[i].id)))
			cur = a->ntype_choices;
		a->type_choices[a->ntype_choices++] = a->types.v[i].name;
	}
	st->f[S_TYPE].choices = a->type_choices;
	st->f[S_TYPE].nchoices = a->ntype_choices;
	st->f[S_TYPE].choice = cur;
	sb_init(&sb, 0);
	for (size_t i = 0; i < a->npolicies; i++) {
		if (i)
			sb_append(&sb, ", ", 2);
		sb_append(&sb, a->policies[i], strlen(a->policies[i]));
	}
	txt = sb_detach(&sb);
	if (a->npolicies)
		snprintf(st->help[S_POLICY], sizeof st->help[S_POLICY], "Policy=Type pairs; HiBob "
		    "has: %s", txt);
	free(txt);
	tui_say(ui, ROLE_OK, " %d time-off type%s read from Assembled.", a->ntype_choices - 1,
	    a->ntype_choices == 2 ? "" : "s");
}

static int
save(struct tui *ui, struct step_form *st)
{
	struct assembled *a = st->data;
	char why[256] = "";
	int on = st->f[S_ENABLED].checked, t = st->f[S_TYPE].choice;

	if (step_save_secret(ui, st, S_KEY, VAULT_ASSEMBLED_KEY))
		return -1;
	if (on && step_secret(st, VAULT_ASSEMBLED_KEY) == NULL)
		return step_fail_field(ui, st, S_KEY, "the time-off sync needs the Assembled API "
		    "key");
	if (on && a->ntype_choices > 0 && dash_conf_set(st->e, "assembled.timeoff_type",
	    t == 0 ? NULL : a->type_choices[t], why, sizeof why) != 0)
		return step_fail_field(ui, st, S_TYPE, why);
	if (step_save_setting(ui, st, S_POLICY, "assembled.policy_map", 1) ||
	    step_save_setting(ui, st, S_TZ, "assembled.default_timezone", 0) ||
	    step_save_setting(ui, st, S_UNTIL, "timeoff.sync_until", 0))
		return -1;
	if ((on && dash_conf_set(st->e, "assembled.allow_conflicts",
	    st->f[S_CONFLICTS].checked ? "true" : "false", why, sizeof why) != 0) ||
	    dash_conf_set(st->e, "assembled.enabled", on ? "true" : "false", why,
	    sizeof why) != 0) {
		tui_say(ui, ROLE_ERROR, " %s", why);
		return -1;
	}
	return 0;
}

static int
key(struct tui *ui, struct step_form *st, int k, int action)
{
	char why[256];
	char *v;
	int bad;

	(void)k;
	if (action != ACT_READ)
		return TUI_UNHANDLED;
	/* the key and the switch are saved first: the client needs both */
	v = step_field_value(st, S_KEY);
	bad = v == NULL || (v[0] != '\0' && !str_eq(v, step_secret(st, VAULT_ASSEMBLED_KEY)) &&
	    dash_secret_set(st->e, VAULT_ASSEMBLED_KEY, v, why, sizeof why) != 0);
	sodium_free(v);
	if (bad)
		return step_fail_field(ui, st, S_KEY, why), TUI_HANDLED;
	if (!st->f[S_ENABLED].checked) {
		tui_say(ui, ROLE_WARN, " Turn the time-off sync on first (Space on the first "
		    "line).");
		return TUI_HANDLED;
	}
	if (dash_conf_set(st->e, "assembled.enabled", "true", why, sizeof why) != 0) {
		tui_say(ui, ROLE_ERROR, " %s", why);
		return TUI_HANDLED;
	}
	start_read(ui, st);
	return TUI_HANDLED;
}

static void
free_assembled(struct step_form *st)
{
	struct assembled *a = st->data;

	asm_activity_types_clear(&a->types);
	bob_strings_free(a->policies, a->npolicies);
	free(a->type_choices);
}

static const struct step_kind kind = {
	.name = "Assembled",
	.intro = intro,
	.nintro = ARRAY_LEN(intro),
	.actions = actions,
	.nactions = ARRAY_LEN(actions),
	.size = sizeof(struct assembled),
	.build = build,
	.sync = sync,
	.opened = opened,
	.save = save,
	.key = key,
	.read_done = read_done,
	.free = free_assembled,
};

int
screen_step_assembled_push(struct tui *ui, struct dash_env *e, int step, const char *crumbs,
    wizard_done_fn *done)
{
	return step_form_push(ui, e, &kind, step, crumbs, done);
}
