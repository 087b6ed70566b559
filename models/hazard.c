/* hazard: cumulative hazards and inversion sampling; see hazard.h. */
#include "models/hazard.h"

#include <math.h>

static void ratios_one(hazard *h)
{
    for (int i = 0; i < N_SEX; i++) h->hr_sex[i] = 1;
    for (int i = 0; i < N_AGE; i++) h->hr_age[i] = 1;
    for (int i = 0; i < N_REGION; i++) h->hr_region[i] = 1;
    for (int i = 0; i < N_SEV; i++) h->hr_severity[i] = 1;
    for (int i = 0; i < N_EDU; i++) h->hr_education[i] = 1;
}

void hazard_init_none(hazard *h)
{
    *h = (hazard){ .shape = HAZ_NONE, .clock = CLOCK_STATE };
    ratios_one(h);
}

void hazard_init_exponential(hazard *h, double rate_per_day)
{
    hazard_init_none(h);
    h->shape = HAZ_EXPONENTIAL;
    h->rate = rate_per_day;
}

double hazard_cumulative(const hazard *h, double d)
{
    if (d <= 0)
        return 0;
    switch (h->shape) {
    case HAZ_EXPONENTIAL:
        return h->rate * d;
    case HAZ_WEIBULL:
        return pow(d / h->wscale, h->wshape);
    case HAZ_PIECEWISE: {
        double sum = 0;
        for (size_t i = 0; i < h->npieces; i++) {
            double lo = h->start[i];
            double hi = i + 1 < h->npieces ? h->start[i + 1] : INFINITY;
            if (d <= lo)
                break;
            sum += h->rates[i] * ((d < hi ? d : hi) - lo);
        }
        return sum;
    }
    default:
        return 0;
    }
}

double hazard_spend_shaped(const hazard *h, double age, double target)
{
    if (age < 0)
        age = 0;
    switch (h->shape) {
    case HAZ_EXPONENTIAL:
        return h->rate > 0 ? target / h->rate : INFINITY;
    case HAZ_WEIBULL: {
        double ha = age > 0 ? pow(age / h->wscale, h->wshape) : 0.0;
        return h->wscale * pow(ha + target, 1.0 / h->wshape) - age;
    }
    case HAZ_PIECEWISE: {
        /* walk the pieces from the current age, spending `target` */
        double t = age;
        for (size_t i = 0; i < h->npieces; i++) {
            double hi = i + 1 < h->npieces ? h->start[i + 1] : INFINITY;
            if (t >= hi)
                continue;
            double lo = t > h->start[i] ? t : h->start[i];
            double r = h->rates[i];
            if (r > 0) {
                double need = target / r;
                if (lo + need <= hi)
                    return lo + need - age;
                target -= r * (hi - lo);
            }
            t = hi;
        }
        return INFINITY;
    }
    default:
        return INFINITY;
    }
}
