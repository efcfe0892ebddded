/* result.c - messages and exit codes of bs_rc. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/result.h"

static const struct {
	const char *name;
	int exit_code;
	const char *msg;
} table[] = {
#define BS_X_ROW(code, exitc, msg) { #code, exitc, msg },
	BS_RESULTS(BS_X_ROW)
#undef BS_X_ROW
};

const char *
bs_strerror(bs_rc rc)
{
	if ((unsigned)rc >= BS_RC_COUNT)
		return "unknown error";
	return table[rc].msg;
}

const char *
bs_rcname(bs_rc rc)
{
	if ((unsigned)rc >= BS_RC_COUNT)
		return "BS_ERR_UNKNOWN";
	return table[rc].name;
}

int
bs_exit_code(bs_rc rc)
{
	if ((unsigned)rc >= BS_RC_COUNT)
		return 1;
	return table[rc].exit_code;
}

bs_rc
bs_fail(struct bs_error *err, bs_rc rc, const char *fmt, ...)
{
	va_list ap;
	char raw[BS_ERROR_DETAIL_MAX];

	if (err == NULL)
		return rc;
	err->rc = rc;
	if (fmt == NULL) {
		err->detail[0] = '\0';
		return rc;
	}
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	log_mask_into(raw, err->detail, sizeof err->detail);
	return rc;
}

void
bs_error_prefix(struct bs_error *err, const char *fmt, ...)
{
	va_list ap;
	char pre[BS_ERROR_DETAIL_MAX], old[BS_ERROR_DETAIL_MAX];

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof pre, fmt, ap);
	va_end(ap);
	snprintf(old, sizeof old, "%s", bs_error_text(err));
	if (snprintf(err->detail, sizeof err->detail, "%s: %s", pre, old) >= (int)sizeof err->detail)
		err->detail[sizeof err->detail - 1] = '\0';	/* truncated, still terminated */
}

void
bs_error_clear(struct bs_error *err)
{
	if (err != NULL)
		memset(err, 0, sizeof *err);
}

const char *
bs_error_text(const struct bs_error *err)
{
	if (err == NULL)
		return "";
	if (err->detail[0] != '\0')
		return err->detail;
	return bs_strerror(err->rc);
}
