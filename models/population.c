/* population: drawing synthetic claimants; see population.h. Ages come from
 * four bands (18-29, 30-39, 40-49, 50-64), uniform within a band. */
#include "models/population.h"

#include <math.h>
#include "models/schedule.h"

static const double band_lo[N_AGE] = { 18, 30, 40, 50 };
static const double band_hi[N_AGE] = { 30, 40, 50, 65 };

/* The first i with u < shares[0] + ... + shares[i], or n - 1: the number of
 * partial sums at or below u, since they never decrease (shares >= 0).
 * Counted without branches, which u would make unpredictable. */
static int pick(const double *shares, int n, double u)
{
    double acc = 0;
    int below = 0;
    for (int i = 0; i < n - 1; i++) {
        acc += shares[i];
        below += u >= acc;
    }
    return below;
}

void population_draw(person *p, const model_params *mp, const cohort_params *c,
                     const double mental_share[N_SEX], bool from_stock, double now,
                     uint64_t pkey)
{
    sim_stream s = claimant_stream_once(pkey, DRAW_ATTRIBUTES);
    double u_sex = sim_stream_uniform(&s), u_region = sim_stream_uniform(&s);
    double u_diag = sim_stream_uniform(&s), u_sev = sim_stream_uniform(&s);
    double u_edu = sim_stream_uniform(&s), u_band = sim_stream_uniform(&s);
    double u_age = sim_stream_uniform(&s), u_primary = sim_stream_uniform(&s);
    double u_onset = sim_stream_uniform(&s);

    *p = (person){ 0 };
    p->sex = u_sex < c->share_female ? SEX_FEMALE : SEX_MALE;
    p->region = (uint8_t)pick(c->share_region, N_REGION, u_region);
    p->diagnosis = u_diag < mental_share[p->sex] ? DIAG_MENTAL : DIAG_OTHER;
    p->severity = p->diagnosis == DIAG_MENTAL ? (uint8_t)pick(c->share_severity, 3, u_sev)
                                              : SEV_NONE;
    p->education = (uint8_t)pick(c->share_education, N_EDU, u_edu);
    int band = pick(c->share_age, N_AGE, u_band);
    double age = band_lo[band] + u_age * (band_hi[band] - band_lo[band]);
    double pension = schedule_step(&mp->pension_age, mp->start_year + now / DAYS_PER_YEAR, 65);
    if (age > pension - 0.1)
        age = pension - 0.1;
    p->birth_day = (float)(now - age * DAYS_PER_YEAR);

    double onset = now;
    if (from_stock) {
        if (u_primary < c->share_primary) {
            onset = now - u_onset * DAYS_PER_YEAR;
        } else {
            double extra = c->onset_years_mean > 1 ? c->onset_years_mean - 1 : 0;
            onset = now - DAYS_PER_YEAR * (1 + extra * -log1p(-u_onset));
        }
        double earliest = p->birth_day + 18 * DAYS_PER_YEAR;
        if (onset < earliest)
            onset = earliest;
    }
    p->onset_day = (float)onset;
    p->arrival_day = (float)now;
    p->entry_day = (float)now;
    p->first_job_day = INFINITY;
    p->next_time = INFINITY;
    p->pending = UINT32_MAX;
    p->coach = 0xffff;
    p->flags = PF_ON_BENEFIT | (from_stock ? PF_FROM_STOCK : 0);
    if (now - p->onset_day >= DAYS_PER_YEAR) {
        p->flags |= PF_INVALIDITY;
        p->state = ST_INVALIDITY;
    } else {
        p->state = ST_PRIMARY;
    }
    float retire = (float)population_retire_day(mp, p);
    s = claimant_stream_once(pkey, DRAW_DEATH);
    float death = (float)population_death_day(mp, p, now, sim_stream_exponential(&s));
    /* death wins a tie, as it did when both were raced */
    p->end_day = death <= retire ? death : retire;
    if (death <= retire)
        p->flags |= PF_DIES;
}

double population_death_day(const model_params *mp, const person *p, double now, double e)
{
    double a = mp->gompertz_a[p->sex], b = mp->gompertz_b;
    if (p->diagnosis == DIAG_MENTAL)
        a *= mp->hr_death_mental;
    if (!(a > 0) || !(b > 0))
        return INFINITY;
    double age = claimant_age_years(p, now);
    /* solve a/b (e^{b(x+t)} - e^{bx}) = e for t (years) */
    double t = log(exp(b * age) + b * e / a) / b - age;
    return now + t * DAYS_PER_YEAR;
}

double population_retire_day(const model_params *mp, const person *p)
{
    /* the pension age in force when the person reaches it: iterate to a fixed point */
    double pa = schedule_step(&mp->pension_age, mp->start_year + (p->birth_day + 65 * DAYS_PER_YEAR) / DAYS_PER_YEAR, 65);
    for (int i = 0; i < 3; i++) {
        double day = p->birth_day + pa * DAYS_PER_YEAR;
        double next = schedule_step(&mp->pension_age, mp->start_year + day / DAYS_PER_YEAR, 65);
        if (next == pa)
            break; /* a fixed point: further steps return it again */
        pa = next;
    }
    return p->birth_day + pa * DAYS_PER_YEAR;
}
