/* vault.h - secrets encrypted at rest with libsodium.
 *
 * The vault file holds every secret (HiBob service user id and token, the
 * Assembled API key, the Alleo client id and secret) encrypted with
 * XChaCha20-Poly1305 under a random data key.  The data key is wrapped once
 * per key slot: a passphrase slot (Argon2id via crypto_pwhash, parameters
 * stored and bounded on read) and/or a key-file slot (32 random bytes in a
 * 0600 file, for unattended runs).  The header (magic, version, slots, which
 * secrets are stored and when) is authenticated as associated data.
 *
 * Decrypted secrets live only in sodium_malloc'd memory and are wiped by
 * vault_close().  Every secret is registered with the log masker on open.
 *
 * The file format is described at the top of vault.c.  New passphrase
 * slots use Argon2id with the MODERATE limits (3 passes, 256 MiB); the
 * environment variable BOBSYNC_KDF=interactive (2 passes, 64 MiB) or
 * BOBSYNC_KDF=min (1 pass, 8 KiB; unit tests only) makes them cheaper.
 * Limits read from a file are bounded (at most 10 passes and 1 GiB, at
 * least libsodium's minimum) before any key derivation runs.
 *
 * The key file holds 32 random bytes written as 64 hex digits and a
 * newline (32 raw bytes are accepted too).  It must be a regular file
 * owned by the current user with no group or other permission bits
 * (BS_ERR_KEY_PERMS otherwise).  A vault file readable by others is
 * encrypted, so it only warns; every save writes it 0600.
 */
#ifndef BS_VAULT_H
#define BS_VAULT_H

#include <stdint.h>

#include "base/result.h"

enum vault_key {
	VAULT_HIBOB_ID,
	VAULT_HIBOB_TOKEN,
	VAULT_ASSEMBLED_KEY,
	VAULT_ALLEO_CLIENT_ID,
	VAULT_ALLEO_CLIENT_SECRET,
	VAULT_WEBHOOK_SECRET,		/* HiBob webhook signing secret */
	VAULT_NKEYS
};

/* Longest secret the vault stores, in bytes. */
#define VAULT_SECRET_MAX 4096

/* "hibob.service_user_id", "hibob.token", "assembled.api_key",
 * "alleo.client_id", "alleo.client_secret", "webhook.secret" */
const char *vault_key_name(enum vault_key k);
/* "HiBob Service User ID", ... */
const char *vault_key_title(enum vault_key k);

struct vault;

/* How to unlock: any of these may be NULL.  The passphrase is in memory
 * the caller owns (ideally sodium_malloc'd). */
struct vault_unlock {
	const char *passphrase;
	const char *key_file;
};

/* What can be known without unlocking. */
struct vault_info {
	int exists;
	int version;
	int has_passphrase_slot;
	int has_keyfile_slot;
	int64_t stored_at[VAULT_NKEYS];	/* 0 = not stored */
};

/* Create a new empty vault in memory with a fresh data key and the slots
 * given (at least one); the key file is created (0600) when missing.
 * Nothing is written until vault_save(). */
bs_rc vault_create(const char *path, const struct vault_unlock *how,
    struct vault **out, struct bs_error *err);
/* Open and decrypt.  Errors: BS_ERR_VAULT_MISSING (no file),
 * BS_ERR_VAULT_PASSPHRASE (wrong passphrase or key),
 * BS_ERR_VAULT_CORRUPT (truncated or tampered), BS_ERR_VAULT_VERSION
 * (newer format), BS_ERR_KEY_PERMS (key file readable by others). */
bs_rc vault_open(const char *path, const struct vault_unlock *how,
    struct vault **out, struct bs_error *err);
bs_rc vault_info(const char *path, struct vault_info *info, struct bs_error *err);
/* Parse and decrypt from memory (the fuzz harness calls this). */
bs_rc vault_open_mem(const unsigned char *data, size_t len,
    const struct vault_unlock *how, struct vault **out, struct bs_error *err);

/* The secret, or NULL when not stored.  Valid until vault_close or the
 * next vault_set of that key. */
const char *vault_get(const struct vault *v, enum vault_key k);
int64_t vault_stored_at(const struct vault *v, enum vault_key k);
/* Copy value into guarded memory (NULL removes it). */
bs_rc vault_set(struct vault *v, enum vault_key k, const char *value,
    int64_t now, struct bs_error *err);

/* The one way to store secrets for good: set the n secrets keys[i] to
 * values[i] (NULL removes one), each registered with the log masker, and
 * save the vault once.  Nothing changes when a value is refused (empty,
 * too long); when the save fails the secrets in memory are put back as
 * they were.  now as in vault_set. */
bs_rc vault_store(struct vault *v, const enum vault_key *keys, const char *const *values,
    size_t n, int64_t now, struct bs_error *err);
/* A number that changes whenever a secret of v changes (0 for NULL): the
 * session builds its clients again when it differs from the one they
 * were built at. */
unsigned long vault_generation(const struct vault *v);
/* Add or replace a slot on an open vault (the data key stays). */
bs_rc vault_set_passphrase(struct vault *v, const char *passphrase,
    struct bs_error *err);
bs_rc vault_set_key_file(struct vault *v, const char *key_file,
    struct bs_error *err);
bs_rc vault_remove_passphrase(struct vault *v, struct bs_error *err);
/* A new data key, wrapped for the passphrase (when given, with a fresh
 * salt) and for a new key file at key_file (when given; written first as
 * key_file.new, renamed over key_file once the vault is saved), then
 * saved: old key files and copies of the old vault no longer open it.
 * Also the way to switch between passphrase and key file: the slots are
 * exactly those given.  On failure before the save nothing changes. */
bs_rc vault_rekey(struct vault *v, const char *passphrase, const char *key_file,
    struct bs_error *err);

/* Re-encrypt with a fresh nonce and write atomically (0600). */
bs_rc vault_save(struct vault *v, struct bs_error *err);
void vault_close(struct vault **v);

#endif
