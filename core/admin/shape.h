/* shape.h - answer shapes: what the live services answered, without a value.
 *
 * `bobsync check --record FILE` hands every HTTP answer to a recorder, which
 * keeps, per service, method, path template and status, the shape of the
 * JSON body: the keys, the JSON types seen and the list lengths (min and
 * max).  Never a value: ids, e-mail addresses and free text in keys and path
 * segments become placeholders ({id}, {email}, {text}, runs of digits {n}).
 * tests/sandbox/shapes.py computes the same shapes from the sandbox's answer
 * log and compares two such files field by field.
 *
 * File format (keys sorted):
 *   {"format": "bobsync answer shapes", "version": 1,
 *    "answers": {"hibob POST /people/search": {"200": {"count": 1, "body": SHAPE}}}}
 *   SHAPE = {"types": ["object"|"array"|"string"|"integer"|"number"|"boolean"|
 *            "null"|"empty"|"text", ...], "keys": {KEY: SHAPE}, "items": SHAPE,
 *            "len": [MIN, MAX]}
 * "empty" is an empty body, "text" a body that is not JSON.
 */
#ifndef BS_SHAPE_H
#define BS_SHAPE_H

#include <stddef.h>

#include <jansson.h>

#include "base/result.h"

struct http_client;
struct shape_recorder;

struct shape_recorder *shape_recorder_new(void);
void shape_recorder_free(struct shape_recorder **r);

/* Answers from URLs under base_url are filed under `service` with the path
 * relative to it ("/people/search"); the longest matching base wins; other
 * URLs go under "other" with their whole path. */
void shape_recorder_add_base(struct shape_recorder *r, const char *service,
    const char *base_url);

/* One answer (the http layer's answer hook calls this). */
void shape_recorder_answer(void *recorder, const char *method, const char *url,
    long status, const char *body, size_t body_len);

/* Hand every answer of this client to the recorder (NULL: stop). */
void shape_recorder_attach(struct shape_recorder *r, struct http_client *c);

/* The document described above (borrowed; valid until the next answer). */
const json_t *shape_recorder_json(const struct shape_recorder *r);

/* Write it to path, mode 0600, atomically. */
bs_rc shape_recorder_write(const struct shape_recorder *r, const char *path,
    struct bs_error *err);

#endif
