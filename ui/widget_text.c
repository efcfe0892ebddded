/* widget_text.c - the one-line text field: state machine and drawing. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include <curses.h>
#include <sodium.h>

#include "keys.h"
#include "term.h"
#include "base/util.h"
#include "widget_text.h"

void
wtext_init(struct wtext *t, size_t max, int masked)
{
	memset(t, 0, sizeof *t);
	if (max == 0 || max > WTEXT_MAX)
		max = WTEXT_MAX;
	t->max = max;
	t->masked = masked != 0;
	if (t->masked) {
		t->buf = sodium_malloc((max + 1) * sizeof *t->buf);
		if (t->buf == NULL)
			abort();	/* out of memory, as the x* allocators */
		sodium_memzero(t->buf, (max + 1) * sizeof *t->buf);
	} else
		t->buf = xcalloc(max + 1, sizeof *t->buf);
}

void
wtext_release(struct wtext *t)
{
	if (t->buf == NULL)
		return;
	if (t->masked)
		sodium_free(t->buf);	/* wipes */
	else
		free(t->buf);
	t->buf = NULL;
	t->len = t->cur = t->scroll = 0;
}

void
wtext_clear(struct wtext *t)
{
	sodium_memzero(t->buf, (t->max + 1) * sizeof *t->buf);
	t->len = t->cur = t->scroll = 0;
	t->msg[0] = '\0';
}

static int
insert(struct wtext *t, wchar_t wc)
{
	if (t->len >= t->max)
		return 0;
	memmove(t->buf + t->cur + 1, t->buf + t->cur, (t->len - t->cur) * sizeof *t->buf);
	t->buf[t->cur++] = wc;
	t->buf[++t->len] = L'\0';
	return 1;
}

/* Remove characters [from, to). */
static void
cut(struct wtext *t, size_t from, size_t to)
{
	memmove(t->buf + from, t->buf + to, (t->len - to) * sizeof *t->buf);
	t->len -= to - from;
	sodium_memzero(t->buf + t->len, (t->max + 1 - t->len) * sizeof *t->buf);
	if (t->cur > to)
		t->cur -= to - from;
	else if (t->cur > from)
		t->cur = from;
}

void
wtext_set(struct wtext *t, const char *s)
{
	mbstate_t st;

	wtext_clear(t);
	memset(&st, 0, sizeof st);
	while (s != NULL && *s && t->len < t->max) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, strnlen(s, MB_LEN_MAX), &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof st);
			wc = 0xfffd;
			n = 1;
		}
		if (uk_is_char((int)wc))
			insert(t, wc);
		s += n;
	}
}

size_t
wtext_get(const struct wtext *t, char *out, size_t outsz)
{
	size_t o = 0;
	mbstate_t st;

	memset(&st, 0, sizeof st);
	for (size_t i = 0; i < t->len; i++) {
		char mb[MB_LEN_MAX];
		size_t n = wcrtomb(mb, t->buf[i], &st);
		if (n == (size_t)-1) {
			mb[0] = '?';
			n = 1;
			memset(&st, 0, sizeof st);
		}
		if (o + n >= outsz) {
			if (outsz > 0)
				sodium_memzero(out, outsz);
			return (size_t)-1;
		}
		memcpy(out + o, mb, n);
		o += n;
		sodium_memzero(mb, sizeof mb);
	}
	if (outsz > 0)
		out[o] = '\0';
	return o;
}

char *
wtext_dup(const struct wtext *t)
{
	size_t sz = t->len * MB_LEN_MAX + 1;
	char *out = xmalloc(sz);

	if (wtext_get(t, out, sz) == (size_t)-1)
		out[0] = '\0';
	return out;
}

void
wtext_set_msg(struct wtext *t, const char *msg)
{
	snprintf(t->msg, sizeof t->msg, "%s", msg ? msg : "");
}

static size_t
word_start(const struct wtext *t)
{
	size_t i = t->cur;

	while (i > 0 && iswspace((wint_t)t->buf[i - 1]))
		i--;
	while (i > 0 && !iswspace((wint_t)t->buf[i - 1]))
		i--;
	return i;
}

enum wtext_result
wtext_key(struct wtext *t, int key)
{
	switch (key) {
	case UK_LEFT:
	case UK_CTRL('b'):
		if (t->cur > 0)
			t->cur--;
		return WTEXT_HANDLED;
	case UK_RIGHT:
	case UK_CTRL('f'):
		if (t->cur < t->len)
			t->cur++;
		return WTEXT_HANDLED;
	case UK_HOME:
	case UK_CTRL('a'):
		t->cur = 0;
		return WTEXT_HANDLED;
	case UK_END:
	case UK_CTRL('e'):
		t->cur = t->len;
		return WTEXT_HANDLED;
	case UK_BACKSPACE:
	case UK_CTRL('h'):
		if (t->cur == 0)
			return WTEXT_HANDLED;
		cut(t, t->cur - 1, t->cur);
		return WTEXT_CHANGED;
	case UK_DELETE:
	case UK_CTRL('d'):
		if (t->cur == t->len)
			return WTEXT_HANDLED;
		cut(t, t->cur, t->cur + 1);
		return WTEXT_CHANGED;
	case UK_CTRL('u'):
		if (t->cur == 0)
			return WTEXT_HANDLED;
		cut(t, 0, t->cur);
		return WTEXT_CHANGED;
	case UK_CTRL('k'):
		if (t->cur == t->len)
			return WTEXT_HANDLED;
		cut(t, t->cur, t->len);
		return WTEXT_CHANGED;
	case UK_CTRL('w'): {
		size_t from = word_start(t);
		if (from == t->cur)
			return WTEXT_HANDLED;
		cut(t, from, t->cur);
		return WTEXT_CHANGED;
	}
	case UK_CTRL('r'):
		if (t->masked)
			t->reveal = !t->reveal;
		return WTEXT_HANDLED;
	case UK_ENTER:
		return WTEXT_SUBMIT;
	case UK_ESC:
		return WTEXT_CANCEL;
	default:
		break;
	}
	if (!uk_is_char(key))
		return WTEXT_UNHANDLED;
	if (!insert(t, (wchar_t)key))
		return WTEXT_FULL;
	return WTEXT_CHANGED;
}

static int
char_width(const struct wtext *t, wchar_t wc)
{
	int w;

	if (t->masked && !t->reveal)
		return 1;
	w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

void
wtext_view(struct wtext *t, int width, wchar_t *out, int *cursor_col)
{
	int used = 0, col = 0;
	size_t i, o = 0;

	out[0] = L'\0';
	*cursor_col = 0;
	if (width <= 0)
		return;
	if (t->scroll > t->cur)
		t->scroll = t->cur;
	/* move the window right until the cursor (one column after the text
	 * at the end) fits */
	for (;;) {
		int need = 1;
		for (i = t->scroll; i < t->cur; i++)
			need += char_width(t, t->buf[i]);
		if (need <= width || t->scroll >= t->cur)
			break;
		t->scroll++;
	}
	for (i = t->scroll; i < t->len; i++) {
		int w = char_width(t, t->buf[i]);
		wchar_t wc = t->masked && !t->reveal ? L'*' : t->buf[i];
		if (used + w > width)
			break;
		if (i == t->cur)
			col = used;
		if (wcwidth(wc) < 0)
			wc = L'?';
		out[o++] = wc;
		used += w;
	}
	if (t->cur >= i)
		col = used;
	out[o] = L'\0';
	*cursor_col = col < width ? col : width - 1;
}

void
wtext_draw(struct wtext *t, int y, int x, int width, int focused)
{
	wchar_t *view;
	int col;

	if (width <= 0)
		return;
	view = xcalloc((size_t)width + 1, sizeof *view);
	wtext_view(t, width, view, &col);
	term_role_on(focused ? ROLE_SELECTED : ROLE_BAR);
	mvhline(y, x, ' ', width);
	mvaddwstr(y, x, view);
	term_role_off(focused ? ROLE_SELECTED : ROLE_BAR);
	sodium_memzero(view, ((size_t)width + 1) * sizeof *view);
	free(view);
	if (focused) {
		move(y, x + col);
		curs_set(1);
	}
}
