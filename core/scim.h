/* scim.h - SCIM 2.0 client for Alleo (RFC 7643/7644, targets-api.md B.4):
 * OAuth2 client-credentials token (cached until expiry), users looked up by
 * externalId or userName, created, patched active=false/true. */
#ifndef BS_SCIM_H
#define BS_SCIM_H

#include "result.h"

struct http_client;
struct scim_client;

/* Secrets are copied into guarded memory and registered with the log
 * masker.  http is borrowed. */
struct scim_client *scim_client_new(struct http_client *http, const char *scim_url,
    const char *token_url, const char *client_id, const char *client_secret);
void scim_client_free(struct scim_client **c);

/* Get a token and run one user lookup: proves URL, credentials and
 * permissions without writing anything. */
bs_rc scim_ping(struct scim_client *c, struct bs_error *err);

#endif
