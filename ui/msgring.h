/* msgring.h - the last log messages, kept for the UI while curses runs.
 *
 * tui_start points core's log sink here (and turns stderr output off), so
 * an error logged by core or by a worker thread shows on the message line
 * instead of raw over the screen.  Thread-safe; one ring per process. */
#ifndef BS_MSGRING_H
#define BS_MSGRING_H

#include <stddef.h>
#include <stdint.h>

#include "base/log.h"

#define MSGRING_SIZE 64
#define MSGRING_TEXT 256

struct msg_entry {
	unsigned long seq;	/* 1, 2, ... in arrival order */
	enum log_level level;
	int64_t when;		/* clock_now() */
	char text[MSGRING_TEXT];	/* already masked by log.c; cut to fit */
};

void msgring_push(enum log_level level, const char *text);
/* A log_sink_fn (ctx unused). */
void msgring_sink(void *ctx, enum log_level level, const char *msg);
/* The newest entry; 0 when the ring is empty. */
int msgring_latest(struct msg_entry *out);
/* Up to max entries, newest first; returns the count. */
size_t msgring_recent(struct msg_entry *out, size_t max);
void msgring_clear(void);

#endif
