/* widget_progress.h - a progress bar with its percentage in text (so it
 * reads under NO_COLOR and on monochrome terminals), a spinner for work of
 * unknown size, and the live counts line.  The formatting is pure; the
 * draw function paints one or two lines. */
#ifndef BS_WIDGET_PROGRESS_H
#define BS_WIDGET_PROGRESS_H

#include <stddef.h>

#include "base/progress.h"

/* 0..100; 100 only when done >= total; -1 when total is 0 (unknown). */
int wprog_percent(size_t done, size_t total);

/* The bar in exactly width columns, e.g. "[█████▌    ]  55%" (unicode) or
 * "[#####     ]  55%" (ASCII).  Unknown total: the spinner and the count
 * ("⠙ 1,234 done").  Returns out. */
char *wprog_bar(char *out, size_t outsz, size_t done, size_t total, int width,
    int unicode, unsigned frame);

/* Spinner frame (cycles); ASCII "|/-\" when !unicode. */
const char *wprog_spinner(unsigned frame, int unicode);

/* "Applying: 12 of 40 · 10 applied, 1 failed, 1 skipped · Ada Lovelace";
 * parts that are empty are left out.  Returns out. */
char *wprog_counts(char *out, size_t outsz, const char *phase, size_t done,
    size_t total, unsigned applied, unsigned failed, unsigned skipped, const char *item);

/* Thousands separators: 1234567 -> "1,234,567".  Returns out. */
char *wprog_number(char *out, size_t outsz, size_t n);

/* Paint the counts line at y and the bar at y + 1. */
void wprog_draw(int y, int x, int w, const char *phase, size_t done, size_t total,
    unsigned applied, unsigned failed, unsigned skipped, const char *item, unsigned frame);

#endif
