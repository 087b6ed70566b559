/* trial: one simulated randomised trial of IPS against a control programme
 * (train-then-place), run on the claimant model.
 *
 * Participants are drawn from the config's stock cohort by inclusion
 * criteria, randomised 1:1 in permuted blocks within region, recruited at
 * uniform times over a period and followed for a fixed time from
 * randomisation. A participant is a claimant referred, on the day of
 * randomisation, to the programme they receive: the people of each received
 * programme (IPS, control, none) form one cohort-mode claimant run
 * (claimant_run_alloc_cohort), so hazards, policies, coach capacity and keyed
 * random streams are those of the claimant model. A log-normal multiplier on
 * the job-finding hazard of each IPS coach makes outcomes correlated within
 * coach. A trial is a pure function of (design, seed, replication): the same
 * inputs give the same people and outcomes on any thread.
 *
 * Two test models bypass the claimant model, only to validate the analyses
 * against closed-form power (docs/power.md): "binomial" (each person works
 * with probability p of their received programme) and "exponential" (time
 * to first job exponential with the programme's rate).
 */
#ifndef IPSIM_TRIAL_H
#define IPSIM_TRIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "models/params.h"
#include "models/results.h"

#define TRIAL_MAX_WINDOWS 4 /* months listed per outcome family */

enum { TRIAL_MODEL_CLAIMANT, TRIAL_MODEL_BINOMIAL, TRIAL_MODEL_EXPONENTIAL, N_TRIAL_MODEL };
/* randomised arm */
enum { ARM_CONTROL, ARM_IPS, N_ARM };
/* programme actually received */
enum { RECEIVED_NONE, RECEIVED_CONTROL, RECEIVED_IPS, N_RECEIVED };
/* binary outcome families, in the order they are listed */
enum { OUT_EVER_WORKED, OUT_WORKING, OUT_WORKING_ON_BENEFIT, OUT_SUSTAINED, N_OUT_BINARY_KIND };

#define TRIAL_MISSING 255 /* a binary outcome not observed (lost to follow-up) */
#define TRIAL_NO_COACH 0xffffu

/* The design of a trial and of its analysis, as read from the config's
 * "trial" section (docs/config.md lists keys, units, defaults, sources). */
typedef struct trial_params {
    int model;                       /* TRIAL_MODEL_* */
    double p_test[N_ARM];            /* binomial: P(works within the first window), by programme */
    double rate_test[N_ARM];         /* exponential: job-finding rate per day, by programme */

    double participants[N_REGION];   /* randomised, both arms together */
    int block_size;                  /* permuted blocks, even; half of each block per arm */
    double recruitment_days;         /* uniform arrivals over [0, recruitment_days) */
    double follow_up_days;           /* from randomisation */
    char ips_policy[32];             /* policy names in the config */
    char control_policy[32];
    double ips_coaches[N_REGION];    /* IPS arm capacity: coaches per region, 0 = no limit */
    int ips_caseload;                /* clients per IPS coach */
    double control_coaches[N_REGION];/* control arm capacity, 0 = no limit */
    int control_caseload;

    bool mental_only;                /* inclusion: mental disorder */
    double min_age, max_age;         /* inclusion: years at randomisation, [min, max) */
    bool severity_ok[3];             /* inclusion: mild, moderate, severe */
    bool benefit_ok[N_BENEFIT];      /* inclusion: primary incapacity, invalidity */

    double coach_icc;                /* target ICC of the primary outcome among IPS clients */
    long long coach_pilot_clients;   /* IPS clients simulated at each grid point of the pilot */
    double attrition_rate;           /* per day: random loss to follow-up */
    double attrition_off_benefit;    /* P(lost) at each move off benefit */
    double non_compliance[N_ARM];    /* P(receives no programme), by arm */
    double crossover[N_ARM];         /* P(receives the other arm's programme), by arm */

    size_t n_ever;                   /* ever worked within W months */
    double ever_days[TRIAL_MAX_WINDOWS];
    size_t n_at;                     /* working (and working on benefit) at month M */
    double at_days[TRIAL_MAX_WINDOWS];
    double sustained_days;           /* sustained return: this long off benefit, working */
    double benefit_month_eur;        /* full monthly incapacity/invalidity benefit */
    double benefit_part_time_share;  /* share of it still paid during authorised part-time work */
    int primary_kind;                /* OUT_* of the primary outcome */
    size_t primary_window;           /* its window index (0 for sustained) */

    double alpha;                    /* test level */
    int sided;                       /* stats_sided */
    double ci_level;                 /* confidence level of printed intervals */

    size_t power_reps;               /* replications of `ipsim power` */
    size_t n_grid_len, effect_grid_len;
    double n_grid[16];               /* total participants; 0 = as in participants */
    double effect_grid[16];          /* effect multipliers (trial_design_init) */
} trial_params;

/* The built-in design: the planned Belgian pilot (seed 003, DOMAIN.md). */
void trial_params_default(trial_params *tp);

/* Name of a binary outcome, e.g. "ever_worked_18m", "sustained_rtw". */
void trial_binary_name(const trial_params *tp, int kind, size_t window, char *buf, size_t len);
/* Number of windows of a binary outcome family. */
size_t trial_binary_windows(const trial_params *tp, int kind);

/* A design ready to simulate: model parameters with the trial's policies,
 * sample size and effect applied, and the coach-effect spread found for the
 * target ICC. Plain data. */
typedef struct trial_design {
    model_params model;              /* policy[RECEIVED_*]: status quo, control, IPS; scale 1 */
    cohort_params candidates[N_REGION]; /* the stock cohort restricted to one region */
    double mental_share[N_SEX];      /* P(mental disorder | sex) of the candidates */
    trial_params tp;
    size_t per_region[N_REGION];     /* randomised per region (both arms) */
    size_t n;                        /* total */
    double effect;                   /* multiplier applied */
    double coach_sigma;              /* SD of the log coach multiplier (0: no coach effect) */
    double coach_mu;                 /* its mean: keeps the arm's mean primary outcome */
    double coach_icc_reached;        /* ICC the mapping predicts for coach_sigma */
    double horizon_days;             /* recruitment + follow-up */
    size_t coaches[N_REGION];        /* IPS coaches per region */
    double ips_p_pilot;              /* pilot: primary outcome among IPS clients, no coach effect */
    size_t pilot_replications;       /* pilot: replications per grid point (0: no pilot) */
} trial_design;

/* Builds the design for `n_total` participants (0: as configured; else the
 * configured regional split scaled, rounded to whole blocks) and effect
 * multiplier `effect`: claimant model: the IPS job-finding ratio r becomes
 * r^effect; binomial: p_ips = p_control + effect (p_ips - p_control);
 * exponential: rate_ips = rate_control (rate_ips / rate_control)^effect.
 * Does not yet find the coach effect (trial_design_fit_coach_effect).
 * Returns 0, or -1 with a message in err (unknown policy name, no one to
 * randomise). */
int trial_design_init(trial_design *d, const model_params *mp, const trial_params *tp,
                      double n_total, double effect, char *err, size_t errlen);

/* Finds the coach-effect spread sigma that gives the target ICC (see
 * trial.c and docs/power.md): simulates the IPS arm with every coach at a
 * fixed multiplier m over a grid of m (pilot replications keyed by `seed`),
 * and solves Var[p(M)] / (pbar (1 - pbar)) = ICC for log M ~ N(mu, sigma^2)
 * with mu such that pbar = p(1) (the arm's mean outcome is kept). The pilot runs on `threads` threads; its result does not depend on
 * them. Sets d->coach_sigma (0 when the target is 0, the IPS arm has no
 * coach limit or the model is a test model). Returns 0, -1 with err when
 * the ICC cannot be reached, or -2 on allocation failure. */
int trial_design_fit_coach_effect(trial_design *d, uint64_t seed, int threads, char *err,
                                  size_t errlen);

/* One participant and their outcomes. Days are from randomisation. Binary
 * outcomes are 0/1 or TRIAL_MISSING; continuous ones NaN when missing. */
typedef struct trial_person {
    uint32_t id;             /* order of randomisation */
    uint8_t region, arm, received, sex, severity, education;
    uint8_t final_state;     /* claimant state at the end of follow-up (or exit) */
    uint8_t event;           /* first job observed (time to first job) */
    uint8_t sustained;       /* sustained return to work within follow-up */
    uint16_t coach;          /* first IPS coach within region, TRIAL_NO_COACH if none */
    uint32_t block;          /* randomisation block within region */
    float age;               /* years at randomisation */
    float rand_day;          /* days from the start of recruitment */
    float lost_day;          /* lost to follow-up (days after randomisation), +inf if never */
    float first_job;         /* first job (days after randomisation), +inf if none seen */
    float time;              /* time to first job or censoring */
    float days_worked;       /* within follow-up */
    float benefit_eur;       /* benefit paid per month of follow-up, EUR */
    uint8_t ever[TRIAL_MAX_WINDOWS];
    uint8_t working[TRIAL_MAX_WINDOWS];
    uint8_t working_on_benefit[TRIAL_MAX_WINDOWS];
} trial_person;

/* Binary outcome `kind`, window `w`, of person x (0, 1 or TRIAL_MISSING). */
uint8_t trial_person_binary(const trial_person *x, int kind, size_t w);

/* Scratch memory of one thread for trials of one design size. */
typedef struct trial_workspace trial_workspace;

/* Allocates a workspace for designs of up to `n` participants. NULL on
 * allocation failure; caller frees with trial_workspace_free. */
trial_workspace *trial_workspace_alloc(size_t n);
void trial_workspace_free(trial_workspace *w); /* NULL is a no-op */

/* What a simulated trial did besides its people. */
typedef struct trial_info {
    uint64_t events;                  /* engine events, all runs */
    size_t received[N_ARM][N_RECEIVED];
    size_t coached;                   /* IPS clients who got a coach */
    double coach_multiplier_sd;       /* SD of the drawn coach multipliers */
} trial_info;

/* Simulates replication `rep` of the trial under master seed `seed`.
 * *people points into the workspace (valid until its next use) and holds
 * d->n participants in order of randomisation. Returns 0, -1 when the
 * inclusion criteria reject too many candidates (err filled), -2 on
 * allocation failure. */
int trial_simulate(const trial_design *d, uint64_t seed, size_t rep, trial_workspace *w,
                   const trial_person **people, trial_info *info, char *err, size_t errlen);

#endif
