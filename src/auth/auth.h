/* Identity and access: the 16 roles, the permission table of DOMAIN.md §1, the venture scope,
 * sessions, passwords, navigation, and the auth routes (login, logout, /me, /me/navigation).
 * Everything here is thread-safe; the pure parts (roles, permissions, navigation) take no
 * locks and touch no globals. */
#ifndef WH_AUTH_AUTH_H
#define WH_AUTH_AUTH_H

#include "core/arena.h"
#include "core/err.h"
#include "core/memo.h"
#include "db/db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum {
    WH_ROLE_CEO,
    WH_ROLE_ADMIN,
    WH_ROLE_COO,
    WH_ROLE_VENTURE_HEAD,
    WH_ROLE_OFFICE_MANAGER,
    WH_ROLE_TEAM_LEAD,
    WH_ROLE_EMPLOYEE,
    WH_ROLE_CONTRACTOR,
    WH_ROLE_AUDITOR,
    WH_ROLE_FINANCE,
    WH_ROLE_HR_ADMIN,
    WH_ROLE_TEST_USER,
    WH_ROLE_CSR,
    WH_ROLE_DISPATCHER,
    WH_ROLE_CARRIER_TEAM,
    WH_ROLE_ACCOUNTING,
    WH_ROLE_COUNT
} wh_role;

typedef enum {
    WH_PERM_PUBLIC,    /* no session needed */
    WH_PERM_SIGNED_IN, /* any role */
    WH_PERM_USERS_MANAGE,
    WH_PERM_VENTURES_MANAGE,
    WH_PERM_FREIGHT_READ,
    WH_PERM_FREIGHT_WRITE,
    WH_PERM_CARRIERS_WRITE,
    WH_PERM_BPO_READ,
    WH_PERM_BPO_WRITE,
    WH_PERM_HOTELS_READ,
    WH_PERM_HOTELS_WRITE,
    WH_PERM_HOTELS_RESPOND, /* hotels.write, or CSR for review responses */
    WH_PERM_KPI_READ,
    WH_PERM_KPI_WRITE,
    WH_PERM_INCENTIVES_READ,
    WH_PERM_INCENTIVES_MANAGE,
    WH_PERM_PAYOUTS_APPROVE,
    WH_PERM_GAMIFICATION_CONFIG,
    WH_PERM_JOBS_MANAGE,
    WH_PERM_INTEGRATIONS_READ,
    WH_PERM_AUDIT_READ,
    WH_PERM_EOD_WRITE,
    WH_PERM_SAAS_READ,
    WH_PERM_SAAS_WRITE,
    WH_PERM_HOLDINGS_READ,
    WH_PERM_HOLDINGS_WRITE,
    WH_PERM_OVERVIEW_READ,
    WH_PERM_REPORTS_READ,            /* the reports of DOMAIN-wave2 §17 */
    WH_PERM_TASKS_READ,              /* every task of the ventures in scope (DOMAIN-wave2 §1) */
    WH_PERM_TASKS_MANAGE,            /* create for anyone, edit, reassign, move any task in scope */
    WH_PERM_CARRIERS_ASSIGN_PENDING, /* assign a PENDING carrier, with a reason (wave 2 §14) */
    WH_PERM_IMPORTS_WRITE, /* CSV import dry runs and commits (with the kind's write permission) */
    WH_PERM_IMPORTS_READ,  /* import records and templates */
    WH_PERM_COUNT
} wh_perm;

/* The role names, NULL-terminated, in enum order. */
extern const char *const wh_role_names[];

/* Parses a role name; false when unknown. */
bool wh_role_parse(const char *name, wh_role *out);
const char *wh_role_name(wh_role role);
/* True for the roles whose scope is every venture (CEO, ADMIN, COO, AUDITOR, HR_ADMIN,
 * TEST_USER). */
bool wh_role_all_ventures(wh_role role);
/* True for the roles whose office filters are checked against office membership. */
bool wh_role_office_scoped(wh_role role);
/* True for CEO, ADMIN, COO, VENTURE_HEAD. */
bool wh_role_leadership(wh_role role);
/* The permission table: may role use perm? PUBLIC and SIGNED_IN are always allowed. */
bool wh_rbac_allows(wh_role role, wh_perm perm);
/* "users.manage" etc.; NULL for PUBLIC, SIGNED_IN and HOTELS_RESPOND (not a named permission
 * of DOMAIN.md §1 but hotels.write-or-CSR). */
const char *wh_perm_name(wh_perm perm);
/* The permission as route tables and docs/openapi.json's x-permission name it: wh_perm_name,
 * or "public", "signed_in", "hotels.respond" (hotels.write, or CSR: DOMAIN.md §1). */
const char *wh_perm_label(wh_perm perm);

/* A permission narrower than a route's (STYLE.md rule 14), named in the route table beside the
 * route's permission so the table shows who may really use it; each lives in its module's
 * *_rules.c and is listed in docs/openapi.json (x-rule). */
typedef enum {
    WH_RULE_REFUSE, /* the pipeline refuses a role `limits` names, 403 naming the rule, before
                     * the handler runs */
    WH_RULE_OWN,    /* a role `limits` names works on its own rows only: the store's SQL and the
                     * handler apply it with the same predicate (naming another user: 403) */
    WH_RULE_TARGET, /* depends on the row the request names (wh_users_refusal): the handler
                     * asks it after loading that row; `limits` is NULL */
} wh_rule_kind;

typedef struct wh_rule {
    const char *name; /* snake_case, unique: "bpo_manager" */
    wh_rule_kind kind;
    bool (*limits)(wh_role role); /* true when the rule narrows this role */
    const char *text;             /* one sentence: what it keeps from a narrowed caller */
} wh_rule;

/* "refuse", "own", "target". */
const char *wh_rule_kind_name(wh_rule_kind kind);
/* The rule that lets users.manage change only what the caller may grant (wh_users_refusal). */
extern const wh_rule wh_users_rule_granting;

/* The authenticated caller. The scope of a request is (user_id, all_ventures): every
 * venture-scoped query puts it in its WHERE clause through WH_SCOPE_SQL. */
typedef struct {
    int64_t id;
    const char *email;
    const char *full_name;
    wh_role role;
    bool all_ventures;
    int64_t session_id; /* the session the request came with */
    bool code_signin;   /* that session was opened with an e-mailed code, not the password */
    /* the process's scope answers (docs/cache.md), borrowed; NULL: every check asks the
     * database. Only the request-level checks below use it: every store query stays filtered
     * by WH_SCOPE_SQL. */
    wh_memo *scopes;
} wh_principal;

/* SQL condition "venture column is in scope" for a query whose parameters $A (bool: all
 * ventures) and $B (the user id) are given: WH_SCOPE_SQL("v.id", "$1", "$2"). An EXISTS probe of
 * the (user_id, venture_id) primary key, so a user in thousands of ventures costs one index
 * lookup per candidate row rather than a materialised membership set per query. The column
 * must be qualified with its table alias ("al.venture_id"): a bare name would resolve inside
 * the subquery to vu_s.venture_id and make the condition always true. */
#define WH_SCOPE_SQL(col, all, user)                                                               \
    "(" all " OR EXISTS (SELECT 1 FROM venture_users vu_s WHERE vu_s.user_id = " user              \
    " AND vu_s.venture_id = " col "))"

/* The same probe for a statement built with wh_sqlb, for callers who are not all-venture (the
 * builder leaves the condition out for them): one "?" parameter, the user id. */
#define WH_SCOPE_MEMBER_SQL(col)                                                                   \
    "EXISTS (SELECT 1 FROM venture_users vu_s WHERE vu_s.user_id = ? AND vu_s.venture_id = " col ")"

/* Adds the scope probe to a list statement for a caller who is not all-venture. */
#define WH_SQLB_SCOPE(b, p, col)                                                                   \
    do {                                                                                           \
        if (!(p)->all_ventures)                                                                    \
            wh_sqlb_and((b), WH_SCOPE_MEMBER_SQL(col), WH_PI((p)->id));                            \
    } while (0)

/* The scope probe and the list's optional venture filter ("venture_id = ?", nothing when
 * venture_id is 0), together: with a venture given, the probe asks whether that venture is the
 * caller's once per statement (an EXISTS that does not depend on the row; the filter keeps only
 * that venture's rows) instead of once per row: 6-11% of a SQLite loads page's CPU. */
#define WH_SQLB_SCOPE_VENTURE(b, p, col, venture_id)                                               \
    do {                                                                                           \
        int64_t wh_v_ = (venture_id);                                                              \
        if (!(p)->all_ventures && wh_v_)                                                           \
            wh_sqlb_and((b),                                                                       \
                        "EXISTS (SELECT 1 FROM venture_users vu_s WHERE vu_s.user_id = ? AND"      \
                        " vu_s.venture_id = ?)",                                                   \
                        WH_PI((p)->id), WH_PI(wh_v_));                                             \
        else                                                                                       \
            WH_SQLB_SCOPE((b), (p), col);                                                          \
        wh_sqlb_and_id((b), "venture_id = ?", wh_v_);                                              \
    } while (0)

/* Is venture_id inside p's scope (and existing)? With p->scopes, a yes found there costs no
 * query, and a yes read from the database is kept there ("m:<user id>" and "u:<user id>" notes
 * drop a user's answers: every membership write sends one, wh_scope_forget_user). */
WH_MUST_USE wh_err wh_scope_has_venture(wh_conn *c, wh_arena *a, const wh_principal *p,
                                        int64_t venture_id, bool *yes, wh_error *e);
/* Checks a venture_id given in a query or body: 403 when outside the scope. */
WH_MUST_USE wh_err wh_scope_check_venture(wh_conn *c, wh_arena *a, const wh_principal *p,
                                          int64_t venture_id, wh_error *e);

/* Checks an office_id given in a query or body: it must exist in a venture of the scope and,
 * for office-scoped roles, be one of the caller's offices; 403 otherwise. *venture_id (may be
 * NULL) receives the office's venture. Kept in p->scopes like wh_scope_has_venture. */
WH_MUST_USE wh_err wh_scope_check_office(wh_conn *c, wh_arena *a, const wh_principal *p,
                                         int64_t office_id, int64_t *venture_id, wh_error *e);

/* The yes of wh_scope_has_venture from p->scopes alone: true when it is held there (no query);
 * false when it is not (ask wh_scope_check_venture). */
bool wh_scope_venture_known(const wh_principal *p, int64_t venture_id);
/* Has every instance forget user_id's scope answers at commit (its venture or office
 * memberships changed). Call it inside the writing transaction. */
WH_MUST_USE wh_err wh_scope_forget_user(wh_conn *c, int64_t user_id, wh_error *e);

/* The venture a user's personal credits go to: the earliest membership, else (for all-venture
 * roles) the first active venture; 0 when none. */
WH_MUST_USE wh_err wh_scope_first_venture(wh_conn *c, wh_arena *a, int64_t user_id,
                                          bool all_ventures, int64_t *venture_id, wh_error *e);

/* The ventures of the scope as rows (id, name, code, type) by name: for all-venture roles every
 * active venture, for others their memberships. */
WH_MUST_USE wh_err wh_scope_ventures(wh_conn *c, wh_arena *a, const wh_principal *p, wh_rows **out,
                                     wh_error *e);
/* The offices of the caller as rows (id, venture_id, name): office memberships, or every
 * office of an active venture for all-venture roles. */
WH_MUST_USE wh_err wh_scope_offices(wh_conn *c, wh_arena *a, const wh_principal *p, wh_rows **out,
                                    wh_error *e);

/* Sessions. The token is returned to the client once; only its SHA-256 is stored. A session
 * slides by ttl_ms on use but never outlives max_ms from its creation (WH_SESSION_TTL_S,
 * WH_SESSION_MAX_S). */
typedef struct {
    int64_t ttl_ms, max_ms;
} wh_session_policy;
/* The expiry of a session created at created_ms and used at now_ms: now + ttl, capped at
 * created + max. Pure. */
int64_t wh_session_expiry(const wh_session_policy *pol, int64_t created_ms, int64_t now_ms);
/* Opens a session; by_code records a sign-in with an e-mailed code (see wh_principal). */
WH_MUST_USE wh_err wh_session_create(wh_conn *c, wh_arena *a, int64_t user_id, bool by_code,
                                     int64_t now_ms, const wh_session_policy *pol, char *token,
                                     size_t token_cap, int64_t *expires_at, wh_error *e);
/* The session cache (sesscache.c): validated sessions by the hex SHA-256 of their token, bounded
 * (capacity entries, least recently used of a set evicted), trusted only while the process
 * listens for notifications (wh_db_listen). Thread-safe. */
typedef struct wh_sesscache wh_sesscache;
#define WH_SESSCACHE_HASH_CHARS 64
typedef struct {
    int64_t user_id, session_id;
    int64_t created_ms, expires_ms; /* expires_ms: as this process last read or wrote it */
    const char *email, *full_name;
    wh_role role;
    bool code_signin;
} wh_sesscache_entry;
wh_sesscache *wh_sesscache_new(size_t capacity);
void wh_sesscache_free(wh_sesscache *sc);
/* Before trusting an entry, find asks quiet(arg) (thread-safe, no lock held) whether every
 * notification that has arrived was applied; false: read through. Set once, before use. */
void wh_sesscache_probe(wh_sesscache *sc, bool (*quiet)(void *arg), void *arg);
/* True and *out (strings copied into a) when hash is cached. *gen always receives the drop
 * count, to hand to wh_sesscache_put after reading the session from the database. */
bool wh_sesscache_find(wh_sesscache *sc, const char *hash, wh_arena *a, wh_sesscache_entry *out,
                       uint64_t *gen);
/* Stores v (strings copied) unless a drop happened since gen was read or the process does not
 * listen: then the row read may be older than a change already heard of. */
void wh_sesscache_put(wh_sesscache *sc, const char *hash, const wh_sesscache_entry *v,
                      uint64_t gen);
/* Records the expiry a touch wrote. */
void wh_sesscache_touched(wh_sesscache *sc, const char *hash, int64_t expires_ms);
/* Applies a notification: "s:<hash>" drops a session, "u:<user id>" every session of a user,
 * anything else (e.g. "*") everything. */
void wh_sesscache_note(wh_sesscache *sc, const char *payload);
/* Listening started (on) or stopped: either way everything cached so far is dropped. */
void wh_sesscache_listening(wh_sesscache *sc, bool on);
/* Entries held now (tests, metrics). */
size_t wh_sesscache_count(wh_sesscache *sc);

/* Resolves a token to its active user, extending the session (sliding expiry). 401 when the
 * token is unknown, expired, past its absolute lifetime or its user inactive. Strings of p
 * live in the arena. With sc (may be NULL), a cached session costs no query but the touch (at
 * most once per WH_LIMIT_SESSION_TOUCH_MS), and a session read from the database is cached. */
WH_MUST_USE wh_err wh_session_resolve(wh_conn *c, wh_sesscache *sc, wh_arena *a, const char *token,
                                      int64_t now_ms, const wh_session_policy *pol, wh_principal *p,
                                      wh_error *e);
/* The cache-only half of wh_session_resolve: true and *p when the session is cached, trusted and
 * needs no touch now (no query at all); false: call wh_session_resolve. */
bool wh_session_cached(wh_sesscache *sc, wh_arena *a, const char *token, int64_t now_ms,
                       const wh_session_policy *pol, wh_principal *p);
/* Ends the session of token; every instance forgets it at commit (wh_db_notify). Call it
 * inside a transaction, so the delete and its notification commit together. */
WH_MUST_USE wh_err wh_session_delete(wh_conn *c, wh_arena *a, const char *token, wh_error *e);
/* Ends every session of a user but keep_id (0: every one), and has every instance forget the
 * user's cached sessions at commit (inside a transaction, as wh_session_delete). */
WH_MUST_USE wh_err wh_session_end_user(wh_conn *c, wh_arena *a, int64_t user_id, int64_t keep_id,
                                       wh_error *e);
/* Has every instance forget the user's cached sessions at commit (their e-mail, name, role or
 * active flag changed). */
WH_MUST_USE wh_err wh_session_forget_user(wh_conn *c, int64_t user_id, wh_error *e);

/* Navigation per DOMAIN.md §1: the sections for role, given which venture types the scope
 * holds (bit i set = type i of wh_venture_type order: LOGISTICS, TRANSPORT, HOSPITALITY, BPO,
 * SAAS, HOLDINGS, TESTING). Returns a new {sections: [...]} object. */
json_t *wh_nav_build(wh_role role, unsigned venture_type_bits);
/* Bit of a venture type name for wh_nav_build; 0 when unknown. */
unsigned wh_nav_type_bit(const char *type);

/* Users: the identity records. E-mails are stored lower-case, so uniqueness is
 * case-insensitive. */
typedef struct {
    int64_t id;
    const char *email, *full_name; /* arena */
    wh_role role;
    bool active;
    int64_t manager_id; /* 0: none (DOMAIN-wave2 §1) */
    const char *phone;  /* E.164, NULL: none */
} wh_user;

/* Fields of a create or update; NULL / has_* false leave a field unchanged on update. */
typedef struct {
    const char *email, *full_name, *password;
    bool has_role, has_active;
    wh_role role;
    bool active;
    bool has_manager, has_phone; /* with manager_id 0 / phone NULL: clear it */
    int64_t manager_id;
    const char *phone;
} wh_user_input;

/* E.164: '+', then 8 to 15 digits, the first not 0 (users_rules.c, pure). */
bool wh_user_phone_ok(const char *phone);
/* A manager for user id (0 on create): an active user, not the user; 400 on manager_id. */
WH_MUST_USE wh_err wh_user_manager_check(wh_conn *c, wh_arena *a, int64_t id, int64_t manager_id,
                                         wh_error *e);

/* Lower-cases an e-mail into the arena; NULL when it is not a plausible address. */
const char *wh_user_email_normalise(wh_arena *a, const char *email);
/* 409 conflict when the e-mail is taken. */
WH_MUST_USE wh_err wh_user_create(wh_conn *c, wh_arena *a, const wh_user_input *in, int64_t now_ms,
                                  wh_user *out, wh_error *e);
/* 404 when missing. */
WH_MUST_USE wh_err wh_user_get(wh_conn *c, wh_arena *a, int64_t id, wh_user *out, wh_error *e);
/* Changes email, full_name, role and active (in->password is ignored: passwords change only
 * through wh_user_password_set). 404 when missing, 409 when the e-mail is taken. */
WH_MUST_USE wh_err wh_user_update(wh_conn *c, wh_arena *a, int64_t id, const wh_user_input *in,
                                  int64_t now_ms, wh_user *out, wh_error *e);
/* The user's password hash (arena), NULL when the user has none; 404 when missing. */
WH_MUST_USE wh_err wh_user_password_find(wh_conn *c, wh_arena *a, int64_t id, const char **pwhash,
                                         wh_error *e);
/* Stores the argon2id hash of password (12..256 characters, checked by the caller). */
WH_MUST_USE wh_err wh_user_password_set(wh_conn *c, wh_arena *a, int64_t id, const char *password,
                                        int64_t now_ms, wh_error *e);
/* Finds an active or inactive user by e-mail with the password hash (NULL if none). */
WH_MUST_USE wh_err wh_user_find_by_email(wh_conn *c, wh_arena *a, const char *email, wh_user *out,
                                         const char **pwhash, bool *found, wh_error *e);
/* Filters of the user list; NULL / has_active false: any. like is a LIKE pattern matched
 * against the e-mail and the lower-cased full name (wh_str_like_pattern). */
typedef struct {
    const char *like, *role;
    bool has_active, active;
} wh_user_filter;
/* The page ks of the users matching f, newest first (id descending). */
void wh_user_list_sql(const wh_user_filter *f, const wh_keyset *ks, wh_sqlb *b);
/* The columns every user statement selects, in the order wh_user_row_json reads them. */
#define WH_USER_COLS "id, email, full_name, role, active, manager_id, phone"
json_t *wh_user_row_json(const wh_rows *rows, size_t i);
json_t *wh_user_json(const wh_user *u);

/* DOMAIN.md §1 "Granting roles" (users_rules.c, pure). Privileged: CEO, ADMIN and every other
 * all-venture role (COO, AUDITOR, HR_ADMIN, TEST_USER). */
bool wh_role_privileged(wh_role role);
/* Why actor may not make a change, or NULL when it may: target is the user as stored (NULL on
 * create), in the requested fields (NULL for a change that sets no field: memberships, a
 * password reset). Only CEO and ADMIN create, change or touch a privileged user; nobody
 * changes their own role or active flag. The caller answers 403 with the text. */
const char *wh_users_refusal(const wh_principal *actor, const wh_user *target,
                             const wh_user_input *in);
/* True when a change from before to after ends the user's sessions (e-mail, role or active;
 * a password change ends them where it is made). */
bool wh_users_ends_sessions(const wh_user *before, const wh_user *after);

/* Login codes (the HMAC of "<user id>:<code>" under key; out is 64 hex digits + NUL). */
void wh_code_hash(const unsigned char key[32], int64_t user_id, const char *code, char out[65]);
WH_MUST_USE wh_err wh_code_count_recent(wh_conn *c, wh_arena *a, int64_t user_id, int64_t since_ms,
                                        int64_t *count, wh_error *e);
WH_MUST_USE wh_err wh_code_store(wh_conn *c, wh_arena *a, int64_t user_id, const char *hash,
                                 int64_t now_ms, wh_error *e);
/* *ok when hash matches an open code (then all open codes are spent). Every call costs every
 * open code one of its tries before comparing, and one of the account's
 * WH_LIMIT_CODE_VERIFIES_PER_HOUR (over it, *ok stays false whatever the code). The caller
 * commits either way. */
WH_MUST_USE wh_err wh_code_check(wh_conn *c, wh_arena *a, int64_t user_id, const char *hash,
                                 int64_t now_ms, bool *ok, wh_error *e);

/* Makes a code for u, stores its hash and queues the e-mail in c's transaction; nothing (and
 * *sent false) when u already received WH_LIMIT_CODES_PER_HOUR codes this past hour. */
WH_MUST_USE wh_err wh_code_issue(wh_conn *c, wh_arena *a, const unsigned char key[32],
                                 const wh_user *u, int64_t now_ms, bool *sent, wh_error *e);

struct wh_route;
/* The auth and caller routes; *n receives their count. */
const struct wh_route *wh_auth_routes(size_t *n);
/* GET|POST /users, GET|PATCH /users/{id}. */
const struct wh_route *wh_users_routes(size_t *n);

#endif
