/* assembled_int.h - assembled.c's internals that its unit tests call; not
 * part of the client's interface. */
#ifndef BS_ASSEMBLED_INT_H
#define BS_ASSEMBLED_INT_H

#include "vendor/assembled.h"

/* How asm_probe_delete classifies an answer (pure): status 0 = no answer. */
enum asm_delete_probe asm_delete_probe_classify(long status, const char *body, const char *id);

#endif
