/* The pure rules of Hospitality: derived figures of a daily entry, the entry's cross-field
 * checks, who may own a dispute, which dispute statuses are resolutions.
 *
 * Rounding (DOMAIN.md is silent): every ratio is rounded half away from zero to a whole unit
 * (basis point or cent), the same rule the incentives use for money. Inputs are bounded
 * (WH_HOTELS_ROOMS_MAX, WH_HOTELS_CENTS_MAX), so no product here can overflow int64. */
#include "hotels/hotels.h"

#include <string.h>

const char *const wh_hotel_statuses[] = {"ACTIVE", "CLOSED", "RENOVATION", "SOLD", NULL};
const char *const wh_hotel_review_sources[] = {"GOOGLE",  "TRIPADVISOR", "BOOKING",
                                               "EXPEDIA", "OTHER",       NULL};
const char *const wh_hotel_dispute_statuses[] = {"OPEN", "IN_PROGRESS",      "WON",
                                                 "LOST", "CLOSED_NO_ACTION", NULL};

static int64_t magnitude(int64_t v)
{
    return v < 0 ? -v : v;
}

int64_t wh_hotel_div_round(int64_t num, int64_t den)
{
    int64_t q = num / den, rem = magnitude(num % den);
    /* rem >= |den| - rem is 2 * rem >= |den| without the overflow */
    if (rem >= magnitude(den) - rem)
        q += (num < 0) == (den < 0) ? 1 : -1;
    return q;
}

void wh_hotel_daily_derive(const wh_hotel_daily *d, wh_hotel_figures *out)
{
    int64_t lost = d->lost_dues_cents, revenue = d->room_revenue_cents;
    out->occupancy_bp = wh_hotel_div_round(d->rooms_sold * 10000, d->rooms_available);
    out->has_adr = d->rooms_sold > 0;
    out->adr_cents = out->has_adr ? wh_hotel_div_round(revenue, d->rooms_sold) : 0;
    out->revpar_cents = wh_hotel_div_round(revenue, d->rooms_available);
    /* lost >= 10% of revenue, exactly: lost * 10000 >= revenue * 1000 */
    out->high_loss = lost > 0 && (lost >= WH_HOTELS_HIGH_LOSS_CENTS ||
                                  lost * 10000 >= revenue * WH_HOTELS_HIGH_LOSS_BP);
}

bool wh_hotel_daily_check(const wh_hotel_daily *d, wh_error *e)
{
    if (d->rooms_sold <= d->rooms_available)
        return true;
    (void)wh_error_field(e, "rooms_sold", "must not exceed rooms_available (%lld)",
                         (long long)d->rooms_available);
    return false;
}

bool wh_hotel_owner_eligible(const wh_hotel_owner_facts *f)
{
    wh_role role;
    if (!f->exists || !f->active)
        return false;
    return f->member || (f->role && wh_role_parse(f->role, &role) && wh_role_all_ventures(role));
}

bool wh_hotel_dispute_resolved(const char *status)
{
    return status && (strcmp(status, "WON") == 0 || strcmp(status, "LOST") == 0 ||
                      strcmp(status, "CLOSED_NO_ACTION") == 0);
}
