/* msgring.c - a fixed ring of log messages behind a mutex. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "msgring.h"
#include "base/util.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct msg_entry ring[MSGRING_SIZE];
static unsigned long next_seq = 1;

void
msgring_push(enum log_level level, const char *text)
{
	struct msg_entry *e;

	pthread_mutex_lock(&mu);
	e = &ring[next_seq % MSGRING_SIZE];
	e->seq = next_seq++;
	e->level = level;
	e->when = clock_now();
	snprintf(e->text, sizeof e->text, "%s", text ? text : "");
	/* one line on the screen: newlines and tabs become spaces */
	for (char *p = e->text; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	pthread_mutex_unlock(&mu);
}

void
msgring_sink(void *ctx, enum log_level level, const char *msg)
{
	(void)ctx;
	if (level > log_get_level())
		return;		/* the sink sees every level; keep what was asked for */
	msgring_push(level, msg);
}

size_t
msgring_recent(struct msg_entry *out, size_t max)
{
	size_t k = 0;

	pthread_mutex_lock(&mu);
	for (unsigned long s = next_seq - 1; s > 0 && k < max && k < MSGRING_SIZE; s--)
		out[k++] = ring[s % MSGRING_SIZE];
	pthread_mutex_unlock(&mu);
	return k;
}

int
msgring_latest(struct msg_entry *out)
{
	return msgring_recent(out, 1) == 1;
}

void
msgring_clear(void)
{
	pthread_mutex_lock(&mu);
	memset(ring, 0, sizeof ring);
	next_seq = 1;
	pthread_mutex_unlock(&mu);
}
