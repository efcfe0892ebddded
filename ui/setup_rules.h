/* setup_rules.h - the pure rules of the setup steps (no curses). */
#ifndef BS_SETUP_RULES_H
#define BS_SETUP_RULES_H

#include <stddef.h>

enum pass_strength { PASS_REFUSED, PASS_WEAK, PASS_FAIR, PASS_STRONG };

/* How strong a vault passphrase looks, with a one-line hint for the user:
 * shorter than 8 characters is refused; longer, more kinds of characters
 * and several words make it stronger; one repeated character is weak. */
enum pass_strength setup_passphrase_strength(const char *p, char *hint, size_t hintsz);

#endif
