/* Internals shared by the files of src/jobs/ only. */
#ifndef WH_JOBS_JOBS_INT_H
#define WH_JOBS_JOBS_INT_H

#include "jobs/jobs.h"

/* How long an expired login code is kept: the per-hour sending limit counts the codes created
 * in the last hour, so a code is deleted only once it is both expired and an hour old. */
#define WH_JOBS_CODE_KEEP_MS (3600LL * 1000)
/* Carriers read per page by fmcsa_sync. */
#define WH_JOBS_FMCSA_PAGE 100

/* Rows cleanup removed (or, in a dry run, would remove). */
typedef struct {
    int64_t sessions, login_codes, idempotency_keys;
} wh_jobs_cleanup_counts;

/* Counts (dry_run) or deletes the expired sessions, login codes and idempotency records at
 * now_ms. Deleting runs inside the caller's transaction. */
WH_MUST_USE wh_err wh_jobs_store_cleanup(wh_conn *c, wh_arena *a, int64_t now_ms, bool dry_run,
                                         wh_jobs_cleanup_counts *out, wh_error *e);

#endif
