/* bench_machine.c - what this machine charges for memory touched the first
 * time and for a system call, the costs under every figure of RESULTS.md
 * that instruction counts do not show.
 *
 *   bench_machine [MB]     (200 by default)
 *
 * Touches MB of fresh anonymous memory one byte a 4 kB page, first in
 * 4 kB pages, then in 2 MiB pages (MADV_HUGEPAGE; the kernel may refuse),
 * then touches the first block again; makes 100,000 system calls.  Each
 * line gives the CPU (user + system, from getrusage), the page faults and
 * the cost of one. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define PAGE 4096UL
#define HUGE ((size_t)2 << 20)
#define CALLS 100000

struct sample {
	double user, sys;
	long faults;
};

static void
sample(struct sample *s)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	s->user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
	s->sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	s->faults = ru.ru_minflt;
}

/* One line: what happened between a and now, per unit (n units). */
static void
report(const char *what, const struct sample *a, long n, const char *unit)
{
	struct sample b;
	double cpu;

	sample(&b);
	cpu = (b.user - a->user) + (b.sys - a->sys);
	printf("%-38s CPU %.3f s (user %.3f, system %.3f), %ld faults", what, cpu,
	    b.user - a->user, b.sys - a->sys, b.faults - a->faults);
	if (n > 0)
		printf(", %.2f us a %s", cpu * 1e6 / (double)n, unit);
	putchar('\n');
}

static volatile char *
fresh(size_t bytes, int huge)
{
	char *p = mmap(NULL, bytes + HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);

	if (p == MAP_FAILED) {
		perror("bench_machine: mmap");
		exit(1);
	}
	/* on a 2 MiB boundary, so that whole huge pages fit */
	p = (char *)(((uintptr_t)p + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
	(void)madvise(p, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return p;
}

static void
touch(volatile char *p, size_t bytes, char v)
{
	for (size_t i = 0; i < bytes; i += PAGE)
		p[i] = v;
}

int
main(int argc, char **argv)
{
	long mb = argc > 1 ? strtol(argv[1], NULL, 10) : 200;
	size_t bytes;
	volatile char *small, *big;
	struct sample s;
	char what[64];

	if (mb <= 0 || mb > 65536) {
		fprintf(stderr, "usage: bench_machine [MB]  (1 to 65536; 200 by default)\n");
		return 2;
	}
	bytes = (size_t)mb << 20;

	small = fresh(bytes, 0);
	sample(&s);
	touch(small, bytes, 1);
	snprintf(what, sizeof what, "first touch, %ld MB in 4 kB pages", mb);
	report(what, &s, (long)(bytes / PAGE), "4 kB page");

	big = fresh(bytes, 1);
	sample(&s);
	touch(big, bytes, 1);
	snprintf(what, sizeof what, "first touch, %ld MB in 2 MiB pages", mb);
	report(what, &s, (long)(bytes / HUGE), "2 MiB page");

	sample(&s);
	touch(small, bytes, 2);
	snprintf(what, sizeof what, "second touch, %ld MB", mb);
	report(what, &s, 0, "");

	sample(&s);
	for (int i = 0; i < CALLS; i++)
		(void)getppid();
	report("100,000 system calls (getppid)", &s, CALLS, "call");
	return 0;
}
