/* hazard: duration-dependent transition hazards and their sampling.
 *
 * A hazard h(d) of duration d (days) with cumulative H(d) is sampled by
 * inversion: given an Exp(1) draw E, a hazard ratio m and the clock's current
 * age a (time already spent, for left-truncated clocks such as time since
 * onset), the residual time t solves H(a + t) - H(a) = E / m. Exponential,
 * Weibull and piecewise-constant shapes are exact. O(pieces) per draw.
 */
#ifndef IPSIM_HAZARD_H
#define IPSIM_HAZARD_H

#include <math.h>
#include "models/params.h"

/* A hazard that never fires (shape HAZ_NONE) with all ratios 1. */
void hazard_init_none(hazard *h);
/* Exponential hazard with `rate` per day; ratios 1. */
void hazard_init_exponential(hazard *h, double rate_per_day);

/* Cumulative hazard H(d) at duration d days (ratio 1). */
double hazard_cumulative(const hazard *h, double d);

/* Days from clock age `age` until the cumulative hazard (ratio 1) has grown
 * by `target` = E/m, +INFINITY when the hazard never fires (shape none, zero
 * rate, or a target beyond a final zero piece). Inline for the exponential
 * shape (the hot path of the claimant model), out of line for the others. */
double hazard_spend_shaped(const hazard *h, double age, double target);
static inline double hazard_spend(const hazard *h, double age, double target)
{
    if (h->shape == HAZ_EXPONENTIAL)
        return h->rate > 0 ? target / h->rate : INFINITY;
    return hazard_spend_shaped(h, age, target);
}

/* Residual time (days) until the event, as above: hazard_spend of the
 * target E/m, +INFINITY also for a ratio m that is not positive. Inline, as
 * the claimant model draws every hazard through it. */
static inline double hazard_residual(const hazard *h, double age, double e, double ratio)
{
    return ratio > 0 ? hazard_spend(h, age, e / ratio) : INFINITY;
}

/* Product of the covariate hazard ratios for one person. */
static inline double hazard_ratio(const hazard *h, int sex, int age_band, int region,
                                  int severity, int education)
{
    return h->hr_sex[sex] * h->hr_age[age_band] * h->hr_region[region]
           * h->hr_severity[severity] * h->hr_education[education];
}

/* Age band of an age in years. */
static inline int hazard_age_band(double age_years)
{
    return age_years < 30 ? AGE_UNDER_30 : age_years < 40 ? AGE_30_39
           : age_years < 50 ? AGE_40_49 : AGE_50_PLUS;
}

#endif
