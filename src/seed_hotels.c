/* The demo month's hotels: three hotels of the HOSPITALITY venture, each with the night
 * audit's figures for every day (weekends fuller and dearer), guest reviews of which most are
 * answered by the CSR a few hours later (HOTEL_REVIEW_RESPONDED), and chargeback disputes that
 * age from OPEN through IN_PROGRESS to a resolution owned by the CSR (HOTEL_DISPUTE_RESOLVED).
 * Each write is the store call of its route with that route's audit entry and event. */
#include "seed_int.h"
#include "hotels/hotels.h"

#include <string.h>

static const struct {
    const char *code, *name, *city;
    int64_t rooms, adr; /* adr: the weekday average daily rate in cents */
} hotels[] = {
    {"SAV1", "Harbor Inn Savannah", "Savannah", 80, 13900},
    {"CHS1", "Harbor Suites Charleston", "Charleston", 120, 16900},
    {"JAX1", "Harbor Inn Jacksonville", "Jacksonville", 64, 11900},
};
#define NHOTELS (sizeof hotels / sizeof hotels[0])

static const char *const review_texts[] = {
    "The room was noisy and the air conditioning did not work.",
    "Check-in took forty minutes; the room itself was fine.",
    "Clean room, average breakfast, fair price.",
    "Great location and helpful staff at the front desk.",
    "Lovely stay: spotless room and a warm welcome.",
};
static const char *const responses[] = {
    "We are sorry: engineering has fixed the unit and we would like to make it right.",
    "Thank you for the feedback; we have added a second agent at peak check-in times.",
    "Thank you for staying with us; we are working on the breakfast menu.",
    "Thank you! We will pass your kind words on to the team.",
    "Thank you for the wonderful review; we hope to welcome you back soon.",
};
static const char *const sources[] = {"GOOGLE", "TRIPADVISOR", "BOOKING", "EXPEDIA"};
static const char *const dispute_types[] = {"CHARGEBACK", "NO_SHOW", "RATE_DISPUTE"};
static const char *const channels[] = {"VISA", "MASTERCARD", "AMEX", "BOOKING"};

typedef struct {
    wh_seed_month *sm;
    int64_t ids[NHOTELS], csr;
} hotel_ctx;

static wh_err ensure_hotels(hotel_ctx *h, wh_error *e)
{
    wh_seed_month *sm = h->sm;
    wh_err rc = wh_seed_id_of(sm->c, sm->a, "SELECT id FROM users WHERE email = $1",
                              "csr@demo.wheelhouse.test", &h->csr, e);
    for (size_t i = 0; rc == WH_OK && i < NHOTELS; i++) {
        rc = wh_seed_id_of(sm->c, sm->a, "SELECT id FROM hotels WHERE code = $1", hotels[i].code,
                           &h->ids[i], e);
        if (rc != WH_OK || h->ids[i])
            continue;
        wh_hotel_input in = {.venture_id = sm->htl,
                             .rooms = hotels[i].rooms,
                             .name = hotels[i].name,
                             .code = hotels[i].code,
                             .status = "ACTIVE",
                             .has_city = true,
                             .city = hotels[i].city,
                             .has_state = true,
                             .state = i == 2   ? "FL"
                                      : i == 1 ? "SC"
                                               : "GA"};
        wh_hotel out;
        rc = wh_hotel_create(sm->c, sm->a, &in, sm->now, &out, e);
        h->ids[i] = out.id;
    }
    if (rc == WH_OK && !h->csr)
        rc = wh_fail(e, WH_ERR_INTERNAL, "The demo CSR is missing.");
    return rc;
}

/* The night audit of hotel i for day k, entered the next morning (today's at now). */
static wh_err daily(hotel_ctx *h, size_t i, int k, wh_error *e)
{
    wh_seed_month *sm = h->sm;
    wh_seed_rng r = wh_seed_rng_for(sm->days[k], 200 + i);
    int wd = wh_seed_weekday(sm->days[k]);
    bool weekend = wd == 4 || wd == 5;
    int64_t occ = wh_seed_rng_range(&r, 56, 74) + (weekend ? 18 : 0);
    int64_t sold = hotels[i].rooms * (occ > 100 ? 100 : occ) / 100;
    int64_t adr = hotels[i].adr + (weekend ? 2500 : 0) + wh_seed_rng_range(&r, -800, 800);
    int64_t room = sold * adr, other = sold * wh_seed_rng_range(&r, 600, 1800);
    wh_hotel_daily d = {.hotel_id = h->ids[i],
                        .venture_id = sm->htl,
                        .date = sm->days[k],
                        .rooms_sold = sold,
                        .rooms_available = hotels[i].rooms,
                        .room_revenue_cents = room,
                        .other_revenue_cents = other,
                        .cash_cents = (room + other) / 10,
                        .credit_cents = (room + other) * 6 / 10,
                        .refund_cents =
                            wh_seed_rng_pct(&r, 15) ? wh_seed_rng_range(&r, 50, 250) * 100 : 0,
                        .lost_dues_cents =
                            wh_seed_rng_pct(&r, 8) ? wh_seed_rng_range(&r, 80, 400) * 100 : 0},
                   out;
    d.online_cents = room + other - d.cash_cents - d.credit_cents;
    int64_t at = k + 1 < sm->ndays ? wh_seed_at(sm, k + 1, 7 * 60) : sm->now;
    at = at < sm->now ? at : sm->now;
    wh_err rc = wh_hotel_daily_upsert(sm->c, sm->a, &d, at, &out, e);
    if (rc == WH_OK)
        rc = wh_seed_audit(sm, h->csr, "hotel_daily.create", "hotel_daily", out.id, sm->htl, NULL,
                           wh_hotel_daily_json(&out), at, e);
    return rc;
}

/* Sometimes a review of hotel i on day k; answered by the CSR 2-30 hours later when that is
 * before now (three in four). */
static wh_err review(hotel_ctx *h, size_t i, int k, wh_error *e)
{
    wh_seed_month *sm = h->sm;
    wh_seed_rng r = wh_seed_rng_for(sm->days[k], 300 + i);
    int64_t at = wh_seed_at(sm, k, wh_seed_rng_range(&r, 8 * 60, 22 * 60));
    if (!wh_seed_rng_pct(&r, 40) || at >= sm->now)
        return WH_OK;
    int64_t stars = wh_seed_rng_range(&r, 0, 9); /* 1-2 stars rarely, 3-5 mostly */
    int64_t t = stars < 1 ? 0 : stars < 2 ? 1 : 2 + (stars - 2) * 3 / 8;
    wh_hotel_review in = {.hotel_id = h->ids[i],
                          .venture_id = sm->htl,
                          .rating = t + 1,
                          .source = sources[wh_seed_rng_range(&r, 0, 3)],
                          .text = review_texts[t],
                          .review_date = sm->days[k]},
                    out, answered;
    wh_err rc = wh_hotel_review_create(sm->c, sm->a, &in, at, &out, e);
    if (rc == WH_OK)
        rc = wh_seed_audit(sm, h->csr, "hotel_review.create", "hotel_review", out.id, sm->htl, NULL,
                           wh_hotel_review_json(&out), at, e);
    at += wh_seed_rng_range(&r, 2, 30) * 3600000LL;
    if (rc != WH_OK || !wh_seed_rng_pct(&r, 75) || at >= sm->now)
        return rc;
    rc = wh_hotel_review_respond(sm->c, sm->a, out.id, responses[t], h->csr, at, &answered, e);
    if (rc == WH_OK)
        rc = wh_seed_audit(sm, h->csr, "hotel_review.respond", "hotel_review", out.id, sm->htl,
                           wh_hotel_review_json(&out), wh_hotel_review_json(&answered), at, e);
    if (rc == WH_OK)
        rc = wh_seed_publish(sm, WH_EVENT_HOTEL_REVIEW_RESPONDED, sm->htl, 0, h->csr,
                             wh_arena_printf(sm->a, "hotel_review:%lld", (long long)out.id),
                             wh_seed_day_of(sm, at), at, e);
    return rc;
}

/* One PATCH /hotels/disputes/{id} at instant at, publishing the resolution when it is one. */
static wh_err dispute_move(hotel_ctx *h, wh_hotel_dispute *d, const char *status, const char *note,
                           int64_t at, wh_error *e)
{
    wh_seed_month *sm = h->sm;
    wh_hotel_dispute_patch p = {.has_status = true,
                                .status = status,
                                .has_owner = true,
                                .owner_id = h->csr,
                                .has_note = note != NULL,
                                .note = note};
    wh_hotel_dispute after;
    wh_err rc = wh_hotel_dispute_update(sm->c, sm->a, d->id, &p, at, &after, e);
    if (rc == WH_OK)
        rc = wh_seed_audit(sm, h->csr, "hotel_dispute.update", "hotel_dispute", d->id, sm->htl,
                           wh_hotel_dispute_json(d), wh_hotel_dispute_json(&after), at, e);
    if (rc == WH_OK && wh_hotel_dispute_resolved(status))
        rc = wh_seed_publish(sm, WH_EVENT_HOTEL_DISPUTE_RESOLVED, sm->htl, 0, h->csr,
                             wh_arena_printf(sm->a, "hotel_dispute:%lld", (long long)d->id),
                             wh_seed_day_of(sm, at), at, e);
    if (rc == WH_OK)
        *d = after;
    return rc;
}

/* Sometimes a dispute of hotel i on day k: taken up after 1-4 days, resolved 4-12 days later. */
static wh_err dispute(hotel_ctx *h, size_t i, int k, wh_error *e)
{
    static const char *const ends[] = {"WON", "WON", "LOST", "CLOSED_NO_ACTION"};
    static const char *const notes[] = {"Folio and signed card slip sent; the bank reversed it.",
                                        "Folio and signed card slip sent; the bank reversed it.",
                                        "Guest's claim upheld by the issuer.",
                                        "Guest withdrew the claim."};
    wh_seed_month *sm = h->sm;
    wh_seed_rng r = wh_seed_rng_for(sm->days[k], 400 + i);
    int64_t at = wh_seed_at(sm, k, wh_seed_rng_range(&r, 9 * 60, 17 * 60));
    if (!wh_seed_rng_pct(&r, 15) || at >= sm->now)
        return WH_OK;
    wh_hotel_dispute in = {.hotel_id = h->ids[i],
                           .venture_id = sm->htl,
                           .type = dispute_types[wh_seed_rng_range(&r, 0, 2)],
                           .channel = channels[wh_seed_rng_range(&r, 0, 3)],
                           .amount_cents = wh_seed_rng_range(&r, 90, 900) * 100},
                     d;
    wh_err rc = wh_hotel_dispute_create(sm->c, sm->a, &in, at, &d, e);
    if (rc == WH_OK)
        rc = wh_seed_audit(sm, h->csr, "hotel_dispute.create", "hotel_dispute", d.id, sm->htl, NULL,
                           wh_hotel_dispute_json(&d), at, e);
    int end = (int)wh_seed_rng_range(&r, 0, 3);
    int64_t taken = at + wh_seed_rng_range(&r, 1, 4) * 86400000LL;
    int64_t resolved = taken + wh_seed_rng_range(&r, 4, 12) * 86400000LL;
    if (rc == WH_OK && taken < sm->now)
        rc = dispute_move(h, &d, "IN_PROGRESS", NULL, taken, e);
    if (rc == WH_OK && resolved < sm->now)
        rc = dispute_move(h, &d, ends[end], notes[end], resolved, e);
    return rc;
}

wh_err wh_seed_month_hotels(wh_seed_month *sm, wh_error *e)
{
    hotel_ctx h = {.sm = sm};
    wh_err rc = ensure_hotels(&h, e);
    for (int k = 0; rc == WH_OK && k < sm->ndays; k++)
        for (size_t i = 0; rc == WH_OK && i < NHOTELS; i++) {
            rc = daily(&h, i, k, e);
            if (rc == WH_OK)
                rc = review(&h, i, k, e);
            if (rc == WH_OK)
                rc = dispute(&h, i, k, e);
        }
    return rc;
}
