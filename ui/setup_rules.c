/* setup_rules.c - the pure rules of the setup steps. */
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "setup_rules.h"
#include "base/text.h"

enum pass_strength
setup_passphrase_strength(const char *p, char *hint, size_t hintsz)
{
	int len = 0, lower = 0, upper = 0, digit = 0, other = 0, words = 0, in_word = 0;
	int same = 1, classes;
	wchar_t first = 0, wc;
	size_t n;
	enum pass_strength s;

	for (const char *q = p ? p : ""; (n = text_next(q, &wc, &(int){ 0 })) > 0; q += n) {
		if (len == 0)
			first = wc;
		else if (wc != first)
			same = 0;
		len++;
		if (iswspace((wint_t)wc)) {
			in_word = 0;
			continue;
		}
		if (!in_word)
			words++;
		in_word = 1;
		if (iswlower((wint_t)wc))
			lower = 1;
		else if (iswupper((wint_t)wc))
			upper = 1;
		else if (iswdigit((wint_t)wc))
			digit = 1;
		else
			other = 1;
	}
	classes = lower + upper + digit + other;
	if (len < 8)
		s = PASS_REFUSED;
	else if (same)
		s = PASS_WEAK;
	else if (len >= 20 || (len >= 16 && (words >= 3 || classes >= 3)))
		s = PASS_STRONG;
	else if (len >= 16 || (len >= 12 && (words >= 2 || classes >= 3)))
		s = PASS_FAIR;
	else
		s = PASS_WEAK;
	if (hint != NULL && hintsz > 0) {
		static const char *const text[] = {
			"too short: 8 characters or more",
			"weak: a few unrelated words (four or more) are much stronger",
			"fair: one or two more unrelated words make it strong",
			"strong",
		};
		snprintf(hint, hintsz, "%s", text[s]);
	}
	return s;
}
