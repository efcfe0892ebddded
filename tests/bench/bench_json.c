/* bench_json.c - JSON read throughput of a people search answer.
 *
 *	bench_json FILE [RUNS]
 *
 * Reads FILE (a saved HiBob people search answer) into memory, then times
 * in CPU seconds, the median of RUNS (5) for each: Jansson loading it
 * whole (the reference), jread_parse over it whole (one flat node array),
 * jstream reading it in 256 KiB pieces (the pieces libcurl hands over)
 * with an empty element callback, and bob_parse_people (jstream and
 * the people made from it, what a search costs minus the network).
 * Prints one JSON line: MB, and for each reader its CPU seconds and MB
 * per CPU second. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/jread.h"
#include "base/log.h"
#include "vendor/hibob.h"

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
noop(void *ctx, const struct jdoc *d, const struct jnode *e)
{
	(void)d;
	(*(size_t *)ctx) += e->type == JT_OBJECT;
	return 0;
}

enum { JANSSON, JREAD, JSTREAM, PEOPLE, NREADERS };
static const char *const names[] = { "jansson_load", "jread_whole", "jstream_256k",
	"bob_parse_people" };

static int
run(int which, const char *text, size_t len)
{
	switch (which) {
	case JANSSON: {
		json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
		if (j == NULL)
			return -1;
		json_decref(j);
		return 0;
	}
	case JREAD: {
		struct jdoc d = { 0 };
		int r = jread_parse(&d, text, len, NULL);
		jread_clear(&d);
		return r;
	}
	case JSTREAM: {
		struct jstream js;
		size_t n = 0;
		int r = 0;
		jstream_init(&js, "employees", (size_t)8 << 20, noop, &n);
		for (size_t i = 0; i < len && r == 0; i += 256 * 1024)
			r = jstream_feed(&js, text + i, len - i < 256 * 1024 ? len - i : 256 * 1024);
		if (r == 0)
			r = jstream_finish(&js);
		jstream_clear(&js);
		return r;
	}
	default: {
		struct bob_people p;
		struct bs_error err = { 0 };
		if (bob_parse_people(text, len, NULL, &p, &err) != BS_OK)
			return -1;
		bob_people_clear(&p);
		return 0;
	}
	}
}

int
main(int argc, char **argv)
{
	FILE *f;
	char *text;
	long len;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	double t[32];

	if (argc < 2 || runs < 1 || runs > 32) {
		fprintf(stderr, "usage: bench_json FILE [RUNS]\n");
		return 2;
	}
	log_set_stderr(0);
	f = fopen(argv[1], "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0) {
		perror(argv[1]);
		return 1;
	}
	rewind(f);
	text = malloc((size_t)len);
	if (text == NULL || fread(text, 1, (size_t)len, f) != (size_t)len) {
		perror(argv[1]);
		return 1;
	}
	fclose(f);
	printf("{\"mb\": %.1f", (double)len / 1e6);
	for (int w = 0; w < NREADERS; w++) {
		for (int r = 0; r < runs; r++) {
			double t0 = cpu_now();
			if (run(w, text, (size_t)len) != 0) {
				fprintf(stderr, "%s: %s refused the text\n", argv[1], names[w]);
				return 1;
			}
			t[r] = cpu_now() - t0;
		}
		qsort(t, (size_t)runs, sizeof *t, cmp_double);
		printf(", \"%s\": {\"cpu_s\": %.3f, \"mb_per_cpu_s\": %.0f}", names[w], t[runs / 2],
		    (double)len / 1e6 / t[runs / 2]);
		fflush(stdout);
	}
	printf("}\n");
	free(text);
	return 0;
}
