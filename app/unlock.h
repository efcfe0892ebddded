/* unlock.h - reading secrets and passphrases for the commands (unlock.c),
 * beyond app_open_vault() and app_read_secret() of app.h.
 *
 * Everything returned here lives in sodium_malloc'd memory: release it
 * with app_free_secret(), which wipes it. */
#ifndef BS_UNLOCK_H
#define BS_UNLOCK_H

#include "base/result.h"

/* Longest line (secret or passphrase) read, in bytes. */
#define APP_SECRET_LINE_MAX 4096

/* One line: on a terminal the prompt goes to stderr and, unless echo is
 * set, typing is not shown; otherwise one line is read from stdin with no
 * prompt.  The trailing newline is stripped.  NULL on end of input, on an
 * over-long line or when interrupted.  Caller frees with app_free_secret. */
char *app_read_line(const char *prompt, int echo);

/* The passphrase given to unattended runs: the file named by
 * BOBSYNC_PASSPHRASE_FILE, else $CREDENTIALS_DIRECTORY/bobsync-passphrase.
 * BS_OK with *out NULL when neither is set up.  *source (may be NULL)
 * names where it came from.  Trailing newlines are stripped. */
bs_rc app_env_passphrase(char **out, const char **source, struct bs_error *err);

/* $CREDENTIALS_DIRECTORY/bobsync-key when systemd put it there (a key
 * file kept as an encrypted credential, LoadCredentialEncrypted=), else
 * NULL.  Caller frees. */
char *app_credential_key_file(void);

/* app_open_vault with this key file (NULL: none). */
struct vault;
bs_rc app_open_vault_with(struct app *a, const char *key_file, struct vault **out,
    struct bs_error *err);

/* sodium_free(*s) and set *s to NULL. */
void app_free_secret(char **s);

#endif
