/* KPI arithmetic and JSON (DOMAIN.md §8): ratios in basis points rounded half away from zero,
 * null without a denominator; range summaries with their flags. Pure: no I/O, no clock.
 * Invariant: no arithmetic here can overflow. A ratio is computed exactly for any int64 inputs
 * (portable 64-bit long division, no __int128 and no floating point); a range sum that would
 * pass the int64 range makes the summary NULL, which the routes answer as an error. */
#include "kpi/kpi.h"

#include "core/clock.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

const char *const wh_kpi_manual_names[] = {"loads_inbound",
                                           "loads_quoted",
                                           "loads_covered",
                                           "loads_lost",
                                           "revenue_cents",
                                           "cost_cents",
                                           NULL};

/* |v| without overflow (|INT64_MIN| is 2^63, which uint64_t holds). */
static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
}

/* floor(a * m / d) with a < d <= 2^63, and its remainder, by binary long multiplication: every
 * intermediate stays below 2d <= 2^64, so nothing overflows. */
static uint64_t mul_div(uint64_t a, uint64_t m, uint64_t d, uint64_t *rem)
{
    uint64_t q = 0, r = 0;
    for (int bit = 63; bit >= 0; bit--) {
        q <<= 1;
        r <<= 1;
        if (r >= d) {
            r -= d;
            q++;
        }
        if ((m >> bit) & 1) {
            r += a;
            if (r >= d) {
                r -= d;
                q++;
            }
        }
    }
    *rem = r;
    return q;
}

int64_t wh_kpi_ratio_bp(int64_t num, int64_t den, bool *has)
{
    *has = den != 0;
    if (den == 0)
        return 0;
    bool negative = (num < 0) != (den < 0);
    uint64_t n = magnitude(num), d = magnitude(den), rem;
    uint64_t whole = n / d, frac = mul_div(n % d, 10000, d, &rem);
    if (rem >= d - rem) /* half away from zero: 2 * rem >= d, without doubling rem */
        frac++;
    /* whole * 10000 + frac, saturated at the int64 range (only for |num / den| > 9.2 * 10^14) */
    uint64_t cap = (uint64_t)INT64_MAX;
    uint64_t bp = whole > (cap - frac) / 10000 ? cap : whole * 10000 + frac;
    return negative ? -(int64_t)bp : (int64_t)bp;
}

/* *acc += v unless that passes the int64 range (then false and *acc unchanged). */
static bool add(int64_t *acc, int64_t v)
{
    if ((v > 0 && *acc > INT64_MAX - v) || (v < 0 && *acc < INT64_MIN - v))
        return false;
    *acc += v;
    return true;
}

/* num / den in whole units rounded half away from zero, for num >= 0 and den > 0. */
static int64_t div_round(int64_t num, int64_t den)
{
    int64_t q = num / den, r = num % den;
    return r >= den - r ? q + 1 : q;
}

static json_t *bp_json(int64_t num, int64_t den)
{
    bool has;
    int64_t v = wh_kpi_ratio_bp(num, den, &has);
    return has ? json_integer(v) : json_null();
}

static void put_int(json_t *o, const char *k, int64_t v)
{
    json_object_set_new(o, k, json_integer((json_int_t)v));
}

static void freight_fields(json_t *o, const wh_kpi_freight *f)
{
    put_int(o, "loads_inbound", f->inbound);
    put_int(o, "loads_quoted", f->quoted);
    put_int(o, "loads_covered", f->covered);
    put_int(o, "loads_delivered", f->delivered);
    put_int(o, "loads_lost", f->lost);
    put_int(o, "revenue_cents", f->revenue);
    put_int(o, "cost_cents", f->cost);
    put_int(o, "profit_cents", f->profit);
    json_object_set_new(o, "margin_bp", bp_json(f->profit, f->revenue));
    put_int(o, "active_shippers", f->shippers);
    put_int(o, "active_carriers", f->carriers);
}

/* Adds a ratio and its "low" flag (false when the ratio is null). */
static void flagged(json_t *o, const char *key, const char *flag, int64_t num, int64_t den,
                    int64_t low)
{
    bool has;
    int64_t v = wh_kpi_ratio_bp(num, den, &has);
    json_object_set_new(o, key, has ? json_integer(v) : json_null());
    json_object_set_new(o, flag, json_boolean(has && v < low));
}

json_t *wh_kpi_freight_summary(const wh_kpi_freight *f, size_t n)
{
    wh_kpi_freight s = {0};
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        ok = ok && add(&s.inbound, f[i].inbound) && add(&s.quoted, f[i].quoted) &&
             add(&s.covered, f[i].covered) && add(&s.lost, f[i].lost) &&
             add(&s.delivered, f[i].delivered) && add(&s.revenue, f[i].revenue) &&
             add(&s.cost, f[i].cost) && add(&s.profit, f[i].profit) &&
             add(&s.shippers, f[i].shippers) && add(&s.carriers, f[i].carriers);
    }
    if (!ok)
        return NULL;
    json_t *o = json_object();
    freight_fields(o, &s);
    flagged(o, "coverage_bp", "low_coverage", s.covered, s.inbound, WH_KPI_LOW_COVERAGE_BP);
    flagged(o, "margin_bp", "low_margin", s.profit, s.revenue, WH_KPI_LOW_MARGIN_BP);
    return o;
}

static void hotel_fields(json_t *o, const wh_kpi_hotel *h)
{
    put_int(o, "rooms_sold", h->rooms_sold);
    put_int(o, "rooms_available", h->rooms_available);
    put_int(o, "room_revenue_cents", h->room_revenue);
    put_int(o, "other_revenue_cents", h->other_revenue);
    put_int(o, "refund_cents", h->refund);
    put_int(o, "lost_dues_cents", h->lost_dues);
    put_int(o, "total_revenue_cents", h->room_revenue + h->other_revenue);
    json_object_set_new(o, "occupancy_bp", bp_json(h->rooms_sold, h->rooms_available));
    /* average daily rate: room revenue per room sold, whole cents */
    json_object_set_new(o, "adr_cents",
                        h->rooms_sold > 0 && h->room_revenue >= 0
                            ? json_integer(div_round(h->room_revenue, h->rooms_sold))
                            : json_null());
}

json_t *wh_kpi_hotel_summary(const wh_kpi_hotel *h, size_t n)
{
    wh_kpi_hotel s = {0};
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        ok = ok && add(&s.rooms_sold, h[i].rooms_sold) &&
             add(&s.rooms_available, h[i].rooms_available) &&
             add(&s.room_revenue, h[i].room_revenue) && add(&s.other_revenue, h[i].other_revenue) &&
             add(&s.refund, h[i].refund) && add(&s.lost_dues, h[i].lost_dues);
    }
    int64_t total = s.room_revenue; /* total_revenue_cents must fit too */
    if (!ok || !add(&total, s.other_revenue))
        return NULL;
    json_t *o = json_object();
    hotel_fields(o, &s);
    return o;
}

static void bpo_fields(json_t *o, const wh_kpi_bpo *b)
{
    put_int(o, "dials", b->dials);
    put_int(o, "connects", b->connects);
    put_int(o, "deals", b->deals);
    put_int(o, "talk_seconds", b->talk_seconds);
    put_int(o, "revenue_cents", b->revenue);
    json_object_set_new(o, "connect_rate_bp", bp_json(b->connects, b->dials));
    json_object_set_new(o, "conversion_bp", bp_json(b->deals, b->connects));
}

json_t *wh_kpi_bpo_summary(const wh_kpi_bpo *b, size_t n)
{
    wh_kpi_bpo s = {0};
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        ok = ok && add(&s.dials, b[i].dials) && add(&s.connects, b[i].connects) &&
             add(&s.deals, b[i].deals) && add(&s.talk_seconds, b[i].talk_seconds) &&
             add(&s.revenue, b[i].revenue);
    }
    if (!ok)
        return NULL;
    json_t *o = json_object();
    bpo_fields(o, &s);
    return o;
}

/* The five MRR flows, net new MRR and the three customer counts of s (or of a sum of rows). */
static void saas_flows(json_t *o, const wh_kpi_saas *s)
{
    put_int(o, "new_mrr_cents", s->new_mrr);
    put_int(o, "expansion_mrr_cents", s->expansion);
    put_int(o, "reactivation_mrr_cents", s->reactivation);
    put_int(o, "contraction_mrr_cents", s->contraction);
    put_int(o, "churned_mrr_cents", s->churned);
    put_int(o, "net_new_mrr_cents",
            s->new_mrr + s->expansion + s->reactivation - s->contraction - s->churned);
}

/* Active customers at the end of the day before s's day: active - new - reactivated + churned. */
static int64_t saas_start_customers(const wh_kpi_saas *s)
{
    return s->active - s->new_customers - s->reactivated + s->churned_customers;
}

static void saas_fields(json_t *o, const wh_kpi_saas *s)
{
    put_int(o, "mrr_cents", s->mrr);
    put_int(o, "arr_cents", 12 * s->mrr);
    saas_flows(o, s);
    put_int(o, "active_customers", s->active);
    put_int(o, "new_customers", s->new_customers);
    put_int(o, "reactivated_customers", s->reactivated);
    put_int(o, "churned_customers", s->churned_customers);
    json_object_set_new(o, "logo_churn_bp", bp_json(s->churned_customers, saas_start_customers(s)));
    put_int(o, "nrr_base_mrr_cents", s->nrr_base);
    put_int(o, "nrr_retained_mrr_cents", s->nrr_retained);
    json_object_set_new(o, "nrr_bp", bp_json(s->nrr_retained, s->nrr_base));
}

/* *acc += each figure of row (false when a sum passes the int64 range). */
static bool saas_add(wh_kpi_saas *acc, const wh_kpi_saas *row, bool flows, bool stocks)
{
    bool ok = true;
    if (flows)
        ok = add(&acc->new_mrr, row->new_mrr) && add(&acc->expansion, row->expansion) &&
             add(&acc->reactivation, row->reactivation) &&
             add(&acc->contraction, row->contraction) && add(&acc->churned, row->churned) &&
             add(&acc->new_customers, row->new_customers) &&
             add(&acc->reactivated, row->reactivated) &&
             add(&acc->churned_customers, row->churned_customers);
    if (stocks)
        ok = ok && add(&acc->mrr, row->mrr) && add(&acc->active, row->active) &&
             add(&acc->nrr_base, row->nrr_base) && add(&acc->nrr_retained, row->nrr_retained);
    return ok;
}

json_t *wh_kpi_saas_summary(const wh_kpi_saas *s, size_t n)
{
    wh_kpi_saas sum = {0}, first = {0};
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        bool latest = strcmp(s[i].date, s[n - 1].date) == 0;
        bool earliest = strcmp(s[i].date, s[0].date) == 0;
        ok = saas_add(&sum, &s[i], true, latest) &&
             (!earliest || saas_add(&first, &s[i], true, true));
    }
    int64_t net = 0, start_mrr = 0, start_customers = 0;
    /* ARR = 12 x MRR must fit; start MRR = Σ (mrr - net new) and start customers over the
     * earliest date's rows */
    ok = ok && sum.mrr <= INT64_MAX / 12 && sum.mrr >= INT64_MIN / 12 && add(&net, first.new_mrr) &&
         add(&net, first.expansion) && add(&net, first.reactivation) &&
         add(&net, -first.contraction) && add(&net, -first.churned) && add(&start_mrr, first.mrr) &&
         add(&start_mrr, -net) && add(&start_customers, saas_start_customers(&first));
    if (!ok)
        return NULL;
    json_t *o = json_object();
    put_int(o, "start_mrr_cents", start_mrr);
    put_int(o, "mrr_cents", sum.mrr);
    put_int(o, "arr_cents", 12 * sum.mrr);
    saas_flows(o, &sum);
    put_int(o, "start_customers", start_customers);
    put_int(o, "active_customers", sum.active);
    put_int(o, "new_customers", sum.new_customers);
    put_int(o, "reactivated_customers", sum.reactivated);
    put_int(o, "churned_customers", sum.churned_customers);
    json_object_set_new(o, "logo_churn_bp", bp_json(sum.churned_customers, start_customers));
    put_int(o, "nrr_base_mrr_cents", sum.nrr_base);
    put_int(o, "nrr_retained_mrr_cents", sum.nrr_retained);
    json_object_set_new(o, "nrr_bp", bp_json(sum.nrr_retained, sum.nrr_base));
    return o;
}

bool wh_kpi_year_before(const char *day, char *out, size_t cap)
{
    int y, m, d;
    if (!wh_clock_parse_date(day, &y, &m, &d) || cap < 11)
        return false;
    if (m == 2 && d == 29)
        d = 28;
    snprintf(out, cap, "%04d-%02d-%02d", y - 1, m, d);
    return true;
}

/* The leading members of a KPI day: its hotel or campaign (none when id_key is NULL), its
 * venture and its date. */
static json_t *day_json(const char *id_key, int64_t id, int64_t venture_id, const char *date)
{
    json_t *o = json_object();
    if (id_key)
        put_int(o, id_key, id);
    put_int(o, "venture_id", venture_id);
    json_object_set_new(o, "date", json_string(date));
    return o;
}

static json_t *one_day(const wh_kpi_days *d, size_t i)
{
    const wh_kpi_freight *f = (const wh_kpi_freight *)d->rows + i;
    const wh_kpi_hotel *h = (const wh_kpi_hotel *)d->rows + i;
    const wh_kpi_bpo *b = (const wh_kpi_bpo *)d->rows + i;
    const wh_kpi_saas *s = (const wh_kpi_saas *)d->rows + i;
    json_t *o;
    if (d->kind == WH_KPI_SAAS) {
        o = day_json(NULL, 0, s->venture_id, s->date);
        saas_fields(o, s);
    } else if (d->kind == WH_KPI_FREIGHT) {
        o = day_json(NULL, 0, f->venture_id, f->date);
        freight_fields(o, f);
    } else if (d->kind == WH_KPI_HOTEL) {
        o = day_json("hotel_id", h->hotel_id, h->venture_id, h->date);
        hotel_fields(o, h);
    } else {
        o = day_json("campaign_id", b->campaign_id, b->venture_id, b->date);
        bpo_fields(o, b);
    }
    return o;
}

json_t *wh_kpi_days_json(const wh_kpi_days *d)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < d->n; i++)
        json_array_append_new(arr, one_day(d, i));
    return arr;
}

json_t *wh_kpi_days_summary(const wh_kpi_days *d)
{
    switch (d->kind) {
    case WH_KPI_FREIGHT:
        return wh_kpi_freight_summary(d->rows, d->n);
    case WH_KPI_HOTEL:
        return wh_kpi_hotel_summary(d->rows, d->n);
    case WH_KPI_BPO:
        return wh_kpi_bpo_summary(d->rows, d->n);
    case WH_KPI_SAAS:
        return wh_kpi_saas_summary(d->rows, d->n);
    default:
        return json_object();
    }
}

json_t *wh_kpi_manual_json(const wh_kpi_manual *m)
{
    json_t *o = json_object();
    for (int i = 0; i < WH_KPI_MANUAL_COUNT; i++)
        json_object_set_new(o, wh_kpi_manual_names[i],
                            m->has[i] ? json_integer((json_int_t)m->v[i]) : json_null());
    return o;
}

bool wh_kpi_overview_money(const wh_kpi_overview_row *row, int64_t *revenue, int64_t *cost,
                           bool *cost_tracked)
{
    const char *t = row->type;
    *revenue = *cost = 0;
    *cost_tracked = false;
    if (strcmp(t, "LOGISTICS") == 0 || strcmp(t, "TRANSPORT") == 0) {
        *revenue = row->freight_revenue;
        *cost = row->freight_cost;
        *cost_tracked = true;
    } else if (strcmp(t, "HOSPITALITY") == 0) {
        *revenue = row->hotel_revenue;
        *cost = row->hotel_cost;
        *cost_tracked = true;
    } else if (strcmp(t, "BPO") == 0) {
        *revenue = row->bpo_revenue;
    } else if (strcmp(t, "SAAS") == 0) {
        /* each day earns ARR / 365: Σ mrr x 12 / 365, rounded once on the sum */
        if (row->saas_mrr_sum < 0 || row->saas_mrr_sum > INT64_MAX / 12)
            return false;
        *revenue = div_round(row->saas_mrr_sum * 12, 365);
    }
    int64_t margin = *revenue;
    return add(&margin, -*cost);
}
