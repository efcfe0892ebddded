/* tui.c - the screen stack and its loop: keys, ticks, resize, the header,
 * message line, key-hint bar, help overlay and modal boxes. */
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <curses.h>

#include "base/log.h"
#include "msgring.h"
#include "tui.h"
#include "base/util.h"
#include "widget_dialog.h"
#include "widget_progress.h"

#define TICK_MS 100
#define KEYQ_MAX 256		/* keys held while a job runs or ends */

/* A screen's background job (tui_job_start). */
struct tui_job {
	struct task *t;
	char what[96];
	unsigned flags;
	int cancelled;
};

struct tui {
	struct tui_screen *top;
	int depth;
	int quit;
	int help_open;
	int help_scroll;	/* the first line of the help shown */
	unsigned long keys;	/* keys dispatched so far */
	unsigned long msg_key;	/* the value of keys when msg was set */
	unsigned frames;
	char msg[MSGRING_TEXT];
	enum term_role msg_role;
	unsigned long msg_seq;	/* the last ring entry shown */
	char *dump_path;	/* BOBSYNC_TUI_SCREENDUMP */
	int attached;		/* curses belongs to the caller */
	struct tui_screen *stopping;	/* popped, job still ending (by below) */
	char stop_msg[MSGRING_TEXT];	/* the message line while they end */
	int keyq[KEYQ_MAX];	/* keys held back, oldest first */
	size_t nkeys;
	int in_modal;		/* a box reads the keys itself */
};

static void settle(struct tui *ui);

/* ---- keys ---- */

int
tui_key_from_curses(int rc, unsigned ch)
{
	if (rc == KEY_CODE_YES) {
		switch (ch) {
		case KEY_UP: return UK_UP;
		case KEY_DOWN: return UK_DOWN;
		case KEY_LEFT: return UK_LEFT;
		case KEY_RIGHT: return UK_RIGHT;
		case KEY_HOME: return UK_HOME;
		case KEY_END: return UK_END;
		case KEY_PPAGE: return UK_PGUP;
		case KEY_NPAGE: return UK_PGDN;
		case KEY_BACKSPACE: return UK_BACKSPACE;
		case KEY_DC: return UK_DELETE;
		case KEY_ENTER: return UK_ENTER;
		case KEY_BTAB: return UK_BTAB;
		case KEY_RESIZE: return UK_RESIZE;
		case KEY_F(1): return UK_F1;
		case KEY_F(2): return UK_F2;
		case KEY_F(3): return UK_F3;
		case KEY_F(4): return UK_F4;
		case KEY_F(5): return UK_F5;
		case KEY_F(10): return UK_F10;
		default: return UK_NONE;
		}
	}
	if (rc != OK)
		return UK_NONE;
	switch (ch) {
	case '\n':
	case '\r':
		return UK_ENTER;
	case '\t':
		return UK_TAB;
	case 27:
		return UK_ESC;
	case 127:
	case 8:
		return UK_BACKSPACE;
	default:
		return ch < UK_FIRST ? (int)ch : UK_NONE;
	}
}

const char *
tui_key_name(int key, char *buf, size_t sz)
{
	static const char *const names[] = {
		[UK_UP - UK_FIRST] = "Up", [UK_DOWN - UK_FIRST] = "Down",
		[UK_LEFT - UK_FIRST] = "Left", [UK_RIGHT - UK_FIRST] = "Right",
		[UK_HOME - UK_FIRST] = "Home", [UK_END - UK_FIRST] = "End",
		[UK_PGUP - UK_FIRST] = "PgUp", [UK_PGDN - UK_FIRST] = "PgDn",
		[UK_BACKSPACE - UK_FIRST] = "Bksp", [UK_DELETE - UK_FIRST] = "Del",
		[UK_ENTER - UK_FIRST] = "Enter", [UK_ESC - UK_FIRST] = "Esc",
		[UK_TAB - UK_FIRST] = "Tab", [UK_BTAB - UK_FIRST] = "S-Tab",
		[UK_F1 - UK_FIRST] = "F1", [UK_F2 - UK_FIRST] = "F2",
		[UK_F3 - UK_FIRST] = "F3", [UK_F4 - UK_FIRST] = "F4",
		[UK_F5 - UK_FIRST] = "F5", [UK_F10 - UK_FIRST] = "F10",
	};
	mbstate_t st;
	size_t n;

	if (sz == 0)
		return buf;
	buf[0] = '\0';
	if (key >= UK_FIRST && key - UK_FIRST < (int)(sizeof names / sizeof names[0]) &&
	    names[key - UK_FIRST] != NULL)
		snprintf(buf, sz, "%s", names[key - UK_FIRST]);
	else if (key == ' ')
		snprintf(buf, sz, "Space");
	else if (key > 0 && key < 0x20)
		snprintf(buf, sz, "^%c", key + '@');
	else if (uk_is_char(key)) {
		char mb[MB_LEN_MAX];
		memset(&st, 0, sizeof st);
		n = wcrtomb(mb, (wchar_t)key, &st);
		if (n != (size_t)-1 && n < sz) {
			memcpy(buf, mb, n);
			buf[n] = '\0';
		}
	}
	return buf;
}

char *
tui_hints(const struct tui_action *a, size_t n, int typing, int depth,
    char *out, size_t outsz, int width)
{
	char item[128], key[16];
	size_t o = 0;
	int used = 0;

	if (outsz == 0)
		return out;
	out[0] = '\0';
	for (size_t i = 0; i < n + 2; i++) {
		int w;
		if (i == 0)
			snprintf(item, sizeof item, "%s Help", typing ? "F1" : "F1/?");
		else if (i == 1) {
			/* a screen that gives Esc a meaning of its own (Stop) names it */
			int own = 0;
			for (size_t j = 0; j < n; j++)
				own |= a[j].key == UK_ESC && a[j].name != NULL &&
				    !(a[j].flags & TUI_ACT_NOBAR);
			if (own)
				continue;
			snprintf(item, sizeof item, "Esc %s", depth > 1 ? "Back" : "Quit");
		} else {
			const struct tui_action *act = &a[i - 2];
			if (act->flags & TUI_ACT_NOBAR || act->name == NULL)
				continue;
			/* while typing, letters are text: only named keys are hints */
			if (typing && uk_is_char(act->key))
				continue;
			snprintf(item, sizeof item, "%s %s",
			    tui_key_name(act->key, key, sizeof key), act->name);
		}
		w = text_width(item) + 2;
		if (used + w > width)
			break;	/* whole items only */
		o += (size_t)snprintf(out + o, outsz - o, " %s ", item);
		if (o >= outsz) {
			out[outsz - 1] = '\0';
			break;
		}
		used += w;
	}
	return out;
}

/* ---- lifecycle ---- */

int
tui_attach(struct tui **out)
{
	struct tui *ui;
	const char *dump = getenv("BOBSYNC_TUI_SCREENDUMP");

	log_set_stderr(0);
	log_set_sink(msgring_sink, NULL);
	timeout(TICK_MS);
	ui = xcalloc(1, sizeof *ui);
	ui->dump_path = dump && *dump ? xstrdup(dump) : NULL;
	ui->attached = 1;
	*out = ui;
	return 0;
}

int
tui_start(struct tui **out, char *why, size_t whylen)
{
	*out = NULL;
	setlocale(LC_ALL, "");
	if (term_start(why, whylen) != 0)
		return -1;
	tui_attach(out);
	(*out)->attached = 0;
	return 0;
}

void
tui_stop(struct tui **pui)
{
	struct tui *ui = pui ? *pui : NULL;

	if (ui == NULL)
		return;
	while (ui->top != NULL)
		tui_pop(ui);
	settle(ui);
	log_set_sink(NULL, NULL);
	if (!ui->attached)
		term_stop();	/* also turns stderr logging back on */
	free(ui->dump_path);
	free(ui);
	*pui = NULL;
}

int
tui_push(struct tui *ui, const struct tui_screen_ops *ops, void *data,
    const char *title, const char *crumbs)
{
	struct tui_screen *s = xcalloc(1, sizeof *s);

	s->ops = ops;
	s->data = data;
	snprintf(s->title, sizeof s->title, "%s", title ? title : "");
	snprintf(s->crumbs, sizeof s->crumbs, "%s", crumbs ? crumbs : "");
	/* the screen below's message does not follow onto the new screen;
	 * one said in answer to the key that opens it stays */
	if (ui->msg_key != ui->keys)
		ui->msg[0] = '\0';
	if (ops->open != NULL && ops->open(ui, s) != 0) {
		free(s);
		return -1;
	}
	s->below = ui->top;
	ui->top = s;
	ui->depth++;
	ui->help_open = 0;
	return 0;
}

static void
close_screen(struct tui *ui, struct tui_screen *s)
{
	if (s->ops->close != NULL)
		s->ops->close(ui, s);
	free(s);
}

static void
job_free(struct tui_job **jp)
{
	if (*jp == NULL)
		return;
	task_free(&(*jp)->t);
	free(*jp);
	*jp = NULL;
}

/* Close the popped screens whose worker has ended (all of them, waiting,
 * when wait is set); 1 when one was closed. */
static int
reap(struct tui *ui, int wait)
{
	struct tui_screen **pp = &ui->stopping;
	int closed = 0;

	while (*pp != NULL) {
		struct tui_screen *s = *pp;
		if (!wait && !task_finished(s->job->t)) {
			pp = &s->below;
			continue;
		}
		*pp = s->below;
		job_free(&s->job);
		close_screen(ui, s);
		closed = 1;
	}
	if (closed && ui->stopping == NULL && strcmp(ui->msg, ui->stop_msg) == 0)
		ui->msg[0] = '\0';
	return closed;
}

static void
settle(struct tui *ui)
{
	reap(ui, 1);
}

void
tui_pop(struct tui *ui)
{
	struct tui_screen *s = ui->top;

	if (s == NULL)
		return;
	ui->top = s->below;
	ui->depth--;
	/* a screen's message goes with it; one said in answer to the key
	 * that closed it ("Nothing applied.") stays */
	if (ui->msg_key != ui->keys)
		ui->msg[0] = '\0';
	ui->help_open = 0;
	if (s->job == NULL) {
		close_screen(ui, s);
		return;
	}
	/* the worker may still use s->data: close once it has ended */
	task_cancel(s->job->t);
	s->job->cancelled = 1;
	s->below = ui->stopping;
	ui->stopping = s;
	tui_say(ui, ROLE_WARN, " Stopping: %s...", s->job->what);
	snprintf(ui->stop_msg, sizeof ui->stop_msg, "%s", ui->msg);
}

struct tui_screen *
tui_top(struct tui *ui)
{
	return ui->top;
}

void
tui_set_crumbs(struct tui_screen *s, const char *crumbs)
{
	snprintf(s->crumbs, sizeof s->crumbs, "%s", crumbs ? crumbs : "");
}

unsigned
tui_frame_count(const struct tui *ui)
{
	return ui->frames;
}

void
tui_say(struct tui *ui, enum term_role role, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->msg, sizeof ui->msg, fmt, ap);
	va_end(ap);
	ui->msg_role = role;
	ui->msg_key = ui->keys;
}

/* Newer errors and warnings from the log replace the message line. */
static void
pick_up_log(struct tui *ui)
{
	struct msg_entry e[8];
	size_t n = msgring_recent(e, 8);

	for (size_t i = 0; i < n; i++) {
		if (e[i].seq <= ui->msg_seq)
			break;
		if (e[i].level <= BS_LOG_WARN) {
			snprintf(ui->msg, sizeof ui->msg, "%s", e[i].text);
			ui->msg_role = e[i].level == BS_LOG_ERROR ? ROLE_ERROR : ROLE_WARN;
			ui->msg_key = ui->keys;
			break;
		}
	}
	if (n > 0)
		ui->msg_seq = e[0].seq;
}

/* ---- drawing ---- */

char *
tui_screen_text(void)
{
	struct strbuf sb;
	wchar_t *w = xcalloc((size_t)COLS + 1, sizeof *w);

	sb_init(&sb, 0);
	for (int y = 0; y < LINES; y++) {
		char line[4096];
		size_t o = 0;
		mbstate_t st;
		int n = mvinnwstr(y, 0, w, COLS);
		memset(&st, 0, sizeof st);
		for (int i = 0; i < n && w[i] != L'\0' && o + MB_LEN_MAX < sizeof line; i++) {
			size_t m = wcrtomb(line + o, w[i], &st);
			if (m == (size_t)-1) {
				line[o++] = '?';
				memset(&st, 0, sizeof st);
			} else
				o += m;
		}
		while (o > 0 && line[o - 1] == ' ')
			o--;
		line[o++] = '\n';
		sb_append(&sb, line, o);
	}
	free(w);
	return sb_detach(&sb);
}

static void
dump_screen(struct tui *ui)
{
	char *text;

	if (ui->dump_path == NULL)
		return;
	text = tui_screen_text();
	util_write_atomic(ui->dump_path, text, strlen(text), 0600, NULL);
	free(text);
}

/* The help's lines: each key with its text word-wrapped beside it (the
 * text's next lines under the text, never cut), a blank line before the
 * keys every screen has.  Returns the count (at most max). */
#define HELP_KEYCOL 11		/* "  %-8s " */
static int
help_lines(struct tui *ui, int w, char lines[][256], int max)
{
	static const struct tui_action global[] = {
		{ 0, NULL, UK_F1, "this help (also ? outside text fields)", 0 },
		{ 0, NULL, UK_ESC, "back; on the first screen, leave (also q outside text fields)", 0 },
		{ 0, NULL, UK_CTRL('c'), "quit at once (the terminal is restored)", 0 },
	};
	const struct tui_action *a = NULL;
	size_t n = 0, start[32], len[32];
	int k = 0;
	char key[16];

	if (ui->top->ops->actions != NULL)
		a = ui->top->ops->actions(ui->top, &n);
	for (size_t i = 0; i < n + 3 && k < max; i++) {
		const struct tui_action *act = i < n ? &a[i] : &global[i - n];
		const char *help = act->help ? act->help : "";
		size_t nl = text_wrap(help, w - HELP_KEYCOL - 1, start, len, 32);
		if (i == n && k > 0)
			lines[k++][0] = '\0';	/* a blank line before the global keys */
		for (size_t j = 0; (j < nl || j == 0) && k < max; j++, k++)
			snprintf(lines[k], sizeof lines[k], "  %-8s %.*s",
			    j == 0 ? tui_key_name(act->key, key, sizeof key) : "",
			    nl ? (int)len[j] : 0, nl ? help + start[j] : "");
	}
	return k;
}

/* The help overlay: the whole screen between the header and the key bar
 * (nothing of the screen behind shows); Up/Down, PgUp/PgDn scroll what
 * does not fit. */
static void
draw_help(struct tui *ui)
{
	static char lines[128][256];
	int w = COLS, n = help_lines(ui, w, lines, 128), h, y0, body, y;
	char line[512];

	h = LINES - 2;	/* the whole body: nothing of the screen shows through */
	body = h - 4;
	if (ui->help_scroll > n - body)
		ui->help_scroll = n - body > 0 ? n - body : 0;
	y0 = 1;
	for (y = 0; y < h; y++)
		text_put(y0 + y, 0, "", w, ROLE_BAR);
	snprintf(line, sizeof line, " Help: %s", ui->top->title[0] ? ui->top->title : "keys");
	text_put(y0, 0, line, w, ROLE_TITLE);
	for (y = 0; y < body && ui->help_scroll + y < n; y++)
		text_put(y0 + 2 + y, 0, lines[ui->help_scroll + y], w, ROLE_BAR);
	if (n > body)
		snprintf(line, sizeof line, "  lines %d-%d of %d: Up/Down scroll; any other key "
		    "closes this help", ui->help_scroll + 1, ui->help_scroll + body, n);
	else
		snprintf(line, sizeof line, "  any key closes this help");
	text_put(y0 + h - 1, 0, line, w, ROLE_DIM);
}

/* A key while the help is open: scroll it, or close it. */
static void
help_key(struct tui *ui, int key)
{
	switch (key) {
	case UK_UP:
	case 'k':
		if (ui->help_scroll > 0)
			ui->help_scroll--;
		return;
	case UK_DOWN:
	case 'j':
		ui->help_scroll++;	/* draw_help keeps it in range */
		return;
	case UK_PGUP:
		ui->help_scroll = ui->help_scroll > 10 ? ui->help_scroll - 10 : 0;
		return;
	case UK_PGDN:
		ui->help_scroll += 10;
		return;
	default:
		ui->help_open = 0;
		ui->help_scroll = 0;
	}
}

static void
paint(struct tui *ui)
{
	struct tui_screen *s = ui->top;
	const struct tui_action *a = NULL;
	size_t n = 0;
	char line[1024];
	int typing, cy, cx, cursor;

	ui->frames++;
	curs_set(0);
	erase();
	if (COLS < TERM_MIN_COLS || LINES < TERM_MIN_ROWS) {
		snprintf(line, sizeof line, "Terminal too small (need %dx%d)", TERM_MIN_COLS,
		    TERM_MIN_ROWS);
		text_put(0, 0, line, COLS, ROLE_WARN);
		snprintf(line, sizeof line, "now %dx%d; Esc goes back", COLS, LINES);
		if (LINES > 1)
			text_put(1, 0, line, COLS, ROLE_NORMAL);
		return;
	}
	if (s == NULL)
		return;
	snprintf(line, sizeof line, " bobsync \xc2\xb7 %s", s->crumbs[0] ? s->crumbs : s->title);
	text_put(0, 0, line, COLS, ROLE_TITLE);
	s->ops->draw(ui, s, 1, 0, LINES - 3, COLS);
	getyx(stdscr, cy, cx);
	cursor = curs_set(0) == 1;	/* a text field showed its cursor */
	pick_up_log(ui);
	/* a message wider than the screen takes the row above as well (over
	 * the screen's last row) rather than ending in "…" */
	if (text_width(ui->msg) > COLS)
		text_put_wrap(LINES - 3, 0, ui->msg, COLS, 2, ui->msg_role);
	else
		text_put(LINES - 2, 0, ui->msg, COLS, ui->msg_role);
	typing = s->ops->typing != NULL && s->ops->typing(s);
	if (s->ops->actions != NULL)
		a = s->ops->actions(s, &n);
	tui_hints(a, n, typing, ui->depth, line, sizeof line, COLS);
	text_put(LINES - 1, 0, line, COLS, ROLE_BAR);
	if (ui->help_open)
		draw_help(ui);
	else if (cursor) {
		move(cy, cx);
		curs_set(1);
	}
}

static void
flush(struct tui *ui)
{
	wnoutrefresh(stdscr);
	doupdate();
	dump_screen(ui);
}

void
tui_draw(struct tui *ui)
{
	paint(ui);
	flush(ui);
}

/* ---- the loop ---- */

/* Next key within TICK_MS, UK_NONE on timeout. */
static int
read_key(void)
{
	wint_t ch;
	int rc = get_wch(&ch), key;

	key = rc == ERR ? UK_NONE : tui_key_from_curses(rc, (unsigned)ch);
	if (key == UK_RESIZE)
		clearok(curscr, TRUE);	/* the terminal moved its text: repaint all */
	return key;
}


static void
apply(struct tui *ui, int flags)
{
	if (flags & TUI_QUIT)
		ui->quit = 1;
	else if (flags & TUI_BACK)
		tui_pop(ui);
}

static void
dispatch(struct tui *ui, int key)
{
	struct tui_screen *s = ui->top;
	const struct tui_action *a = NULL;
	size_t n = 0;
	int typing = s->ops->typing != NULL && s->ops->typing(s);
	int action = 0, flags = 0;

	ui->keys++;
	if (ui->help_open) {
		help_key(ui, key);
		return;
	}
	if (COLS < TERM_MIN_COLS || LINES < TERM_MIN_ROWS) {
		if (key == UK_ESC || key == 'q')
			tui_pop(ui);
		return;		/* nothing else while the screen cannot be seen */
	}
	if (key == UK_F1 || (!typing && key == '?')) {
		ui->help_open = 1;
		ui->help_scroll = 0;
		return;
	}
	if (s->ops->actions != NULL)
		a = s->ops->actions(s, &n);
	for (size_t i = 0; i < n && action == 0; i++)
		if (a[i].key == key && !(typing && uk_is_char(key)))
			action = a[i].id;
	if (s->ops->handle_key != NULL)
		flags = s->ops->handle_key(ui, s, key, action);
	if (flags & (TUI_QUIT | TUI_BACK))
		apply(ui, flags);
	else if (!(flags & TUI_HANDLED) && (key == UK_ESC || (!typing && key == 'q')))
		tui_pop(ui);
}

/* The top screen's job: the end to job_done; TUI_* flags. */
static int
poll_job(struct tui *ui)
{
	struct tui_screen *s = ui->top;
	struct bs_error err = { 0 };
	int flags = 0;
	bs_rc rc;

	if (s == NULL || s->job == NULL)
		return 0;
	if (!task_finished(s->job->t))
		return TUI_REDRAW;	/* the spinner and the counts move */
	rc = task_wait(&s->job->t, &err);
	s->job_was_cancelled = s->job->cancelled;
	job_free(&s->job);
	if (s->ops->job_done != NULL)
		flags = s->ops->job_done(ui, s, rc, &err);
	s->job_was_cancelled = 0;
	return flags | TUI_REDRAW;
}

static int
typing_on(struct tui_screen *s)
{
	return s->ops->typing != NULL && s->ops->typing(s);
}

/* The key waits: a popped screen's job is still ending, or the top
 * screen's read asked for its keys to wait (Esc, q, F1 and ? do not). */
static int
held(struct tui *ui, int key)
{
	struct tui_screen *s = ui->top;

	if (ui->stopping != NULL)
		return 1;
	if (s == NULL || s->job == NULL || !(s->job->flags & TUI_JOB_QUEUE_KEYS))
		return 0;
	if (key == UK_ESC || key == UK_F1)
		return 0;
	return typing_on(s) || (key != 'q' && key != '?');
}

static int
job_queues(const struct tui_screen *s)
{
	return s != NULL && s->job != NULL && (s->job->flags & TUI_JOB_QUEUE_KEYS);
}

static int drain(struct tui *ui);

/* A key as typed: handled now, or queued behind the ones waiting. */
static void
take_key(struct tui *ui, int key)
{
	if (ui->top == NULL || key == UK_NONE || key == UK_RESIZE)
		return;
	if (!held(ui, key)) {
		if (job_queues(ui->top))
			ui->nkeys = 0;	/* Esc or q leaves the read: its keys go too */
		else
			drain(ui);	/* the keys typed before this one first */
	}
	if (ui->top == NULL)
		return;
	if (held(ui, key) || ui->nkeys > 0) {
		if (ui->nkeys < KEYQ_MAX)
			ui->keyq[ui->nkeys++] = key;
		return;
	}
	dispatch(ui, key);
}

/* Hand on the queued keys that no longer wait; 1 when one was. */
static int
drain(struct tui *ui)
{
	int any = 0;

	while (ui->nkeys > 0 && ui->top != NULL && !ui->quit && !held(ui, ui->keyq[0])) {
		int key = ui->keyq[0];
		memmove(ui->keyq, ui->keyq + 1, (ui->nkeys - 1) * sizeof ui->keyq[0]);
		ui->nkeys--;
		dispatch(ui, key);
		any = 1;
	}
	return any;
}

static int
tick(struct tui *ui)
{
	struct msg_entry e;
	int flags = 0;

	if (ui->stopping != NULL && reap(ui, 0))
		flags |= TUI_REDRAW;
	if (ui->stopping == NULL) {
		/* nothing of the screens left runs while a popped job ends */
		flags |= poll_job(ui);
		if (!(flags & (TUI_BACK | TUI_QUIT)) && !ui->in_modal && drain(ui))
			flags |= TUI_REDRAW;
		if (!(flags & (TUI_BACK | TUI_QUIT)) && ui->top != NULL &&
		    ui->top->ops->tick != NULL)
			flags |= ui->top->ops->tick(ui, ui->top);
	}
	if (msgring_latest(&e) && e.seq > ui->msg_seq)
		flags |= TUI_REDRAW;
	return flags;
}

int
tui_tick(struct tui *ui)
{
	int flags = tick(ui);

	apply(ui, flags);
	return flags;
}

void
tui_feed_key(struct tui *ui, int key)
{
	take_key(ui, key);
}

/* ---- a screen's background job ---- */

int
tui_job_start(struct tui *ui, struct tui_screen *s, const char *what, task_fn fn, void *arg,
    unsigned flags)
{
	struct bs_error err = { 0 };
	struct task *t;

	if (s->job != NULL) {
		tui_say(ui, ROLE_WARN, " still busy: %s", s->job->what);
		return -1;
	}
	/* never two workers on the one session: a popped job ends first
	 * (keys and ticks wait for that already; this is the safety net) */
	settle(ui);
	t = task_start(fn, arg, &err);
	if (t == NULL) {
		tui_say(ui, ROLE_ERROR, " %s", bs_error_text(&err));
		return -1;
	}
	s->job = xcalloc(1, sizeof *s->job);
	s->job->t = t;
	s->job->flags = flags;
	snprintf(s->job->what, sizeof s->job->what, "%s", what ? what : "");
	return 0;
}

int
tui_job_running(const struct tui_screen *s)
{
	return s != NULL && s->job != NULL;
}

void
tui_job_cancel(struct tui_screen *s)
{
	if (s == NULL || s->job == NULL)
		return;
	task_cancel(s->job->t);
	s->job->cancelled = 1;
}

int
tui_job_cancelled(const struct tui_screen *s)
{
	if (s == NULL)
		return 0;
	return s->job != NULL ? s->job->cancelled : s->job_was_cancelled;
}

int
tui_job_progress(const struct tui_screen *s, struct task_snapshot *out)
{
	if (s == NULL || s->job == NULL) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	task_snapshot(s->job->t, out);
	return 0;
}

void
tui_job_draw(struct tui *ui, const struct tui_screen *s, int y, int x, int w)
{
	struct task_snapshot p;
	char line[256];

	if (tui_job_progress(s, &p) != 0)
		return;
	snprintf(line, sizeof line, "%s %s%s", wprog_spinner(tui_frame_count(ui), 1),
	    s->job->what, s->job->cancelled ? " (stopping at the next safe point)" :
	    " (Esc stops)");
	text_put(y, x, line, w, s->job->cancelled ? ROLE_WARN : ROLE_NORMAL);
	if (p.events > 0)
		wprog_draw(y + 1, x, w, p.phase, p.done, p.total, p.applied, p.failed, p.skipped,
		    p.item, tui_frame_count(ui));
}

int
tui_jobs_stopping(const struct tui *ui)
{
	int n = 0;

	for (const struct tui_screen *s = ui->stopping; s != NULL; s = s->below)
		n++;
	return n;
}

int
tui_run(struct tui *ui)
{
	int redraw = 1;

	while (ui->top != NULL && !ui->quit) {
		int key;
		if (term_interrupted())
			break;
		if (redraw) {
			tui_draw(ui);
			redraw = 0;
		}
		key = read_key();
		if (key == UK_NONE) {
			int flags = tick(ui);
			apply(ui, flags);
			redraw = (flags & (TUI_REDRAW | TUI_BACK)) != 0;
			continue;
		}
		redraw = 1;
		if (key == UK_RESIZE)
			continue;	/* ncurses has resized stdscr; draw again */
		take_key(ui, key);
		/* a paste arrives as many keys: take them all before drawing */
		while (ui->top != NULL && !ui->quit && !term_interrupted()) {
			timeout(0);
			key = read_key();
			timeout(TICK_MS);
			if (key == UK_NONE)
				break;
			take_key(ui, key);
		}
	}
	if (term_interrupted()) {
		while (ui->top != NULL)
			tui_pop(ui);
		settle(ui);
		return TUI_EXIT_INTERRUPTED;
	}
	return ui->quit ? TUI_EXIT_QUIT : TUI_EXIT_DONE;
}

/* ---- modal boxes ---- */

static enum wdlg_result
modal(struct tui *ui, struct wdlg *d)
{
	int was = ui->in_modal;
	enum wdlg_result r = WDLG_OPEN;

	ui->in_modal = 1;
	while (r == WDLG_OPEN) {
		int key;
		paint(ui);
		ui->help_open = 0;
		wdlg_draw(d);
		flush(ui);
		key = read_key();
		if (term_interrupted())
			r = WDLG_CANCEL;
		else if (key == UK_NONE)
			tick(ui);
		else
			r = wdlg_key(d, key);
	}
	ui->in_modal = was;
	return r;
}

int
tui_confirm(struct tui *ui, const char *title, const char *text, int default_no)
{
	struct wdlg d;

	wdlg_confirm(&d, title, text, default_no);
	return modal(ui, &d) == WDLG_OK;
}

int
tui_choose(struct tui *ui, const char *title, const char *text,
    const char *const *choices, int n, int cur)
{
	struct wdlg d;

	wdlg_choice(&d, title, text, choices, n, cur);
	return modal(ui, &d) == WDLG_OK ? d.cur : -1;
}
