/* text.h - UTF-8 text measured and cut in terminal columns (no curses).
 *
 * Names from HiBob ("Zoë Łukasiewicz-Østergård", CJK names) must line up in
 * columns: widths come from wcwidth, a cut never splits a character and is
 * marked with "…", an invalid byte shows as U+FFFD (width 1) and control
 * characters (C0, DEL, C1) show as '?' so they never reach the terminal.
 * The locale must be UTF-8 (setlocale(LC_ALL, "") with LANG=C.UTF-8...). */
#ifndef BS_TEXT_H
#define BS_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#define TEXT_ELLIPSIS "\xe2\x80\xa6"	/* … */
#define TEXT_REPLACEMENT 0xfffd

/* Decode the character at s: *wc is what to show (U+FFFD for a bad byte,
 * '?' for a control), *w its width (0 for combining marks).  Returns the
 * bytes it used, 0 at the end of the string. */
size_t text_next(const char *s, wchar_t *wc, int *w);

/* Display width of UTF-8 text (NULL is 0). */
int text_width(const char *s);

/* s cut to at most width columns into out: when it does not fit, the last
 * column is "…".  Never pads.  Returns out (always NUL-terminated). */
char *text_trunc(char *out, size_t outsz, const char *s, int width);

/* s cut or padded with spaces to exactly width columns into out (table
 * cells).  align_right pads on the left.  Returns out. */
char *text_fit(char *out, size_t outsz, const char *s, int width);
char *text_fit_right(char *out, size_t outsz, const char *s, int width);

/* A copy with bad bytes as U+FFFD and controls as '?'; caller frees. */
char *text_sanitize(const char *s);

/* Bytes of s that fit in cols columns (whole characters only). */
size_t text_prefix_bytes(const char *s, int cols);

/* Case-insensitive substring search over UTF-8 (letters folded with
 * towlower, so "zo" finds "Zoë" and "ÉT" finds "été").  Fast enough for
 * 100,000 rows per keystroke: the needle is folded once. */
#define TEXT_NEEDLE_MAX 128
struct text_matcher {
	uint32_t needle[TEXT_NEEDLE_MAX];
	size_t n;		/* 0 matches everything */
};
void text_matcher_init(struct text_matcher *m, const char *needle);
int text_matcher_test(const struct text_matcher *m, const char *hay);

/* Word-wrap s into lines of at most width columns: line i is the bytes
 * [start[i], start[i] + len[i]) of s (spaces at a break dropped; a word
 * longer than width is broken inside, never inside a character; '\n'
 * forces a break).  Returns the number of lines (at most max). */
size_t text_wrap(const char *s, int width, size_t *start, size_t *len, size_t max);

/* s word-wrapped (text_wrap) to width columns, each paragraph ('\n')
 * wrapped on its own, the lines joined by '\n', into out (cut at sz).
 * For boxes and detail panes that split lines at '\n'.  Returns out. */
char *text_wrap_join(const char *s, int width, char *out, size_t sz);

/* Compare two UTF-8 strings with letters folded as the matcher does
 * (<0, 0, >0); NULL sorts first. */
int text_casecmp(const char *a, const char *b);

/* s with letters folded as the matcher does, as UTF-8 (bad bytes become
 * U+FFFD): strcmp of two folded strings orders them as text_casecmp does.
 * Caller frees. */
char *text_fold(const char *s);

/* Remove the last character of a UTF-8 string in place; returns bytes
 * removed. */
size_t text_pop_char(char *s);

#endif
