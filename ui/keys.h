/* keys.h - the keys the widgets understand, independent of curses.
 *
 * A key is an int: 0 .. 0x10FFFF is a typed character (Unicode code point,
 * control characters included: Ctrl-U is 21), UK_* above that is a named
 * key.  tui.c turns what get_wch() returns into these, so every widget's
 * state machine can be driven from a unit test without a terminal. */
#ifndef BS_KEYS_H
#define BS_KEYS_H

#define UK_CTRL(c) ((c) & 0x1f)

enum ui_key {
	UK_NONE = -1,
	UK_FIRST = 0x110000,
	UK_UP = UK_FIRST, UK_DOWN, UK_LEFT, UK_RIGHT,
	UK_HOME, UK_END, UK_PGUP, UK_PGDN,
	UK_BACKSPACE, UK_DELETE, UK_ENTER, UK_ESC, UK_TAB, UK_BTAB,
	UK_F1, UK_F2, UK_F3, UK_F4, UK_F5, UK_F10,
	UK_RESIZE,
	UK_INTERRUPT		/* SIGINT/SIGTERM/SIGHUP seen by the loop */
};

/* 1 when key is a printable character a text field should insert. */
static inline int
uk_is_char(int key)
{
	return key >= 0x20 && key < UK_FIRST && key != 0x7f &&
	    !(key >= 0x80 && key < 0xa0) && !(key >= 0xd800 && key <= 0xdfff);
}

#endif
