/* trial: drawing, randomising and following the participants of one
 * simulated trial; see trial.h. Every random number comes from a stream
 * keyed by (seed, replication, participant or block or coach, purpose), so a
 * trial does not depend on the thread that runs it, and participant k of a
 * region is the same person whatever the sample size or effect (common
 * random numbers across a power grid). */
#include "models/trial.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "models/claimant.h"
#include "models/claimant_model.h"
#include "models/population.h"
#include "sim/sim_parallel.h"
#include "sim/sim_rng.h"

/* Stream labels of the trial, far from the claimant draw purposes (< 64). */
enum {
    TAG_TRIAL = 0x7121A1,   /* child of the replication key */
    TAG_CANDIDATE = 0xCA17D,
    TAG_BLOCK = 0xB10C,
    TAG_COACH = 0xC0AC4,
    TAG_PILOT = 0x9170,
    TAG_DAY = 0xDA7,        /* children of a participant's key */
    TAG_ASSIGN = 0xA551,
    TAG_ATTRITION = 0xA77,
    TAG_TEST_MODEL = 0x7E57,
};

#define MAX_CANDIDATES_PER_PERSON 1000 /* inclusion rejections before giving up */

/* ---- parameters ----------------------------------------------------------- */

void trial_params_default(trial_params *tp)
{
    memset(tp, 0, sizeof *tp);
    tp->model = TRIAL_MODEL_CLAIMANT;
    tp->p_test[ARM_CONTROL] = 0.23;
    tp->p_test[ARM_IPS] = 0.61;
    tp->rate_test[ARM_CONTROL] = 0.5 / DAYS_PER_YEAR;
    tp->rate_test[ARM_IPS] = 1.0 / DAYS_PER_YEAR;
    /* seed 003: 600 IPS (340 Flanders, 200 Wallonia, 60 Brussels) and 600 control, same split */
    tp->participants[REGION_FLANDERS] = 680;
    tp->participants[REGION_WALLONIA] = 400;
    tp->participants[REGION_BRUSSELS] = 120;
    tp->block_size = 4;
    tp->recruitment_days = 24 * DAYS_PER_MONTH;
    tp->follow_up_days = 60 * DAYS_PER_MONTH;
    snprintf(tp->ips_policy, sizeof tp->ips_policy, "ips");
    snprintf(tp->control_policy, sizeof tp->control_policy, "train_then_place");
    /* EQUASS case note: 23 coaches, at most 20 clients; split like 340/200/60 */
    tp->ips_coaches[REGION_FLANDERS] = 13;
    tp->ips_coaches[REGION_WALLONIA] = 8;
    tp->ips_coaches[REGION_BRUSSELS] = 2;
    tp->ips_caseload = 20;
    tp->control_caseload = 20; /* control: no coach limit (coaches 0) */
    tp->mental_only = true;
    tp->min_age = 18;
    tp->max_age = 60;
    tp->severity_ok[0] = tp->severity_ok[1] = tp->severity_ok[2] = true;
    tp->benefit_ok[BENEFIT_PRIMARY] = tp->benefit_ok[BENEFIT_INVALIDITY] = true;
    tp->coach_icc = 0.05;
    tp->coach_pilot_clients = 144000;
    tp->n_ever = 2;
    tp->ever_days[0] = 18 * DAYS_PER_MONTH;
    tp->ever_days[1] = 30 * DAYS_PER_MONTH;
    tp->n_at = 2;
    tp->at_days[0] = 18 * DAYS_PER_MONTH;
    tp->at_days[1] = 30 * DAYS_PER_MONTH;
    tp->sustained_days = 12 * DAYS_PER_MONTH;
    tp->benefit_month_eur = 1300;
    tp->benefit_part_time_share = 0.5;
    tp->primary_kind = OUT_EVER_WORKED;
    tp->primary_window = 0;
    tp->alpha = 0.05;
    tp->sided = 0; /* STATS_TWO_SIDED */
    tp->ci_level = 0.95;
    tp->power_reps = 1000;
}

size_t trial_binary_windows(const trial_params *tp, int kind)
{
    switch (kind) {
    case OUT_EVER_WORKED: return tp->n_ever;
    case OUT_WORKING:
    case OUT_WORKING_ON_BENEFIT: return tp->n_at;
    case OUT_SUSTAINED: return 1;
    default: return 0;
    }
}

void trial_binary_name(const trial_params *tp, int kind, size_t w, char *buf, size_t len)
{
    switch (kind) {
    case OUT_EVER_WORKED:
        snprintf(buf, len, "ever_worked_%.0fm", tp->ever_days[w] / DAYS_PER_MONTH);
        break;
    case OUT_WORKING:
        snprintf(buf, len, "working_%.0fm", tp->at_days[w] / DAYS_PER_MONTH);
        break;
    case OUT_WORKING_ON_BENEFIT:
        snprintf(buf, len, "working_on_benefit_%.0fm", tp->at_days[w] / DAYS_PER_MONTH);
        break;
    case OUT_SUSTAINED:
        snprintf(buf, len, "sustained_rtw");
        break;
    default:
        snprintf(buf, len, "unknown");
    }
}

uint8_t trial_person_binary(const trial_person *x, int kind, size_t w)
{
    switch (kind) {
    case OUT_EVER_WORKED: return x->ever[w];
    case OUT_WORKING: return x->working[w];
    case OUT_WORKING_ON_BENEFIT: return x->working_on_benefit[w];
    case OUT_SUSTAINED: return x->sustained;
    default: return TRIAL_MISSING;
    }
}

/* ---- design ---------------------------------------------------------------- */

static int find_policy(const model_params *mp, const char *name)
{
    for (size_t i = 0; i < mp->npolicies; i++)
        if (!strcmp(mp->policy[i].name, name))
            return (int)i;
    return -1;
}

/* Splits `total` over the regions in proportion to `weights` (largest
 * remainder), so the counts add up exactly. */
static void split_total(size_t total, const double *weights, size_t *out)
{
    double sum = 0;
    for (int g = 0; g < N_REGION; g++)
        sum += weights[g];
    size_t given = 0;
    double rest[N_REGION];
    for (int g = 0; g < N_REGION; g++) {
        double share = sum > 0 ? (double)total * weights[g] / sum : 0;
        out[g] = (size_t)floor(share);
        rest[g] = share - (double)out[g];
        given += out[g];
    }
    while (given < total) {
        int best = 0;
        for (int g = 1; g < N_REGION; g++)
            if (rest[g] > rest[best])
                best = g;
        out[best]++;
        rest[best] = -1;
        given++;
    }
}

int trial_design_init(trial_design *d, const model_params *mp, const trial_params *tp,
                      double n_total, double effect, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    d->tp = *tp;
    d->effect = effect;
    int ips = find_policy(mp, tp->ips_policy), ctl = find_policy(mp, tp->control_policy);
    if (tp->model == TRIAL_MODEL_CLAIMANT && (ips < 0 || ctl < 0)) {
        snprintf(err, errlen, "trial.arms: no policy named '%s' in the config's policies",
                 ips < 0 ? tp->ips_policy : tp->control_policy);
        return -1;
    }
    d->model = *mp;
    d->model.scale = 1; /* coach counts of a trial are real coaches */
    d->model.event_log = false;
    d->horizon_days = tp->recruitment_days + tp->follow_up_days;
    d->model.horizon_days = d->horizon_days;
    policy_params *pol = d->model.policy;
    memset(&pol[RECEIVED_NONE], 0, sizeof pol[RECEIVED_NONE]);
    snprintf(pol[RECEIVED_NONE].name, sizeof pol[RECEIVED_NONE].name, "no_programme");
    pol[RECEIVED_NONE].kind = POLICY_STATUS_QUO;
    if (tp->model == TRIAL_MODEL_CLAIMANT) {
        policy_params c = mp->policy[ctl], i = mp->policy[ips];
        pol[RECEIVED_CONTROL] = c;
        pol[RECEIVED_IPS] = i;
        pol[RECEIVED_IPS].prog.caseload = tp->ips_caseload;
        pol[RECEIVED_CONTROL].prog.caseload = tp->control_caseload;
        /* the trial's own capacity replaces the policies' (fixed or by year) */
        pol[RECEIVED_IPS].prog.coaches_scheduled = false;
        pol[RECEIVED_CONTROL].prog.coaches_scheduled = false;
        for (int g = 0; g < N_REGION; g++) {
            pol[RECEIVED_IPS].prog.coaches[g] = tp->ips_coaches[g];
            pol[RECEIVED_CONTROL].prog.coaches[g] = tp->control_coaches[g];
        }
        pol[RECEIVED_IPS].prog.hr_job_find = pow(i.prog.hr_job_find, effect);
    } else {
        pol[RECEIVED_CONTROL] = pol[RECEIVED_NONE];
        pol[RECEIVED_IPS] = pol[RECEIVED_NONE];
        double p0 = tp->p_test[ARM_CONTROL], p1 = tp->p_test[ARM_IPS];
        double p = p0 + effect * (p1 - p0);
        d->tp.p_test[ARM_IPS] = p < 0 ? 0 : p > 1 ? 1 : p;
        d->tp.rate_test[ARM_IPS] = tp->rate_test[ARM_CONTROL]
                                   * pow(tp->rate_test[ARM_IPS] / tp->rate_test[ARM_CONTROL], effect);
    }
    d->model.npolicies = N_RECEIVED;
    for (int g = 0; g < N_REGION; g++)
        d->coaches[g] = tp->ips_coaches[g] > 0 ? (size_t)floor(tp->ips_coaches[g] + 0.5) : 0;

    size_t configured = 0;
    for (int g = 0; g < N_REGION; g++)
        configured += (size_t)floor(tp->participants[g] + 0.5);
    size_t total = n_total > 0 ? (size_t)floor(n_total + 0.5) : configured;
    if (n_total > 0 || configured == 0)
        split_total(total, tp->participants, d->per_region);
    else
        for (int g = 0; g < N_REGION; g++)
            d->per_region[g] = (size_t)floor(tp->participants[g] + 0.5);
    d->n = 0;
    for (int g = 0; g < N_REGION; g++)
        d->n += d->per_region[g];
    if (d->n < 4) {
        snprintf(err, errlen, "trial: %zu participants; a trial needs at least 4", d->n);
        return -1;
    }

    /* Candidates of region g: the stock cohort with region fixed at g and,
     * when only mental disorders are included, conditioned on a mental
     * disorder. population_draw draws region and diagnosis independently
     * given sex, so this is the exact conditional distribution (rejection
     * sampling on region and diagnosis would give the same people). */
    const cohort_params *stock = &mp->stock;
    double pf = stock->share_female;
    for (int s = 0; s < N_SEX; s++)
        d->mental_share[s] = stock->share_mental[s];
    for (int g = 0; g < N_REGION; g++) {
        cohort_params c = *stock;
        for (int k = 0; k < N_REGION; k++)
            c.share_region[k] = k == g ? 1.0 : 0.0;
        if (tp->mental_only) {
            double mf = pf * stock->share_mental[SEX_FEMALE];
            double mm = (1 - pf) * stock->share_mental[SEX_MALE];
            if (!(mf + mm > 0)) {
                snprintf(err, errlen, "trial.inclusion: mental_disorder_only, but the stock has "
                         "no one with a mental disorder (population.stock.mental_share)");
                return -1;
            }
            c.share_female = mf / (mf + mm);
        }
        d->candidates[g] = c;
    }
    if (tp->mental_only)
        d->mental_share[SEX_MALE] = d->mental_share[SEX_FEMALE] = 1.0;
    return 0;
}

/* ---- workspace ---------------------------------------------------------------- */

typedef struct day_id {
    float day;                /* >= 0 */
    uint32_t id;
} day_id;

/* Follow-up of one participant, updated at each change of state. Absolute days. */
typedef struct track {
    double t0, end, lost;     /* randomisation, end of follow-up, lost to follow-up */
    double last;              /* last change of state */
    double first_job, exit;   /* first job; death or retirement */
    double off_start;         /* start of the current spell working off benefit, or NAN */
    double worked, benefit;   /* days worked, EUR paid, within observation */
    uint64_t key;             /* the participant's stream key */
    uint16_t coach;
    uint8_t state, attr_draws, sustained;
    uint8_t working[TRIAL_MAX_WINDOWS], on_benefit[TRIAL_MAX_WINDOWS];
} track;

struct trial_workspace {
    size_t cap;
    trial_person *people;     /* by id */
    trial_person *people_tmp; /* scratch */
    track *tracks;            /* by id */
    person *cand;             /* by id: the claimant records */
    uint64_t *keys;           /* by id */
    day_id *pairs, *pairs_tmp; /* scratch for sorting */
    person *run_people;       /* one received group */
    uint64_t *run_keys;
    size_t *run_map;          /* run index -> id */
    float *run_end;           /* end of follow-up of each person of the run */
    double horizon;           /* this trial: last randomisation + follow-up */
    double *coach_hr[N_REGION];
    size_t coach_cap[N_REGION];
    gsl_rng *rng;
};

trial_workspace *trial_workspace_alloc(size_t n)
{
    trial_workspace *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    size_t c = n ? n : 1;
    w->cap = c;
    w->people = malloc(c * sizeof *w->people);
    w->people_tmp = malloc(c * sizeof *w->people_tmp);
    w->tracks = malloc(c * sizeof *w->tracks);
    w->cand = malloc(c * sizeof *w->cand);
    w->keys = malloc(c * sizeof *w->keys);
    w->pairs = malloc(c * sizeof *w->pairs);
    w->pairs_tmp = malloc(c * sizeof *w->pairs_tmp);
    w->run_people = malloc(c * sizeof *w->run_people);
    w->run_keys = malloc(c * sizeof *w->run_keys);
    w->run_map = malloc(c * sizeof *w->run_map);
    w->run_end = malloc(c * sizeof *w->run_end);
    w->rng = sim_rng_alloc(0);
    if (!w->people || !w->people_tmp || !w->tracks || !w->cand || !w->keys || !w->pairs || !w->pairs_tmp
        || !w->run_people || !w->run_keys || !w->run_map || !w->run_end || !w->rng) {
        trial_workspace_free(w);
        return NULL;
    }
    return w;
}

void trial_workspace_free(trial_workspace *w)
{
    if (!w)
        return;
    free(w->people);
    free(w->people_tmp);
    free(w->tracks);
    free(w->cand);
    free(w->keys);
    free(w->pairs);
    free(w->pairs_tmp);
    free(w->run_people);
    free(w->run_keys);
    free(w->run_map);
    free(w->run_end);
    for (int g = 0; g < N_REGION; g++)
        free(w->coach_hr[g]);
    if (w->rng)
        gsl_rng_free(w->rng);
    free(w);
}

/* ---- following a participant ---------------------------------------------- */

static bool is_working(int s) { return s == ST_EMPLOYED_PT || s == ST_EMPLOYED_FT; }
/* off benefit because of work (the spells of a sustained return) */
static bool working_off_benefit(int s) { return s == ST_EMPLOYED_FT || s == ST_EXIT_RTW; }

static double benefit_share(const trial_params *tp, int s)
{
    switch (s) {
    case ST_PRIMARY: case ST_INVALIDITY: case ST_WAITING: case ST_TRAINING: case ST_JOB_SEARCH:
        return 1.0;
    case ST_EMPLOYED_PT:
        return tp->benefit_part_time_share;
    default:
        return 0.0;
    }
}

/* Adds the interval [a, b) spent in state s. */
static void track_interval(const trial_params *tp, track *t, int s, double a, double b)
{
    double obs_end = t->end < t->lost ? t->end : t->lost;
    double lo = a > t->t0 ? a : t->t0, hi = b < obs_end ? b : obs_end;
    if (hi > lo) {
        if (is_working(s))
            t->worked += hi - lo;
        double share = benefit_share(tp, s);
        if (share > 0)
            t->benefit += share * tp->benefit_month_eur * (hi - lo) / DAYS_PER_MONTH;
    }
    for (size_t k = 0; k < tp->n_at; k++) {
        double c = t->t0 + tp->at_days[k];
        if (a <= c && c < b) {
            t->working[k] = is_working(s);
            t->on_benefit[k] = s == ST_EMPLOYED_PT;
        }
    }
}

static void close_spell(const trial_params *tp, track *t, double at)
{
    if (isnan(t->off_start))
        return;
    double hi = at < t->end ? at : t->end;
    if (hi - t->off_start >= tp->sustained_days)
        t->sustained = 1;
    t->off_start = NAN;
}

typedef struct hook_ctx {
    const trial_design *d;
    trial_workspace *w;
    const size_t *map;        /* run index -> id; NULL: identity */
    bool ips;                 /* the run delivers IPS (coaches are clusters) */
} hook_ctx;

static void track_change(const hook_ctx *h, size_t id, const person *x, int from, int to,
                         double now)
{
    const trial_params *tp = &h->d->tp;
    track *t = &h->w->tracks[id];
    if (from == ST_OUTSIDE) {
        t->last = now;
        t->state = (uint8_t)to;
        return;
    }
    track_interval(tp, t, t->state, t->last, now);
    if (is_working(to) && !(t->first_job <= now))
        t->first_job = now;
    if (!working_off_benefit(from) && working_off_benefit(to)) {
        t->off_start = now;
        if (tp->attrition_off_benefit > 0 && now < t->lost) {
            gsl_rng *r = h->w->rng;
            sim_rng_rekey(r, sim_rng_child(sim_rng_child(t->key, TAG_ATTRITION), t->attr_draws++));
            if (gsl_rng_uniform(r) < tp->attrition_off_benefit)
                t->lost = now;
        }
    } else if (working_off_benefit(from) && !working_off_benefit(to)) {
        close_spell(tp, t, now);
    }
    if (to == ST_EXIT_DEAD || to == ST_EXIT_RETIRED)
        t->exit = now;
    if (h->ips && x && (x->flags & PF_ENROLLED) && t->coach == TRIAL_NO_COACH
        && (to == ST_TRAINING || to == ST_JOB_SEARCH))
        t->coach = x->coach;
    t->state = (uint8_t)to;
    t->last = now;
}

static void on_state(void *arg, size_t i, const person *x, int from, int to, double t)
{
    const hook_ctx *h = arg;
    track_change(h, h->map ? h->map[i] : i, x, from, to, t);
}

/* Outcomes of participant id from its track, at the end of the runs. */
static void finish_person(const trial_design *d, trial_workspace *w, size_t id)
{
    const trial_params *tp = &d->tp;
    track *t = &w->tracks[id];
    trial_person *x = &w->people[id];
    track_interval(tp, t, t->state, t->last, w->horizon > t->end ? w->horizon : t->end);
    close_spell(tp, t, t->end);
    double lost = t->lost - t->t0, fu = tp->follow_up_days;
    double first = t->first_job - t->t0;
    x->final_state = t->state;
    x->coach = t->coach;
    x->lost_day = (float)(isfinite(lost) ? lost : INFINITY);
    x->first_job = (float)(isfinite(first) ? first : INFINITY);
    double obs = fu < lost ? fu : lost;
    x->event = first <= obs;
    double exit = t->exit - t->t0;
    x->time = (float)(x->event ? first : (obs < exit ? obs : exit));
    for (size_t k = 0; k < tp->n_ever; k++)
        x->ever[k] = lost < tp->ever_days[k] ? TRIAL_MISSING : first <= tp->ever_days[k];
    for (size_t k = 0; k < tp->n_at; k++) {
        bool seen = lost > tp->at_days[k];
        x->working[k] = seen ? t->working[k] : TRIAL_MISSING;
        x->working_on_benefit[k] = seen ? t->on_benefit[k] : TRIAL_MISSING;
    }
    bool complete = lost >= fu;
    x->sustained = complete ? t->sustained : TRIAL_MISSING;
    x->days_worked = complete ? (float)t->worked : NAN;
    x->benefit_eur = complete ? (float)(t->benefit / (fu / DAYS_PER_MONTH)) : NAN;
}

/* ---- drawing and randomising --------------------------------------------- */

static bool included(const trial_design *d, const person *x, double day)
{
    const trial_params *tp = &d->tp;
    double age = claimant_age_years(x, day);
    if (age < tp->min_age || age >= tp->max_age)
        return false;
    if (tp->mental_only && x->diagnosis != DIAG_MENTAL)
        return false;
    if (x->diagnosis == DIAG_MENTAL && x->severity < 3 && !tp->severity_ok[x->severity])
        return false;
    int benefit = (x->flags & PF_INVALIDITY) ? BENEFIT_INVALIDITY : BENEFIT_PRIMARY;
    return tp->benefit_ok[benefit];
}

/* Sorting by day: a stable LSD radix sort over the bits of the
 * non-negative float day (whose order is that of the bits), ties in input
 * order. O(n) per pass, four 8-bit passes. */
static void sort_by_day(day_id *a, day_id *tmp, size_t n)
{
    for (int shift = 0; shift < 32; shift += 8) {
        size_t count[257] = { 0 };
        for (size_t i = 0; i < n; i++) {
            uint32_t bits;
            memcpy(&bits, &a[i].day, sizeof bits);
            count[((bits >> shift) & 0xff) + 1]++;
        }
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++) {
            uint32_t bits;
            memcpy(&bits, &a[i].day, sizeof bits);
            tmp[count[(bits >> shift) & 0xff]++] = a[i];
        }
        memcpy(a, tmp, n * sizeof *a);
    }
}

/* Draws and randomises the participants into w (ids in order of randomisation). */
static int draw_participants(const trial_design *d, uint64_t tkey, trial_workspace *w,
                             char *err, size_t errlen)
{
    const trial_params *tp = &d->tp;
    gsl_rng *r = w->rng;
    size_t n = d->n;
    day_id *pairs = w->pairs;
    /* 1. candidates by region; slot j of the final arrays is filled region by region */
    size_t j = 0;
    for (int g = 0; g < N_REGION; g++) {
        uint64_t gkey = sim_rng_child(sim_rng_child(tkey, TAG_CANDIDATE), (uint64_t)g);
        size_t start = j;
        uint64_t k = 0;
        for (size_t m = 0; m < d->per_region[g]; m++, j++) {
            for (size_t tries = 0;; tries++) {
                if (tries >= MAX_CANDIDATES_PER_PERSON) {
                    snprintf(err, errlen, "trial.inclusion: %d candidates in a row were not "
                             "eligible; the criteria exclude (almost) everyone in "
                             "population.stock", MAX_CANDIDATES_PER_PERSON);
                    return -1;
                }
                uint64_t pkey = sim_rng_child(gkey, k++);
                sim_rng_rekey(r, sim_rng_child(pkey, TAG_DAY));
                double day = gsl_rng_uniform(r) * tp->recruitment_days;
                population_draw(&w->cand[j], &d->model, &d->candidates[g], d->mental_share, true,
                                day, pkey);
                if (included(d, &w->cand[j], day)) {
                    w->keys[j] = pkey;
                    break;
                }
            }
        }
        /* 2. permuted blocks within the region, in order of recruitment */
        size_t cnt = j - start;
        for (size_t m = 0; m < cnt; m++)
            pairs[m] = (day_id){ w->cand[start + m].arrival_day, (uint32_t)m };
        sort_by_day(pairs, w->pairs_tmp, cnt);
        int bs = tp->block_size;
        uint8_t block[64];
        for (size_t m = 0; m < cnt; m++) {
            size_t b = m / (size_t)bs;
            if (m % (size_t)bs == 0) {
                for (int q = 0; q < bs; q++)
                    block[q] = q < bs / 2 ? ARM_CONTROL : ARM_IPS;
                sim_rng_rekey(r, sim_rng_child(sim_rng_child(tkey, TAG_BLOCK),
                                               ((uint64_t)g << 40) | b));
                gsl_ran_shuffle(r, block, (size_t)bs, sizeof block[0]);
            }
            size_t slot = start + pairs[m].id;
            trial_person *x = &w->people[slot];
            memset(x, 0, sizeof *x);
            x->region = (uint8_t)g;
            x->arm = block[m % (size_t)bs];
            x->block = (uint32_t)b;
        }
    }
    /* 3. ids in order of randomisation (all regions) */
    for (size_t m = 0; m < n; m++)
        pairs[m] = (day_id){ w->cand[m].arrival_day, (uint32_t)m };
    sort_by_day(pairs, w->pairs_tmp, n);
    /* permute cand, keys, people into id order through the run scratch */
    for (size_t m = 0; m < n; m++) {
        w->run_people[m] = w->cand[pairs[m].id];
        w->run_keys[m] = w->keys[pairs[m].id];
        w->run_map[m] = pairs[m].id;
    }
    memcpy(w->cand, w->run_people, n * sizeof *w->cand);
    memcpy(w->keys, w->run_keys, n * sizeof *w->keys);
    /* people: the randomisation fields into id order */
    for (size_t m = 0; m < n; m++)
        w->people_tmp[m] = w->people[w->run_map[m]];
    memcpy(w->people, w->people_tmp, n * sizeof *w->people);

    /* 4. attributes, compliance and random attrition of each participant */
    for (size_t id = 0; id < n; id++) {
        const person *c = &w->cand[id];
        trial_person *x = &w->people[id];
        x->id = (uint32_t)id;
        x->sex = c->sex;
        x->severity = c->severity;
        x->education = c->education;
        x->rand_day = c->arrival_day;
        x->age = (float)claimant_age_years(c, c->arrival_day);
        sim_rng_rekey(r, sim_rng_child(w->keys[id], TAG_ASSIGN));
        double u = gsl_rng_uniform(r);
        int own = x->arm == ARM_IPS ? RECEIVED_IPS : RECEIVED_CONTROL;
        int other = x->arm == ARM_IPS ? RECEIVED_CONTROL : RECEIVED_IPS;
        double nc = tp->non_compliance[x->arm], xo = tp->crossover[x->arm];
        x->received = (uint8_t)(u < nc ? RECEIVED_NONE : u < nc + xo ? other : own);
        double e = gsl_ran_exponential(r, 1.0);
        track *t = &w->tracks[id];
        t->t0 = c->arrival_day;
        t->end = t->t0 + tp->follow_up_days;
        t->lost = tp->attrition_rate > 0 ? t->t0 + e / tp->attrition_rate : INFINITY;
        t->last = t->t0;
        t->first_job = INFINITY;
        t->exit = INFINITY;
        t->off_start = NAN;
        t->worked = t->benefit = 0;
        t->key = w->keys[id];
        t->coach = TRIAL_NO_COACH;
        t->state = c->state;
        t->attr_draws = 0;
        t->sustained = 0;
        memset(t->working, 0, sizeof t->working);
        memset(t->on_benefit, 0, sizeof t->on_benefit);
    }
    return 0;
}

/* ---- runs ------------------------------------------------------------------ */

typedef struct sim_opts {
    double fixed_coach_hr;    /* NAN: drawn per coach; else every coach has this ratio */
    bool ips_only;            /* pilot: only the IPS group is simulated */
} sim_opts;

static int prepare_coaches(const trial_design *d, uint64_t tkey, trial_workspace *w,
                           const sim_opts *o, trial_info *info)
{
    gsl_rng *r = w->rng;
    double s = d->coach_sigma, mu = d->coach_mu, sum = 0, sum2 = 0;
    size_t count = 0;
    for (int g = 0; g < N_REGION; g++) {
        size_t k = d->coaches[g];
        if (k > w->coach_cap[g]) {
            double *a = realloc(w->coach_hr[g], k * sizeof *a);
            if (!a)
                return -2;
            w->coach_hr[g] = a;
            w->coach_cap[g] = k;
        }
        for (size_t c = 0; c < k; c++) {
            double m;
            if (!isnan(o->fixed_coach_hr)) {
                m = o->fixed_coach_hr;
            } else if (s > 0) {
                sim_rng_rekey(r, sim_rng_child(sim_rng_child(tkey, TAG_COACH),
                                               ((uint64_t)g << 32) | c));
                m = exp(mu + s * gsl_ran_ugaussian(r));
            } else {
                m = 1;
            }
            w->coach_hr[g][c] = m;
            sum += m;
            sum2 += m * m;
            count++;
        }
    }
    if (info)
        info->coach_multiplier_sd = count > 1
            ? sqrt(fmax(0, (sum2 - sum * sum / (double)count) / (double)(count - 1))) : 0;
    return 0;
}

/* Runs the participants who received programme `rec` through a cohort-mode
 * claimant run. */
static int run_group(const trial_design *d, trial_workspace *w, int rec, bool coach_effect,
                     trial_info *info)
{
    size_t n = 0;
    for (size_t id = 0; id < d->n; id++) {
        if (w->people[id].received != rec)
            continue;
        w->run_people[n] = w->cand[id];
        w->run_keys[n] = w->keys[id];
        w->run_map[n] = id;
        w->run_end[n] = (float)w->tracks[id].end;
        n++;
    }
    if (n == 0)
        return 0;
    /* Without a coach limit participants do not interact, so each is
     * simulated only to the end of their own follow-up (exact). */
    const programme_params *prog = &d->model.policy[rec].prog;
    bool limited = false;
    for (int g = 0; g < N_REGION; g++)
        limited |= rec != RECEIVED_NONE && prog->coaches[g] > 0;
    hook_ctx h = { d, w, w->run_map, rec == RECEIVED_IPS };
    claimant_cohort c = { .n = n, .people = w->run_people, .keys = w->run_keys,
                          .refer_on_entry = true, .horizon = w->horizon,
                          .end_day = limited ? NULL : w->run_end,
                          .on_state = on_state, .arg = &h };
    if (coach_effect)
        for (int g = 0; g < N_REGION; g++)
            c.coach_job_find[g] = d->coaches[g] ? w->coach_hr[g] : NULL;
    claimant_run *run = claimant_run_alloc_cohort(&d->model, (size_t)rec, &c);
    if (!run)
        return -2;
    int rc = claimant_run_until(run, w->horizon);
    if (info)
        info->events += claimant_run_events(run);
    claimant_run_free(run);
    return rc < 0 ? -2 : 0;
}

/* Test models: a participant's path is incapacity until the first job, then
 * work (part- or full-time, even odds) to the end of follow-up. */
static void run_test_model(const trial_design *d, trial_workspace *w, const sim_opts *o)
{
    const trial_params *tp = &d->tp;
    gsl_rng *r = w->rng;
    hook_ctx h = { d, w, NULL, true };
    size_t next_coach[N_REGION] = { 0 };
    for (size_t id = 0; id < d->n; id++) {
        trial_person *x = &w->people[id];
        if (o->ips_only && x->received != RECEIVED_IPS)
            continue;
        track *t = &w->tracks[id];
        int prog = x->received == RECEIVED_IPS ? ARM_IPS : ARM_CONTROL;
        sim_rng_rekey(r, sim_rng_child(t->key, TAG_TEST_MODEL));
        double u = gsl_rng_uniform(r), v = gsl_rng_uniform(r);
        double job = INFINITY;
        if (tp->model == TRIAL_MODEL_BINOMIAL) {
            double w0 = tp->n_ever ? tp->ever_days[0] : tp->follow_up_days;
            if (u < tp->p_test[prog])
                job = t->t0 + v * w0;
        } else {
            double rate = tp->rate_test[prog];
            if (rate > 0)
                job = t->t0 - log1p(-u) / rate;
        }
        int g = x->region;
        if (x->received == RECEIVED_IPS && d->coaches[g]) {
            t->coach = (uint16_t)(next_coach[g]++ % d->coaches[g]);
        }
        track_change(&h, id, NULL, ST_OUTSIDE, t->state, t->t0);
        /* half the jobs are authorised part-time work on benefit, so every
         * outcome family varies */
        double kind = gsl_rng_uniform(r);
        if (job < w->horizon)
            track_change(&h, id, NULL, t->state, kind < 0.5 ? ST_EMPLOYED_PT : ST_EMPLOYED_FT, job);
    }
}

static int simulate(const trial_design *d, uint64_t seed, size_t rep, trial_workspace *w,
                    const sim_opts *o, trial_info *info, char *err, size_t errlen)
{
    if (w->cap < d->n) {
        snprintf(err, errlen, "trial workspace too small");
        return -2;
    }
    if (info)
        memset(info, 0, sizeof *info);
    uint64_t tkey = sim_rng_child(sim_rng_replication_key(seed, rep), TAG_TRIAL);
    int rc = draw_participants(d, tkey, w, err, errlen);
    if (rc != 0)
        return rc;
    w->horizon = (double)w->people[d->n - 1].rand_day + d->tp.follow_up_days;
    if (d->tp.model == TRIAL_MODEL_CLAIMANT) {
        if ((rc = prepare_coaches(d, tkey, w, o, info)) != 0)
            return rc;
        for (int rec = 0; rec < N_RECEIVED; rec++) {
            if (o->ips_only && rec != RECEIVED_IPS)
                continue;
            if ((rc = run_group(d, w, rec, true, info)) != 0) {
                snprintf(err, errlen, "a claimant run failed (out of memory?)");
                return rc;
            }
        }
    } else {
        run_test_model(d, w, o);
    }
    for (size_t id = 0; id < d->n; id++) {
        if (o->ips_only && w->people[id].received != RECEIVED_IPS)
            continue;
        finish_person(d, w, id);
    }
    if (info) {
        for (size_t id = 0; id < d->n; id++) {
            const trial_person *x = &w->people[id];
            info->received[x->arm][x->received]++;
            info->coached += x->received == RECEIVED_IPS && x->coach != TRIAL_NO_COACH;
        }
    }
    return 0;
}

int trial_simulate(const trial_design *d, uint64_t seed, size_t rep, trial_workspace *w,
                   const trial_person **people, trial_info *info, char *err, size_t errlen)
{
    sim_opts o = { NAN, false };
    int rc = simulate(d, seed, rep, w, &o, info, err, errlen);
    *people = rc == 0 ? w->people : NULL;
    return rc;
}

/* ---- coach effect for a target ICC ----------------------------------------- */

/* The pilot runs the IPS group with every coach at ratio m = exp(x) for x on
 * a grid, and records the share p(m) of coached IPS clients with the primary
 * outcome. A coach with ratio M then has expected outcome p(M), so with
 * log M ~ N(mu, sigma^2) the ICC of the outcome among clients is
 * Var p(M) / (pbar (1 - pbar)), pbar = E p(M) (the ANOVA ICC of a binary
 * outcome whose cluster means vary). mu is chosen for each sigma so that
 * pbar = p(1): the coach effect spreads the outcome over coaches without
 * moving the arm's mean (a mean-one multiplier would not do that: p is
 * concave in m, and for a rare outcome the sigma needed makes most coaches
 * poor). logit p is interpolated linearly in log m and held at the grid
 * ends (m from e^-4 to e^4). All grid points share their replication
 * streams (common random numbers), so the curve is smooth. The noise left
 * in the curve moves the arm's mean that mu keeps, so the pilot simulates
 * about trial.coach_pilot_clients IPS clients (default 144,000) at each
 * grid point whatever the trial's size (docs/power.md has the seed-to-seed
 * spread that remains). */
#define PILOT_X_MIN (-4.0)
#define PILOT_X_STEP 0.5
#define PILOT_POINTS 17
#define PILOT_REPS_MIN 24
#define PILOT_REPS_MAX 1000 /* so a small trial gets fewer clients (under 288 people at the default) */

/* Pilot replications for a design of d->n participants (half in IPS). */
static size_t pilot_reps(const trial_design *d)
{
    size_t ips = d->n / 2 > 0 ? d->n / 2 : 1;
    size_t clients = d->tp.coach_pilot_clients > 0 ? (size_t)d->tp.coach_pilot_clients : 1;
    size_t reps = (clients + ips - 1) / ips;
    return reps < PILOT_REPS_MIN ? PILOT_REPS_MIN : reps > PILOT_REPS_MAX ? PILOT_REPS_MAX : reps;
}

typedef struct pilot_job {
    const trial_design *d;
    uint64_t seed;
    size_t reps;
    size_t *succ, *total; /* [PILOT_POINTS][reps] */
} pilot_job;

static int pilot_one(size_t job, void *arg)
{
    pilot_job *pj = arg;
    size_t k = job / pj->reps, rep = job % pj->reps;
    trial_workspace *w = trial_workspace_alloc(pj->d->n);
    if (!w)
        return -2;
    sim_opts o = { exp(PILOT_X_MIN + PILOT_X_STEP * (double)k), true };
    char err[256];
    int rc = simulate(pj->d, pj->seed, rep, w, &o, NULL, err, sizeof err);
    size_t s = 0, t = 0;
    for (size_t id = 0; rc == 0 && id < pj->d->n; id++) {
        const trial_person *x = &w->people[id];
        if (x->received != RECEIVED_IPS || x->coach == TRIAL_NO_COACH)
            continue;
        uint8_t y = trial_person_binary(x, pj->d->tp.primary_kind, pj->d->tp.primary_window);
        if (y == TRIAL_MISSING)
            continue;
        s += y;
        t++;
    }
    pj->succ[k * pj->reps + rep] = s;
    pj->total[k * pj->reps + rep] = t;
    trial_workspace_free(w);
    return rc == 0 ? 0 : -2;
}

static double logit(double p)
{
    if (p < 1e-6)
        p = 1e-6;
    if (p > 1 - 1e-6)
        p = 1 - 1e-6;
    return log(p / (1 - p));
}

static double pilot_p(const double *lp, double x)
{
    double f = (x - PILOT_X_MIN) / PILOT_X_STEP;
    if (f <= 0)
        return 1 / (1 + exp(-lp[0]));
    if (f >= PILOT_POINTS - 1)
        return 1 / (1 + exp(-lp[PILOT_POINTS - 1]));
    size_t i = (size_t)f;
    double l = lp[i] + (f - (double)i) * (lp[i + 1] - lp[i]);
    return 1 / (1 + exp(-l));
}

/* E p(M) and E p(M)^2 for log M ~ N(mu, sigma^2): Simpson's rule over
 * z in [-8, 8]. */
static void p_moments(const double *lp, double mu, double sigma, double *m1, double *m2)
{
    enum { STEPS = 400 };
    double a = -8, h = 16.0 / STEPS, s1 = 0, s2 = 0;
    for (int i = 0; i <= STEPS; i++) {
        double z = a + h * i;
        double wgt = (i == 0 || i == STEPS) ? 1 : (i % 2 ? 4 : 2);
        double dens = exp(-0.5 * z * z) * 0.3989422804014327;
        double p = pilot_p(lp, mu + sigma * z);
        s1 += wgt * dens * p;
        s2 += wgt * dens * p * p;
    }
    *m1 = s1 * h / 3;
    *m2 = s2 * h / 3;
}

/* mu for which E p(M) = p(1) (E p is increasing in mu). */
static double mean_preserving_mu(const double *lp, double sigma)
{
    double target = pilot_p(lp, 0), lo = -12, hi = 12, m1, m2;
    for (int it = 0; it < 50; it++) {
        double mid = 0.5 * (lo + hi);
        p_moments(lp, mid, sigma, &m1, &m2);
        if (m1 < target)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

static double icc_for_sigma(const double *lp, double sigma, double *mu)
{
    double m1, m2;
    *mu = sigma > 0 ? mean_preserving_mu(lp, sigma) : 0;
    p_moments(lp, *mu, sigma, &m1, &m2);
    double den = m1 * (1 - m1);
    return den > 0 ? (m2 - m1 * m1) / den : 0;
}

int trial_design_fit_coach_effect(trial_design *d, uint64_t seed, int threads, char *err,
                                  size_t errlen)
{
    d->coach_sigma = 0;
    d->coach_mu = 0;
    d->coach_icc_reached = 0;
    d->ips_p_pilot = NAN;
    d->pilot_replications = 0;
    if (d->tp.model != TRIAL_MODEL_CLAIMANT || !(d->tp.coach_icc > 0))
        return 0;
    size_t coaches = 0;
    for (int g = 0; g < N_REGION; g++)
        coaches += d->coaches[g];
    if (coaches == 0)
        return 0; /* no coach limit: no clusters */
    pilot_job pj = { d, sim_rng_child(seed, TAG_PILOT), pilot_reps(d), NULL, NULL };
    pj.succ = calloc(PILOT_POINTS * pj.reps, sizeof *pj.succ);
    pj.total = calloc(PILOT_POINTS * pj.reps, sizeof *pj.total);
    int rc = pj.succ && pj.total
                 ? sim_parallel_run(PILOT_POINTS * pj.reps, threads, pilot_one, &pj, NULL, NULL, 0)
                 : -2;
    if (rc != 0) {
        free(pj.succ);
        free(pj.total);
        snprintf(err, errlen, "the coach-effect pilot failed (out of memory?)");
        return -2;
    }
    d->pilot_replications = pj.reps;
    double lp[PILOT_POINTS];
    for (size_t k = 0; k < PILOT_POINTS; k++) {
        size_t s = 0, t = 0;
        for (size_t r = 0; r < pj.reps; r++) {
            s += pj.succ[k * pj.reps + r];
            t += pj.total[k * pj.reps + r];
        }
        double p = t ? (double)s / (double)t : 0;
        lp[k] = logit(p);
        if (fabs(PILOT_X_MIN + PILOT_X_STEP * (double)k) < 1e-12)
            d->ips_p_pilot = p;
    }
    free(pj.succ);
    free(pj.total);
    /* With a mean-one multiplier the ICC first grows with sigma, then falls
     * (most coaches end near 0): scan for the first crossing, then bisect. */
    double target = d->tp.coach_icc, lo = 0, hi = NAN, top = 0, mu;
    for (double s = 0.05; s <= 4.0 + 1e-9; s += 0.05) {
        double icc = icc_for_sigma(lp, s, &mu);
        if (icc > top)
            top = icc;
        if (icc >= target) {
            hi = s;
            break;
        }
        lo = s;
    }
    if (isnan(hi)) {
        snprintf(err, errlen, "trial.coach_icc: %g cannot be reached by a coach effect on job "
                 "finding (at most about %.3f for this design)", target, top);
        return -1;
    }
    for (int it = 0; it < 60; it++) {
        double mid = 0.5 * (lo + hi);
        if (icc_for_sigma(lp, mid, &mu) < target)
            lo = mid;
        else
            hi = mid;
    }
    d->coach_sigma = 0.5 * (lo + hi);
    d->coach_icc_reached = icc_for_sigma(lp, d->coach_sigma, &d->coach_mu);
    return 0;
}
