/* preview_timeoff.c - placeholder until the time-off engine lands. */
#include <stdio.h>

#include "app.h"
#include "commands.h"

int
cmd_preview_timeoff(struct app *a, int argc, char **argv)
{
	(void)a; (void)argc; (void)argv;
	fputs("bobsync: 'preview timeoff' is not available in this build yet\n", stderr);
	return 1;
}
