/* alleo_csv.c - Alleo's CSV pickup file, written locally or over SFTP.
 *
 * The file (for the man page):
 *
 *   Name     alleo.csv_name (default alleo_employees_current.csv) in the
 *            folder alleo.csv_target.  Exactly one file; Alleo processes
 *            every alleo_employees_*.csv it finds.
 *   Encoding UTF-8 without a byte order mark; lines end in CRLF (RFC 4180).
 *   Header   Email,First name,Last name,Onboarding date,Offboarding date,
 *            external_id: Alleo's own default import column names
 *            (targets-api.md B.5/B.6), then one column per budget field
 *            sent, named exactly like the HiBob field
 *            (alleo_monthly_all_budget, ...).  Alleo maps other spellings
 *            on request; external_id and the budget columns are theirs to
 *            confirm when the integration is set up.
 *   Cells    comma-separated; a cell holding a comma, a double quote, a
 *            line break or leading/trailing blanks is put in double quotes
 *            with inner quotes doubled.  Dates are YYYY-MM-DD.  Amounts
 *            have a dot and two decimals (1234.50), whatever the locale.
 *            A person without a value has an empty cell.
 *   Rows     one per email (Alleo's key, unique per file: the plan holds a
 *            second person with the same email); every active person in Alleo; leavers with their offboarding
 *            date, kept for 30 days after that date so a missed pickup
 *            still deactivates them; people with a known future last day
 *            carry it in advance.  external_id is the HiBob employee id,
 *            so Alleo follows email changes.
 *
 * Replacement is atomic: a local file is written to ".<name>.tmp.XXXXXX"
 * and renamed; over SFTP the data goes to ".<name>.tmp" and is renamed on
 * the server once complete (an existing file is removed first, as SFTP v3
 * servers refuse to rename over a file).  Neither temporary name matches
 * alleo_employees_*.csv, so Alleo never picks up half a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <math.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "vendor/alleo_csv.h"
#include "config/conf.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/util.h"

#define CSV_PATTERN "alleo_employees_*.csv"
#define SFTP_CONNECT_TIMEOUT_MS 15000L
#define SFTP_TIMEOUT_MS 300000L
#define SFTP_LIST_MAX (1024 * 1024)
#define CSV_FILE_MODE 0600	/* personal data: the owner only */

/* ---- formatting ---- */

static int
needs_quotes(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return 0;
	if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
		return 1;
	return strpbrk(s, ",\"\r\n") != NULL;
}

static void
put_cell(struct strbuf *sb, const char *s, int first)
{
	if (!first)
		sb_puts(sb, ",");
	if (s == NULL)
		return;
	if (!needs_quotes(s)) {
		sb_puts(sb, s);
		return;
	}
	sb_puts(sb, "\"");
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			sb_puts(sb, "\"");
		sb_append(sb, p, 1);
	}
	sb_puts(sb, "\"");
}

/* "1234.50": dot and two decimals in any locale; "" when not finite. */
static void
format_amount(double v, char out[48])
{
	long long cents;
	const char *sign = "";

	out[0] = '\0';
	if (!isfinite(v) || fabs(v) > 1e15)
		return;
	cents = llround(v * 100.0);
	if (cents < 0) {
		sign = "-";
		cents = -cents;
	}
	snprintf(out, 48, "%s%lld.%02lld", sign, cents / 100, cents % 100);
}

char *
alleo_csv_format(const char *const *budget_names, size_t nbudget,
    const struct alleo_csv_row *rows, size_t n, size_t *len)
{
	static const char *const head[] = {
		"Email", "First name", "Last name", "Onboarding date", "Offboarding date",
		"external_id"
	};
	struct strbuf sb;

	sb_init(&sb, 0);
	for (size_t i = 0; i < ARRAY_LEN(head); i++)
		put_cell(&sb, head[i], i == 0);
	for (size_t i = 0; i < nbudget; i++)
		put_cell(&sb, budget_names[i], 0);
	sb_puts(&sb, "\r\n");
	for (size_t r = 0; r < n; r++) {
		const struct alleo_csv_row *x = &rows[r];
		json_t *b = NULL;

		put_cell(&sb, x->email, 1);
		put_cell(&sb, x->first_name, 0);
		put_cell(&sb, x->last_name, 0);
		put_cell(&sb, x->onboarding_date, 0);
		put_cell(&sb, x->offboarding_date, 0);
		put_cell(&sb, x->external_id, 0);
		if (nbudget > 0 && x->budgets_json != NULL)
			b = json_loads(x->budgets_json, 0, NULL);
		for (size_t i = 0; i < nbudget; i++) {
			json_t *v = json_is_object(b) ? json_object_get(b, budget_names[i]) : NULL;
			char amount[48] = "";
			if (json_is_number(v))
				format_amount(json_number_value(v), amount);
			put_cell(&sb, amount, 0);
		}
		json_decref(b);
		sb_puts(&sb, "\r\n");
	}
	if (len != NULL)
		*len = sb.len;
	return sb_detach(&sb);
}

int
alleo_csv_name_matches(const char *name)
{
	return name != NULL && fnmatch(CSV_PATTERN, name, FNM_PERIOD) == 0;
}

char *
alleo_csv_temp_name(const char *name)
{
	return xasprintf(".%s.tmp", name ? name : "");
}

/* ---- local folder ---- */

bs_rc
alleo_csv_write_local(const char *folder, const char *name, const char *data, size_t len,
    struct bs_error *err)
{
	struct stat st;
	char *path;
	bs_rc rc;

	if (str_empty(folder) || str_empty(name) || strchr(name, '/') != NULL)
		return bs_fail(err, BS_ERR_INVALID, "no folder or file name for the Alleo CSV");
	if (stat(folder, &st) != 0 || !S_ISDIR(st.st_mode))
		return bs_fail(err, BS_ERR_IO, "the Alleo CSV folder %s does not exist%s", folder,
		    errno == EACCES ? " or cannot be reached" : "");
	path = xasprintf("%s%s%s", folder, folder[strlen(folder) - 1] == '/' ? "" : "/", name);
	/* util_write_atomic's temporary ".<name>.tmp.XXXXXX" starts with a
	 * dot, so it never matches alleo_employees_*.csv */
	rc = util_write_atomic(path, data, len, CSV_FILE_MODE, err);
	if (rc != BS_OK)
		bs_error_prefix(err, "writing the Alleo CSV");
	free(path);
	return rc;
}

static bs_rc
check_local(const char *folder, struct bs_error *err)
{
	struct stat st;
	char *tmp;
	int fd;

	if (stat(folder, &st) != 0)
		return bs_fail(err, BS_ERR_IO, "the folder %s does not exist (%s): create it or fix "
		    "alleo.csv_target", folder, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return bs_fail(err, BS_ERR_IO, "%s is not a folder: fix alleo.csv_target", folder);
	tmp = xasprintf("%s%s.bobsync-check.XXXXXX", folder,
	    folder[strlen(folder) - 1] == '/' ? "" : "/");
	fd = mkstemp(tmp);
	if (fd < 0) {
		bs_rc rc = bs_fail(err, BS_ERR_IO, "bobsync cannot write in %s (%s): give the user "
		    "that runs it write access", folder, strerror(errno));
		free(tmp);
		return rc;
	}
	close(fd);
	unlink(tmp);
	free(tmp);
	return BS_OK;
}

/* ---- SFTP ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void
curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sftp_url {
	char *base;		/* sftp://user@host:port/path/ with a trailing slash */
	char *path;		/* /path/ decoded, with a trailing slash */
};

static void
sftp_url_clear(struct sftp_url *u)
{
	free(u->base);
	free(u->path);
	memset(u, 0, sizeof *u);
}

static char *
local_user(void)
{
	struct passwd *pw = getpwuid(geteuid());
	return xstrdup(pw && pw->pw_name ? pw->pw_name : "bobsync");
}

/* Split and check sftp://[user@]host[:port]/path[/]; the user defaults to
 * the local one (libssh2 needs a name). */
static bs_rc
sftp_url_parse(const char *url, struct sftp_url *out, struct bs_error *err)
{
	const char *auth, *slash;
	char *decoded = NULL, *user = NULL;
	int dlen = 0;
	CURL *h;

	memset(out, 0, sizeof *out);
	if (url == NULL || strncmp(url, "sftp://", 7) != 0)
		return bs_fail(err, BS_ERR_CONFIG, "not an sftp:// address");
	auth = url + 7;
	slash = strchr(auth, '/');
	if (slash == NULL || slash == auth)
		return bs_fail(err, BS_ERR_CONFIG, "no host in %s; write sftp://host[:port]/path/", url);
	if (strpbrk(url, "\r\n\" ") != NULL)
		return bs_fail(err, BS_ERR_CONFIG, "the sftp:// address has quotes, blanks or line "
		    "breaks; percent-encode them");
	if (memchr(auth, '@', (size_t)(slash - auth)) == NULL)
		user = local_user();
	h = curl_easy_init();
	if (h == NULL)
		abort();
	decoded = curl_easy_unescape(h, slash, 0, &dlen);
	curl_easy_cleanup(h);
	if (decoded == NULL || (size_t)dlen != strlen(decoded) || strchr(decoded, '"') != NULL) {
		curl_free(decoded);
		free(user);
		return bs_fail(err, BS_ERR_CONFIG, "the path of %s cannot be used", url);
	}
	out->path = xasprintf("%s%s", decoded, decoded[dlen - 1] == '/' ? "" : "/");
	curl_free(decoded);
	if (user != NULL) {
		char *esc = url_escape(user);
		out->base = xasprintf("sftp://%s@%.*s%s%s", esc, (int)(slash - auth), auth, slash,
		    slash[strlen(slash) - 1] == '/' ? "" : "/");
		free(esc);
	} else {
		out->base = xasprintf("%s%s", url, url[strlen(url) - 1] == '/' ? "" : "/");
	}
	free(user);
	return BS_OK;
}

struct upload_src {
	const char *data;
	size_t len, off;
};

static size_t
read_cb(char *buf, size_t size, size_t nmemb, void *ctx)
{
	struct upload_src *s = ctx;
	size_t n = size * nmemb;

	if (n > s->len - s->off)
		n = s->len - s->off;
	memcpy(buf, s->data + s->off, n);
	s->off += n;
	return n;
}

static size_t
list_cb(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	struct strbuf *sb = ctx;
	size_t n = size * nmemb;

	if (sb_append(sb, ptr, n) != 0)
		return 0;	/* too long a listing: abort */
	return n;
}

#define SETOPT(opt, val) do {							\
		if (curl_easy_setopt(h, opt, val) != CURLE_OK) {		\
			rc = bs_fail(err, BS_ERR_INTERNAL, "libcurl refused " #opt);	\
			goto out;						\
		}								\
	} while (0)

/* The options every SFTP handle gets. */
static bs_rc
harden(CURL *h, const char *key, const char *known_hosts, char *errbuf,
    struct bs_error *err)
{
	bs_rc rc = BS_OK;

	if (str_empty(known_hosts))
		return bs_fail(err, BS_ERR_CONFIG, "alleo.sftp_known_hosts is not set: bobsync only "
		    "talks to an SFTP server whose host key is listed there (ssh-keyscan -p PORT "
		    "HOST >> FILE, then check the fingerprint with the server's owner)");
	if (str_empty(key))
		return bs_fail(err, BS_ERR_CONFIG, "alleo.sftp_key is not set: give the private key "
		    "file of the SFTP user");
	if (access(key, R_OK) != 0)
		return bs_fail(err, BS_ERR_CONFIG, "cannot read the SFTP key %s: %s", key,
		    strerror(errno));
	/* like the vault key file: ours or root's, no link, private */
	{
		int fd = open(key, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			return bs_fail(err, BS_ERR_CONFIG, "cannot open the SFTP key %s: %s%s", key,
			    strerror(errno), errno == ELOOP ? " (a symbolic link; name the real "
			    "file)" : "");
		rc = paths_check_file_fd(fd, "the SFTP key", key, 1, err);
		close(fd);
		if (rc != BS_OK)
			return rc;
	}
	if (access(known_hosts, R_OK) != 0)
		return bs_fail(err, BS_ERR_CONFIG, "cannot read the known hosts file %s: %s",
		    known_hosts, strerror(errno));
	SETOPT(CURLOPT_PROTOCOLS_STR, "sftp");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "sftp");
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, SFTP_CONNECT_TIMEOUT_MS);
	SETOPT(CURLOPT_TIMEOUT_MS, SFTP_TIMEOUT_MS);
	SETOPT(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SETOPT(CURLOPT_LOW_SPEED_TIME, 30L);
	SETOPT(CURLOPT_SSH_AUTH_TYPES, (long)CURLSSH_AUTH_PUBLICKEY);
	SETOPT(CURLOPT_SSH_PRIVATE_KEYFILE, key);
	/* unknown and changed host keys are refused: no key callback is set,
	 * so libcurl rejects anything but a match */
	SETOPT(CURLOPT_SSH_KNOWNHOSTS, known_hosts);
	SETOPT(CURLOPT_ERRORBUFFER, errbuf);
	SETOPT(CURLOPT_VERBOSE, 0L);
out:
	return rc;
}

static bs_rc
curl_failed(CURLcode cc, const char *errbuf, const char *what, struct bs_error *err)
{
	char *masked = log_mask(errbuf[0] ? errbuf : curl_easy_strerror(cc));
	bs_rc rc;

	util_strip_controls(masked);
	switch (cc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSH:
		if (strstr(masked, "known") != NULL || strstr(masked, "host key") != NULL ||
		    cc == CURLE_PEER_FAILED_VERIFICATION) {
			rc = bs_fail(err, BS_ERR_TLS, "%s: the SFTP server's host key is not the one "
			    "in alleo.sftp_known_hosts (%s); if the server's key really changed, "
			    "update that file after checking the new fingerprint", what, masked);
			break;
		}
		rc = bs_fail(err, BS_ERR_NETWORK, "%s: %s", what, masked);
		break;
	case CURLE_LOGIN_DENIED:
		rc = bs_fail(err, BS_ERR_AUTH, "%s: the SFTP server refused the key in alleo.sftp_key "
		    "(%s)", what, masked);
		break;
	case CURLE_REMOTE_FILE_NOT_FOUND:
	case CURLE_REMOTE_ACCESS_DENIED:
		rc = bs_fail(err, BS_ERR_FORBIDDEN, "%s: the folder of alleo.csv_target cannot be "
		    "used (%s)", what, masked);
		break;
	case CURLE_QUOTE_ERROR:
		rc = bs_fail(err, BS_ERR_REMOTE, "%s: the uploaded file could not be renamed into "
		    "place (%s)", what, masked);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		rc = bs_fail(err, BS_ERR_TIMEOUT, "%s: %s", what, masked);
		break;
	default:
		rc = bs_fail(err, BS_ERR_NETWORK, "%s: %s", what, masked);
		break;
	}
	free(masked);
	return rc;
}

bs_rc
alleo_sftp_upload(const char *folder_url, const char *name, const char *key,
    const char *known_hosts, const char *data, size_t len, struct bs_error *err)
{
	struct sftp_url u;
	struct upload_src src = { data, len, 0 };
	struct curl_slist *post = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	char *tmp = NULL, *url = NULL, *cmd;
	CURL *h = NULL;
	CURLcode cc;
	bs_rc rc;

	if (str_empty(name) || strchr(name, '/') != NULL || strchr(name, '"') != NULL)
		return bs_fail(err, BS_ERR_INVALID, "no usable file name for the Alleo CSV");
	rc = sftp_url_parse(folder_url, &u, err);
	if (rc != BS_OK)
		return rc;
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK) {
		rc = bs_fail(err, BS_ERR_INTERNAL, "libcurl could not start");
		goto out;
	}
	h = curl_easy_init();
	if (h == NULL)
		abort();
	rc = harden(h, key, known_hosts, errbuf, err);
	if (rc != BS_OK)
		goto out;
	tmp = alleo_csv_temp_name(name);
	{
		char *esc = url_escape(tmp);
		url = xasprintf("%s%s", u.base, esc);
		free(esc);
	}
	/* rm may fail (no file yet): the '*' lets the rename run anyway */
	cmd = xasprintf("*rm \"%s%s\"", u.path, name);
	post = curl_slist_append(post, cmd);
	free(cmd);
	cmd = xasprintf("rename \"%s%s\" \"%s%s\"", u.path, tmp, u.path, name);
	post = curl_slist_append(post, cmd);
	free(cmd);
	if (post == NULL)
		abort();
	SETOPT(CURLOPT_URL, url);
	SETOPT(CURLOPT_UPLOAD, 1L);
	SETOPT(CURLOPT_READFUNCTION, read_cb);
	SETOPT(CURLOPT_READDATA, &src);
	SETOPT(CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	SETOPT(CURLOPT_NEW_FILE_PERMS, (long)CSV_FILE_MODE);
	SETOPT(CURLOPT_POSTQUOTE, post);
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK)
		rc = curl_failed(cc, errbuf, "uploading the Alleo CSV", err);
	else if (src.off != len)
		rc = bs_fail(err, BS_ERR_NETWORK, "uploading the Alleo CSV: only %zu of %zu bytes "
		    "were sent", src.off, len);
out:
	curl_slist_free_all(post);
	if (h != NULL)
		curl_easy_cleanup(h);
	free(url);
	free(tmp);
	sftp_url_clear(&u);
	return rc;
}

bs_rc
alleo_sftp_list(const char *folder_url, const char *key, const char *known_hosts,
    char **names, struct bs_error *err)
{
	struct sftp_url u;
	struct strbuf sb;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *h = NULL;
	CURLcode cc;
	bs_rc rc;

	if (names != NULL)
		*names = NULL;
	rc = sftp_url_parse(folder_url, &u, err);
	if (rc != BS_OK)
		return rc;
	sb_init(&sb, SFTP_LIST_MAX);
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK) {
		rc = bs_fail(err, BS_ERR_INTERNAL, "libcurl could not start");
		goto out;
	}
	h = curl_easy_init();
	if (h == NULL)
		abort();
	rc = harden(h, key, known_hosts, errbuf, err);
	if (rc != BS_OK)
		goto out;
	SETOPT(CURLOPT_URL, u.base);
	SETOPT(CURLOPT_DIRLISTONLY, 1L);
	SETOPT(CURLOPT_WRITEFUNCTION, list_cb);
	SETOPT(CURLOPT_WRITEDATA, &sb);
	cc = curl_easy_perform(h);
	if (cc == CURLE_WRITE_ERROR)
		rc = bs_fail(err, BS_ERR_TOO_LARGE, "the SFTP folder listing is larger than %d bytes",
		    SFTP_LIST_MAX);
	else if (cc != CURLE_OK)
		rc = curl_failed(cc, errbuf, "listing the SFTP folder", err);
	else if (names != NULL)
		*names = sb_detach(&sb);
out:
	sb_clear(&sb);
	if (h != NULL)
		curl_easy_cleanup(h);
	sftp_url_clear(&u);
	return rc;
}

#undef SETOPT

/* ---- by the settings ---- */

bs_rc
alleo_csv_deliver(const struct conf *conf, const char *data, size_t len, struct bs_error *err)
{
	const char *target = conf ? conf_get(conf, "alleo.csv_target") : NULL;
	const char *name = conf ? conf_get(conf, "alleo.csv_name") : NULL;

	if (str_empty(target))
		return bs_fail(err, BS_ERR_NOT_CONFIGURED, "alleo.csv_target is not set: give a local "
		    "folder or sftp://host[:port]/path/ ('bobsync config set alleo.csv_target ...')");
	if (str_empty(name))
		name = "alleo_employees_current.csv";
	if (!alleo_csv_name_matches(name))
		return bs_fail(err, BS_ERR_CONFIG, "alleo.csv_name %s does not match %s, so Alleo "
		    "would never pick it up", name, CSV_PATTERN);
	if (str_starts(target, "sftp://"))
		return alleo_sftp_upload(target, name, conf_get(conf, "alleo.sftp_key"),
		    conf_get(conf, "alleo.sftp_known_hosts"), data, len, err);
	return alleo_csv_write_local(target, name, data, len, err);
}

bs_rc
alleo_csv_check(const struct conf *conf, struct bs_error *err)
{
	const char *target = conf ? conf_get(conf, "alleo.csv_target") : NULL;
	const char *name = conf ? conf_get(conf, "alleo.csv_name") : NULL;

	if (str_empty(target))
		return bs_fail(err, BS_ERR_NOT_CONFIGURED, "alleo.csv_target is not set: give a local "
		    "folder or sftp://host[:port]/path/");
	if (!str_empty(name) && !alleo_csv_name_matches(name))
		return bs_fail(err, BS_ERR_CONFIG, "alleo.csv_name %s does not match %s", name,
		    CSV_PATTERN);
	if (str_starts(target, "sftp://"))
		return alleo_sftp_list(target, conf_get(conf, "alleo.sftp_key"),
		    conf_get(conf, "alleo.sftp_known_hosts"), NULL, err);
	return check_local(target, err);
}
