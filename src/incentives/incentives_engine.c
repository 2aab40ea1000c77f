/* The incentive arithmetic, pure: what a rule pays for a metric value, which rules apply to a
 * member, and the per-user sums of a day. No I/O and no clock, so it is unit-tested directly.
 *
 * Invariants: amounts are int64 cents, rounded half away from zero once per rule; products
 * that would overflow saturate at the int64 range instead of wrapping. */
#include "incentives/incentives.h"
#include "core/clock.h"

#include <string.h>

const char *const wh_inc_metric_names[] = {"loads_completed",
                                           "loads_revenue_cents",
                                           "loads_margin_cents",
                                           "loads_miles",
                                           "bpo_dials",
                                           "bpo_connects",
                                           "bpo_deals",
                                           "bpo_talk_seconds",
                                           "hotel_reviews_responded",
                                           NULL};

const char *const wh_inc_calc_names[] = {"PERCENT_OF_METRIC", "FLAT_PER_UNIT", "CURRENCY_PER_UNIT",
                                         "BONUS_ON_TARGET",   "TIERED_SLAB",   NULL};

int wh_incentives_name_index(const char *const *names, const char *name)
{
    for (int i = 0; name && names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

int64_t wh_incentives_div_round(int64_t num, int64_t den)
{
    int64_t q = num / den, rem = num % den;
    /* |rem| >= den - |rem| means the remainder is at least half: round away from zero */
    int64_t arem = rem < 0 ? -rem : rem;
    if (arem >= den - arem)
        q += num < 0 ? -1 : 1;
    return q;
}

static int64_t saturate(bool negative)
{
    return negative ? INT64_MIN : INT64_MAX;
}

static int64_t mul_sat(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return saturate((a < 0) != (b < 0));
    return r;
}

static int64_t add_sat(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return saturate(a < 0);
    return r;
}

/* metric x bp / 10000 without an overflowing intermediate: the whole ten-thousands are
 * multiplied exactly, the remainder (|rem| < 10000) is rounded. */
static int64_t percent(int64_t metric, int64_t bp)
{
    int64_t whole = mul_sat(metric / 10000, bp);
    int64_t frac = wh_incentives_div_round((metric % 10000) * bp, 10000);
    return add_sat(whole, frac);
}

/* Marginal tiers like tax brackets: each tier pays its rate for the units between its start
 * and the next tier's start. */
static int64_t tiered(const wh_inc_rule *rule, int64_t metric)
{
    int64_t total = 0;
    for (size_t i = 0; i < rule->ntiers; i++) {
        int64_t from = rule->tiers[i].from;
        if (metric <= from)
            break;
        int64_t upto = i + 1 < rule->ntiers && rule->tiers[i + 1].from < metric
                           ? rule->tiers[i + 1].from
                           : metric;
        total = add_sat(total, mul_sat(upto - from, rule->tiers[i].rate_cents));
    }
    return total;
}

int64_t wh_incentives_rule_amount(const wh_inc_rule *rule, int64_t metric)
{
    switch (rule->calc) {
    case WH_INC_PERCENT_OF_METRIC:
        return percent(metric, rule->rate_bp);
    case WH_INC_FLAT_PER_UNIT:
    case WH_INC_CURRENCY_PER_UNIT:
        return mul_sat(metric, rule->rate_cents);
    case WH_INC_BONUS_ON_TARGET:
        return metric >= rule->threshold ? rule->bonus_cents : 0;
    case WH_INC_TIERED_SLAB:
        return tiered(rule, metric);
    case WH_INC_CALC_COUNT:
        break;
    }
    return 0;
}

static wh_err presence(bool has, bool needed, const char *field, const char *calc, wh_error *e)
{
    if (needed && !has)
        return wh_error_field(e, field, "is required by %s", calc);
    if (!needed && has)
        return wh_error_field(e, field, "is not used by %s", calc);
    return WH_OK;
}

static wh_err tiers_check(const wh_inc_rule *rule, wh_error *e)
{
    for (size_t i = 0; i < rule->ntiers; i++) {
        if (i > 0 && rule->tiers[i].from <= rule->tiers[i - 1].from)
            return wh_error_field(e, "tiers", "tier starts must increase strictly");
    }
    return WH_OK;
}

wh_err wh_incentives_rule_check(const wh_inc_rule *rule, wh_error *e)
{
    const char *calc = wh_inc_calc_names[rule->calc];
    wh_inc_calc k = rule->calc;
    wh_err rc = presence(rule->has_rate_bp, k == WH_INC_PERCENT_OF_METRIC, "rate_bp", calc, e);
    if (rc == WH_OK)
        rc = presence(rule->has_rate_cents,
                      k == WH_INC_FLAT_PER_UNIT || k == WH_INC_CURRENCY_PER_UNIT, "rate_cents",
                      calc, e);
    if (rc == WH_OK)
        rc = presence(rule->has_threshold, k == WH_INC_BONUS_ON_TARGET, "threshold", calc, e);
    if (rc == WH_OK)
        rc = presence(rule->has_bonus, k == WH_INC_BONUS_ON_TARGET, "bonus_cents", calc, e);
    if (rc == WH_OK)
        rc = presence(rule->ntiers > 0, k == WH_INC_TIERED_SLAB, "tiers", calc, e);
    if (rc == WH_OK)
        rc = tiers_check(rule, e);
    return rc;
}

void wh_incentives_rule_trim(wh_inc_rule *rule)
{
    wh_inc_calc k = rule->calc;
    if (k != WH_INC_PERCENT_OF_METRIC)
        rule->has_rate_bp = false, rule->rate_bp = 0;
    if (k != WH_INC_FLAT_PER_UNIT && k != WH_INC_CURRENCY_PER_UNIT)
        rule->has_rate_cents = false, rule->rate_cents = 0;
    if (k != WH_INC_BONUS_ON_TARGET) {
        rule->has_threshold = rule->has_bonus = false;
        rule->threshold = rule->bonus_cents = 0;
    }
    if (k != WH_INC_TIERED_SLAB)
        rule->ntiers = 0;
}

bool wh_incentives_rule_applies(const wh_inc_rule *rule, wh_role role)
{
    return rule->enabled && (!rule->has_role || rule->role == role);
}

static void compute_member(wh_arena *a, const wh_inc_rule *rules, size_t nrules,
                           const wh_inc_member *m, wh_inc_item *it)
{
    memset(it, 0, sizeof *it);
    it->user_id = m->user_id;
    it->parts = wh_arena_alloc(a, sizeof *it->parts * (nrules + 1));
    for (size_t r = 0; r < nrules; r++) {
        if (!wh_incentives_rule_applies(&rules[r], m->role))
            continue;
        int64_t amount = wh_incentives_rule_amount(&rules[r], m->m[rules[r].metric]);
        if (amount == 0)
            continue;
        it->parts[it->nparts++] = (wh_inc_part){
            .rule_id = rules[r].id, .plan_id = rules[r].plan_id, .amount_cents = amount};
        it->amount_cents = add_sat(it->amount_cents, amount);
    }
}

void wh_incentives_compute(wh_arena *a, const wh_inc_rule *rules, size_t nrules,
                           const wh_inc_member *members, size_t nmembers, wh_inc_item **out,
                           size_t *nout)
{
    *out = wh_arena_alloc(a, sizeof **out * (nmembers + 1));
    *nout = 0;
    for (size_t i = 0; i < nmembers; i++) {
        wh_inc_item *it = &(*out)[*nout];
        compute_member(a, rules, nrules, &members[i], it);
        if (it->nparts > 0)
            (*nout)++;
    }
}

int64_t wh_incentives_slice_key(int64_t venture_id, const char *day)
{
    int64_t days = 0;
    if (!wh_clock_days_between("1970-01-01", day, &days))
        days = 0;
    /* 0x1C... tags the incentive slices; the venture and the day number fill the rest */
    return (int64_t)0x1C00000000000000LL ^ (venture_id << 20) ^ (days & 0xFFFFF);
}

int64_t wh_incentives_payout_key(int64_t venture_id)
{
    return (int64_t)0x1D00000000000000LL ^ venture_id;
}

bool wh_incentives_own_rows_only(wh_role role)
{
    return !wh_rbac_allows(role, WH_PERM_INCENTIVES_READ);
}

const wh_rule wh_incentives_rule_own_rows = {
    "incentives_own_rows", WH_RULE_OWN, wh_incentives_own_rows_only,
    "Without incentives.read your role reads only its own daily incentive rows."};
