/* cmd_config.c - bobsync config list [--json] | get KEY | set KEY VALUE |
 * unset KEY
 *
 * `config` runs even when bobsync.conf is broken, so that it can be fixed:
 * list and get report the problem (exit 2); set and unset read the file in
 * repair mode, rewrite only the lines of KEY (unset also removes the lines
 * of an unknown key, such as a typo) and keep everything else as written.
 * When another problem remains afterwards, it is shown as a warning.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "app.h"
#include "commands.h"
#include "config/conf.h"
#include "base/log.h"
#include "output.h"
#include "base/util.h"

#define CONFIG_USAGE "config list [--json] | get KEY | set KEY VALUE | unset KEY"

/* The paths, resolving them again when app_init could not. */
static int
need_paths(struct app *a)
{
	struct bs_error err = { 0 };

	if (a->paths.conf_file != NULL)
		return 0;
	paths_clear(&a->paths);
	if (paths_resolve(&a->paths, &err) != BS_OK)
		return app_error(a, &err);
	return 0;
}

static int
unknown_key(struct app *a, const char *key)
{
	const char *near = conf_suggest(key);
	char *shown = xstrdup(key);

	util_strip_controls(shown);
	if (near != NULL)
		app_usage(a, "config", "unknown setting '%s'; did you mean '%s'?", shown, near);
	else
		app_usage(a, "config", "unknown setting '%s'; 'bobsync config list' shows every setting",
		    shown);
	free(shown);
	return 2;
}

/* Settings as they are in the file, strictly: a broken file is an error. */
static int
load_strict(struct app *a, struct conf **out)
{
	struct bs_error err = { 0 };
	int status;

	*out = conf_new();
	if (conf_load(*out, a->paths.conf_file, &err) == BS_OK)
		return 0;
	conf_free(out);
	status = app_error(a, &err);
	if (err.rc == BS_ERR_CONFIG)
		fprintf(stderr, "Fix that line in %s, or rewrite it with 'bobsync config set KEY VALUE' "
		    "or 'bobsync config unset KEY'.\n", a->paths.conf_file);
	return status;
}

/* Settings for a change: the file in repair mode.  *missing is set when
 * there is no file yet. */
static int
load_for_change(struct app *a, struct conf **out, int *missing)
{
	struct bs_error err = { 0 };
	int usable = 0;

	*missing = access(a->paths.conf_file, F_OK) != 0;
	*out = conf_new();
	/* a problem in another line is reported after the change */
	(void)conf_load_lenient(*out, a->paths.conf_file, &usable, &err);
	if (usable)
		return 0;
	conf_free(out);
	return app_error(a, &err);
}

/* Say whether the file still has a problem after a change. */
static int
left_problem(struct app *a)
{
	struct bs_error err = { 0 };
	struct conf *check = conf_new();

	if (conf_load(check, a->paths.conf_file, &err) != BS_OK) {
		char *msg = log_mask(bs_error_text(&err));
		util_strip_controls(msg);
		fprintf(stderr, "bobsync: saved, but the file still has a problem: %s\n", msg);
		free(msg);
	}
	conf_free(&check);
	return 0;
}

/* Write the settings back and say whether any problem is left. */
static int
save(struct app *a, struct conf *c)
{
	struct bs_error err = { 0 };

	if (paths_ensure(&a->paths, &err) != BS_OK ||
	    conf_save(c, a->paths.conf_file, &err) != BS_OK)
		return app_error(a, &err);
	return left_problem(a);
}

/* One key changed in the file (conf_update); value NULL: back to the
 * default. */
static int
update(struct app *a, struct conf *c, const char *key, const char *value)
{
	struct bs_error err = { 0 };

	if (paths_ensure(&a->paths, &err) != BS_OK ||
	    conf_update(c, a->paths.conf_file, key, value, &err) != BS_OK)
		return app_error(a, &err);
	return left_problem(a);
}

/* ---- list ---- */

/* The value column on a terminal: half of what the key and source
 * columns leave, within these bounds (characters). */
#define LIST_VALUE_MIN 12
#define LIST_VALUE_MAX 40

/* A long value cut for the table on a terminal, at a character boundary,
 * with an ellipsis.  Takes s; returns the string to use (caller frees). */
static char *
cut_value(char *s, size_t max)
{
	size_t chars = 0;

	for (char *p = s; *p; p++) {
		if (((unsigned char)*p & 0xc0) == 0x80)
			continue;	/* inside a UTF-8 sequence */
		if (++chars == max && p[1] != '\0') {
			char *cut = xasprintf("%.*s\xe2\x80\xa6", (int)(p - s), s);
			free(s);
			return cut;
		}
	}
	return s;
}

static json_t *
option_json(const struct conf *c, const struct conf_option *o)
{
	json_t *j = json_object();
	const char *v = conf_get(c, o->key);

	json_object_set_new(j, "key", json_string(o->key));
	json_object_set_new(j, "value", v ? json_string(v) : json_null());
	json_object_set_new(j, "set", json_boolean(conf_is_set(c, o->key)));
	json_object_set_new(j, "default", o->def ? json_string(o->def) : json_null());
	if (o->def_doc != NULL)
		json_object_set_new(j, "default_doc", json_string(o->def_doc));
	json_object_set_new(j, "type", json_string(conf_type_name(o->type)));
	if (o->type == CONF_ENUM && o->choices != NULL)
		json_object_set_new(j, "choices", json_string(o->choices));
	if (o->type == CONF_INT) {
		json_object_set_new(j, "min", json_integer((json_int_t)o->min));
		json_object_set_new(j, "max", json_integer((json_int_t)o->max));
	} else if (o->type == CONF_NUMBER) {
		json_object_set_new(j, "min", json_real(o->min));
		json_object_set_new(j, "max", json_real(o->max));
	}
	json_object_set_new(j, "help", json_string(o->help));
	return j;
}

static int
config_list(struct app *a, int argc, char **argv)
{
	static const char *const headers[] = { "SETTING", "VALUE", "FROM", "MEANING" };
	struct conf *c;
	const struct conf_option *t;
	size_t n, vmax = 0, ncols = ARRAY_LEN(headers);
	int status, width = a->tty_out ? out_term_width() : 0;

	t = conf_options(&n);
	if (width > 0) {
		/* the keys whole (they are what one types), then FROM; the
		 * value and the meaning share the rest, and on a terminal too
		 * narrow for both the meaning is left out (config get KEY
		 * shows it) */
		int kw = 0, avail, w;
		for (size_t i = 0; i < n; i++)
			if ((int)strlen(t[i].key) > kw)
				kw = (int)strlen(t[i].key);
		avail = width - kw - 2 - 2 - 7 - 2;
		if (avail >= 2 * LIST_VALUE_MIN) {
			w = avail / 2;
			vmax = w > LIST_VALUE_MAX ? LIST_VALUE_MAX : (size_t)w;
		} else {
			ncols = 3;
			w = avail + 2;
			vmax = w < 4 ? 4 : (size_t)w;
		}
	}
	if (argc > 2)
		return app_usage(a, "config", "unexpected argument '%s' for config list", argv[2]);
	status = load_strict(a, &c);
	if (status != 0)
		return status;
	if (a->json) {
		json_t *j = json_object(), *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, option_json(c, &t[i]));
		json_object_set_new(j, "file", json_string(a->paths.conf_file));
		json_object_set_new(j, "settings", arr);
		out_json(j);
	} else {
		struct out_table *tab = out_table_new(ncols, headers);
		for (size_t i = 0; i < n; i++) {
			const char *v = conf_get(c, t[i].key);
			const char *from = conf_is_set(c, t[i].key) ? "set" :
			    v != NULL || t[i].def_doc != NULL ? "default" : "not set";
			char *shown;
			const char *cells[4];

			if (v != NULL && *v == '\0')
				shown = xstrdup("\"\"");
			else if (v != NULL)
				shown = xstrdup(v);
			else
				shown = xstrdup(t[i].def_doc ? t[i].def_doc : "");
			if (vmax > 0)
				shown = cut_value(shown, vmax);
			cells[0] = t[i].key;
			cells[1] = shown;
			cells[2] = from;
			cells[3] = t[i].help;
			out_table_row(tab, cells);
			free(shown);
		}
		out_table_print(tab, stdout, width);
		out_table_free(&tab);
		if (a->tty_out)
			printf("\nSettings file: %s\n", a->paths.conf_file);
	}
	conf_free(&c);
	return 0;
}

/* ---- get ---- */

static int
config_get(struct app *a, int argc, char **argv)
{
	const struct conf_option *o;
	struct conf *c;
	const char *v;
	int status;

	if (argc != 3)
		return app_usage(a, "config", "config get takes one KEY");
	o = conf_find(argv[2]);
	if (o == NULL)
		return unknown_key(a, argv[2]);
	status = load_strict(a, &c);
	if (status != 0)
		return status;
	v = conf_get(c, o->key);
	if (v == NULL) {
		if (o->def_doc != NULL)
			fprintf(stderr, "bobsync: %s is not set (default: %s)\n", o->key, o->def_doc);
		else
			fprintf(stderr, "bobsync: %s is not set\n", o->key);
		status = 1;
	} else {
		printf("%s\n", v);
	}
	conf_free(&c);
	return status;
}

/* ---- set and unset ---- */

static int
config_set(struct app *a, int argc, char **argv)
{
	const struct conf_option *o;
	struct conf *c;
	int status;

	if (argc != 4)
		return app_usage(a, "config", "config set takes a KEY and one VALUE "
		    "(quote a VALUE with spaces)");
	o = conf_find(argv[2]);
	if (o == NULL)
		return unknown_key(a, argv[2]);
	c = conf_new();
	status = update(a, c, o->key, argv[3]);
	conf_free(&c);
	return status;
}

static int
config_unset(struct app *a, int argc, char **argv)
{
	const struct conf_option *o;
	struct conf *c;
	int missing, status;

	if (argc != 3)
		return app_usage(a, "config", "config unset takes one KEY");
	o = conf_find(argv[2]);
	status = load_for_change(a, &c, &missing);
	if (status != 0)
		return status;
	if (missing) {
		/* nothing to remove, and no reason to create the file */
		conf_free(&c);
		return o != NULL ? 0 : unknown_key(a, argv[2]);
	}
	if (o == NULL) {
		/* a misspelt key in the file: take its lines out */
		if (conf_drop_lines(c, argv[2]) == 0) {
			conf_free(&c);
			return unknown_key(a, argv[2]);
		}
		status = save(a, c);
		conf_free(&c);
		return status;
	}
	status = update(a, c, o->key, NULL);
	conf_free(&c);
	return status;
}

int
cmd_config(struct app *a, int argc, char **argv)
{
	const char *sub = argc >= 2 ? argv[1] : NULL;
	int status;

	if (sub == NULL)
		return app_usage(a, "config", "say what to do: %s", CONFIG_USAGE);
	status = need_paths(a);
	if (status != 0)
		return status;
	if (strcmp(sub, "list") != 0 && a->opt[APP_OPT_JSON] != NULL)
		return app_usage(a, "config", "unknown option '--json' for config %s", sub);
	if (strcmp(sub, "list") == 0)
		return config_list(a, argc, argv);
	if (strcmp(sub, "get") == 0)
		return config_get(a, argc, argv);
	if (strcmp(sub, "set") == 0)
		return config_set(a, argc, argv);
	if (strcmp(sub, "unset") == 0)
		return config_unset(a, argc, argv);
	return app_usage(a, "config", "unknown config command '%s'; use %s", sub, CONFIG_USAGE);
}
