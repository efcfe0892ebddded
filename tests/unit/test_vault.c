/* test_vault.c - the encrypted credential vault: round trips, damage,
 * limits, key-file permissions, what is (not) in the file, masking.
 *
 * Most tests use BOBSYNC_KDF=min so Argon2id costs nothing; one test runs
 * the default (moderate) limits.  Offsets used to patch files follow the
 * format described at the top of core/config/vault.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "base/log.h"
#include "base/result.h"
#include "base/util.h"
#include "config/vault.h"

#define PASS "correct horse battery staple"
#define HIBOB_ID "SERVICE-USER-4711"
#define HIBOB_TOKEN "hbTok-9f8e7d6c5b4a3928-ZZ"
#define ASM_KEY "asm_live_Qw3rTy-uiop-7788"

/* offsets in a file whose first slot is a passphrase slot */
#define OFF_VERSION	8
#define OFF_ALG		12
#define OFF_OPS		13
#define OFF_MEM		17

static char tmpdir[256];

static char *
tpath(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int
group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_vault.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	setenv("BOBSYNC_KDF", "min", 1);
	unsetenv("BOBSYNC_FAKE_NOW");
	umask(077);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	log_forget_secrets();
	setenv("BOBSYNC_KDF", "min", 1);
	unsetenv("BOBSYNC_FAKE_NOW");
	return 0;
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	char *buf = NULL;
	assert_int_equal(util_read_file(path, 1 << 20, &buf, len, NULL), BS_OK);
	return (unsigned char *)buf;
}

static void
spit(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int
contains(const unsigned char *hay, size_t n, const void *needle, size_t m)
{
	if (m == 0 || m > n)
		return 0;
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return 1;
	return 0;
}

static double
now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A saved vault at path with the HiBob pair stored. */
static void
make_vault(const char *path, const char *pass, const char *keyfile)
{
	struct vault_unlock how = { pass, keyfile };
	struct vault *v = NULL;
	struct bs_error err = { 0 };

	assert_int_equal(vault_create(path, &how, &v, &err), BS_OK);
	assert_int_equal(vault_set(v, VAULT_HIBOB_ID, HIBOB_ID, 1700000000, &err), BS_OK);
	assert_int_equal(vault_set(v, VAULT_HIBOB_TOKEN, HIBOB_TOKEN, 1700000100, &err), BS_OK);
	assert_int_equal(vault_save(v, &err), BS_OK);
	vault_close(&v);
	assert_null(v);
}

/* ---- names ---- */

static void
names(void **state)
{
	(void)state;
	assert_string_equal(vault_key_name((enum vault_key)-1), "?");
	assert_string_equal(vault_key_name(VAULT_NKEYS), "?");
	assert_string_equal(vault_key_title(VAULT_NKEYS), "?");
	assert_string_equal(vault_key_name(VAULT_HIBOB_ID), "hibob.service_user_id");
	assert_string_equal(vault_key_name(VAULT_HIBOB_TOKEN), "hibob.token");
	assert_string_equal(vault_key_name(VAULT_ASSEMBLED_KEY), "assembled.api_key");
	assert_string_equal(vault_key_name(VAULT_ALLEO_CLIENT_ID), "alleo.client_id");
	assert_string_equal(vault_key_name(VAULT_ALLEO_CLIENT_SECRET), "alleo.client_secret");
	assert_string_equal(vault_key_title(VAULT_HIBOB_ID), "HiBob Service User ID");
}

/* ---- vault_create ---- */

static void
create_degenerate(void **state)
{
	struct vault *v = (struct vault *)1;
	struct vault_unlock none = { NULL, NULL }, empty = { "", "" };
	struct bs_error err = { 0 };
	char *p = tpath("create_degenerate");
	(void)state;

	assert_int_equal(vault_create(p, NULL, NULL, &err), BS_ERR_INVALID);
	assert_int_equal(vault_create(p, NULL, &v, &err), BS_ERR_INVALID);
	assert_null(v);
	assert_int_equal(vault_create(p, &none, &v, &err), BS_ERR_INVALID);
	assert_int_equal(vault_create(p, &empty, &v, NULL), BS_ERR_INVALID);
	assert_null(v);
	/* nothing is written before vault_save */
	assert_int_equal(access(p, F_OK), -1);
	free(p);
}

/* ---- round trips ---- */

static void
roundtrip_passphrase(void **state)
{
	char *p = tpath("rt_pass");
	struct vault_unlock how = { PASS, NULL };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	(void)state;

	make_vault(p, PASS, NULL);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	assert_string_equal(vault_get(v, VAULT_HIBOB_ID), HIBOB_ID);
	assert_string_equal(vault_get(v, VAULT_HIBOB_TOKEN), HIBOB_TOKEN);
	assert_null(vault_get(v, VAULT_ASSEMBLED_KEY));
	assert_null(vault_get(v, VAULT_ALLEO_CLIENT_SECRET));
	assert_int_equal(vault_stored_at(v, VAULT_HIBOB_ID), 1700000000);
	assert_int_equal(vault_stored_at(v, VAULT_HIBOB_TOKEN), 1700000100);
	assert_int_equal(vault_stored_at(v, VAULT_ASSEMBLED_KEY), 0);
	/* add one, save, reopen: all three there */
	assert_int_equal(vault_set(v, VAULT_ASSEMBLED_KEY, ASM_KEY, 1700000200, &err), BS_OK);
	assert_int_equal(vault_save(v, &err), BS_OK);
	vault_close(&v);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	assert_string_equal(vault_get(v, VAULT_ASSEMBLED_KEY), ASM_KEY);
	assert_string_equal(vault_get(v, VAULT_HIBOB_TOKEN), HIBOB_TOKEN);
	vault_close(&v);
	vault_close(&v);	/* twice is harmless */
	vault_close(NULL);
	free(p);
}

static void
roundtrip_keyfile(void **state)
{
	char *p = tpath("rt_key"), *k = tpath("rt_key.key");
	struct vault_unlock how = { NULL, k };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	struct stat st;
	unsigned char *kb;
	size_t klen;
	(void)state;

	make_vault(p, NULL, k);
	/* the key file was created 0600, as 64 hex digits and a newline */
	assert_int_equal(lstat(k, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	kb = slurp(k, &klen);
	assert_int_equal(klen, 65);
	assert_int_equal(kb[64], '\n');
	for (int i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789abcdef", kb[i]));
	free(kb);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	assert_string_equal(vault_get(v, VAULT_HIBOB_TOKEN), HIBOB_TOKEN);
	vault_close(&v);
	free(p);
	free(k);
}

static void
keyfile_raw_bytes(void **state)
{
	char *p = tpath("raw"), *k = tpath("raw.key");
	unsigned char raw[32];
	struct vault_unlock how = { NULL, k };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	(void)state;

	randombytes_buf(raw, sizeof raw);
	spit(k, raw, sizeof raw);
	chmod(k, 0400);
	make_vault(p, NULL, k);		/* uses the existing file, 0400 is fine */
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	assert_string_equal(vault_get(v, VAULT_HIBOB_ID), HIBOB_ID);
	vault_close(&v);
	free(p);
	free(k);
}

static void
both_slots(void **state)
{
	char *p = tpath("both"), *k = tpath("both.key");
	struct vault_unlock by_pass = { PASS, NULL }, by_key = { NULL, k };
	struct vault_unlock wrong_pass_right_key = { "not the passphrase", k };
	struct vault_info info;
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	(void)state;

	make_vault(p, PASS, k);
	assert_int_equal(vault_info(p, &info, &err), BS_OK);
	assert_true(info.has_passphrase_slot);
	assert_true(info.has_keyfile_slot);
	assert_int_equal(vault_open(p, &by_pass, &v, &err), BS_OK);
	assert_string_equal(vault_get(v, VAULT_HIBOB_TOKEN), HIBOB_TOKEN);
	vault_close(&v);
	assert_int_equal(vault_open(p, &by_key, &v, &err), BS_OK);
	assert_string_equal(vault_get(v, VAULT_HIBOB_TOKEN), HIBOB_TOKEN);
	vault_close(&v);
	assert_int_equal(vault_open(p, &wrong_pass_right_key, &v, &err), BS_OK);
	/* drop the passphrase: only the key file opens it now */
	assert_int_equal(vault_remove_passphrase(v, &err), BS_OK);
	assert_int_equal(vault_save(v, &err), BS_OK);
	vault_close(&v);
	assert_int_equal(vault_open(p, &by_pass, &v, &err), BS_ERR_VAULT_PASSPHRASE);
	assert_null(v);
	assert_non_null(strstr(err.detail, "key file"));
	assert_int_equal(vault_open(p, &by_key, &v, &err), BS_OK);
	/* the last slot cannot go */
	assert_int_equal(vault_remove_passphrase(v, &err), BS_OK);	/* none left: no-op */
	vault_close(&v);
	free(p);
	free(k);
}

static void
change_passphrase(void **state)
{
	char *p = tpath("chpass");
	struct vault_unlock old = { PASS, NULL }, fresh = { "another passphrase 42", NULL };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	(void)state;

	make_vault(p, PASS, NULL);
	assert_int_equal(vault_open(p, &old, &v, &err), BS_OK);
	assert_int_equal(vault_set_passphrase(v, "", &err), BS_ERR_INVALID);
	assert_int_equal(vault_remove_passphrase(v, &err), BS_ERR_INVALID);	/* only slot */
	assert_int_equal(vault_set_passphrase(v, fresh.passphrase, &err), BS_OK);
	assert_int_equal(vault_save(v, &err), BS_OK);
	vault_close(&v);
	assert_int_equal(vault_open(p, &old, &v, &err), BS_ERR_VAULT_PASSPHRASE);
	assert_int_equal(vault_open(p, &fresh, &v, &err), BS_OK);
	assert_string_equal(vault_get(v, VAULT_HIBOB_ID), HIBOB_ID);
	vault_close(&v);
	free(p);
}

/* ---- vault_open failures ---- */

static void
open_degenerate(void **state)
{
	char *p = tpath("does-not-exist"), *e = tpath("empty");
	struct vault_unlock how = { PASS, NULL };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	(void)state;

	assert_int_equal(vault_open(p, &how, NULL, &err), BS_ERR_INVALID);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_ERR_VAULT_MISSING);
	assert_null(v);
	assert_int_equal(vault_open(NULL, &how, &v, &err), BS_ERR_INVALID);
	spit(e, "", 0);
	assert_int_equal(vault_open(e, &how, &v, &err), BS_ERR_VAULT_CORRUPT);
	assert_int_equal(vault_open(tmpdir, &how, &v, &err), BS_ERR_VAULT_CORRUPT);
	assert_int_equal(vault_open_mem(NULL, 0, &how, &v, &err), BS_ERR_VAULT_CORRUPT);
	assert_int_equal(vault_open_mem((const unsigned char *)"x", 1, &how, NULL, &err),
	    BS_ERR_INVALID);
	assert_null(v);
	free(p);
	free(e);
}

static void
wrong_passphrase_and_key(void **state)
{
	char *p = tpath("wrong"), *k = tpath("wrong.key"), *k2 = tpath("other.key");
	char *pk = tpath("wrong_k");
	struct vault_unlock bad = { "Correct horse battery staple", NULL };
	struct vault_unlock nothing = { NULL, NULL };
	struct vault_unlock other_key = { NULL, k2 }, missing_key = { NULL, "/nonexistent/vault.key" };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	(void)state;

	make_vault(p, PASS, NULL);
	assert_int_equal(vault_open(p, &bad, &v, &err), BS_ERR_VAULT_PASSPHRASE);
	assert_null(v);
	assert_non_null(strstr(err.detail, "wrong passphrase"));
	assert_int_equal(vault_open(p, NULL, &v, &err), BS_ERR_VAULT_PASSPHRASE);
	assert_int_equal(vault_open(p, &nothing, &v, &err), BS_ERR_VAULT_PASSPHRASE);
	/* a key file against a passphrase-only vault */
	assert_int_equal(vault_open(p, &other_key, &v, &err), BS_ERR_VAULT_PASSPHRASE);
	assert_non_null(strstr(err.detail, "passphrase"));

	make_vault(pk, NULL, k);
	make_vault(p, NULL, k2);	/* creates a second, different key file */
	assert_int_equal(vault_open(pk, &other_key, &v, &err), BS_ERR_VAULT_PASSPHRASE);
	assert_non_null(strstr(err.detail, "does not unlock"));
	assert_null(v);
	assert_int_equal(vault_open(pk, &missing_key, &v, &err), BS_ERR_VAULT_PASSPHRASE);
	assert_non_null(strstr(err.detail, "does not exist"));
	assert_int_equal(vault_open(pk, &bad, &v, &err), BS_ERR_VAULT_PASSPHRASE);
	assert_null(v);
	free(p);
	free(k);
	free(k2);
	free(pk);
}

/* Flip bytes of a saved vault with three masks; each must fail cleanly. */
static void
flip_all_bytes(const char *path, const struct vault_unlock *how)
{
	static const unsigned char masks[] = { 0x01, 0x80, 0xff };
	unsigned char *data;
	size_t len;
	struct vault *v = NULL;
	struct bs_error err = { 0 };

	data = slurp(path, &len);
	assert_int_equal(vault_open_mem(data, len, how, &v, &err), BS_OK);
	vault_close(&v);
	for (size_t i = 0; i < len; i++) {
		for (size_t m = 0; m < sizeof masks; m++) {
			bs_rc rc;
			data[i] ^= masks[m];
			rc = vault_open_mem(data, len, how, &v, &err);
			data[i] ^= masks[m];
			if (i == OFF_VERSION && rc == BS_ERR_VAULT_VERSION)
				continue;	/* 1 -> 0x81 or 0xfe: "newer format" */
			if (rc != BS_ERR_VAULT_CORRUPT && rc != BS_ERR_VAULT_PASSPHRASE)
				fail_msg("flipping byte %zu with 0x%02x gave %s", i, masks[m],
				    bs_rcname(rc));
			assert_null(v);
		}
	}
	free(data);
}

static void
flips_keyfile_vault(void **state)
{
	char *p = tpath("flip_k"), *k = tpath("flip_k.key");
	struct vault_unlock how = { NULL, k };
	(void)state;

	make_vault(p, NULL, k);
	flip_all_bytes(p, &how);
	free(p);
	free(k);
}

static void
flips_passphrase_vault(void **state)
{
	char *p = tpath("flip_p");
	struct vault_unlock how = { PASS, NULL };
	(void)state;

	make_vault(p, PASS, NULL);
	flip_all_bytes(p, &how);
	free(p);
}

static void
flip_on_disk(void **state)
{
	char *p = tpath("flip_disk"), *k = tpath("flip_disk.key");
	struct vault_unlock how = { NULL, k };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	unsigned char *data;
	size_t len;
	(void)state;

	make_vault(p, NULL, k);
	data = slurp(p, &len);
	data[len - 1] ^= 0x20;		/* last byte of the tag */
	spit(p, data, len);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_ERR_VAULT_CORRUPT);
	assert_non_null(strstr(err.detail, p));
	assert_null(v);
	free(data);
	free(p);
	free(k);
}

static void
truncation(void **state)
{
	char *p = tpath("trunc"), *k = tpath("trunc.key");
	struct vault_unlock how = { PASS, k };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	unsigned char *data, *longer;
	size_t len;
	(void)state;

	make_vault(p, PASS, k);
	data = slurp(p, &len);
	for (size_t n = 0; n < len; n++) {
		unsigned char *cut = xmalloc(n ? n : 1);	/* exact size: ASan sees overreads */
		memcpy(cut, data, n);
		if (vault_open_mem(cut, n, &how, &v, &err) != BS_ERR_VAULT_CORRUPT)
			fail_msg("truncated to %zu bytes did not give BS_ERR_VAULT_CORRUPT", n);
		assert_null(v);
		free(cut);
	}
	longer = xmalloc(len + 1);
	memcpy(longer, data, len);
	longer[len] = 0;
	assert_int_equal(vault_open_mem(longer, len + 1, &how, &v, &err), BS_ERR_VAULT_CORRUPT);
	assert_int_equal(vault_open_mem(data, len, &how, &v, &err), BS_OK);
	vault_close(&v);
	free(longer);
	free(data);
	free(p);
	free(k);
}

static void
newer_version(void **state)
{
	char *p = tpath("v2");
	struct vault_unlock how = { PASS, NULL };
	struct vault_info info;
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	unsigned char *data;
	size_t len;
	(void)state;

	make_vault(p, PASS, NULL);
	data = slurp(p, &len);
	assert_int_equal(data[OFF_VERSION], 1);
	data[OFF_VERSION] = 2;
	spit(p, data, len);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_ERR_VAULT_VERSION);
	assert_non_null(strstr(err.detail, "newer bobsync"));
	assert_null(v);
	assert_int_equal(vault_info(p, &info, &err), BS_ERR_VAULT_VERSION);
	assert_true(info.exists);
	assert_int_equal(info.version, 2);
	/* only the first 9 bytes are needed to tell */
	assert_int_equal(vault_open_mem(data, 9, &how, &v, &err), BS_ERR_VAULT_VERSION);
	data[OFF_VERSION] = 0;
	assert_int_equal(vault_open_mem(data, len, &how, &v, &err), BS_ERR_VAULT_CORRUPT);
	free(data);
	free(p);
}

/* Out-of-bounds KDF limits are refused before Argon2id runs. */
static void
kdf_limits_bounded(void **state)
{
	static const struct { size_t off, n; uint64_t val; } patches[] = {
		{ OFF_OPS, 4, 0 },
		{ OFF_OPS, 4, 11 },
		{ OFF_OPS, 4, 0xffffffffu },
		{ OFF_MEM, 8, 0 },
		{ OFF_MEM, 8, 4096 },
		{ OFF_MEM, 8, (1ULL << 30) + 1024 },
		{ OFF_MEM, 8, 0xffffffffffffffffULL },
		{ OFF_ALG, 1, 1 },			/* Argon2i: not accepted */
	};
	char *p = tpath("kdf");
	struct vault_unlock how = { PASS, NULL };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	unsigned char *data;
	size_t len;
	(void)state;

	make_vault(p, PASS, NULL);
	data = slurp(p, &len);
	assert_int_equal(data[OFF_ALG - 1], 1);	/* the passphrase slot comes first */
	for (size_t i = 0; i < ARRAY_LEN(patches); i++) {
		unsigned char *copy = xmalloc(len);
		uint64_t val = patches[i].val;
		double t0, dt;
		memcpy(copy, data, len);
		for (size_t b = 0; b < patches[i].n; b++, val >>= 8)
			copy[patches[i].off + b] = (unsigned char)(val & 0xff);
		t0 = now_sec();
		assert_int_equal(vault_open_mem(copy, len, &how, &v, &err), BS_ERR_VAULT_CORRUPT);
		dt = now_sec() - t0;
		assert_null(v);
		if (dt > 0.05)
			fail_msg("patch %zu took %.3f s: the KDF ran", i, dt);
		free(copy);
	}
	free(data);
	free(p);
}

static void
default_kdf_limits(void **state)
{
	char *p = tpath("moderate");
	struct vault_unlock how = { PASS, NULL };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	unsigned char *data;
	size_t len;
	uint64_t mem = 0;
	(void)state;

	unsetenv("BOBSYNC_KDF");
	make_vault(p, PASS, NULL);
	data = slurp(p, &len);
	assert_int_equal(data[OFF_ALG], crypto_pwhash_ALG_ARGON2ID13);
	assert_int_equal(data[OFF_OPS], 3);
	for (int b = 7; b >= 0; b--)
		mem = (mem << 8) | data[OFF_MEM + b];
	assert_int_equal(mem, 256ULL * 1024 * 1024);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	assert_string_equal(vault_get(v, VAULT_HIBOB_TOKEN), HIBOB_TOKEN);
	vault_close(&v);
	free(data);

	setenv("BOBSYNC_KDF", "interactive", 1);
	make_vault(p, PASS, NULL);
	data = slurp(p, &len);
	assert_int_equal(data[OFF_OPS], 2);
	mem = 0;
	for (int b = 7; b >= 0; b--)
		mem = (mem << 8) | data[OFF_MEM + b];
	assert_int_equal(mem, 64ULL * 1024 * 1024);
	free(data);
	free(p);
}

static void
garbage_is_refused(void **state)
{
	struct vault_unlock how = { PASS, "/nonexistent/key" };
	struct vault *v = NULL;
	unsigned char buf[600];
	(void)state;

	for (int i = 0; i < 3000; i++) {
		size_t n = randombytes_uniform(sizeof buf + 1);
		randombytes_buf(buf, sizeof buf);
		if (i % 2 == 0 && n >= 12) {		/* a plausible start */
			memcpy(buf, "BOBSYNCV\x01\x00", 10);
			buf[10] = (unsigned char)(1 + (i / 2) % 2);
		}
		assert_int_not_equal(vault_open_mem(buf, n, &how, &v, NULL), BS_OK);
		assert_null(v);
	}
}

/* ---- rekey and switching protection (issue 17, item 4) ---- */

static void
rekey_invalidates_old_keys(void **state)
{
	char *p = tpath("rk"), *k = tpath("rk.key"), *old = tpath("rk.oldkey");
	struct vault_unlock by_key = { NULL, k }, by_old = { NULL, old };
	struct vault_unlock by_pass = { PASS, NULL }, by_new = { "a new passphrase", NULL };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	char cmd[1200];
	(void)state;

	make_vault(p, PASS, k);
	snprintf(cmd, sizeof cmd, "cp -p '%s' '%s'", k, old);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(vault_open(p, &by_key, &v, &err), BS_OK);
	assert_int_equal(vault_rekey(v, NULL, NULL, &err), BS_ERR_INVALID);
	assert_int_equal(vault_rekey(v, "a new passphrase", k, &err), BS_OK);
	vault_close(&v);
	/* the old key file and the old passphrase no longer open it */
	assert_int_equal(vault_open(p, &by_old, &v, &err), BS_ERR_VAULT_PASSPHRASE);
	assert_int_equal(vault_open(p, &by_pass, &v, &err), BS_ERR_VAULT_PASSPHRASE);
	assert_int_equal(vault_open(p, &by_key, &v, &err), BS_OK);
	assert_string_equal(vault_get(v, VAULT_HIBOB_TOKEN), HIBOB_TOKEN);
	/* switch to the passphrase only: the key file stops working */
	assert_int_equal(vault_rekey(v, "a new passphrase", NULL, &err), BS_OK);
	vault_close(&v);
	assert_int_equal(vault_open(p, &by_key, &v, &err), BS_ERR_VAULT_PASSPHRASE);
	assert_int_equal(vault_open(p, &by_new, &v, &err), BS_OK);
	/* and back to the key file only */
	assert_int_equal(vault_rekey(v, NULL, k, &err), BS_OK);
	vault_close(&v);
	assert_int_equal(vault_open(p, &by_new, &v, &err), BS_ERR_VAULT_PASSPHRASE);
	assert_int_equal(vault_open(p, &by_key, &v, &err), BS_OK);
	assert_string_equal(vault_get(v, VAULT_HIBOB_ID), HIBOB_ID);
	vault_close(&v);
	free(p);
	free(k);
	free(old);
}

/* ---- vault and key file ownership (issue 17, item 1) ---- */

static void
vault_owner_and_link(void **state)
{
	char *p = tpath("own"), *k = tpath("own.key"), *lnk = tpath("own.link");
	struct vault_unlock how = { NULL, k }, via_link = { NULL, k };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	(void)state;

	make_vault(p, NULL, k);
	/* a vault reached through a symbolic link is not read */
	assert_int_equal(symlink(p, lnk), 0);
	assert_int_equal(vault_open(lnk, &via_link, &v, &err), BS_ERR_KEY_PERMS);
	assert_non_null(strstr(err.detail, "symbolic link"));
	assert_null(v);
	if (geteuid() == 0) {
		/* someone else's vault (and key file): refused, for root too */
		assert_int_equal(chown(p, 54321, 54321), 0);
		assert_int_equal(vault_open(p, &how, &v, &err), BS_ERR_KEY_PERMS);
		assert_non_null(strstr(err.detail, "uid 54321"));
		assert_null(v);
		assert_int_equal(chown(p, 0, 0), 0);
		assert_int_equal(chown(k, 54321, 54321), 0);
		assert_int_equal(vault_open(p, &how, &v, &err), BS_ERR_KEY_PERMS);
		assert_null(v);
		assert_int_equal(chown(k, 0, 0), 0);
	}
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	vault_close(&v);
	free(p);
	free(k);
	free(lnk);
}

/* ---- key file permissions ---- */

static void
keyfile_permissions(void **state)
{
	char *p = tpath("perm"), *k = tpath("perm.key"), *lnk = tpath("perm.link");
	char *fresh = tpath("perm_fresh"), *loose = tpath("loose.key");
	struct vault_unlock how = { NULL, k }, via_link = { NULL, lnk };
	struct vault_unlock via_dir = { NULL, tmpdir }, new_loose = { NULL, loose };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	char want[600];
	(void)state;

	make_vault(p, NULL, k);
	assert_int_equal(chmod(k, 0644), 0);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_ERR_KEY_PERMS);
	assert_null(v);
	snprintf(want, sizeof want, "chmod 600 %s", k);
	assert_non_null(strstr(err.detail, want));
	assert_int_equal(chmod(k, 0640), 0);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_ERR_KEY_PERMS);
	assert_int_equal(chmod(k, 0620), 0);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_ERR_KEY_PERMS);
	assert_int_equal(chmod(k, 0400), 0);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	vault_close(&v);
	assert_int_equal(chmod(k, 0600), 0);

	/* symbolic links and folders are not key files */
	assert_int_equal(symlink(k, lnk), 0);
	assert_int_equal(vault_open(p, &via_link, &v, &err), BS_ERR_KEY_PERMS);
	assert_int_equal(vault_open(p, &via_dir, &v, &err), BS_ERR_KEY_PERMS);

	/* creating a vault with an existing loose key file is refused too */
	spit(loose, "0000000000000000000000000000000000000000000000000000000000000000\n", 65);
	assert_int_equal(chmod(loose, 0644), 0);
	assert_int_equal(vault_create(fresh, &new_loose, &v, &err), BS_ERR_KEY_PERMS);
	assert_null(v);

	/* not owned by us (needs root to arrange) */
	if (geteuid() == 0) {
		assert_int_equal(chown(k, 4242, 4242), 0);
		assert_int_equal(vault_open(p, &how, &v, &err), BS_ERR_KEY_PERMS);
		assert_non_null(strstr(err.detail, "4242"));
		assert_int_equal(chown(k, 0, 0), 0);
	}
	free(p);
	free(k);
	free(lnk);
	free(fresh);
	free(loose);
}

static void
keyfile_garbage(void **state)
{
	char *p = tpath("kg"), *k = tpath("kg.key"), *bad = tpath("kg_bad.key");
	struct vault_unlock how = { NULL, bad };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	(void)state;

	make_vault(p, NULL, k);
	spit(bad, "hello\n", 6);
	chmod(bad, 0600);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_ERR_VAULT_PASSPHRASE);
	assert_non_null(strstr(err.detail, "not a bobsync key file"));
	/* 64 characters that are not hex */
	spit(bad, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\n", 65);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_ERR_VAULT_PASSPHRASE);
	assert_null(v);
	free(p);
	free(k);
	free(bad);
}

/* ---- vault_info ---- */

static void
info_without_unlock(void **state)
{
	char *p = tpath("info"), *missing = tpath("info-missing"), *junk = tpath("info-junk");
	struct vault_info info;
	struct bs_error err = { 0 };
	(void)state;

	assert_int_equal(vault_info(p, NULL, &err), BS_ERR_INVALID);
	assert_int_equal(vault_info(missing, &info, &err), BS_OK);
	assert_false(info.exists);
	assert_int_equal(info.stored_at[VAULT_HIBOB_TOKEN], 0);

	make_vault(p, PASS, NULL);
	log_forget_secrets();
	memset(&info, 0x55, sizeof info);
	assert_int_equal(vault_info(p, &info, &err), BS_OK);
	assert_true(info.exists);
	assert_int_equal(info.version, 1);
	assert_true(info.has_passphrase_slot);
	assert_false(info.has_keyfile_slot);
	assert_int_equal(info.stored_at[VAULT_HIBOB_ID], 1700000000);
	assert_int_equal(info.stored_at[VAULT_HIBOB_TOKEN], 1700000100);
	assert_int_equal(info.stored_at[VAULT_ASSEMBLED_KEY], 0);
	assert_int_equal(info.stored_at[VAULT_ALLEO_CLIENT_ID], 0);
	assert_int_equal(info.stored_at[VAULT_ALLEO_CLIENT_SECRET], 0);

	spit(junk, "BOBSYNCV\x01garbage", 16);
	assert_int_equal(vault_info(junk, &info, &err), BS_ERR_VAULT_CORRUPT);
	assert_true(info.exists);
	free(p);
	free(missing);
	free(junk);
}

/* ---- vault_save ---- */

static char warned[600];

static void
capture(void *ctx, enum log_level level, const char *msg)
{
	(void)ctx;
	if (level == BS_LOG_WARN)
		snprintf(warned, sizeof warned, "%s", msg);
}

/* issue 17 item 6: a slot weaker than new slots get is warned about and
 * wrapped again once, after the passphrase unlocked it */
static void
weak_slot_strengthened(void **state)
{
	char *p = tpath("weak");
	struct vault_unlock how = { PASS, NULL };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	char *before = NULL, *after = NULL;
	size_t nb = 0, na = 0;
	(void)state;

	make_vault(p, PASS, NULL);	/* BOBSYNC_KDF=min */
	assert_int_equal(util_read_file(p, 1 << 20, &before, &nb, &err), BS_OK);
	setenv("BOBSYNC_KDF", "interactive", 1);
	warned[0] = '\0';
	log_set_sink(capture, NULL);
	log_set_stderr(0);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	vault_close(&v);
	assert_non_null(strstr(warned, "weaker Argon2id limits"));
	assert_int_equal(util_read_file(p, 1 << 20, &after, &na, &err), BS_OK);
	assert_true(nb != na || memcmp(before, after, nb) != 0);
	/* once strong enough: no warning, no rewrite */
	warned[0] = '\0';
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	assert_string_equal(vault_get(v, VAULT_HIBOB_TOKEN), HIBOB_TOKEN);
	vault_close(&v);
	assert_string_equal(warned, "");
	log_set_sink(NULL, NULL);
	log_set_stderr(1);
	setenv("BOBSYNC_KDF", "min", 1);
	free(before);
	free(after);
	free(p);
}

static void
save_mode_0600(void **state)
{
	char *p = tpath("mode");
	struct vault_unlock how = { PASS, NULL };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	struct stat st;
	mode_t old = umask(0);
	(void)state;

	make_vault(p, PASS, NULL);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* a loosened file only warns on open, and the next save tightens it */
	assert_int_equal(chmod(p, 0644), 0);
	warned[0] = '\0';
	log_set_sink(capture, NULL);
	log_set_stderr(0);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	log_set_sink(NULL, NULL);
	log_set_stderr(1);
	assert_non_null(strstr(warned, "chmod 600"));
	assert_int_equal(vault_save(v, &err), BS_OK);
	vault_close(&v);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	umask(old);
	free(p);
}

static void
save_degenerate(void **state)
{
	char *p = tpath("savedeg");
	struct vault_unlock how = { PASS, NULL };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	unsigned char *data;
	size_t len;
	(void)state;

	assert_int_equal(vault_save(NULL, &err), BS_ERR_INVALID);
	make_vault(p, PASS, NULL);
	data = slurp(p, &len);
	assert_int_equal(vault_open_mem(data, len, &how, &v, &err), BS_OK);
	assert_int_equal(vault_save(v, &err), BS_ERR_INVALID);	/* no file behind it */
	vault_close(&v);
	/* a save into a missing folder fails and leaves nothing */
	assert_int_equal(vault_create("/nonexistent-dir/vault", &how, &v, &err), BS_OK);
	assert_int_equal(vault_save(v, &err), BS_ERR_IO);
	vault_close(&v);
	free(data);
	free(p);
}

static void
fresh_nonce_each_save(void **state)
{
	char *p = tpath("nonce");
	struct vault_unlock how = { PASS, NULL };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	unsigned char *a, *b;
	size_t alen, blen, nonce_off;
	(void)state;

	make_vault(p, PASS, NULL);
	a = slurp(p, &alen);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	assert_int_equal(vault_save(v, &err), BS_OK);
	vault_close(&v);
	b = slurp(p, &blen);
	assert_int_equal(alen, blen);
	assert_memory_not_equal(a, b, alen);
	/* the payload nonce and its length field sit just before the
	 * ciphertext: count, 2 x (key, u16 length, bytes), tag */
	nonce_off = alen - 16 - (1 + 2 * (3 + 0)) - strlen(HIBOB_ID) - strlen(HIBOB_TOKEN) -
	    4 - 24;
	assert_memory_not_equal(a + nonce_off, b + nonce_off, 24);
	/* what is before the payload nonce did not change */
	assert_memory_equal(a, b, nonce_off);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	assert_string_equal(vault_get(v, VAULT_HIBOB_TOKEN), HIBOB_TOKEN);
	vault_close(&v);
	free(a);
	free(b);
	free(p);
}

/* Does data hold s in raw, hex or base64 form? */
static int
holds_secret(const unsigned char *data, size_t len, const char *s)
{
	size_t n = strlen(s);
	char hex[2 * 256 + 1], b64[400];
	int found = contains(data, len, s, n);

	sodium_bin2hex(hex, sizeof hex, (const unsigned char *)s, n);
	found |= contains(data, len, hex, 2 * n);
	for (char *c = hex; *c; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 'a' + 'A');
	found |= contains(data, len, hex, 2 * n);
	/* the three base64 alignments of s, minus the edge characters */
	for (int shift = 0; shift < 3; shift++) {
		unsigned char in[300] = { 0 };
		size_t inlen = n + (size_t)shift;
		memcpy(in + shift, s, n);
		sodium_bin2base64(b64, sizeof b64, in, inlen, sodium_base64_VARIANT_ORIGINAL);
		found |= contains(data, len, b64 + 4, strlen(b64) - 8);
	}
	return found;
}

static void
no_plaintext_in_file(void **state)
{
	char *p = tpath("strings"), *k = tpath("strings.key");
	struct vault_unlock how = { PASS, k };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	unsigned char *data, *kb;
	char pair[128];
	size_t len, klen;
	(void)state;

	/* the check itself finds each form */
	assert_true(holds_secret((const unsigned char *)"xx" HIBOB_TOKEN "yy", 4 +
	    strlen(HIBOB_TOKEN), HIBOB_TOKEN));
	{
		char hex[80], b64[80];
		sodium_bin2hex(hex, sizeof hex, (const unsigned char *)ASM_KEY, strlen(ASM_KEY));
		assert_true(holds_secret((unsigned char *)hex, strlen(hex), ASM_KEY));
		sodium_bin2base64(b64, sizeof b64, (const unsigned char *)ASM_KEY, strlen(ASM_KEY),
		    sodium_base64_VARIANT_ORIGINAL);
		assert_true(holds_secret((unsigned char *)b64, strlen(b64), ASM_KEY));
	}

	assert_int_equal(vault_create(p, &how, &v, &err), BS_OK);
	assert_int_equal(vault_set(v, VAULT_HIBOB_ID, HIBOB_ID, 0, &err), BS_OK);
	assert_int_equal(vault_set(v, VAULT_HIBOB_TOKEN, HIBOB_TOKEN, 0, &err), BS_OK);
	assert_int_equal(vault_set(v, VAULT_ASSEMBLED_KEY, ASM_KEY, 0, &err), BS_OK);
	assert_int_equal(vault_set(v, VAULT_ALLEO_CLIENT_SECRET, "alleo-client-secret-0099", 0,
	    &err), BS_OK);
	assert_int_equal(vault_save(v, &err), BS_OK);
	vault_close(&v);
	data = slurp(p, &len);
	assert_false(holds_secret(data, len, HIBOB_ID));
	assert_false(holds_secret(data, len, HIBOB_TOKEN));
	assert_false(holds_secret(data, len, ASM_KEY));
	assert_false(holds_secret(data, len, "alleo-client-secret-0099"));
	assert_false(holds_secret(data, len, PASS));
	snprintf(pair, sizeof pair, "%s:%s", HIBOB_ID, HIBOB_TOKEN);
	assert_false(holds_secret(data, len, pair));
	/* nor the key file's key */
	kb = slurp(k, &klen);
	assert_int_equal(klen, 65);
	assert_false(contains(data, len, kb, 64));
	free(kb);
	free(data);
	free(p);
	free(k);
}

/* ---- vault_set / vault_get ---- */

static void
set_degenerate(void **state)
{
	struct vault_unlock how = { PASS, NULL };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	char *big = xmalloc(VAULT_SECRET_MAX + 2);
	(void)state;

	assert_null(vault_get(NULL, VAULT_HIBOB_ID));
	assert_int_equal(vault_stored_at(NULL, VAULT_HIBOB_ID), 0);
	assert_int_equal(vault_set(NULL, VAULT_HIBOB_ID, "x", 1, &err), BS_ERR_INVALID);
	assert_int_equal(vault_create("/nonexistent/v", &how, &v, &err), BS_OK);
	assert_int_equal(vault_set(v, VAULT_NKEYS, "abcd", 1, &err), BS_ERR_INVALID);
	assert_null(vault_get(v, VAULT_NKEYS));
	assert_int_equal(vault_set(v, VAULT_HIBOB_ID, HIBOB_ID, 5, &err), BS_OK);
	assert_int_equal(vault_set(v, VAULT_HIBOB_ID, "", 6, &err), BS_ERR_INVALID);
	assert_string_equal(vault_get(v, VAULT_HIBOB_ID), HIBOB_ID);	/* kept */
	memset(big, 'a', VAULT_SECRET_MAX + 1);
	big[VAULT_SECRET_MAX + 1] = '\0';
	assert_int_equal(vault_set(v, VAULT_HIBOB_TOKEN, big, 7, &err), BS_ERR_INVALID);
	assert_null(vault_get(v, VAULT_HIBOB_TOKEN));
	big[VAULT_SECRET_MAX] = '\0';
	assert_int_equal(vault_set(v, VAULT_HIBOB_TOKEN, big, 7, &err), BS_OK);
	assert_int_equal(strlen(vault_get(v, VAULT_HIBOB_TOKEN)), VAULT_SECRET_MAX);
	vault_close(&v);
	free(big);
}

static void
set_null_removes(void **state)
{
	char *p = tpath("remove");
	struct vault_unlock how = { PASS, NULL };
	struct vault_info info;
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	(void)state;

	make_vault(p, PASS, NULL);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	assert_int_equal(vault_set(v, VAULT_HIBOB_TOKEN, NULL, 0, &err), BS_OK);
	assert_null(vault_get(v, VAULT_HIBOB_TOKEN));
	assert_int_equal(vault_stored_at(v, VAULT_HIBOB_TOKEN), 0);
	assert_int_equal(vault_set(v, VAULT_ALLEO_CLIENT_ID, NULL, 0, &err), BS_OK);	/* absent */
	assert_int_equal(vault_save(v, &err), BS_OK);
	vault_close(&v);
	assert_int_equal(vault_info(p, &info, &err), BS_OK);
	assert_int_equal(info.stored_at[VAULT_HIBOB_TOKEN], 0);
	assert_int_equal(info.stored_at[VAULT_HIBOB_ID], 1700000000);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	assert_null(vault_get(v, VAULT_HIBOB_TOKEN));
	assert_string_equal(vault_get(v, VAULT_HIBOB_ID), HIBOB_ID);
	/* remove everything: an empty vault still saves and opens */
	assert_int_equal(vault_set(v, VAULT_HIBOB_ID, NULL, 0, &err), BS_OK);
	assert_int_equal(vault_save(v, &err), BS_OK);
	vault_close(&v);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	for (int k = 0; k < VAULT_NKEYS; k++)
		assert_null(vault_get(v, (enum vault_key)k));
	vault_close(&v);
	free(p);
}

static void
stored_at_times(void **state)
{
	char *p = tpath("times");
	struct vault_unlock how = { PASS, NULL };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	(void)state;

	setenv("BOBSYNC_FAKE_NOW", "2026-03-02T12:00:00Z", 1);
	make_vault(p, PASS, NULL);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	assert_int_equal(vault_stored_at(v, VAULT_HIBOB_ID), 1700000000);
	/* now = 0 takes the clock */
	assert_int_equal(vault_set(v, VAULT_ASSEMBLED_KEY, ASM_KEY, 0, &err), BS_OK);
	assert_int_equal(vault_stored_at(v, VAULT_ASSEMBLED_KEY), 1772452800);
	/* replacing a secret moves its time, not the others' */
	assert_int_equal(vault_set(v, VAULT_HIBOB_TOKEN, "a-new-token-value", 1800000000, &err),
	    BS_OK);
	assert_int_equal(vault_save(v, &err), BS_OK);
	vault_close(&v);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	assert_int_equal(vault_stored_at(v, VAULT_HIBOB_ID), 1700000000);
	assert_int_equal(vault_stored_at(v, VAULT_HIBOB_TOKEN), 1800000000);
	assert_int_equal(vault_stored_at(v, VAULT_ASSEMBLED_KEY), 1772452800);
	assert_string_equal(vault_get(v, VAULT_HIBOB_TOKEN), "a-new-token-value");
	/* replaced twice within one second: still a later time each time */
	assert_int_equal(vault_set(v, VAULT_ASSEMBLED_KEY, "sk_live_second", 0, &err), BS_OK);
	assert_int_equal(vault_stored_at(v, VAULT_ASSEMBLED_KEY), 1772452801);
	assert_int_equal(vault_set(v, VAULT_ASSEMBLED_KEY, "sk_live_third", 1772452800, &err), BS_OK);
	assert_int_equal(vault_stored_at(v, VAULT_ASSEMBLED_KEY), 1772452802);
	vault_close(&v);
	free(p);
}

/* ---- masking ---- */

static void
masked_after_open(void **state)
{
	char *p = tpath("mask");
	struct vault_unlock how = { PASS, NULL };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	char *m, pair[128], b64[200], line[400];
	(void)state;

	assert_int_equal(vault_create(p, &how, &v, &err), BS_OK);
	assert_int_equal(vault_set(v, VAULT_HIBOB_ID, HIBOB_ID, 1, &err), BS_OK);
	assert_int_equal(vault_set(v, VAULT_HIBOB_TOKEN, HIBOB_TOKEN, 1, &err), BS_OK);
	assert_int_equal(vault_set(v, VAULT_ASSEMBLED_KEY, ASM_KEY, 1, &err), BS_OK);
	assert_int_equal(vault_save(v, &err), BS_OK);
	vault_close(&v);

	log_forget_secrets();
	m = log_mask("token " HIBOB_TOKEN);
	assert_string_equal(m, "token " HIBOB_TOKEN);	/* nothing registered yet */
	free(m);

	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	m = log_mask("id " HIBOB_ID " token " HIBOB_TOKEN " key " ASM_KEY);
	assert_string_equal(m, "id *** token *** key ***");
	free(m);
	snprintf(pair, sizeof pair, "%s:%s", HIBOB_ID, HIBOB_TOKEN);
	sodium_bin2base64(b64, sizeof b64, (const unsigned char *)pair, strlen(pair),
	    sodium_base64_VARIANT_ORIGINAL);
	snprintf(line, sizeof line, "Authorization: Basic %s", b64);
	m = log_mask(line);
	assert_string_equal(m, "Authorization: Basic ***");
	free(m);
	snprintf(pair, sizeof pair, "%s:", ASM_KEY);
	sodium_bin2base64(b64, sizeof b64, (const unsigned char *)pair, strlen(pair),
	    sodium_base64_VARIANT_ORIGINAL);
	snprintf(line, sizeof line, "Basic %s", b64);
	m = log_mask(line);
	assert_string_equal(m, "Basic ***");
	free(m);
	/* and in error details */
	bs_fail(&err, BS_ERR_AUTH, "rejected %s", HIBOB_TOKEN);
	assert_string_equal(err.detail, "rejected ***");
	vault_close(&v);
	free(p);
}

/* vault_store: several secrets stored and saved as one step; refused
 * values change nothing; a failed save puts the secrets in memory back. */
static void
store_saves_together(void **state)
{
	char *p = tpath("store_ok");
	struct vault_unlock how = { PASS, NULL };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	const enum vault_key keys[2] = { VAULT_ALLEO_CLIENT_ID, VAULT_ALLEO_CLIENT_SECRET };
	const char *vals[2] = { "client-77", "secret-of-client-77" };
	const char *empty[2] = { "client-78", "" };
	unsigned long g;
	(void)state;

	make_vault(p, PASS, NULL);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	g = vault_generation(v);
	assert_int_equal(vault_store(v, keys, vals, 2, 1700000300, &err), BS_OK);
	assert_true(vault_generation(v) != g);
	vault_close(&v);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	assert_string_equal(vault_get(v, VAULT_ALLEO_CLIENT_ID), "client-77");
	assert_string_equal(vault_get(v, VAULT_ALLEO_CLIENT_SECRET), "secret-of-client-77");
	assert_int_equal(vault_stored_at(v, VAULT_ALLEO_CLIENT_ID), 1700000300);
	assert_string_equal(vault_get(v, VAULT_HIBOB_TOKEN), HIBOB_TOKEN);
	/* an empty one refuses both, before anything changes */
	g = vault_generation(v);
	assert_int_equal(vault_store(v, keys, empty, 2, 0, &err), BS_ERR_INVALID);
	assert_non_null(strstr(err.detail, "empty"));
	assert_string_equal(vault_get(v, VAULT_ALLEO_CLIENT_ID), "client-77");
	assert_int_equal(vault_generation(v), g);
	assert_int_equal(vault_store(NULL, keys, vals, 2, 0, &err), BS_ERR_INVALID);
	assert_int_equal(vault_store(v, keys, vals, 0, 0, &err), BS_ERR_INVALID);
	/* NULL removes */
	vals[1] = NULL;
	assert_int_equal(vault_store(v, keys + 1, vals + 1, 1, 0, &err), BS_OK);
	vault_close(&v);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	assert_null(vault_get(v, VAULT_ALLEO_CLIENT_SECRET));
	assert_string_equal(vault_get(v, VAULT_ALLEO_CLIENT_ID), "client-77");
	vault_close(&v);
	free(p);
}

static void
store_rolls_back_failed_save(void **state)
{
	char *d = tpath("store_dir"), *moved = tpath("store_dir.moved");
	char *p = xasprintf("%s/vault", d);
	struct vault_unlock how = { PASS, NULL };
	struct vault *v = NULL;
	struct bs_error err = { 0 };
	const enum vault_key keys[2] = { VAULT_HIBOB_ID, VAULT_HIBOB_TOKEN };
	const char *vals[2] = { "SU-NEW", "token-new" };
	(void)state;

	assert_int_equal(mkdir(d, 0700), 0);
	make_vault(p, PASS, NULL);
	assert_int_equal(vault_open(p, &how, &v, &err), BS_OK);
	/* the folder is gone (root writes into read-only ones): the save fails */
	assert_int_equal(rename(d, moved), 0);
	assert_int_not_equal(vault_store(v, keys, vals, 2, 1700000400, &err), BS_OK);
	assert_true(err.detail[0] != '\0');
	assert_string_equal(vault_get(v, VAULT_HIBOB_ID), HIBOB_ID);
	assert_string_equal(vault_get(v, VAULT_HIBOB_TOKEN), HIBOB_TOKEN);
	assert_int_equal(vault_stored_at(v, VAULT_HIBOB_ID), 1700000000);
	assert_int_equal(vault_stored_at(v, VAULT_HIBOB_TOKEN), 1700000100);
	/* a secret that was not there is not there afterwards */
	vals[0] = ASM_KEY;
	assert_int_not_equal(vault_store(v, (const enum vault_key[]){ VAULT_ASSEMBLED_KEY }, vals,
	    1, 0, &err), BS_OK);
	assert_null(vault_get(v, VAULT_ASSEMBLED_KEY));
	assert_int_equal(rename(moved, d), 0);
	vault_close(&v);
	unlink(p);
	rmdir(d);
	free(p);
	free(d);
	free(moved);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(names, teardown),
		cmocka_unit_test_teardown(create_degenerate, teardown),
		cmocka_unit_test_teardown(roundtrip_passphrase, teardown),
		cmocka_unit_test_teardown(roundtrip_keyfile, teardown),
		cmocka_unit_test_teardown(keyfile_raw_bytes, teardown),
		cmocka_unit_test_teardown(both_slots, teardown),
		cmocka_unit_test_teardown(change_passphrase, teardown),
		cmocka_unit_test_teardown(open_degenerate, teardown),
		cmocka_unit_test_teardown(wrong_passphrase_and_key, teardown),
		cmocka_unit_test_teardown(flips_keyfile_vault, teardown),
		cmocka_unit_test_teardown(flips_passphrase_vault, teardown),
		cmocka_unit_test_teardown(flip_on_disk, teardown),
		cmocka_unit_test_teardown(truncation, teardown),
		cmocka_unit_test_teardown(newer_version, teardown),
		cmocka_unit_test_teardown(kdf_limits_bounded, teardown),
		cmocka_unit_test_teardown(default_kdf_limits, teardown),
		cmocka_unit_test_teardown(garbage_is_refused, teardown),
		cmocka_unit_test_teardown(keyfile_permissions, teardown),
		cmocka_unit_test_teardown(vault_owner_and_link, teardown),
		cmocka_unit_test_teardown(rekey_invalidates_old_keys, teardown),
		cmocka_unit_test_teardown(weak_slot_strengthened, teardown),
		cmocka_unit_test_teardown(keyfile_garbage, teardown),
		cmocka_unit_test_teardown(info_without_unlock, teardown),
		cmocka_unit_test_teardown(save_mode_0600, teardown),
		cmocka_unit_test_teardown(save_degenerate, teardown),
		cmocka_unit_test_teardown(fresh_nonce_each_save, teardown),
		cmocka_unit_test_teardown(no_plaintext_in_file, teardown),
		cmocka_unit_test_teardown(set_degenerate, teardown),
		cmocka_unit_test_teardown(set_null_removes, teardown),
		cmocka_unit_test_teardown(stored_at_times, teardown),
		cmocka_unit_test_teardown(masked_after_open, teardown),
		cmocka_unit_test_teardown(store_saves_together, teardown),
		cmocka_unit_test_teardown(store_rolls_back_failed_save, teardown),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
