/* CSV imports (DOMAIN-wave2 §15, API-wave2 "Imports", docs/imports.md): a file of shippers,
 * loads, carriers, hotel daily entries, BPO call logs or SaaS subscriptions, read with the
 * streaming CSV reader (core/csv.h), checked whole (every record against the database and the
 * records before it), and either reported (dry run) or applied in one transaction with its
 * import record and one audit entry (import.commit). A file is committed at most once per
 * (venture, kind, SHA-256 of its bytes).
 *
 * Imports write through the modules' stores and pure rules; they publish no domain events (no
 * points, no notifications) and write no audit entry per record. */
#ifndef WH_IMPORTS_IMPORTS_H
#define WH_IMPORTS_IMPORTS_H

#include <stddef.h>

/* Most line errors one answer lists (all are counted in rows_invalid). */
#define WH_IMPORTS_ERRORS_MAX 100
/* Characters of a stored file name. */
#define WH_IMPORTS_FILENAME_CHARS 200

struct wh_route;
/* POST /imports, GET /imports, GET /imports/{id}, GET /imports/templates/{kind}. */
const struct wh_route *wh_imports_routes(size_t *n);

#endif
