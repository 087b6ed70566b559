/* Trial module: who is drawn and how they are randomised, what the outcome
 * table means, the cohort mode of the claimant model it runs on, and the
 * coach effect: the ICC it is set for is the ICC the trials show. */
#include <math.h>
#include <criterion/criterion.h>

#include "models/claimant_model.h"
#include "models/population.h"
#include "models/trial.h"
#include "models/trial_analysis.h"
#include "sim/sim_rng.h"
#include "tests/test_util.h"

#define SEED 8675309

typedef struct fixture {
    ipsim_config cfg;
    trial_design d;
    trial_workspace *w;
    const trial_person *people;
    trial_info info;
} fixture;

static void simulate(fixture *f, const char *json, size_t rep, bool fit)
{
    cr_assert_eq(tu_config(json, &f->cfg), CONFIG_OK, "config: %s", json);
    char err[512];
    cr_assert_eq(trial_design_init(&f->d, &f->cfg.model, &f->cfg.trial, 0, 1.0, err, sizeof err),
                 0, "%s", err);
    if (fit)
        cr_assert_eq(trial_design_fit_coach_effect(&f->d, SEED, 2, err, sizeof err), 0, "%s", err);
    f->w = trial_workspace_alloc(f->d.n);
    cr_assert_not_null(f->w);
    cr_assert_eq(trial_simulate(&f->d, SEED, rep, f->w, &f->people, &f->info, err, sizeof err), 0,
                 "%s", err);
}

static void done(fixture *f)
{
    trial_workspace_free(f->w);
    config_clear(&f->cfg);
}

Test(trial, randomises_in_permuted_blocks_within_region)
{
    fixture f;
    simulate(&f, "{\"trial\": {\"coach_icc\": 0, \"block_size\": 6,"
                 " \"participants\": {\"flanders\": 341, \"wallonia\": 200, \"brussels\": 61}}}",
             0, false);
    size_t per[N_REGION][N_ARM] = { { 0 } };
    /* arms within each complete block of a region are balanced */
    size_t block_count[N_REGION][4096][N_ARM];
    memset(block_count, 0, sizeof block_count);
    for (size_t i = 0; i < f.d.n; i++) {
        const trial_person *x = &f.people[i];
        cr_assert_eq(x->id, i);
        per[x->region][x->arm]++;
        cr_assert_lt(x->block, 4096);
        block_count[x->region][x->block][x->arm]++;
        if (i > 0)
            cr_assert_geq(x->rand_day, f.people[i - 1].rand_day, "ids follow randomisation days");
        cr_assert(x->rand_day >= 0 && x->rand_day < 24 * DAYS_PER_MONTH);
    }
    cr_expect_eq(per[REGION_FLANDERS][0] + per[REGION_FLANDERS][1], 341);
    cr_expect_eq(per[REGION_WALLONIA][0] + per[REGION_WALLONIA][1], 200);
    cr_expect_eq(per[REGION_BRUSSELS][0] + per[REGION_BRUSSELS][1], 61);
    for (int g = 0; g < N_REGION; g++) {
        size_t n = per[g][0] + per[g][1], full = n / 6;
        for (size_t b = 0; b < full; b++)
            cr_expect(block_count[g][b][0] == 3 && block_count[g][b][1] == 3,
                      "region %d block %zu: %zu/%zu", g, b, block_count[g][b][0],
                      block_count[g][b][1]);
        cr_expect_leq(labs((long)per[g][0] - (long)per[g][1]), 3);
    }
    /* the sequence is not the same in every block */
    size_t first_ips = 0;
    for (size_t i = 0; i < f.d.n; i++)
        first_ips += f.people[i].arm;
    cr_expect(first_ips > 0 && first_ips < f.d.n);
    done(&f);
}

Test(trial, draws_only_people_meeting_the_inclusion_criteria)
{
    fixture f;
    simulate(&f, "{\"population\": {\"stock\": {\"primary_share\": 0.3}},"
                 " \"trial\": {\"coach_icc\": 0, \"inclusion\": {\"min_age\": 30, \"max_age\": 50,"
                 " \"severity\": [\"moderate\", \"severe\"], \"benefit\": [\"invalidity\"]}}}",
             0, false);
    for (size_t i = 0; i < f.d.n; i++) {
        const trial_person *x = &f.people[i];
        cr_expect(x->age >= 30 && x->age < 50, "age %g", x->age);
        cr_expect(x->severity == SEV_MODERATE || x->severity == SEV_SEVERE);
    }
    /* the claimant records: mental disorder, in invalidity */
    done(&f);
}

Test(trial, outcomes_are_consistent_with_each_other)
{
    fixture f;
    simulate(&f, "{\"trial\": {\"coach_icc\": 0, \"attrition\": {\"per_year\": 0.05}}}", 1, false);
    const trial_params *tp = &f.d.tp;
    double fu = tp->follow_up_days;
    size_t jobs = 0, never = 0;
    for (size_t i = 0; i < f.d.n; i++) {
        const trial_person *x = &f.people[i];
        cr_assert(x->time >= 0 && x->time <= fu + 1e-3);
        if (x->event) {
            cr_expect_float_eq(x->time, x->first_job, 1e-3);
            cr_expect(x->first_job <= x->lost_day);
            jobs++;
        }
        /* ever worked by 18 months implies by 30 months (when both are seen) */
        if (x->ever[0] == 1 && x->ever[1] != TRIAL_MISSING)
            cr_expect_eq(x->ever[1], 1);
        for (size_t k = 0; k < tp->n_at; k++) {
            if (x->working_on_benefit[k] == 1)
                cr_expect_eq(x->working[k], 1, "working on benefit is working");
            if (x->working[k] == 1 && x->ever[k] != TRIAL_MISSING)
                cr_expect_eq(x->ever[k], 1, "working at M means a job by M");
        }
        if (!isnan(x->days_worked)) {
            cr_expect(x->days_worked >= 0 && x->days_worked <= fu + 1e-3);
            cr_expect(x->benefit_eur >= 0 && x->benefit_eur <= tp->benefit_month_eur + 1e-3);
            if (!isfinite(x->first_job) && x->final_state <= ST_JOB_SEARCH) {
                /* never worked and never left: full benefit all along */
                cr_expect_float_eq(x->benefit_eur, tp->benefit_month_eur, 1e-2);
                never++;
            }
        } else {
            cr_expect(x->lost_day < fu, "missing only when lost to follow-up");
        }
        if (x->lost_day < tp->ever_days[0])
            cr_expect_eq(x->ever[0], TRIAL_MISSING);
    }
    cr_expect_gt(jobs, 100);
    cr_expect_gt(never, 10);
    done(&f);
}

Test(trial, attrition_and_compliance_follow_their_parameters)
{
    fixture f;
    /* 10% a year lost: P(lost within 5 years) = 1 - exp(-0.5) */
    simulate(&f, "{\"trial\": {\"coach_icc\": 0, \"participants\": {\"flanders\": 2000,"
                 " \"wallonia\": 1000, \"brussels\": 1000}, \"attrition\": {\"per_year\": 0.1},"
                 " \"non_compliance\": {\"ips\": 0.2, \"control\": 0.1},"
                 " \"crossover\": {\"control_to_ips\": 0.05}}}", 2, false);
    size_t lost = 0;
    for (size_t i = 0; i < f.d.n; i++)
        lost += f.people[i].lost_day < f.d.tp.follow_up_days;
    double share = (double)lost / (double)f.d.n, expect = 1 - exp(-0.5);
    cr_expect(fabs(share - expect) < 3 * sqrt(expect * (1 - expect) / (double)f.d.n) + 1e-3,
              "lost %.4f, expected %.4f", share, expect);
    const trial_info *in = &f.info;
    double n_ips = (double)(in->received[ARM_IPS][0] + in->received[ARM_IPS][1]
                            + in->received[ARM_IPS][2]);
    double n_ctl = (double)(in->received[ARM_CONTROL][0] + in->received[ARM_CONTROL][1]
                            + in->received[ARM_CONTROL][2]);
    cr_expect(fabs(in->received[ARM_IPS][RECEIVED_NONE] / n_ips - 0.2) < 0.03);
    cr_expect_eq(in->received[ARM_IPS][RECEIVED_CONTROL], 0);
    cr_expect(fabs(in->received[ARM_CONTROL][RECEIVED_NONE] / n_ctl - 0.1) < 0.03);
    cr_expect(fabs(in->received[ARM_CONTROL][RECEIVED_IPS] / n_ctl - 0.05) < 0.02);
    done(&f);
}

Test(trial, leaving_benefit_can_end_follow_up)
{
    fixture f;
    simulate(&f, "{\"trial\": {\"coach_icc\": 0, \"attrition\": {\"on_leaving_benefit\": 1}}}", 0,
             false);
    size_t seen_sustained = 0, lost = 0;
    for (size_t i = 0; i < f.d.n; i++) {
        seen_sustained += f.people[i].sustained == 1;
        lost += isfinite(f.people[i].lost_day);
    }
    cr_expect_eq(seen_sustained, 0, "a sustained return needs follow-up after leaving benefit");
    cr_expect_gt(lost, 20);
    done(&f);
}

Test(trial, ips_clients_have_coaches_within_capacity)
{
    fixture f;
    simulate(&f, "{\"trial\": {\"coach_pilot_clients\": 12000}}", 0, true);
    size_t coached = 0;
    for (size_t i = 0; i < f.d.n; i++) {
        const trial_person *x = &f.people[i];
        if (x->received == RECEIVED_IPS && x->coach != TRIAL_NO_COACH) {
            cr_expect_lt(x->coach, f.d.coaches[x->region]);
            coached++;
        }
        if (x->received != RECEIVED_IPS)
            cr_expect_eq(x->coach, TRIAL_NO_COACH);
    }
    cr_expect_eq(coached, f.info.coached);
    cr_expect_gt(coached, f.d.n / 2 - 20);
    cr_expect_gt(f.d.coach_sigma, 0);
    done(&f);
}

/* The mapping from ICC to the spread of coach multipliers is checked by
 * simulation: the mean ANOVA ICC of the primary outcome among coached IPS
 * clients over many trials equals the target. */
static void check_icc(double target)
{
    char json[128];
    snprintf(json, sizeof json, "{\"trial\": {\"coach_icc\": %g}}", target);
    fixture f;
    simulate(&f, json, 0, true);
    trial_plan plan;
    trial_plan_build(&f.d.tp, &plan);
    trial_analysis_ws *ws = trial_analysis_ws_alloc(f.d.n);
    trial_test_result res[TRIAL_MAX_TESTS];
    const size_t reps = 300;
    double sum = 0, sum2 = 0;
    size_t n = 0;
    char err[256];
    for (size_t r = 0; r < reps; r++) {
        cr_assert_eq(trial_simulate(&f.d, SEED, r, f.w, &f.people, &f.info, err, sizeof err), 0);
        double icc;
        cr_assert_eq(trial_analyse(&plan, &f.d, f.people, f.d.n, 0, ws, res, NULL, &icc), 0);
        if (isfinite(icc)) {
            sum += icc;
            sum2 += icc * icc;
            n++;
        }
    }
    double mean = sum / (double)n, sd = sqrt((sum2 - sum * sum / (double)n) / (double)(n - 1));
    double se = sd / sqrt((double)n);
    cr_expect(fabs(mean - target) < 3 * se + 0.002,
              "target ICC %.3f: mean estimate %.4f (SE %.4f, sigma %.3f)", target, mean, se,
              f.d.coach_sigma);
    trial_analysis_ws_free(ws);
    done(&f);
}

Test(trial, coach_effect_gives_the_target_icc) { check_icc(0.05); }
Test(trial, coach_effect_gives_a_larger_target_icc) { check_icc(0.12); }

/* Share with the primary outcome among coached IPS clients of one trial. */
static void coached_primary(const trial_design *d, const trial_person *pp, double *succ,
                            double *total)
{
    *succ = *total = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (pp[i].received != RECEIVED_IPS || pp[i].coach == TRIAL_NO_COACH)
            continue;
        uint8_t y = trial_person_binary(&pp[i], d->tp.primary_kind, d->tp.primary_window);
        if (y == TRIAL_MISSING)
            continue;
        *succ += y;
        *total += 1;
    }
}

/* The coach effect spreads the primary outcome over coaches but keeps the
 * arm's mean: the same replications with and without it (common random
 * numbers) give the same share of coached IPS clients with the outcome,
 * within Monte Carlo error plus 0.05 point for the pilot's own noise. On
 * the realised Belgian trial (a rare outcome, about 13%), with three pilot
 * seeds: a pilot of 24 replications moved the mean by 0.2 to 0.4 point at
 * most seeds. */
static double mean_shift(const ipsim_config *cfg, uint64_t pilot_seed, double *se)
{
    trial_design with, without;
    char err[512];
    cr_assert_eq(trial_design_init(&with, &cfg->model, &cfg->trial, 0, 1.0, err, sizeof err), 0,
                 "%s", err);
    cr_assert_eq(trial_design_fit_coach_effect(&with, pilot_seed, 2, err, sizeof err), 0, "%s",
                 err);
    cr_assert_gt(with.coach_sigma, 0.3, "the test needs a real coach effect");
    cr_assert_geq(with.pilot_replications, 24);
    without = with;
    without.coach_sigma = 0;
    without.coach_mu = 0;
    trial_workspace *w = trial_workspace_alloc(with.n);
    cr_assert_not_null(w);
    const trial_person *pp;
    trial_info info;
    const size_t reps = 1000;
    double sum = 0, sum2 = 0;
    for (size_t r = 0; r < reps; r++) {
        double s1, t1, s0, t0;
        cr_assert_eq(trial_simulate(&with, SEED, r, w, &pp, &info, err, sizeof err), 0, "%s", err);
        coached_primary(&with, pp, &s1, &t1);
        cr_assert_eq(trial_simulate(&without, SEED, r, w, &pp, &info, err, sizeof err), 0, "%s",
                     err);
        coached_primary(&without, pp, &s0, &t0);
        cr_assert(t1 > 0 && t0 > 0);
        double diff = s1 / t1 - s0 / t0;
        sum += diff;
        sum2 += diff * diff;
    }
    trial_workspace_free(w);
    *se = sqrt((sum2 - sum * sum / (double)reps) / (double)(reps - 1) / (double)reps);
    return sum / (double)reps;
}

Test(trial, coach_effect_keeps_the_arms_mean_outcome)
{
    ipsim_config cfg;
    cr_assert_eq(config_load(IPSIM_SOURCE_DIR "/configs/trial_belgium_realised.json", &cfg,
                             stderr), CONFIG_OK);
    static const uint64_t pilot_seeds[] = { 1, 2, 3 };
    for (size_t i = 0; i < 3; i++) {
        double se, shift = mean_shift(&cfg, pilot_seeds[i], &se);
        cr_expect(fabs(shift) < 3 * se + 0.0005,
                  "pilot seed %llu: the coach effect moved the IPS arm's mean by %+.5f (SE %.5f)",
                  (unsigned long long)pilot_seeds[i], shift, se);
    }
    config_clear(&cfg);
}

Test(trial, unreachable_icc_is_an_error)
{
    ipsim_config cfg;
    /* no part-time jobs: working on benefit never happens, whatever the coach */
    cr_assert_eq(tu_config("{\"work\": {\"part_time_share\": 0}, \"trial\": {\"coach_icc\": 0.05,"
                           " \"coach_pilot_clients\": 12000,"
                           " \"outcomes\": {\"primary\": \"working_on_benefit_18m\"}}}", &cfg),
                 CONFIG_OK);
    trial_design d;
    char err[512];
    cr_assert_eq(trial_design_init(&d, &cfg.model, &cfg.trial, 0, 1.0, err, sizeof err), 0);
    cr_expect_eq(trial_design_fit_coach_effect(&d, SEED, 2, err, sizeof err), -1);
    cr_expect(strstr(err, "trial.coach_icc") != NULL, "%s", err);
    config_clear(&cfg);
}

/* Cohort mode of the claimant model: without a coach limit people do not
 * interact, so a person's life is the same alone or in a crowd, and ending
 * each person's simulation at their own end day changes nothing before it. */
typedef struct life {
    double first_job;
    int changes;
    double last_change;
} life;

static void record(void *arg, size_t i, const person *x, int from, int to, double t)
{
    (void)x;
    (void)from;
    (void)to;
    life *l = arg;
    if ((to == ST_EMPLOYED_PT || to == ST_EMPLOYED_FT) && !(l[i].first_job <= t))
        l[i].first_job = t;
    l[i].changes++;
    l[i].last_change = t;
}

Test(trial, cohort_mode_people_alone_or_together_live_the_same_lives)
{
    ipsim_config cfg;
    cr_assert_eq(tu_config("{\"run\": {\"scale\": 1}}", &cfg), CONFIG_OK);
    model_params mp = cfg.model;
    size_t ttp = 1; /* train_then_place in the default config */
    cr_assert_str_eq(mp.policy[ttp].name, "train_then_place");
    for (int g = 0; g < N_REGION; g++)
        mp.policy[ttp].prog.coaches[g] = 0; /* no limit */
    enum { N = 300 };
    person *pp = malloc(N * sizeof *pp);
    uint64_t *keys = malloc(N * sizeof *keys);
    float *end = malloc(N * sizeof *end);
    gsl_rng *r = sim_rng_alloc(1);
    double share[N_SEX] = { 1, 1 };
    for (size_t i = 0; i < N; i++) {
        keys[i] = sim_rng_child(4242, i);
        population_draw(&pp[i], &mp, &mp.stock, share, true, 3.5 * (double)i, keys[i]);
        end[i] = (float)(3.5 * (double)i + 900);
    }
    double horizon = 3.5 * N + 2000;
    life *together = calloc(N, sizeof *together), *shortened = calloc(N, sizeof *shortened);
    for (size_t i = 0; i < N; i++)
        together[i].first_job = shortened[i].first_job = INFINITY;
    claimant_cohort c = { .n = N, .people = pp, .keys = keys, .refer_on_entry = true,
                          .horizon = horizon, .on_state = record, .arg = together };
    claimant_run *run = claimant_run_alloc_cohort(&mp, ttp, &c);
    cr_assert_not_null(run);
    cr_assert_eq(claimant_run_until(run, horizon), 0);
    char msg[256];
    cr_expect_eq(claimant_run_check(run, msg, sizeof msg), 0, "%s", msg);
    claimant_run_free(run);
    c.end_day = end;
    c.arg = shortened;
    run = claimant_run_alloc_cohort(&mp, ttp, &c);
    cr_assert_eq(claimant_run_until(run, horizon), 0);
    claimant_run_free(run);
    size_t jobs = 0;
    for (size_t i = 0; i < N; i += 37) {
        life alone = { INFINITY, 0, 0 };
        claimant_cohort one = { .n = 1, .people = &pp[i], .keys = &keys[i],
                                .refer_on_entry = true, .horizon = horizon, .on_state = record,
                                .arg = &alone };
        run = claimant_run_alloc_cohort(&mp, ttp, &one);
        cr_assert_eq(claimant_run_until(run, horizon), 0);
        claimant_run_free(run);
        cr_expect_eq(alone.changes, together[i].changes, "person %zu", i);
        cr_expect_eq(alone.last_change, together[i].last_change, "person %zu", i);
        cr_expect_eq(alone.first_job, together[i].first_job, "person %zu", i);
    }
    for (size_t i = 0; i < N; i++) {
        jobs += isfinite(together[i].first_job);
        if (together[i].first_job <= end[i])
            cr_expect_eq(shortened[i].first_job, together[i].first_job, "person %zu", i);
        else
            cr_expect(!(shortened[i].first_job <= end[i]));
    }
    cr_expect_gt(jobs, 10);
    free(together);
    free(shortened);
    gsl_rng_free(r);
    free(pp);
    free(keys);
    free(end);
    config_clear(&cfg);
}

Test(trial, binomial_test_model_gives_its_proportions)
{
    fixture f;
    simulate(&f, "{\"trial\": {\"model\": \"binomial\", \"participants\": {\"flanders\": 3000,"
                 " \"wallonia\": 2000, \"brussels\": 1000}, \"test_model\": {\"p_ips\": 0.61,"
                 " \"p_control\": 0.23}}}", 0, true);
    size_t x[N_ARM] = { 0 }, n[N_ARM] = { 0 };
    for (size_t i = 0; i < f.d.n; i++) {
        x[f.people[i].arm] += f.people[i].ever[0];
        n[f.people[i].arm]++;
    }
    cr_expect(fabs((double)x[ARM_IPS] / (double)n[ARM_IPS] - 0.61) < 0.02);
    cr_expect(fabs((double)x[ARM_CONTROL] / (double)n[ARM_CONTROL] - 0.23) < 0.02);
    cr_expect_eq(f.d.coach_sigma, 0, "test models have no coach effect");
    done(&f);
}

Test(trial, unknown_arm_policy_is_an_error)
{
    ipsim_config cfg;
    cr_assert_eq(tu_config("{}", &cfg), CONFIG_OK);
    snprintf(cfg.trial.ips_policy, sizeof cfg.trial.ips_policy, "nope");
    trial_design d;
    char err[256];
    cr_expect_eq(trial_design_init(&d, &cfg.model, &cfg.trial, 0, 1.0, err, sizeof err), -1);
    cr_expect(strstr(err, "nope") != NULL, "%s", err);
    config_clear(&cfg);
}
