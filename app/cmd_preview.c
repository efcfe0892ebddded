/* cmd_preview.c - placeholder until the command lands. */
#include <stdio.h>

#include "app.h"
#include "commands.h"

int
cmd_preview(struct app *a, int argc, char **argv)
{
	(void)a; (void)argc; (void)argv;
	fputs("bobsync: 'preview' is not available in this build yet\n", stderr);
	return 1;
}
