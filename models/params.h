/* params: every parameter of the claimant model, in internal units (days,
 * per-day rates). Filled from JSON by io/config.c, which converts the
 * config's per-year rates and documents every key (docs/config.md).
 * Plain data: no pointers, so a params struct can be copied freely.
 */
#ifndef IPSIM_PARAMS_H
#define IPSIM_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#define DAYS_PER_YEAR 365.25
#define DAYS_PER_MONTH (DAYS_PER_YEAR / 12.0)

enum { SEX_MALE, SEX_FEMALE, N_SEX };
enum { REGION_FLANDERS, REGION_WALLONIA, REGION_BRUSSELS, N_REGION };
enum { DIAG_MENTAL, DIAG_OTHER, N_DIAG };
/* severity applies to mental disorders; other diagnoses get SEV_NONE */
enum { SEV_MILD, SEV_MODERATE, SEV_SEVERE, SEV_NONE, N_SEV };
enum { EDU_LOW, EDU_MEDIUM, EDU_HIGH, N_EDU };
enum { AGE_UNDER_30, AGE_30_39, AGE_40_49, AGE_50_PLUS, N_AGE };

/* Activity states. Incapacity is split at 12 months since onset into primary
 * incapacity and invalidity; the rest are programme, work and exit states. */
typedef enum claimant_state {
    ST_PRIMARY,      /* incapacity, months 1-12 since onset */
    ST_INVALIDITY,   /* incapacity, month 13 on */
    ST_WAITING,      /* referred, waiting for a coach */
    ST_TRAINING,     /* enrolled, training phase (train-then-place) */
    ST_JOB_SEARCH,   /* enrolled, searching for a job */
    ST_EMPLOYED_PT,  /* authorised part-time work while on benefit */
    ST_EMPLOYED_FT,  /* full-time work, off benefit */
    ST_EXIT_RTW,     /* sustained return to work off benefits */
    ST_EXIT_RETIRED, /* reached pension age */
    ST_EXIT_DEAD,
    N_STATE
} claimant_state;
#define ST_OUTSIDE N_STATE /* flow origin of new arrivals */

/* Hazard shapes of a transition (see models/hazard.h). */
enum { HAZ_NONE, HAZ_EXPONENTIAL, HAZ_WEIBULL, HAZ_PIECEWISE };
/* What a hazard's duration clock measures. */
enum { CLOCK_STATE, CLOCK_ONSET };

#define HAZ_MAX_PIECES 12

typedef struct hazard {
    int shape;
    int clock;
    double rate;                 /* exponential: per day */
    double wshape, wscale;       /* Weibull: shape k, scale in days */
    size_t npieces;              /* piecewise: rates[i] holds from start[i] */
    double start[HAZ_MAX_PIECES];/* days, start[0] == 0, increasing */
    double rates[HAZ_MAX_PIECES];/* per day */
    /* covariate effects as hazard ratios */
    double hr_sex[N_SEX];
    double hr_age[N_AGE];
    double hr_region[N_REGION];
    double hr_severity[N_SEV];
    double hr_education[N_EDU];
} hazard;

#define MAX_SCHEDULE 64 /* points in a by-year schedule */

/* A value that changes with calendar year, linearly interpolated between
 * points and held constant outside them. */
typedef struct year_schedule {
    size_t n;
    double year[MAX_SCHEDULE];
    double value[MAX_SCHEDULE];
} year_schedule;

typedef struct cohort_params {
    double people;                  /* real people; simulated = people * scale */
    double share_female;
    double share_region[N_REGION];
    double share_mental[N_SEX];     /* share with a mental disorder, by sex */
    double share_severity[3];       /* among mental: mild, moderate, severe */
    double share_education[N_EDU];
    double share_age[N_AGE];        /* age at start (stock) or at onset (inflow) */
    double share_primary;           /* stock only: share still in months 1-12 */
    double onset_years_mean;        /* stock in invalidity: mean years since onset */
} cohort_params;

/* A support programme. Train-then-place and IPS are both instances; what
 * differs is the values, so IPS set to train-then-place values behaves
 * identically (the common-random-numbers test relies on this). */
typedef struct programme_params {
    bool exists;
    double exclusion[3];        /* P(screened out at referral) by severity (principle 2) */
    bool training;              /* a training phase precedes job search */
    hazard training_end;        /* duration of training */
    double first_contact_days;  /* delay before job finding starts (principle 5) */
    double max_search_days;     /* programme ends after this long searching; 0 = no limit */
    double follow_along_days;   /* support after hire; 0 = none, < 0 = no limit (principle 6) */
    /* effects as ratios on the baseline, applied at the reference fidelity */
    double hr_job_find;         /* principle 8: job development */
    double hr_relapse;          /* principle 3: integrated with mental-health care */
    double hr_dropout;          /* principle 3 */
    double hr_job_loss_support; /* principle 6: while follow-along support lasts */
    double hr_job_loss_match;   /* principle 4: preference-based matching, whole tenure */
    double refusal_ratio;       /* principle 7: offer refusal probability multiplier */
    bool fidelity_scaled;       /* effects scale with the IPS-25 fidelity score */
    double fidelity;            /* IPS-25 score, 25..125 */
    double fidelity_reference;  /* score at which the ratios above hold as given */
    double coaches[N_REGION];   /* real coaches; simulated places = round(coaches*caseload*scale),
                                 * at least 1; 0 = no limit */
    int caseload;               /* clients per coach */
    /* by-year coach schedule (replaces `coaches` when set): real coaches from
     * each 1 January on (step), none before the first year; simulated places
     * round(coaches * caseload * scale), at least 1 where there are
     * coaches; no coaches = closed (no referrals) */
    bool coaches_scheduled;
    year_schedule coaches_by_year[N_REGION];
    bool waiting_list;          /* no free place: wait (true) or stay in incapacity (false) */
} programme_params;

enum { POLICY_STATUS_QUO, POLICY_TTP, POLICY_IPS, N_POLICY_KIND };

#define MAX_POLICIES 8
typedef struct policy_params {
    char name[32];
    int kind;                   /* POLICY_* */
    programme_params prog;      /* unused for status quo */
} policy_params;

typedef struct model_params {
    /* run */
    double start_year;          /* calendar year at day 0 (e.g. 2017.0) */
    double horizon_days;
    double scale;               /* simulated people per real person */
    bool event_log;
    /* not in the config: work out every drawn event time, without the
     * shortcuts that skip times which cannot win their race (for tests that
     * compare the two; results are the same) */
    bool plain_race;

    cohort_params stock;
    cohort_params inflow;
    year_schedule inflow_per_year; /* real new incapacity cases per year */
    year_schedule mental_share_inflow[N_SEX]; /* overrides inflow.share_mental by year when n > 0 */

    /* baseline transitions */
    hazard recovery;            /* incapacity -> full-time work (clock: onset) */
    hazard part_time_start;     /* incapacity -> authorised part-time work */
    hazard referral;            /* incapacity -> referral to the programme (wish to work) */
    bool referral_mental_only;
    double referral_max_age;    /* years */
    hazard job_find;            /* job search -> job */
    hazard job_loss;            /* employed -> job loss */
    hazard relapse;             /* programme or work -> incapacity */
    hazard dropout;             /* programme -> incapacity */
    hazard part_to_full;        /* part-time -> full-time work */
    double offer_refusal;       /* P(offer refused) without counselling */
    double part_time_share;     /* P(a job found is part-time on benefit) */
    double sustained_days;      /* full-time work this long -> exit "sustained return" */
    double benefit_return_days; /* back to incapacity within this long keeps the old onset */

    /* mortality: Gompertz hazard a * exp(b * age_years), per year */
    double gompertz_a[N_SEX];
    double gompertz_b;
    double hr_death_mental;
    year_schedule pension_age;  /* years, by calendar year */

    size_t npolicies;
    policy_params policy[MAX_POLICIES];
} model_params;

#endif
