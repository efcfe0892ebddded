/* screen_welcome.h - the first step of the setup: what bobsync will do,
 * what is needed in Bob, and which HiBob to talk to (production, a sandbox
 * tenant, or another address).  The choice is saved to hibob.base_url
 * (conf_set + conf_save) when the user continues, and only if it changed.
 *
 * Keys: 1/2/3 pick production/sandbox/another address, Tab/Up/Down move
 * between the choice and the address field, Left/Right/Space change the
 * choice, Enter continues, Esc or q leave the setup, ? or F1 help. */
#ifndef BS_SCREEN_WELCOME_H
#define BS_SCREEN_WELCOME_H

struct conf;
struct tui;

#define WELCOME_PRODUCTION_URL "https://api.hibob.com/v1"
#define WELCOME_SANDBOX_URL "https://api.sandbox.hibob.com/v1"

/* Push the step on ui.  *result becomes 1 when the user continued (and the
 * address is saved), and stays 0 otherwise.  conf and conf_path must
 * outlive the screen.  0, or -1 when it could not open. */
int welcome_push(struct tui *ui, struct conf *conf, const char *conf_path,
    const char *crumbs, int *result);

/* The same, but continuing calls next_fn(ui, ctx) (which opens the next
 * step) instead of ending the loop. */
int welcome_push_then(struct tui *ui, struct conf *conf, const char *conf_path,
    const char *crumbs, void (*next_fn)(struct tui *, void *), void *ctx);

/* The same, with the address saved by save_fn(ctx, url, why, whylen)
 * (0, or -1 with the reason) instead of conf_save: the setup writes the
 * one key to the file as it is and makes its clients again. */
int welcome_push_save(struct tui *ui, struct conf *conf, const char *conf_path,
    const char *crumbs, void (*next_fn)(struct tui *, void *),
    int (*save_fn)(void *, const char *, char *, size_t), void *ctx);

#endif
