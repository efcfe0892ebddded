/* vault.c - secrets encrypted at rest (see vault.h).
 *
 * File layout, format version 1.  Integers are little-endian; every count
 * and length is checked against the bytes left and against its own limit
 * before anything is allocated, hashed or decrypted.
 *
 *   magic      8   "BOBSYNCV"
 *   version    u8  1 (a larger value: written by a newer bobsync)
 *   flags      u8  0 (reserved)
 *   nslots     u8  1 or 2
 *   slots      nslots times, each kind at most once:
 *     kind     u8  1 = passphrase, 2 = key file
 *     kind 1:  alg u8 (2 = Argon2id v1.3), opslimit u32 (1..10),
 *              memlimit u64 (8 KiB..1 GiB), salt[16], nonce[24],
 *              wrapped data key[48]
 *     kind 2:  nonce[24], wrapped data key[48]
 *   nsecrets   u8  0..VAULT_NKEYS
 *   table      nsecrets times, keys ascending: key u8, stored_at i64 (> 0)
 *   nonce      24  payload nonce (fresh on every save)
 *   ctlen      u32 length of what follows, 16..VAULT_PAYLOAD_MAX + 16
 *   ct         XChaCha20-Poly1305 of the payload under the data key; the
 *              associated data is every byte before ct, so a change to
 *              any header byte fails authentication.
 *
 * Payload (plaintext): nsecrets u8, then per secret key u8, len u16
 * (1..VAULT_SECRET_MAX), len bytes without NUL.  The keys must be those of
 * the header table, in the same order.
 *
 * Wrapped data key: XChaCha20-Poly1305 of the 32-byte random data key
 * under a key-encryption key (KEK), with magic, version and the slot's
 * bytes before its nonce as associated data.  The passphrase KEK is
 * crypto_pwhash (Argon2id13, parameters from the slot).  The key-file KEK
 * is BLAKE2b-256 keyed with the file's 32 bytes over a fixed label.
 *
 * Key file: 64 hex digits and a newline as written by bobsync; exactly 32
 * raw bytes are accepted too.  It must be a regular file (not a symbolic
 * link) owned by the current user, with no group or other permission bits.
 *
 * The vault file itself is encrypted, so a loose mode on it only warns
 * (every save rewrites it 0600); a loose key file is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "base/log.h"
#include "base/paths.h"
#include "base/util.h"
#include "config/vault.h"

#define MAGIC		"BOBSYNCV"
#define MAGIC_LEN	8
#define FORMAT_VERSION	1
#define SLOT_PASS	1
#define SLOT_FILE	2
#define DEK_LEN		32
#define KEK_LEN		32
#define SALT_LEN	16
#define NONCE_LEN	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES	/* 24 */
#define TAG_LEN		crypto_aead_xchacha20poly1305_ietf_ABYTES	/* 16 */
#define WRAPPED_LEN	(DEK_LEN + TAG_LEN)
#define KEYFILE_READ_MAX 128

/* Bounds on the KDF parameters read from a file. */
#define KDF_OPS_MAX	10U
#define KDF_MEM_MAX	(1024ULL * 1024 * 1024)

/* Largest payload and file this format can produce; larger is damage. */
#define VAULT_PAYLOAD_MAX (1 + VAULT_NKEYS * (3 + VAULT_SECRET_MAX))
#define VAULT_FILE_MAX	(32 * 1024)

static const char keyfile_label[] = "bobsync vault key file v1";

struct pass_slot {
	uint32_t ops;
	uint64_t mem;
	unsigned char salt[SALT_LEN];
	unsigned char nonce[NONCE_LEN];
	unsigned char wrapped[WRAPPED_LEN];
};

struct file_slot {
	unsigned char nonce[NONCE_LEN];
	unsigned char wrapped[WRAPPED_LEN];
};

struct vault {
	char *path;			/* owned; NULL for vault_open_mem */
	unsigned char *dek;		/* sodium_malloc'd, DEK_LEN */
	char *val[VAULT_NKEYS];		/* sodium_malloc'd, NUL-terminated */
	int64_t stored_at[VAULT_NKEYS];
	int has_pass, has_file;
	struct pass_slot pass;		/* wrapped key and public parameters */
	struct file_slot file;
	unsigned long generation;	/* bumped by every change of a secret */
};

/* What parse_header found; pointers point into the caller's bytes. */
struct header {
	int version;
	int has_pass, has_file;
	struct pass_slot pass;
	struct file_slot file;
	int nsecrets;
	uint8_t ids[VAULT_NKEYS];
	int64_t stored_at[VAULT_NKEYS];
	const unsigned char *nonce;
	const unsigned char *ct;
	uint32_t ctlen;
	size_t adlen;			/* bytes before ct */
};

static const char *const key_names[VAULT_NKEYS] = {
	"hibob.service_user_id", "hibob.token", "assembled.api_key",
	"alleo.client_id", "alleo.client_secret", "webhook.secret"
};

static const char *const key_titles[VAULT_NKEYS] = {
	"HiBob Service User ID", "HiBob Service User token", "Assembled API key",
	"Alleo client id", "Alleo client secret", "HiBob webhook secret"
};

const char *
vault_key_name(enum vault_key k)
{
	if ((unsigned)k >= VAULT_NKEYS)
		return "?";
	return key_names[k];
}

const char *
vault_key_title(enum vault_key k)
{
	if ((unsigned)k >= VAULT_NKEYS)
		return "?";
	return key_titles[k];
}

/* ---- little-endian reading and writing ---- */

struct reader {
	const unsigned char *p;
	size_t len, off;
};

static int
rd_take(struct reader *r, size_t n, const unsigned char **out)
{
	if (r->len - r->off < n)
		return -1;
	*out = r->p + r->off;
	r->off += n;
	return 0;
}

static int
rd_copy(struct reader *r, void *dst, size_t n)
{
	const unsigned char *s;

	if (rd_take(r, n, &s) < 0)
		return -1;
	memcpy(dst, s, n);
	return 0;
}

static uint64_t
le_get(const unsigned char *s, size_t n)
{
	uint64_t v = 0;

	for (size_t i = n; i > 0; i--)
		v = (v << 8) | s[i - 1];
	return v;
}

static int
rd_uint(struct reader *r, size_t n, uint64_t *out)
{
	const unsigned char *s;

	if (rd_take(r, n, &s) < 0)
		return -1;
	*out = le_get(s, n);
	return 0;
}

static void
le_put(unsigned char *d, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		d[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

static void
sb_uint(struct strbuf *sb, uint64_t v, size_t n)
{
	unsigned char b[8];

	le_put(b, v, n);
	sb_append(sb, b, n);
}

/* ---- errors ---- */

static bs_rc
corrupt(struct bs_error *err, const char *name, const char *what)
{
	return bs_fail(err, BS_ERR_VAULT_CORRUPT,
	    "%s is damaged (%s): restore it from a backup, or remove it and store "
	    "the credentials again", name, what);
}

/* ---- header ---- */

static bs_rc
parse_header(const unsigned char *data, size_t len, const char *name,
    struct header *h, struct bs_error *err)
{
	struct reader r = { data, len, 0 };
	const unsigned char *magic;
	uint64_t v, nslots, nsec;

	memset(h, 0, sizeof *h);
	if (data == NULL || len == 0)
		return corrupt(err, name, "empty file");
	if (len > VAULT_FILE_MAX)
		return corrupt(err, name, "far larger than any vault");
	if (rd_take(&r, MAGIC_LEN, &magic) < 0 || memcmp(magic, MAGIC, MAGIC_LEN) != 0)
		return corrupt(err, name, "not a bobsync vault");
	if (rd_uint(&r, 1, &v) < 0)
		return corrupt(err, name, "truncated before the version");
	h->version = (int)v;
	if (v > FORMAT_VERSION)
		return bs_fail(err, BS_ERR_VAULT_VERSION,
		    "%s was written by a newer bobsync (vault format %d, this bobsync reads %d): "
		    "upgrade bobsync", name, h->version, FORMAT_VERSION);
	if (v == 0)
		return corrupt(err, name, "version 0");
	if (rd_uint(&r, 1, &v) < 0)
		return corrupt(err, name, "truncated header");
	if (v != 0)
		return corrupt(err, name, "unknown flags");
	if (rd_uint(&r, 1, &nslots) < 0)
		return corrupt(err, name, "truncated header");
	if (nslots < 1 || nslots > 2)
		return corrupt(err, name, "bad number of key slots");
	for (uint64_t i = 0; i < nslots; i++) {
		uint64_t kind, alg;
		if (rd_uint(&r, 1, &kind) < 0)
			return corrupt(err, name, "truncated key slot");
		if (kind == SLOT_PASS && !h->has_pass) {
			struct pass_slot *s = &h->pass;
			if (rd_uint(&r, 1, &alg) < 0 || rd_uint(&r, 4, &v) < 0)
				return corrupt(err, name, "truncated key slot");
			s->ops = (uint32_t)v;
			if (rd_uint(&r, 8, &s->mem) < 0)
				return corrupt(err, name, "truncated key slot");
			if (alg != crypto_pwhash_ALG_ARGON2ID13)
				return corrupt(err, name, "unknown key derivation");
			/* checked here, long before crypto_pwhash could run */
			if (s->ops < crypto_pwhash_argon2id_OPSLIMIT_MIN || s->ops > KDF_OPS_MAX ||
			    s->mem < crypto_pwhash_argon2id_MEMLIMIT_MIN || s->mem > KDF_MEM_MAX)
				return corrupt(err, name, "key derivation limits out of bounds");
			if (rd_copy(&r, s->salt, SALT_LEN) < 0 ||
			    rd_copy(&r, s->nonce, NONCE_LEN) < 0 ||
			    rd_copy(&r, s->wrapped, WRAPPED_LEN) < 0)
				return corrupt(err, name, "truncated key slot");
			h->has_pass = 1;
		} else if (kind == SLOT_FILE && !h->has_file) {
			if (rd_copy(&r, h->file.nonce, NONCE_LEN) < 0 ||
			    rd_copy(&r, h->file.wrapped, WRAPPED_LEN) < 0)
				return corrupt(err, name, "truncated key slot");
			h->has_file = 1;
		} else {
			return corrupt(err, name, "unknown or repeated key slot");
		}
	}
	if (rd_uint(&r, 1, &nsec) < 0)
		return corrupt(err, name, "truncated secret table");
	if (nsec > VAULT_NKEYS)
		return corrupt(err, name, "too many secrets");
	h->nsecrets = (int)nsec;
	for (int i = 0; i < h->nsecrets; i++) {
		uint64_t id, t;
		if (rd_uint(&r, 1, &id) < 0 || rd_uint(&r, 8, &t) < 0)
			return corrupt(err, name, "truncated secret table");
		if (id >= VAULT_NKEYS || (i > 0 && id <= h->ids[i - 1]))
			return corrupt(err, name, "bad secret table");
		if ((int64_t)t <= 0)
			return corrupt(err, name, "bad time in the secret table");
		h->ids[i] = (uint8_t)id;
		h->stored_at[id] = (int64_t)t;
	}
	if (rd_take(&r, NONCE_LEN, &h->nonce) < 0 || rd_uint(&r, 4, &v) < 0)
		return corrupt(err, name, "truncated before the secrets");
	if (v < TAG_LEN || v > VAULT_PAYLOAD_MAX + TAG_LEN)
		return corrupt(err, name, "bad length of the secrets");
	h->ctlen = (uint32_t)v;
	h->adlen = r.off;
	if (len - r.off != h->ctlen)
		return corrupt(err, name, len - r.off < h->ctlen ? "truncated secrets" :
		    "extra bytes after the secrets");
	h->ct = data + r.off;
	return BS_OK;
}

/* Associated data of a slot's wrapped key: magic, version, the slot bytes
 * before its nonce.  Returns the length written to ad (>= 39 bytes). */
static size_t
slot_ad(int kind, const struct pass_slot *p, unsigned char ad[48])
{
	size_t n = 0;

	memcpy(ad, MAGIC, MAGIC_LEN);
	n = MAGIC_LEN;
	ad[n++] = FORMAT_VERSION;
	ad[n++] = (unsigned char)kind;
	if (kind == SLOT_PASS) {
		ad[n++] = crypto_pwhash_ALG_ARGON2ID13;
		le_put(ad + n, p->ops, 4);
		n += 4;
		le_put(ad + n, p->mem, 8);
		n += 8;
		memcpy(ad + n, p->salt, SALT_LEN);
		n += SALT_LEN;
	}
	return n;
}

static void
sb_header(struct strbuf *sb, const struct vault *v, const unsigned char nonce[NONCE_LEN],
    size_t ptlen)
{
	unsigned char nsec = 0;

	sb_append(sb, MAGIC, MAGIC_LEN);
	sb_uint(sb, FORMAT_VERSION, 1);
	sb_uint(sb, 0, 1);
	sb_uint(sb, (uint64_t)(v->has_pass + v->has_file), 1);
	if (v->has_pass) {
		sb_uint(sb, SLOT_PASS, 1);
		sb_uint(sb, crypto_pwhash_ALG_ARGON2ID13, 1);
		sb_uint(sb, v->pass.ops, 4);
		sb_uint(sb, v->pass.mem, 8);
		sb_append(sb, v->pass.salt, SALT_LEN);
		sb_append(sb, v->pass.nonce, NONCE_LEN);
		sb_append(sb, v->pass.wrapped, WRAPPED_LEN);
	}
	if (v->has_file) {
		sb_uint(sb, SLOT_FILE, 1);
		sb_append(sb, v->file.nonce, NONCE_LEN);
		sb_append(sb, v->file.wrapped, WRAPPED_LEN);
	}
	for (int k = 0; k < VAULT_NKEYS; k++)
		nsec += v->val[k] != NULL;
	sb_uint(sb, nsec, 1);
	for (int k = 0; k < VAULT_NKEYS; k++) {
		if (v->val[k] == NULL)
			continue;
		sb_uint(sb, (uint64_t)k, 1);
		sb_uint(sb, (uint64_t)v->stored_at[k], 8);
	}
	sb_append(sb, nonce, NONCE_LEN);
	sb_uint(sb, ptlen + TAG_LEN, 4);
}

/* ---- key derivation ---- */

static void
kdf_params(uint32_t *ops, uint64_t *mem)
{
#ifdef BOBSYNC_TEST_HOOKS
	const char *e = getenv("BOBSYNC_KDF");	/* test builds only */
#else
	const char *e = NULL;
#endif

	*ops = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
	*mem = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
	if (e == NULL || *e == '\0' || strcmp(e, "moderate") == 0)
		return;
	if (strcmp(e, "interactive") == 0) {
		*ops = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
	} else if (strcmp(e, "min") == 0) {
		*ops = crypto_pwhash_argon2id_OPSLIMIT_MIN;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_MIN;
	} else {
		log_warn("BOBSYNC_KDF=%s is not 'moderate', 'interactive' or 'min'; using moderate", e);
	}
}

/* kek: KEK_LEN bytes of guarded memory. */
static bs_rc
pass_kek(const char *passphrase, const struct pass_slot *s, unsigned char *kek,
    struct bs_error *err)
{
	uint64_t ops = s->ops, mem = s->mem;

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	/* fuzz builds only: the header's limits are still parsed and bounded,
	 * but the derivation runs at the minimum so the slot can be fuzzed */
	ops = crypto_pwhash_argon2id_OPSLIMIT_MIN;
	mem = crypto_pwhash_argon2id_MEMLIMIT_MIN;
#endif
	if (crypto_pwhash(kek, KEK_LEN, passphrase, strlen(passphrase), s->salt,
	    ops, (size_t)mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return bs_fail(err, BS_ERR_NOMEM,
		    "not enough memory to derive the vault key (Argon2id needs %llu MiB)",
		    (unsigned long long)(s->mem >> 20));
	return BS_OK;
}

static void
file_kek(const unsigned char *filekey, unsigned char *kek)
{
	crypto_generichash(kek, KEK_LEN, (const unsigned char *)keyfile_label,
	    sizeof keyfile_label - 1, filekey, 32);
}

static int
wrap_dek(const unsigned char *dek, const unsigned char *kek, int kind,
    const struct pass_slot *p, unsigned char nonce[NONCE_LEN],
    unsigned char wrapped[WRAPPED_LEN])
{
	unsigned char ad[48];
	size_t adlen = slot_ad(kind, p, ad);
	unsigned long long clen;

	randombytes_buf(nonce, NONCE_LEN);
	return crypto_aead_xchacha20poly1305_ietf_encrypt(wrapped, &clen, dek, DEK_LEN,
	    ad, adlen, NULL, nonce, kek);
}

static int
unwrap_dek(unsigned char *dek, const unsigned char *kek, int kind,
    const struct pass_slot *p, const unsigned char nonce[NONCE_LEN],
    const unsigned char wrapped[WRAPPED_LEN])
{
	unsigned char ad[48];
	size_t adlen = slot_ad(kind, p, ad);
	unsigned long long mlen;

	if (crypto_aead_xchacha20poly1305_ietf_decrypt(dek, &mlen, NULL, wrapped,
	    WRAPPED_LEN, ad, adlen, nonce, kek) != 0 || mlen != DEK_LEN)
		return -1;
	return 0;
}

/* ---- key file ---- */

static int
parse_keyfile(const unsigned char *buf, size_t n, unsigned char *key)
{
	size_t binlen;

	if (n == 32) {
		memcpy(key, buf, 32);
		return 0;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' ||
	    buf[n - 1] == '\t'))
		n--;
	if (n != 64)
		return -1;
	if (sodium_hex2bin(key, 32, (const char *)buf, n, NULL, &binlen, NULL) != 0 ||
	    binlen != 32)
		return -1;
	return 0;
}

/* A file systemd placed in $CREDENTIALS_DIRECTORY: systemd guards that
 * folder and may grant the service user access through an ACL, which
 * shows as group bits, so only the owner rule applies there. */
static int
in_credentials_dir(const char *path)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	size_t n;

	if (dir == NULL || dir[0] != '/')
		return 0;
	n = strlen(dir);
	return strncmp(path, dir, n) == 0 && path[n] == '/' && strchr(path + n + 1, '/') == NULL;
}

static bs_rc
check_keyfile_fd(int fd, const char *path, struct bs_error *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return bs_fail(err, BS_ERR_IO, "cannot check the key file %s: %s", path,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return bs_fail(err, BS_ERR_KEY_PERMS, "the key file %s is not a regular file", path);
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return bs_fail(err, BS_ERR_KEY_PERMS,
		    "the key file %s belongs to uid %u, not to you (uid %u): run 'chown %u %s' "
		    "as root, or use the right account", path, (unsigned)st.st_uid,
		    (unsigned)geteuid(), (unsigned)geteuid(), path);
	if ((st.st_mode & 077) != 0 && !in_credentials_dir(path))
		return bs_fail(err, BS_ERR_KEY_PERMS,
		    "the key file %s can be read or changed by other users (mode %04o): "
		    "run 'chmod 600 %s'", path, (unsigned)(st.st_mode & 07777), path);
	return BS_OK;
}

/* Create a new key file with O_EXCL|O_NOFOLLOW, mode 0600: 64 hex digits
 * and a newline.  key: guarded memory, filled with the new key. */
static bs_rc
create_keyfile(const char *path, unsigned char *key, struct bs_error *err)
{
	char *hex = sodium_malloc(65 + 1);
	size_t left;
	const char *p;
	int fd = -1;
	bs_rc rc = BS_OK;

	if (hex == NULL)
		return bs_fail(err, BS_ERR_NOMEM, "out of guarded memory");
	randombytes_buf(key, 32);
	sodium_bin2hex(hex, 65, key, 32);
	hex[64] = '\n';
	hex[65] = '\0';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = bs_fail(err, BS_ERR_IO, "cannot create the key file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) < 0) {
		rc = bs_fail(err, BS_ERR_IO, "cannot set the mode of %s: %s", path, strerror(errno));
		goto fail;
	}
	for (p = hex, left = 65; left > 0;) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = bs_fail(err, BS_ERR_IO, "cannot write the key file %s: %s", path,
			    strerror(errno));
			goto fail;
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) < 0) {
		rc = bs_fail(err, BS_ERR_IO, "cannot flush the key file %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	close(fd);
	fd = -1;
	goto out;
fail:
	close(fd);
	unlink(path);
out:
	sodium_free(hex);
	return rc;
}

/* Read the key file into key (guarded memory, 32 bytes).  When create is
 * set and the file is missing, a new one is made (*created = 1). */
static bs_rc
load_keyfile(const char *path, int create, unsigned char *key, int *created,
    struct bs_error *err)
{
	unsigned char *buf = NULL;
	size_t n = 0;
	int fd;
	bs_rc rc;

	if (created != NULL)
		*created = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		rc = create_keyfile(path, key, err);
		if (rc == BS_OK && created != NULL)
			*created = 1;
		return rc;
	}
	if (fd < 0) {
		if (errno == ENOENT)
			return bs_fail(err, BS_ERR_VAULT_PASSPHRASE, "the key file %s does not exist",
			    path);
		if (errno == ELOOP)
			return bs_fail(err, BS_ERR_KEY_PERMS,
			    "the key file %s is a symbolic link; it must be a regular file", path);
		return bs_fail(err, BS_ERR_IO, "cannot open the key file %s: %s", path,
		    strerror(errno));
	}
	rc = check_keyfile_fd(fd, path, err);
	if (rc != BS_OK)
		goto out;
	buf = sodium_malloc(KEYFILE_READ_MAX);
	if (buf == NULL) {
		rc = bs_fail(err, BS_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	while (n < KEYFILE_READ_MAX) {
		ssize_t r = read(fd, buf + n, KEYFILE_READ_MAX - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = bs_fail(err, BS_ERR_IO, "cannot read the key file %s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n >= KEYFILE_READ_MAX || parse_keyfile(buf, n, key) < 0)
		rc = bs_fail(err, BS_ERR_VAULT_PASSPHRASE,
		    "%s is not a bobsync key file (expected 64 hex digits or 32 bytes)", path);
out:
	if (buf != NULL)
		sodium_free(buf);
	close(fd);
	return rc;
}

/* ---- the vault object ---- */

static struct vault *
vault_alloc(const char *path)
{
	struct vault *v = xcalloc(1, sizeof *v);

	v->path = xstrdup(path);
	v->dek = sodium_malloc(DEK_LEN);
	if (v->dek == NULL) {
		free(v->path);
		free(v);
		return NULL;
	}
	return v;
}

void
vault_close(struct vault **vp)
{
	struct vault *v;

	if (vp == NULL || *vp == NULL)
		return;
	v = *vp;
	for (int k = 0; k < VAULT_NKEYS; k++)
		if (v->val[k] != NULL)
			sodium_free(v->val[k]);	/* wipes before freeing */
	sodium_free(v->dek);
	free(v->path);
	sodium_memzero(v, sizeof *v);
	free(v);
	*vp = NULL;
}

/* Register v's secrets (and the Basic-auth pairs they form) for masking. */
static void
register_secrets(const struct vault *v)
{
	const char *id = v->val[VAULT_HIBOB_ID], *tok = v->val[VAULT_HIBOB_TOKEN];
	const char *cid = v->val[VAULT_ALLEO_CLIENT_ID], *csec = v->val[VAULT_ALLEO_CLIENT_SECRET];

	for (int k = 0; k < VAULT_NKEYS; k++)
		if (v->val[k] != NULL)
			log_register_secret(v->val[k]);
	if (id != NULL && tok != NULL)
		log_register_basic_auth(id, tok);
	if (v->val[VAULT_ASSEMBLED_KEY] != NULL)
		log_register_basic_auth(v->val[VAULT_ASSEMBLED_KEY], "");
	if (cid != NULL && csec != NULL)
		log_register_basic_auth(cid, csec);
}

static bs_rc
init_sodium(struct bs_error *err)
{
	if (sodium_init() < 0)
		return bs_fail(err, BS_ERR_INTERNAL, "cannot initialise libsodium");
	return BS_OK;
}

bs_rc
vault_set_passphrase(struct vault *v, const char *passphrase, struct bs_error *err)
{
	struct pass_slot s;
	unsigned char *kek = NULL;
	bs_rc rc;

	if (v == NULL || str_empty(passphrase))
		return bs_fail(err, BS_ERR_INVALID, "an empty passphrase cannot protect the vault");
	if ((rc = init_sodium(err)) != BS_OK)
		return rc;
	kek = sodium_malloc(KEK_LEN);
	if (kek == NULL)
		return bs_fail(err, BS_ERR_NOMEM, "out of guarded memory");
	memset(&s, 0, sizeof s);
	kdf_params(&s.ops, &s.mem);
	randombytes_buf(s.salt, SALT_LEN);
	rc = pass_kek(passphrase, &s, kek, err);
	if (rc != BS_OK)
		goto out;
	if (wrap_dek(v->dek, kek, SLOT_PASS, &s, s.nonce, s.wrapped) != 0) {
		rc = bs_fail(err, BS_ERR_INTERNAL, "cannot wrap the vault key");
		goto out;
	}
	v->pass = s;
	v->has_pass = 1;
out:
	sodium_free(kek);
	return rc;
}

bs_rc
vault_set_key_file(struct vault *v, const char *key_file, struct bs_error *err)
{
	unsigned char *key = NULL, *kek = NULL;
	struct file_slot s;
	int created = 0;
	bs_rc rc;

	if (v == NULL || str_empty(key_file))
		return bs_fail(err, BS_ERR_INVALID, "no key file given");
	if ((rc = init_sodium(err)) != BS_OK)
		return rc;
	key = sodium_malloc(32);
	kek = sodium_malloc(KEK_LEN);
	if (key == NULL || kek == NULL) {
		rc = bs_fail(err, BS_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	rc = load_keyfile(key_file, 1, key, &created, err);
	if (rc != BS_OK)
		goto out;
	file_kek(key, kek);
	if (wrap_dek(v->dek, kek, SLOT_FILE, NULL, s.nonce, s.wrapped) != 0) {
		rc = bs_fail(err, BS_ERR_INTERNAL, "cannot wrap the vault key");
		goto out;
	}
	v->file = s;
	v->has_file = 1;
	if (created)
		log_info("created the key file %s (mode 0600)", key_file);
out:
	if (key != NULL)
		sodium_free(key);
	if (kek != NULL)
		sodium_free(kek);
	return rc;
}

bs_rc
vault_rekey(struct vault *v, const char *passphrase, const char *key_file,
    struct bs_error *err)
{
	unsigned char *old_dek = NULL;
	struct pass_slot old_pass = v != NULL ? v->pass : (struct pass_slot){ 0 };
	struct file_slot old_file = v != NULL ? v->file : (struct file_slot){ 0 };
	int old_has_pass = v != NULL && v->has_pass, old_has_file = v != NULL && v->has_file;
	char *tmp = NULL;
	bs_rc rc;

	if (v == NULL || v->path == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no vault to rekey");
	if (str_empty(passphrase) && str_empty(key_file))
		return bs_fail(err, BS_ERR_INVALID,
		    "the vault needs a passphrase or a key file to protect it");
	if ((rc = init_sodium(err)) != BS_OK)
		return rc;
	old_dek = sodium_malloc(DEK_LEN);
	if (old_dek == NULL)
		return bs_fail(err, BS_ERR_NOMEM, "out of guarded memory");
	memcpy(old_dek, v->dek, DEK_LEN);
	randombytes_buf(v->dek, DEK_LEN);
	v->has_pass = v->has_file = 0;
	if (!str_empty(passphrase)) {
		rc = vault_set_passphrase(v, passphrase, err);
		if (rc != BS_OK)
			goto undo;
	}
	if (!str_empty(key_file)) {
		/* the new key goes beside the old one until the vault is saved:
		 * a crash in between leaves both, never a vault nothing opens */
		tmp = xasprintf("%s.new", key_file);
		if (unlink(tmp) < 0 && errno != ENOENT) {
			rc = bs_fail(err, BS_ERR_IO, "cannot remove %s: %s", tmp, strerror(errno));
			goto undo;
		}
		rc = vault_set_key_file(v, tmp, err);
		if (rc != BS_OK)
			goto undo;
	}
	rc = vault_save(v, err);
	if (rc != BS_OK)
		goto undo;
	if (tmp != NULL && rename(tmp, key_file) < 0) {
		rc = bs_fail(err, BS_ERR_IO, "the vault now opens only with the new key file %s, "
		    "which could not be renamed to %s: %s; rename it by hand", tmp, key_file,
		    strerror(errno));
		goto out;
	}
	goto out;
undo:
	memcpy(v->dek, old_dek, DEK_LEN);
	v->pass = old_pass;
	v->file = old_file;
	v->has_pass = old_has_pass;
	v->has_file = old_has_file;
	if (tmp != NULL)
		unlink(tmp);
out:
	sodium_memzero(&old_pass, sizeof old_pass);
	sodium_free(old_dek);
	free(tmp);
	return rc;
}

bs_rc
vault_remove_passphrase(struct vault *v, struct bs_error *err)
{
	if (v == NULL)
		return bs_fail(err, BS_ERR_INVALID, "no vault");
	if (!v->has_pass)
		return BS_OK;
	if (!v->has_file)
		return bs_fail(err, BS_ERR_INVALID,
		    "the passphrase is the only way to unlock the vault: add a key file first");
	sodium_memzero(&v->pass, sizeof v->pass);
	v->has_pass = 0;
	return BS_OK;
}

bs_rc
vault_create(const char *path, const struct vault_unlock *how, struct vault **out,
    struct bs_error *err)
{
	struct vault *v = NULL;
	bs_rc rc;

	if (out == NULL)
		return bs_fail(err, BS_ERR_INVALID, "vault_create: no result pointer");
	*out = NULL;
	if (how == NULL || (str_empty(how->passphrase) && str_empty(how->key_file)))
		return bs_fail(err, BS_ERR_INVALID,
		    "a new vault needs a passphrase or a key file to protect it");
	if ((rc = init_sodium(err)) != BS_OK)
		return rc;
	v = vault_alloc(path);
	if (v == NULL)
		return bs_fail(err, BS_ERR_NOMEM, "out of guarded memory");
	randombytes_buf(v->dek, DEK_LEN);
	if (!str_empty(how->passphrase)) {
		rc = vault_set_passphrase(v, how->passphrase, err);
		if (rc != BS_OK)
			goto fail;
	}
	if (!str_empty(how->key_file)) {
		rc = vault_set_key_file(v, how->key_file, err);
		if (rc != BS_OK)
			goto fail;
	}
	*out = v;
	return BS_OK;
fail:
	vault_close(&v);
	return rc;
}

/* Decode the payload into v (whose table came from h). */
static bs_rc
parse_payload(struct vault *v, const struct header *h, const unsigned char *pt, size_t n,
    const char *name, struct bs_error *err)
{
	struct reader r = { pt, n, 0 };
	uint64_t count;

	if (rd_uint(&r, 1, &count) < 0 || count != (uint64_t)h->nsecrets)
		return corrupt(err, name, "secrets do not match the table");
	for (int i = 0; i < h->nsecrets; i++) {
		uint64_t id, len;
		const unsigned char *s;
		if (rd_uint(&r, 1, &id) < 0 || id != h->ids[i] || rd_uint(&r, 2, &len) < 0)
			return corrupt(err, name, "secrets do not match the table");
		if (len == 0 || len > VAULT_SECRET_MAX || rd_take(&r, len, &s) < 0 ||
		    memchr(s, '\0', len) != NULL)
			return corrupt(err, name, "bad secret length");
		v->val[id] = sodium_malloc(len + 1);
		if (v->val[id] == NULL)
			return bs_fail(err, BS_ERR_NOMEM, "out of guarded memory");
		memcpy(v->val[id], s, len);
		v->val[id][len] = '\0';
		v->stored_at[id] = h->stored_at[id];
	}
	if (r.off != n)
		return corrupt(err, name, "extra bytes after the secrets");
	return BS_OK;
}

static void strengthen_pass_slot(struct vault *v, const char *passphrase, const char *name);

static bs_rc
open_bytes(const unsigned char *data, size_t len, const char *path, const char *name,
    const struct vault_unlock *how, struct vault **out, struct bs_error *err)
{
	struct header h;
	struct vault *v = NULL;
	unsigned char *kek = NULL, *key = NULL, *pt = NULL;
	size_t ptlen = 0;
	unsigned long long mlen;
	int unlocked = 0, tried_file = 0, tried_pass = 0;
	const char *kf = how ? how->key_file : NULL, *pw = how ? how->passphrase : NULL;
	bs_rc rc;

	*out = NULL;
	if ((rc = init_sodium(err)) != BS_OK)
		return rc;
	rc = parse_header(data, len, name, &h, err);
	if (rc != BS_OK)
		return rc;
	if (str_empty(kf) && str_empty(pw))
		return bs_fail(err, BS_ERR_VAULT_PASSPHRASE,
		    "no passphrase or key file was given to unlock %s", name);
	v = vault_alloc(path);
	kek = sodium_malloc(KEK_LEN);
	if (v == NULL || kek == NULL) {
		rc = bs_fail(err, BS_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	/* the key file first: it costs nothing, the passphrase costs Argon2id */
	if (!str_empty(kf) && h.has_file) {
		key = sodium_malloc(32);
		if (key == NULL) {
			rc = bs_fail(err, BS_ERR_NOMEM, "out of guarded memory");
			goto out;
		}
		rc = load_keyfile(kf, 0, key, NULL, err);
		if (rc != BS_OK)
			goto out;
		file_kek(key, kek);
		tried_file = 1;
		unlocked = unwrap_dek(v->dek, kek, SLOT_FILE, NULL, h.file.nonce,
		    h.file.wrapped) == 0;
	}
	if (!unlocked && !str_empty(pw) && h.has_pass) {
		rc = pass_kek(pw, &h.pass, kek, err);
		if (rc != BS_OK)
			goto out;
		tried_pass = 1;
		unlocked = unwrap_dek(v->dek, kek, SLOT_PASS, &h.pass, h.pass.nonce,
		    h.pass.wrapped) == 0;
	}
	if (!unlocked) {
		if (tried_file && tried_pass)
			rc = bs_fail(err, BS_ERR_VAULT_PASSPHRASE,
			    "neither the passphrase nor the key file %s unlocks %s", kf, name);
		else if (tried_file)
			rc = bs_fail(err, BS_ERR_VAULT_PASSPHRASE,
			    "the key file %s does not unlock %s", kf, name);
		else if (tried_pass)
			rc = bs_fail(err, BS_ERR_VAULT_PASSPHRASE, "wrong passphrase for %s", name);
		else if (h.has_pass)
			rc = bs_fail(err, BS_ERR_VAULT_PASSPHRASE,
			    "%s is protected by a passphrase, not by a key file", name);
		else
			rc = bs_fail(err, BS_ERR_VAULT_PASSPHRASE,
			    "%s is protected by a key file, not by a passphrase", name);
		goto out;
	}
	ptlen = h.ctlen - TAG_LEN;
	pt = sodium_malloc(ptlen + 1);
	if (pt == NULL) {
		rc = bs_fail(err, BS_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &mlen, NULL, h.ct, h.ctlen, data,
	    h.adlen, h.nonce, v->dek) != 0 || mlen != ptlen) {
		rc = corrupt(err, name, "the contents fail authentication: tampered or damaged");
		goto out;
	}
	rc = parse_payload(v, &h, pt, ptlen, name, err);
	if (rc != BS_OK)
		goto out;
	v->has_pass = h.has_pass;
	v->pass = h.pass;
	v->has_file = h.has_file;
	v->file = h.file;
	register_secrets(v);
	if (tried_pass && h.has_pass && v->path != NULL)
		strengthen_pass_slot(v, pw, name);
	*out = v;
	v = NULL;
out:
	if (pt != NULL)
		sodium_free(pt);
	if (key != NULL)
		sodium_free(key);
	if (kek != NULL)
		sodium_free(kek);
	vault_close(&v);
	return rc;
}

/* A passphrase slot made with cheaper Argon2id limits than new slots get
 * (an old vault, or one a test build made): warned about and wrapped again
 * with the current limits.  The vault stays open if that cannot be saved
 * (a read-only folder). */
static void
strengthen_pass_slot(struct vault *v, const char *passphrase, const char *name)
{
	struct pass_slot old = v->pass;
	struct bs_error e = { 0 };
	uint32_t ops;
	uint64_t mem;

	kdf_params(&ops, &mem);
	if (v->pass.ops >= ops && v->pass.mem >= mem)
		return;
	log_warn("the passphrase slot of %s uses weaker Argon2id limits (%u passes, %llu KiB) "
	    "than the default (%u, %llu KiB); wrapping it again", name, (unsigned)v->pass.ops,
	    (unsigned long long)(v->pass.mem / 1024), (unsigned)ops,
	    (unsigned long long)(mem / 1024));
	if (vault_set_passphrase(v, passphrase, &e) != BS_OK || vault_save(v, &e) != BS_OK) {
		v->pass = old;
		log_warn("could not strengthen %s: %s", name, bs_error_text(&e));
	}
}

bs_rc
vault_open_mem(const unsigned char *data, size_t len, const struct vault_unlock *how,
    struct vault **out, struct bs_error *err)
{
	if (out == NULL)
		return bs_fail(err, BS_ERR_INVALID, "vault_open_mem: no result pointer");
	return open_bytes(data, len, NULL, "the vault", how, out, err);
}

/* Read the vault file: BS_ERR_VAULT_MISSING when there is none. */
static bs_rc
read_vault_file(const char *path, int warn_mode, char **buf, size_t *len,
    struct bs_error *err)
{
	struct stat st;
	int fd;
	bs_rc rc;

	*buf = NULL;
	*len = 0;
	if (str_empty(path))
		return bs_fail(err, BS_ERR_INVALID, "no vault path");
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return bs_fail(err, BS_ERR_VAULT_MISSING, "no vault at %s", path);
		return bs_fail(err, BS_ERR_IO, "cannot read %s: %s", path, strerror(errno));
	}
	if (S_ISLNK(st.st_mode))
		return bs_fail(err, BS_ERR_KEY_PERMS, "the vault %s is a symbolic link; put the "
		    "real file there (mode 0600)", path);
	if (!S_ISREG(st.st_mode))
		return corrupt(err, path, "not a regular file");
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return bs_fail(err, BS_ERR_VAULT_MISSING, "no vault at %s", path);
		return bs_fail(err, errno == ELOOP ? BS_ERR_KEY_PERMS : BS_ERR_IO,
		    "cannot open %s: %s", path, strerror(errno));
	}
	/* owned by us or root: a vault someone else wrote could hold their
	 * base URL's credentials or be swapped at will */
	rc = paths_check_file_fd(fd, "the vault", path, 0, err);
	if (rc != BS_OK) {
		close(fd);
		if (err != NULL)
			err->rc = BS_ERR_KEY_PERMS;
		return BS_ERR_KEY_PERMS;
	}
	if (fstat(fd, &st) == 0 && warn_mode && (st.st_mode & 077) != 0)
		log_warn("%s can be read by other users (mode %04o); it is encrypted, but "
		    "run 'chmod 600 %s' (bobsync writes it 0600)", path,
		    (unsigned)(st.st_mode & 07777), path);
	rc = util_read_fd(fd, path, VAULT_FILE_MAX, buf, len, err);
	close(fd);
	if (rc == BS_ERR_TOO_LARGE)
		return corrupt(err, path, "far larger than any vault");
	if (rc == BS_ERR_NOT_FOUND)
		return bs_fail(err, BS_ERR_VAULT_MISSING, "no vault at %s", path);
	return rc;
}

bs_rc
vault_open(const char *path, const struct vault_unlock *how, struct vault **out,
    struct bs_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	bs_rc rc;

	if (out == NULL)
		return bs_fail(err, BS_ERR_INVALID, "vault_open: no result pointer");
	*out = NULL;
	rc = read_vault_file(path, 1, &buf, &len, err);
	if (rc == BS_OK)
		rc = open_bytes((const unsigned char *)buf, len, path, path, how, out, err);
	free(buf);
	return rc;
}

bs_rc
vault_info(const char *path, struct vault_info *info, struct bs_error *err)
{
	struct header h;
	char *buf = NULL;
	size_t len = 0;
	bs_rc rc;

	if (info == NULL)
		return bs_fail(err, BS_ERR_INVALID, "vault_info: no result pointer");
	memset(info, 0, sizeof *info);
	rc = read_vault_file(path, 0, &buf, &len, err);
	if (rc == BS_ERR_VAULT_MISSING) {
		bs_error_clear(err);
		return BS_OK;
	}
	if (rc != BS_OK && rc != BS_ERR_VAULT_CORRUPT)
		return rc;
	info->exists = 1;
	if (rc == BS_OK)
		rc = parse_header((const unsigned char *)buf, len, path, &h, err);
	else
		memset(&h, 0, sizeof h);
	free(buf);
	info->version = h.version;
	if (rc != BS_OK)
		return rc;
	info->has_passphrase_slot = h.has_pass;
	info->has_keyfile_slot = h.has_file;
	for (int k = 0; k < VAULT_NKEYS; k++)
		info->stored_at[k] = h.stored_at[k];
	return BS_OK;
}

const char *
vault_get(const struct vault *v, enum vault_key k)
{
	if (v == NULL || (unsigned)k >= VAULT_NKEYS)
		return NULL;
	return v->val[k];
}

int64_t
vault_stored_at(const struct vault *v, enum vault_key k)
{
	if (v == NULL || (unsigned)k >= VAULT_NKEYS || v->val[k] == NULL)
		return 0;
	return v->stored_at[k];
}

bs_rc
vault_set(struct vault *v, enum vault_key k, const char *value, int64_t now,
    struct bs_error *err)
{
	size_t len;
	char *copy;
	int64_t t;

	if (v == NULL || (unsigned)k >= VAULT_NKEYS)
		return bs_fail(err, BS_ERR_INVALID, "vault_set: no vault or unknown secret");
	if (value == NULL) {
		if (v->val[k] != NULL)
			sodium_free(v->val[k]);
		v->val[k] = NULL;
		v->stored_at[k] = 0;
		v->generation++;
		return BS_OK;
	}
	len = strlen(value);
	if (len == 0)
		return bs_fail(err, BS_ERR_INVALID, "the %s is empty", key_titles[k]);
	if (len > VAULT_SECRET_MAX)
		return bs_fail(err, BS_ERR_INVALID, "the %s is longer than %d bytes",
		    key_titles[k], VAULT_SECRET_MAX);
	copy = sodium_malloc(len + 1);
	if (copy == NULL)
		return bs_fail(err, BS_ERR_NOMEM, "out of guarded memory");
	memcpy(copy, value, len + 1);
	if (v->val[k] != NULL)
		sodium_free(v->val[k]);
	v->val[k] = copy;
	t = now > 0 ? now : clock_now();
	if (t <= 0)
		t = 1;
	/* a replaced secret always gets a later time, even within the same
	 * second: the time tells it from the one before (jobs.c proves each
	 * stored secret once) */
	if (t <= v->stored_at[k])
		t = v->stored_at[k] + 1;
	v->stored_at[k] = t;
	v->generation++;
	register_secrets(v);
	return BS_OK;
}

unsigned long
vault_generation(const struct vault *v)
{
	return v != NULL ? v->generation : 0;
}

bs_rc
vault_store(struct vault *v, const enum vault_key *keys, const char *const *values, size_t n,
    int64_t now, struct bs_error *err)
{
	char *old[VAULT_NKEYS] = { NULL };
	int64_t old_at[VAULT_NKEYS] = { 0 };
	int saved[VAULT_NKEYS] = { 0 };
	bs_rc rc = BS_OK;
	size_t i;

	if (v == NULL || n == 0 || n > VAULT_NKEYS)
		return bs_fail(err, BS_ERR_INVALID, "vault_store: no vault or no secret");
	/* every value is checked before anything changes */
	for (i = 0; i < n; i++) {
		if ((unsigned)keys[i] >= VAULT_NKEYS)
			return bs_fail(err, BS_ERR_INVALID, "vault_store: unknown secret");
		if (values[i] != NULL && values[i][0] == '\0')
			return bs_fail(err, BS_ERR_INVALID, "the %s is empty; nothing was stored",
			    key_titles[keys[i]]);
		if (values[i] != NULL && strlen(values[i]) > VAULT_SECRET_MAX)
			return bs_fail(err, BS_ERR_INVALID, "the %s is longer than %d bytes; nothing "
			    "was stored", key_titles[keys[i]], VAULT_SECRET_MAX);
	}
	for (i = 0; i < n && rc == BS_OK; i++) {
		enum vault_key k = keys[i];
		if (!saved[k]) {
			/* the value before, to go back to when the save fails */
			saved[k] = 1;
			old_at[k] = v->stored_at[k];
			if (v->val[k] != NULL) {
				size_t len = strlen(v->val[k]);
				if ((old[k] = sodium_malloc(len + 1)) == NULL) {
					rc = bs_fail(err, BS_ERR_NOMEM, "out of guarded memory");
					break;
				}
				memcpy(old[k], v->val[k], len + 1);
			}
		}
		rc = vault_set(v, k, values[i], now, err);	/* registers it with the masker */
	}
	if (rc == BS_OK)
		rc = vault_save(v, err);
	for (int k = 0; k < VAULT_NKEYS; k++) {
		if (!saved[k])
			continue;
		if (rc != BS_OK) {
			/* not saved: the secrets are as they were */
			if (v->val[k] != NULL)
				sodium_free(v->val[k]);
			v->val[k] = old[k];
			v->stored_at[k] = old_at[k];
			v->generation++;
		} else if (old[k] != NULL)
			sodium_free(old[k]);
	}
	return rc;
}

bs_rc
vault_save(struct vault *v, struct bs_error *err)
{
	struct strbuf sb;
	unsigned char nonce[NONCE_LEN];
	unsigned char *pt = NULL, *ct = NULL;
	unsigned long long clen;
	size_t ptlen = 1, off = 0;
	bs_rc rc = BS_OK;

	if (v == NULL || v->path == NULL)
		return bs_fail(err, BS_ERR_INVALID, "this vault has no file to save to");
	if (!v->has_pass && !v->has_file)
		return bs_fail(err, BS_ERR_INVALID, "the vault has no passphrase or key file");
	if ((rc = init_sodium(err)) != BS_OK)
		return rc;
	for (int k = 0; k < VAULT_NKEYS; k++)
		if (v->val[k] != NULL)
			ptlen += 3 + strlen(v->val[k]);
	pt = sodium_malloc(ptlen);
	if (pt == NULL)
		return bs_fail(err, BS_ERR_NOMEM, "out of guarded memory");
	pt[off++] = 0;
	for (int k = 0; k < VAULT_NKEYS; k++) {
		size_t n;
		if (v->val[k] == NULL)
			continue;
		n = strlen(v->val[k]);
		pt[0]++;
		pt[off++] = (unsigned char)k;
		le_put(pt + off, n, 2);
		off += 2;
		memcpy(pt + off, v->val[k], n);
		off += n;
	}
	randombytes_buf(nonce, sizeof nonce);
	sb_init(&sb, 0);
	sb_header(&sb, v, nonce, ptlen);
	ct = xmalloc(ptlen + TAG_LEN);
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &clen, pt, ptlen,
	    (const unsigned char *)sb.buf, sb.len, NULL, nonce, v->dek) != 0) {
		rc = bs_fail(err, BS_ERR_INTERNAL, "cannot encrypt the vault");
		goto out;
	}
	sb_append(&sb, ct, (size_t)clen);
	rc = util_write_atomic(v->path, sb.buf, sb.len, 0600, err);
out:
	sodium_free(pt);
	free(ct);
	sb_clear(&sb);
	return rc;
}
