/* scim_int.h - scim.c's internals that its unit tests call; not part of
 * the client's interface. */
#ifndef BS_SCIM_INT_H
#define BS_SCIM_INT_H

#include "vendor/scim.h"

/* The SCIM filter `attr eq "value"` with quotes and backslashes escaped;
 * caller frees. */
char *scim_filter_eq(const char *attr, const char *value);
/* How many tokens were fetched (the token cache's count). */
unsigned long scim_token_fetches(const struct scim_client *c);

#endif
