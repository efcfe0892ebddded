/* fuzz_vault.c - libFuzzer harness for the vault file reader.
 *
 * The input is taken as a vault file and opened with a key file made once
 * at start, then with a passphrase (the fuzz build runs Argon2id at its
 * minimum cost whatever the header asks, so the passphrase slot is fuzzed
 * too).  Almost every input must be refused as corrupt; none may
 * make the reader read out of bounds, leak guarded memory, or abort. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "config/vault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char key_path[64];

static void
make_key_file(void)
{
	static const char tmpl[] = "/tmp/bobsync-fuzz-key-XXXXXX";
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	char vault_path[64];
	struct vault_unlock how;
	int fd;

	memcpy(key_path, tmpl, sizeof tmpl);
	fd = mkstemp(key_path);
	if (fd < 0)
		abort();
	close(fd);
	unlink(key_path);	/* vault_create writes a fresh key file here */
	snprintf(vault_path, sizeof vault_path, "%s.vault", key_path);
	how.passphrase = NULL;
	how.key_file = key_path;
	if (vault_create(vault_path, &how, &v, &err) != BS_OK) {
		fprintf(stderr, "fuzz_vault: cannot make a key file: %s\n", err.detail);
		abort();
	}
	vault_close(&v);
	unlink(vault_path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vault_unlock how = { NULL, NULL };
	struct bs_error err = { 0 };
	struct vault *v = NULL;

	if (key_path[0] == '\0') {
		log_set_stderr(0);
		make_key_file();
	}
	how.key_file = key_path;
	if (vault_open_mem(data, size, &how, &v, &err) == BS_OK) {
		(void)vault_get(v, VAULT_HIBOB_TOKEN);
		vault_close(&v);
	}
	/* the passphrase slot too: the fuzz build derives keys at Argon2id's
	 * minimum cost (FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION in vault.c),
	 * so a wrong passphrase against any header is cheap */
	how.key_file = NULL;
	how.passphrase = "fuzz passphrase";
	if (vault_open_mem(data, size, &how, &v, &err) == BS_OK) {
		(void)vault_get(v, VAULT_HIBOB_ID);
		vault_close(&v);
	}
	return 0;
}
