/* checks.h - the setup checks (`bobsync check`, the wizard's validation
 * step).  Each check says pass/warn/fail/skip with a remedy an HR admin can
 * follow in the Bob UI.  Permission gaps are found by requesting fields of
 * each section and diffing what came back.  A 401 stops the HiBob checks at
 * once (HiBob blocks callers that repeat 401s). */
#ifndef BS_CHECKS_H
#define BS_CHECKS_H

#include <stddef.h>

#include <jansson.h>

#include "base/progress.h"
#include "base/result.h"

struct bs_session;

enum check_status { CHECK_PASS, CHECK_WARN, CHECK_FAIL, CHECK_SKIP };

enum check_id {
	CHECK_HIBOB_AUTH,
	CHECK_HIBOB_FIELD,
	CHECK_HIBOB_PERMISSIONS,
	CHECK_HIBOB_LIFECYCLE_AUDIENCE,
	CHECK_HIBOB_SITE_ZONES,		/* each site's people dated in its zone */
	CHECK_HIBOB_TIMEOFF,
	CHECK_HIBOB_TIMEOFF_DETAIL,
	CHECK_HIBOB_TIMEOFF_PRIVATE,
	CHECK_ASSEMBLED_AUTH,
	CHECK_ASSEMBLED_TIMEOFF_TYPE,
	CHECK_ASSEMBLED_DELETE,
	CHECK_ALLEO_TARGET,
	CHECK_ALLEO_SCIM_AUTH,		/* how the token endpoint takes the credentials */
	CHECK_ALLEO_SCIM_SCHEMAS,	/* /Schemas: core User, the named extension */
	CHECK_ALLEO_SCIM_FILTERS,	/* userName and externalId filters */
	CHECK_ALLEO_SCIM_BULK,		/* /ServiceProviderConfig bulk: used or not */
	CHECK_WEBHOOK_RECEIVER,
	CHECK_COUNT
};

struct check_result {
	const char *id;		/* "hibob.auth" ... */
	const char *title;	/* "HiBob accepts the Service User" */
	enum check_status status;
	char *detail;		/* what was found */
	char *remedy;		/* what to do, NULL on pass */
	char *code;		/* hibob.field: missing|misnamed|not_list|bad_options|duplicate */
	char **missing;		/* hibob.permissions: section names */
	size_t nmissing;
};

struct check_report {
	struct check_result v[CHECK_COUNT];
	int ok;			/* no check failed */
	bs_rc worst;		/* BS_ERR_AUTH/FORBIDDEN when credentials were rejected */
	/* what the HiBob read showed, for the wizard's summary */
	long people, access_yes, access_no, access_unset, access_other;
};

const char *check_status_name(enum check_status s);	/* "pass" ... */
const char *check_id_name(enum check_id id);
const char *check_title(enum check_id id);

/* Run every check in order; progress reports each check as it starts
 * (item = its id, done = its index).  Never fails as a whole: problems are
 * in the results. */
void check_run_all(struct bs_session *s, const struct bs_progress *progress,
    struct check_report *out);
void check_report_clear(struct check_report *r);
/* cli.md "check --json"; caller decrefs. */
json_t *check_report_to_json(const struct check_report *r);
/* Exit status for the report: 0 ok, 6 credentials rejected, else 1. */
int check_report_exit_code(const struct check_report *r);

/* Near misses of the eligibility field name ("alleo", "Alleo Access",
 * "alleo-access"): 1 when name looks like a misspelling of want. */
int check_name_is_near(const char *name, const char *want);

#endif
