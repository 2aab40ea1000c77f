/* KPI arithmetic and JSON (DOMAIN.md §8): ratios in basis points rounded half away from zero,
 * null without a denominator; range summaries with their flags. Pure: no I/O, no clock. */
#include "kpi/kpi.h"

const char *const wh_kpi_manual_names[] = {"loads_inbound",
                                           "loads_quoted",
                                           "loads_covered",
                                           "loads_lost",
                                           "revenue_cents",
                                           "cost_cents",
                                           NULL};

int64_t wh_kpi_ratio_bp(int64_t num, int64_t den, bool *has)
{
    *has = den != 0;
    if (den == 0)
        return 0;
    if (den < 0) {
        num = -num;
        den = -den;
    }
    /* num * 10000 fits: figures are far below 2^49 */
    int64_t x = num * 10000;
    return x >= 0 ? (x + den / 2) / den : -((-x + den / 2) / den);
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

json_t *wh_kpi_freight_json(const wh_kpi_freight *f)
{
    json_t *o = json_object();
    put_int(o, "venture_id", f->venture_id);
    json_object_set_new(o, "date", json_string(f->date));
    freight_fields(o, f);
    return o;
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
    for (size_t i = 0; i < n; i++) {
        s.inbound += f[i].inbound;
        s.quoted += f[i].quoted;
        s.covered += f[i].covered;
        s.lost += f[i].lost;
        s.delivered += f[i].delivered;
        s.revenue += f[i].revenue;
        s.cost += f[i].cost;
        s.profit += f[i].profit;
        s.shippers += f[i].shippers;
        s.carriers += f[i].carriers;
    }
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
    put_int(o, "total_revenue_cents", h->room_revenue + h->other_revenue);
    json_object_set_new(o, "occupancy_bp", bp_json(h->rooms_sold, h->rooms_available));
    /* average daily rate: room revenue per room sold, whole cents */
    json_object_set_new(o, "adr_cents",
                        h->rooms_sold > 0
                            ? json_integer((h->room_revenue + h->rooms_sold / 2) / h->rooms_sold)
                            : json_null());
}

json_t *wh_kpi_hotel_json(const wh_kpi_hotel *h)
{
    json_t *o = json_object();
    put_int(o, "hotel_id", h->hotel_id);
    put_int(o, "venture_id", h->venture_id);
    json_object_set_new(o, "date", json_string(h->date));
    hotel_fields(o, h);
    return o;
}

json_t *wh_kpi_hotel_summary(const wh_kpi_hotel *h, size_t n)
{
    wh_kpi_hotel s = {0};
    for (size_t i = 0; i < n; i++) {
        s.rooms_sold += h[i].rooms_sold;
        s.rooms_available += h[i].rooms_available;
        s.room_revenue += h[i].room_revenue;
        s.other_revenue += h[i].other_revenue;
        s.refund += h[i].refund;
    }
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

json_t *wh_kpi_bpo_json(const wh_kpi_bpo *b)
{
    json_t *o = json_object();
    put_int(o, "campaign_id", b->campaign_id);
    put_int(o, "venture_id", b->venture_id);
    json_object_set_new(o, "date", json_string(b->date));
    bpo_fields(o, b);
    return o;
}

json_t *wh_kpi_bpo_summary(const wh_kpi_bpo *b, size_t n)
{
    wh_kpi_bpo s = {0};
    for (size_t i = 0; i < n; i++) {
        s.dials += b[i].dials;
        s.connects += b[i].connects;
        s.deals += b[i].deals;
        s.talk_seconds += b[i].talk_seconds;
        s.revenue += b[i].revenue;
    }
    json_t *o = json_object();
    bpo_fields(o, &s);
    return o;
}

json_t *wh_kpi_manual_json(const wh_kpi_manual *m)
{
    json_t *o = json_object();
    for (int i = 0; i < WH_KPI_MANUAL_COUNT; i++)
        json_object_set_new(o, wh_kpi_manual_names[i],
                            m->has[i] ? json_integer((json_int_t)m->v[i]) : json_null());
    return o;
}
