/* shape_int.h - shape.c's pieces that its unit tests call; not part of
 * the recorder's interface. */
#ifndef BS_SHAPE_INT_H
#define BS_SHAPE_INT_H

#include "admin/shape.h"

/* The shape of one value (caller decrefs), a shape merged into another,
 * and the placeholder rules for keys and paths. */
json_t *shape_of(const json_t *v);
void shape_merge(json_t *into, const json_t *from);
char *shape_key(const char *key);		/* caller frees */
char *shape_path(const char *path);		/* caller frees; query dropped */

#endif
