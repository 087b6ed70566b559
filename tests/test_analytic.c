/* Analytic check: with constant hazards, unlimited capacity, no inflow, no
 * deaths or retirements, the claimant model is a continuous-time Markov
 * chain on {invalidity, job search, part-time work, full-time work}; the
 * simulated occupancy must match the Kolmogorov forward solution
 * p(t) = p(0) exp(Q t) within 4 standard errors. */
#include <math.h>
#include <criterion/criterion.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "models/claimant_model.h"
#include "tests/test_util.h"

#define ONES_HR "\"hazard_ratios\": {\"sex\": {\"male\": 1, \"female\": 1}," \
    " \"age_band\": {\"18-29\": 1, \"30-39\": 1, \"40-49\": 1, \"50-64\": 1}," \
    " \"region\": {\"flanders\": 1, \"wallonia\": 1, \"brussels\": 1}," \
    " \"severity\": {\"mild\": 1, \"moderate\": 1, \"severe\": 1, \"other\": 1}," \
    " \"education\": {\"low\": 1, \"medium\": 1, \"high\": 1}}"
#define EXP(rate) "{\"shape\": \"exponential\", \"rate_per_year\": " #rate ", " ONES_HR "}"

/* per-year rates used below */
#define R_RECOVERY 0.3
#define R_PART_TIME 0.2
#define R_REFERRAL 0.5
#define R_JOB_FIND 2.0
#define R_DROPOUT 0.4
#define R_RELAPSE 0.3
#define R_JOB_LOSS 0.6
#define R_PT_TO_FT 0.25
#define REFUSAL 0.2
#define PT_SHARE 0.6
#define E_JOB_FIND 1.5
#define E_DROPOUT 0.8
#define E_RELAPSE 0.7
#define PEOPLE 20000

static const char *markov_config =
    "{\"run\": {\"years\": 4, \"scale\": 1, \"seed\": 31},"
    " \"population\": {\"stock\": {\"people\": 20000, \"primary_share\": 0, \"mean_years_since_onset\": 3,"
    "     \"age_shares\": {\"18-29\": 0, \"30-39\": 1, \"40-49\": 0, \"50-64\": 0},"
    "     \"mental_share\": {\"male\": 1, \"female\": 1}},"
    "   \"inflow\": {\"cases_per_year\": [[2017, 0]]}},"
    " \"transitions\": {"
    "   \"recovery\": " EXP(0.3) ", \"part_time_start\": " EXP(0.2) ", \"referral\": " EXP(0.5) ","
    "   \"job_finding\": " EXP(2.0) ", \"dropout\": " EXP(0.4) ", \"relapse\": " EXP(0.3) ","
    "   \"job_loss\": " EXP(0.6) ", \"part_time_to_full_time\": " EXP(0.25) "},"
    " \"referral\": {\"mental_only\": true, \"max_age\": 75},"
    " \"work\": {\"offer_refusal\": 0.2, \"part_time_share\": 0.6, \"sustained_months\": 120,"
    "            \"benefit_return_days\": 3650},"
    " \"mortality\": {\"gompertz_a\": {\"male\": 0, \"female\": 0}},"
    " \"pension_age\": [[2017, 75]],"
    " \"policies\": [{\"name\": \"ips\", \"type\": \"ips\", \"programme\": {"
    "     \"coaches\": {\"flanders\": 0, \"wallonia\": 0, \"brussels\": 0},"
    "     \"follow_along_months\": 0, \"days_to_first_employer_contact\": 0, \"max_search_months\": 0,"
    "     \"effects\": {\"job_finding\": 1.5, \"relapse\": 0.7, \"dropout\": 0.8,"
    "                 \"job_loss_while_supported\": 1, \"job_loss_matching\": 1, \"offer_refusal\": 1},"
    "     \"fidelity\": {\"scales_effects\": false}}}]}";

enum { M_INV, M_JS, M_PT, M_FT, M_N };
static const int model_state[M_N] = { ST_INVALIDITY, ST_JOB_SEARCH, ST_EMPLOYED_PT, ST_EMPLOYED_FT };

static void generator(gsl_matrix *q)
{
    gsl_matrix_set_zero(q);
    double jf = R_JOB_FIND * E_JOB_FIND * (1 - REFUSAL);
    gsl_matrix_set(q, M_INV, M_FT, R_RECOVERY);
    gsl_matrix_set(q, M_INV, M_PT, R_PART_TIME);
    gsl_matrix_set(q, M_INV, M_JS, R_REFERRAL);
    gsl_matrix_set(q, M_JS, M_PT, jf * PT_SHARE);
    gsl_matrix_set(q, M_JS, M_FT, jf * (1 - PT_SHARE));
    gsl_matrix_set(q, M_JS, M_INV, R_DROPOUT * E_DROPOUT + R_RELAPSE * E_RELAPSE);
    gsl_matrix_set(q, M_PT, M_INV, R_JOB_LOSS + R_RELAPSE);
    gsl_matrix_set(q, M_PT, M_FT, R_PT_TO_FT);
    gsl_matrix_set(q, M_FT, M_INV, R_JOB_LOSS + R_RELAPSE);
    for (int i = 0; i < M_N; i++) {
        double out = 0;
        for (int j = 0; j < M_N; j++)
            out += gsl_matrix_get(q, i, j);
        gsl_matrix_set(q, i, i, -out);
    }
}

Test(analytic, occupancy_matches_kolmogorov_forward_solution)
{
    ipsim_config cfg;
    cr_assert_eq(tu_config(markov_config, &cfg), CONFIG_OK);
    claimant_run *run = claimant_run_alloc(&cfg.model, 0, cfg.seed, 0);
    cr_assert_not_null(run);
    run_results res;
    cr_assert_eq(claimant_run_finish(run, &res), 0);
    claimant_run_free(run);
    cr_assert_eq(res.npeople, PEOPLE);

    gsl_matrix *q = gsl_matrix_alloc(M_N, M_N), *qt = gsl_matrix_alloc(M_N, M_N),
               *e = gsl_matrix_alloc(M_N, M_N);
    generator(q);
    const int months[] = { 1, 3, 6, 12, 24, 48 };
    int checked = 0;
    for (size_t k = 0; k < sizeof months / sizeof *months; k++) {
        double t_years = months[k] * DAYS_PER_MONTH / DAYS_PER_YEAR;
        gsl_matrix_memcpy(qt, q);
        gsl_matrix_scale(qt, t_years);
        cr_assert_eq(gsl_linalg_exponential_ss(qt, e, GSL_PREC_DOUBLE), 0);
        int64_t total = 0;
        for (int s = 0; s < N_STATE; s++)
            for (int g = 0; g < N_REGION; g++)
                for (int x = 0; x < N_SEX; x++)
                    total += res.state_counts[RES_STATE_IDX(months[k], s, g, x)];
        cr_assert_eq(total, PEOPLE);
        for (int i = 0; i < M_N; i++) {
            int64_t c = 0;
            for (int g = 0; g < N_REGION; g++)
                for (int x = 0; x < N_SEX; x++)
                    c += res.state_counts[RES_STATE_IDX(months[k], model_state[i], g, x)];
            double p = gsl_matrix_get(e, M_INV, i);
            double sim = (double)c / PEOPLE;
            double se = sqrt(p * (1 - p) / PEOPLE);
            cr_expect_leq(fabs(sim - p), 4 * se + 1e-12,
                          "month %d %s: simulated %.4f, Kolmogorov %.4f (se %.4f)", months[k],
                          claimant_state_name(model_state[i]), sim, p, se);
            checked++;
        }
    }
    cr_expect_eq(checked, 24);
    gsl_matrix_free(q);
    gsl_matrix_free(qt);
    gsl_matrix_free(e);
    results_clear(&res);
    config_clear(&cfg);
}
