/* Demo data for `wheelhouse seed --demo` and `make run`. */
#ifndef WH_SEED_H
#define WH_SEED_H

#include "app.h"

/* The password of every demo user (make run prints it). */
#define WH_SEED_DEMO_PASSWORD "wheelhouse-demo-2026"

/* Creates ventures of every type with offices and one user per role, with memberships, then the
 * 60-day demo month of work ending today (docs/demo.md). Idempotent: existing ventures (by code)
 * and users (by e-mail) are left alone, and settings[demo_month_until] keeps the days already
 * covered, so a second run the same day changes nothing. Prints the logins to stdout. */
WH_MUST_USE wh_err wh_seed_demo(wh_app *app, wh_error *e);

#endif
