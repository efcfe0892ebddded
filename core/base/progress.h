/* progress.h - how long work in core reports progress to whoever listens.
 *
 * Core never calls the UI: it calls a progress function the caller passed
 * (the TUI updates its progress bar from it, the CLI prints to stderr on a
 * terminal, tests record the events).  Returning non-zero asks core to stop
 * at the next safe point (between two actions), giving BS_ERR_CANCELLED.
 */
#ifndef BS_PROGRESS_H
#define BS_PROGRESS_H

#include <stddef.h>

struct bs_progress_event {
	const char *phase;	/* "Reading people from HiBob", "Applying" ... */
	size_t done;		/* units done in this phase */
	size_t total;		/* 0 when unknown */
	const char *item;	/* what is being worked on, may be NULL */
	unsigned applied, failed, skipped;	/* running counts during apply */
};

typedef int (*bs_progress_fn)(void *ctx, const struct bs_progress_event *ev);

struct bs_progress {
	bs_progress_fn fn;
	void *ctx;
};

/* Call p->fn when set; returns its result (0 when none). */
static inline int
bs_progress_report(const struct bs_progress *p, const struct bs_progress_event *ev)
{
	return (p != NULL && p->fn != NULL) ? p->fn(p->ctx, ev) : 0;
}

#endif
