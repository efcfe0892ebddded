/* cmd_credentials.c - bobsync credentials set NAME | status [--json] |
 * forget NAME.  Values are read from the terminal without echo or from
 * stdin, one per line; they are never printed and never taken as
 * arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "app.h"
#include "commands.h"
#include "base/log.h"
#include "output.h"
#include "engine/session.h"
#include "unlock.h"
#include "base/humantime.h"
#include "base/util.h"
#include "config/vault.h"

#define PASSPHRASE_MIN 8
#define TTY_TRIES 3

/* The sets of secrets the command deals in. */
static const struct cred_group {
	const char *name;
	const char *what;		/* for messages */
	int n;
	enum vault_key keys[2];
	int echo[2];			/* identifiers are shown while typed */
} groups[] = {
	{ "hibob", "the HiBob Service User ID and token", 2,
	  { VAULT_HIBOB_ID, VAULT_HIBOB_TOKEN }, { 1, 0 } },
	{ "assembled", "the Assembled API key", 1,
	  { VAULT_ASSEMBLED_KEY }, { 0 } },
	{ "alleo", "the Alleo client id and client secret", 2,
	  { VAULT_ALLEO_CLIENT_ID, VAULT_ALLEO_CLIENT_SECRET }, { 1, 0 } },
	{ "webhook", "the HiBob webhook secret", 1,
	  { VAULT_WEBHOOK_SECRET }, { 0 } },
};

static const struct cred_group *
find_group(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(groups); i++)
		if (strcmp(groups[i].name, name) == 0)
			return &groups[i];
	return NULL;
}

static int
fail_with(struct app *a, struct bs_error *err)
{
	return app_error(a, err);
}

static int
has_controls(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 1;
	return 0;
}

/* Short hint about a passphrase's strength (never blocks). */
static void
strength_hint(const char *p)
{
	int lower = 0, upper = 0, digit = 0, other = 0;
	size_t n = strlen(p);

	for (const unsigned char *c = (const unsigned char *)p; *c; c++) {
		if (*c >= 'a' && *c <= 'z')
			lower = 1;
		else if (*c >= 'A' && *c <= 'Z')
			upper = 1;
		else if (*c >= '0' && *c <= '9')
			digit = 1;
		else
			other = 1;
	}
	if (n < 12 && lower + upper + digit + other < 3)
		fputs("Hint: that passphrase is short and simple; four or more unrelated words "
		    "make a much stronger one.\n", stderr);
	else if (n < 16)
		fputs("Hint: longer is stronger; a few unrelated words are easy to type and hard "
		    "to guess.\n", stderr);
}

/* Ask for a new passphrase twice on the terminal. */
static bs_rc
ask_new_passphrase(char **out, struct bs_error *err)
{
	char *p1 = NULL, *p2 = NULL;

	*out = NULL;
	for (int tries = 0; tries < TTY_TRIES; tries++) {
		p1 = app_read_secret("New vault passphrase (at least 8 characters): ");
		if (p1 == NULL)
			return bs_fail(err, BS_ERR_CANCELLED, "no passphrase given; nothing was stored");
		if (strlen(p1) < PASSPHRASE_MIN) {
			fprintf(stderr, "That is shorter than %d characters.\n", PASSPHRASE_MIN);
			app_free_secret(&p1);
			continue;
		}
		p2 = app_read_secret("Repeat the passphrase: ");
		if (p2 == NULL) {
			app_free_secret(&p1);
			return bs_fail(err, BS_ERR_CANCELLED, "no passphrase given; nothing was stored");
		}
		if (strlen(p1) == strlen(p2) && sodium_memcmp(p1, p2, strlen(p1)) == 0) {
			app_free_secret(&p2);
			strength_hint(p1);
			log_register_secret(p1);
			*out = p1;
			return BS_OK;
		}
		fputs("The two passphrases differ.\n", stderr);
		app_free_secret(&p1);
		app_free_secret(&p2);
	}
	return bs_fail(err, BS_ERR_CANCELLED, "no passphrase agreed on; nothing was stored");
}

/* A new vault: how to protect it, asked on a terminal, else chosen from the
 * environment (a passphrase file) or a new key file. */
static bs_rc
create_vault(struct app *a, int tty, struct vault **out, struct bs_error *err)
{
	struct vault_unlock how = { NULL, NULL };
	const char *source = NULL;
	char *pass = NULL, *answer = NULL;
	bs_rc rc;

	*out = NULL;
	if (tty) {
		char choice = 0;
		for (int tries = 0; tries < TTY_TRIES && choice == 0; tries++) {
			answer = app_read_line("Protect the credentials with a passphrase (p) or a key "
			    "file for unattended runs (k)? [p/k] ", 1);
			if (answer == NULL)
				break;
			str_trim_blanks(answer);
			if (strcmp(answer, "p") == 0 || strcmp(answer, "P") == 0)
				choice = 'p';
			else if (strcmp(answer, "k") == 0 || strcmp(answer, "K") == 0)
				choice = 'k';
			else
				fputs("Please answer p or k.\n", stderr);
			app_free_secret(&answer);
		}
		if (choice == 0)
			return bs_fail(err, BS_ERR_CANCELLED, "no protection chosen; nothing was stored");
		if (choice == 'p') {
			rc = ask_new_passphrase(&pass, err);
			if (rc != BS_OK)
				return rc;
			how.passphrase = pass;
		} else {
			how.key_file = a->paths.key_file;
		}
	} else {
		rc = app_env_passphrase(&pass, &source, err);
		if (rc != BS_OK)
			return rc;
		if (pass != NULL) {
			if (strlen(pass) < PASSPHRASE_MIN) {
				rc = bs_fail(err, BS_ERR_VAULT_PASSPHRASE, "the passphrase from %s is "
				    "shorter than %d characters; nothing was stored", source,
				    PASSPHRASE_MIN);
				goto out;
			}
			log_register_secret(pass);
			how.passphrase = pass;
			fprintf(stderr, "No vault yet: protecting the credentials with the passphrase "
			    "from %s.\n", source);
		} else {
			how.key_file = a->paths.key_file;
			fprintf(stderr, "No vault yet and no terminal: protecting the credentials with "
			    "the key file %s (for unattended runs; set BOBSYNC_PASSPHRASE_FILE to use "
			    "a passphrase instead).\n", a->paths.key_file);
		}
	}
	rc = vault_create(a->paths.vault_file, &how, out, err);
	if (rc == BS_OK && how.key_file != NULL)
		fprintf(stderr, "The key file %s (mode 0600) unlocks the vault: keep a backup of "
		    "it in a safe place; anyone who can read it can read the credentials.\n",
		    how.key_file);
out:
	app_free_secret(&pass);
	return rc;
}

static const char *
service_title(const struct cred_group *g)
{
	return strcmp(g->name, "hibob") == 0 ? "HiBob" : strcmp(g->name, "assembled") == 0 ?
	    "Assembled" : "Alleo";
}

/* --check: the new secret against its service before it is stored.  0 to
 * store it (accepted, or the service could not tell: *warn is set), or the
 * exit status when the service rejected it (nothing is stored). */
static int
try_secret(struct app *a, const struct cred_group *g, char *const val[2], int *accepted)
{
	struct bs_error err = { 0 };
	bs_rc rc;

	*accepted = 0;
	if (strcmp(g->name, "webhook") == 0) {
		/* HiBob has no API to try a webhook secret on; the running daemon
		 * is proven with it by 'bobsync check' (webhook.receiver) */
		fputs("bobsync: a webhook secret cannot be tried against HiBob; after restarting "
		    "the daemon, 'bobsync check' tries it against the receiver.\n", stderr);
		return 0;
	}
	rc = session_try_secrets(a->conf, g->name, val[0], g->n > 1 ? val[1] : NULL, &err);
	if (rc == BS_OK) {
		*accepted = 1;
		return 0;
	}
	if (rc == BS_ERR_AUTH || rc == BS_ERR_FORBIDDEN) {
		char *msg = log_mask(bs_error_text(&err));
		util_strip_controls(msg);
		fprintf(stderr, "bobsync: %s %s %s; the old %s kept, nothing was "
		    "stored.\n  %s\n", service_title(g), rc == BS_ERR_AUTH ? "did not accept" :
		    "accepted but refused access with", strcmp(g->name, "alleo") == 0 ? "them" : "it",
		    strcmp(g->name, "hibob") == 0 ? "token is" : strcmp(g->name, "assembled") == 0 ?
		    "key is" : "client id and secret are", msg);
		free(msg);
		return bs_exit_code(rc);
	}
	{
		char *msg = log_mask(bs_error_text(&err));
		util_strip_controls(msg);
		fprintf(stderr, "bobsync: warning: %s could not be asked whether %s %s (%s); "
		    "storing %s untried: 'bobsync check' tries %s later.\n", service_title(g),
		    g->n > 1 ? "they are" : "it is", "right", msg, g->n > 1 ? "them" : "it",
		    g->n > 1 ? "them" : "it");
		free(msg);
	}
	return 0;
}

static int
cred_set(struct app *a, const struct cred_group *g, int check)
{
	struct bs_error err = { 0 };
	struct vault_info info;
	struct vault *v = NULL;
	char *val[2] = { NULL, NULL };
	int tty = isatty(STDIN_FILENO), status = 0, checked = 0;
	int64_t now;
	bs_rc rc;

	rc = paths_ensure(&a->paths, &err);
	if (rc != BS_OK)
		return fail_with(a, &err);
	rc = vault_info(a->paths.vault_file, &info, &err);
	if (rc != BS_OK)
		return fail_with(a, &err);
	/* an existing vault is unlocked first, so a wrong passphrase is known
	 * before the secrets are typed */
	if (info.exists) {
		rc = app_open_vault(a, &v, &err);
		if (rc != BS_OK)
			return fail_with(a, &err);
	}
	for (int i = 0; i < g->n; i++) {
		const char *title = vault_key_title(g->keys[i]);
		char *prompt = xasprintf("%s: ", title);
		val[i] = app_read_line(prompt, g->echo[i]);
		free(prompt);
		if (val[i] == NULL) {
			if (tty)
				rc = bs_fail(&err, BS_ERR_CANCELLED, "no %s given; nothing was stored",
				    title);
			else
				rc = bs_fail(&err, BS_ERR_INVALID, "expected the %s on line %d of "
				    "standard input; nothing was stored", title, i + 1);
			goto out;
		}
		str_trim_blanks(val[i]);
		if (val[i][0] == '\0') {
			rc = bs_fail(&err, BS_ERR_INVALID, "the %s is empty; nothing was stored", title);
			goto out;
		}
		if (has_controls(val[i])) {
			rc = bs_fail(&err, BS_ERR_INVALID, "the %s contains control characters; "
			    "nothing was stored", title);
			goto out;
		}
		if (strlen(val[i]) > VAULT_SECRET_MAX) {
			rc = bs_fail(&err, BS_ERR_INVALID, "the %s is longer than %d bytes; nothing "
			    "was stored", title, VAULT_SECRET_MAX);
			goto out;
		}
		log_register_secret(val[i]);
	}
	if (check || tty) {
		int accepted;
		status = try_secret(a, g, val, &accepted);
		if (status != 0)
			goto out;	/* rejected: the old secret stays */
		if (accepted)
			checked = 1;
	}
	if (v == NULL) {
		rc = create_vault(a, tty, &v, &err);
		if (rc != BS_OK)
			goto out;
	}
	now = clock_now();
	rc = vault_store(v, g->keys, (const char *const *)val, (size_t)g->n, now, &err);
	if (rc != BS_OK)
		goto out;
	if (checked)
		printf("Stored %s and accepted by %s (vault: %s)\n", g->what, service_title(g),
		    a->paths.vault_file);
	else
		printf("Stored %s (vault: %s)\n", g->what, a->paths.vault_file);
	if (tty && !checked)
		fputs("Run 'bobsync check' to test them against the live service.\n", stderr);
out:
	if (rc != BS_OK)
		status = fail_with(a, &err);
	app_free_secret(&val[0]);
	app_free_secret(&val[1]);
	vault_close(&v);
	return status;
}

static int
cred_status(struct app *a)
{
	struct bs_error err = { 0 };
	struct vault_info info;
	struct stat st;
	int key_present = lstat(a->paths.key_file, &st) == 0;
	char when[HT_MAX];
	bs_rc rc;

	rc = vault_info(a->paths.vault_file, &info, &err);
	if (rc != BS_OK)
		return fail_with(a, &err);
	if (a->json) {
		json_t *root = json_object(), *prot = json_array(), *secrets = json_array();
		json_object_set_new(root, "vault", json_string(a->paths.vault_file));
		json_object_set_new(root, "exists", json_boolean(info.exists));
		if (info.exists)
			json_object_set_new(root, "version", json_integer(info.version));
		if (info.has_passphrase_slot)
			json_array_append_new(prot, json_string("passphrase"));
		if (info.has_keyfile_slot)
			json_array_append_new(prot, json_string("key_file"));
		json_object_set_new(root, "protection", prot);
		json_object_set_new(root, "key_file", json_string(a->paths.key_file));
		json_object_set_new(root, "key_file_present", json_boolean(key_present));
		for (int k = 0; k < VAULT_NKEYS; k++) {
			json_t *s = json_object();
			int64_t t = info.stored_at[k];
			json_object_set_new(s, "name", json_string(vault_key_name((enum vault_key)k)));
			json_object_set_new(s, "title", json_string(vault_key_title((enum vault_key)k)));
			json_object_set_new(s, "stored", json_boolean(t != 0));
			if (t != 0) {
				time_format_utc(t, when);
				json_object_set_new(s, "stored_at", json_string(when));
			} else {
				json_object_set_new(s, "stored_at", json_null());
			}
			json_array_append_new(secrets, s);
		}
		json_object_set_new(root, "secrets", secrets);
		out_json(root);
		return 0;
	}
	if (!info.exists) {
		printf("No credentials stored yet (vault: %s).\n"
		    "Run 'bobsync setup' or 'bobsync credentials set hibob'.\n", a->paths.vault_file);
		return 0;
	}
	printf("Vault: %s\n", a->paths.vault_file);
	if (info.has_passphrase_slot && info.has_keyfile_slot)
		printf("Protected by a passphrase and by the key file %s\n", a->paths.key_file);
	else if (info.has_passphrase_slot)
		printf("Protected by a passphrase\n");
	else
		printf("Protected by the key file %s (unattended runs)\n", a->paths.key_file);
	if (info.has_keyfile_slot && !key_present)
		printf("Warning: the key file %s is missing, so it cannot unlock the vault.\n",
		    a->paths.key_file);
	putchar('\n');
	{
		static const char *const hdr[] = { "SECRET", "NAME", "STORED" };
		struct out_table *t = out_table_new(3, hdr);
		for (int k = 0; k < VAULT_NKEYS; k++) {
			const char *cells[3];
			if (info.stored_at[k] != 0)
				ht_time(info.stored_at[k], clock_now(), NULL, when);
			cells[0] = vault_key_title((enum vault_key)k);
			cells[1] = vault_key_name((enum vault_key)k);
			cells[2] = info.stored_at[k] != 0 ? when : "not stored";
			out_table_row(t, cells);
		}
		out_table_print(t, stdout, out_term_width());
		out_table_free(&t);
	}
	return 0;
}

static int
cred_forget(struct app *a, const struct cred_group *g)
{
	struct bs_error err = { 0 };
	struct vault_info info;
	struct vault *v = NULL;
	int any = 0;
	bs_rc rc;

	rc = vault_info(a->paths.vault_file, &info, &err);
	if (rc != BS_OK)
		return fail_with(a, &err);
	if (!info.exists) {
		bs_fail(&err, BS_ERR_VAULT_MISSING, "no credentials stored yet (vault: %s)",
		    a->paths.vault_file);
		return fail_with(a, &err);
	}
	for (int i = 0; i < g->n; i++)
		any |= info.stored_at[g->keys[i]] != 0;
	if (!any) {
		printf("Nothing to forget: %s %s not stored.\n", g->what, g->n > 1 ? "are" : "is");
		return 0;
	}
	rc = app_open_vault(a, &v, &err);
	if (rc == BS_OK)
		rc = vault_store(v, g->keys, (const char *const[]){ NULL, NULL }, (size_t)g->n, 0,
		    &err);
	vault_close(&v);
	if (rc != BS_OK)
		return fail_with(a, &err);
	printf("Removed %s from the vault (%s)\n", g->what, a->paths.vault_file);
	return 0;
}

/* credentials rekey [--passphrase|--key-file|--both]: a new data key,
 * wrapped again for the protection chosen (by default the one the vault
 * has), so old key files and copies of the old vault stop working. */
static int
cred_rekey(struct app *a, int want_pass, int want_file)
{
	struct bs_error err = { 0 };
	struct vault_info info;
	struct vault *v = NULL;
	struct stat st;
	char *pass = NULL, *cred_key = app_credential_key_file();
	const char *key_file = a->paths.key_file, *source = NULL;
	int status = 0;
	bs_rc rc;

	rc = vault_info(a->paths.vault_file, &info, &err);
	if (rc == BS_OK && !info.exists)
		rc = bs_fail(&err, BS_ERR_VAULT_MISSING, "no vault at %s: nothing to rekey",
		    a->paths.vault_file);
	if (rc != BS_OK)
		goto fail;
	if (want_pass < 0 && want_file < 0) {
		want_pass = info.has_passphrase_slot;
		want_file = info.has_keyfile_slot;
	}
	rc = app_open_vault(a, &v, &err);
	if (rc != BS_OK)
		goto fail;
	if (want_pass) {
		if (isatty(STDIN_FILENO)) {
			rc = ask_new_passphrase(&pass, &err);
		} else {
			rc = app_env_passphrase(&pass, &source, &err);
			if (rc == BS_OK && pass == NULL)
				rc = bs_fail(&err, BS_ERR_VAULT_PASSPHRASE, "a passphrase is needed and "
				    "there is no terminal: set BOBSYNC_PASSPHRASE_FILE");
			else if (rc == BS_OK && strlen(pass) < PASSPHRASE_MIN)
				rc = bs_fail(&err, BS_ERR_VAULT_PASSPHRASE, "the passphrase from %s is "
				    "shorter than %d characters", source, PASSPHRASE_MIN);
		}
		if (rc != BS_OK)
			goto fail;
		log_register_secret(pass);
	}
	rc = vault_rekey(v, want_pass ? pass : NULL, want_file ? key_file : NULL, &err);
	if (rc != BS_OK)
		goto fail;
	/* a key file the vault no longer has a slot for opens nothing: gone */
	if (!want_file && lstat(key_file, &st) == 0 && S_ISREG(st.st_mode) && unlink(key_file) == 0)
		printf("Removed the old key file %s (it no longer opens the vault).\n", key_file);
	printf("New vault key: %s is now protected by %s%s%s.\n", a->paths.vault_file,
	    want_pass ? "a passphrase" : "", want_pass && want_file ? " and " : "",
	    want_file ? "the key file" : "");
	if (want_file)
		printf("The key file is %s (mode 0600): the old one, and old copies of the vault, "
		    "no longer open it; back the new one up apart from the vault.\n", key_file);
	if (want_file && cred_key != NULL)
		printf("The service reads its key from the systemd credential %s: encrypt the new "
		    "key file again with 'systemd-creds encrypt --name=bobsync-key %s "
		    "/etc/credstore.encrypted/bobsync-key.cred', then remove %s.\n", cred_key,
		    key_file, key_file);
	goto out;
fail:
	status = fail_with(a, &err);
out:
	vault_close(&v);
	app_free_secret(&pass);
	free(cred_key);
	return status;
}

int
cmd_credentials(struct app *a, int argc, char **argv)
{
	const struct cred_group *g;
	const char *sub = argc >= 2 ? argv[1] : NULL;

	if (sub == NULL)
		return app_usage(a, "credentials", "credentials: say set, status, forget or rekey");
	if (strcmp(sub, "status") == 0) {
		if (argc > 2)
			return app_usage(a, "credentials", "credentials status: unexpected argument "
			    "'%s'", argv[2]);
		if (app_only_opts(a, "credentials", "credentials status", APP_OPT(JSON)) != 0)
			return 2;
		return cred_status(a);
	}
	if (strcmp(sub, "rekey") == 0) {
		int want_pass = -1, want_file = -1;
		if (argc > 2)
			return app_usage(a, "credentials", "credentials rekey: unexpected argument "
			    "'%s' (--passphrase, --key-file or --both)", argv[2]);
		if (app_only_opts(a, "credentials", "credentials rekey", APP_OPT(PASSPHRASE) |
		    APP_OPT(KEY_FILE) | APP_OPT(BOTH)) != 0)
			return 2;
		if (a->opt[APP_OPT_BOTH] != NULL ||
		    (a->opt[APP_OPT_PASSPHRASE] != NULL && a->opt[APP_OPT_KEY_FILE] != NULL))
			want_pass = want_file = 1;
		else if (a->opt[APP_OPT_PASSPHRASE] != NULL)
			want_pass = 1, want_file = 0;
		else if (a->opt[APP_OPT_KEY_FILE] != NULL)
			want_pass = 0, want_file = 1;
		return cred_rekey(a, want_pass, want_file);
	}
	if (strcmp(sub, "set") != 0 && strcmp(sub, "forget") != 0)
		return app_usage(a, "credentials", "credentials: unknown subcommand '%s' (set, rekey, "
		    "status or forget)", sub);
	if (argc < 3)
		return app_usage(a, "credentials", "credentials %s: which? hibob, assembled, alleo or webhook",
		    sub);
	g = find_group(argv[2]);
	if (g == NULL)
		return app_usage(a, "credentials", "credentials %s: unknown name '%s' (hibob, "
		    "assembled, alleo or webhook)", sub, argv[2]);
	if (app_only_opts(a, "credentials", strcmp(sub, "set") == 0 ? "credentials set" :
	    "credentials forget", strcmp(sub, "set") == 0 ? APP_OPT(CHECK) : 0) != 0)
		return 2;
	if (argc == 3 && strcmp(sub, "set") == 0)
		return cred_set(a, g, a->opt[APP_OPT_CHECK] != NULL);
	if (argc > 3) {
		/* the extra word may well be a secret: never echo it */
		if (strcmp(sub, "set") == 0)
			return app_usage(a, "credentials", "credentials set %s takes no further "
			    "arguments: secrets are never accepted on the command line (they would "
			    "show in the process list and shell history); type them at the prompt "
			    "or pipe them on standard input", g->name);
		return app_usage(a, "credentials", "credentials forget takes one name");
	}
	return cred_forget(a, g);
}
