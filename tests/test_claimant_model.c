/* Claimant model: conservation of people across states, common random
 * numbers across policies, and programme capacity with its FIFO waiting
 * list. */
#include <math.h>
#include <criterion/criterion.h>

#include "models/claimant_model.h"
#include "models/policy.h"
#include "tests/test_util.h"

static const char *small_scenario =
    "{\"run\": {\"years\": 4, \"scale\": 0.004, \"replications\": 1, \"seed\": 4242}}";

static void load(const char *text, ipsim_config *cfg)
{
    cr_assert_eq(tu_config(text, cfg), CONFIG_OK);
}

static size_t policy_index(const ipsim_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->model.npolicies; i++)
        if (!strcmp(cfg->model.policy[i].name, name))
            return i;
    cr_assert_fail("no policy %s", name);
    return 0;
}

Test(claimant_model, every_person_is_in_exactly_one_state_each_month)
{
    ipsim_config cfg;
    load(small_scenario, &cfg);
    for (size_t pol = 0; pol < cfg.model.npolicies; pol++) {
        claimant_run *run = claimant_run_alloc(&cfg.model, pol, cfg.seed, 0);
        cr_assert_not_null(run);
        size_t months = results_months(cfg.model.horizon_days);
        int64_t (*recount)[N_STATE] = calloc(months + 1, sizeof *recount);
        size_t *present = calloc(months + 1, sizeof *present);
        for (size_t m = 0; m <= months; m++) {
            cr_assert_eq(claimant_run_until(run, m * DAYS_PER_MONTH), 0);
            char msg[256];
            cr_assert_eq(claimant_run_check(run, msg, sizeof msg), 0, "month %zu: %s", m, msg);
            const person *pp;
            size_t n = claimant_run_people(run, &pp);
            present[m] = n;
            for (size_t i = 0; i < n; i++) {
                cr_assert_lt(pp[i].state, N_STATE);
                recount[m][pp[i].state]++;
            }
        }
        run_results res;
        cr_assert_eq(claimant_run_finish(run, &res), 0);
        for (size_t m = 0; m <= months; m++) {
            int64_t total = 0;
            for (int s = 0; s < N_STATE; s++) {
                int64_t c = 0;
                for (int g = 0; g < N_REGION; g++)
                    for (int x = 0; x < N_SEX; x++)
                        c += res.state_counts[RES_STATE_IDX(m, s, g, x)];
                cr_expect_eq(c, recount[m][s], "policy %zu month %zu state %s: %lld vs %lld",
                             pol, m, claimant_state_name(s), (long long)c,
                             (long long)recount[m][s]);
                total += c;
            }
            cr_expect_eq(total, (int64_t)present[m], "month %zu: states add to %lld of %zu people",
                         m, (long long)total, present[m]);
        }
        free(recount);
        free(present);
        results_clear(&res);
        claimant_run_free(run);
    }
    config_clear(&cfg);
}

/* Each month's flows carry its counts into the next month's, exactly, even
 * for events at the very time of a snapshot (event times are float days, so
 * a few land on a month's first instant in a national-size run). */
static size_t check_flows(const char *json);

Test(claimant_model, flows_carry_each_month_into_the_next)
{
    cr_expect_gt(check_flows("{\"run\": {\"years\": 12, \"scale\": 0.05, \"seed\": 77}}"), 1000);
}

/* A horizon that is not a whole number of months (1.49 years: 17 months and
 * 0.88 of one): the last month is partial, its snapshot at the horizon, so
 * the model runs to the horizon (people arrive, move and leave in the
 * partial month), the monthly tables add up, and the last snapshot's
 * counts are the people's final states. A horizon a hair short of 13
 * months (13/12 years to 13 digits) gets its 13th snapshot too. */
Test(claimant_model, a_partial_last_month_is_simulated)
{
    const char *json = "{\"run\": {\"years\": 1.49, \"scale\": 0.02, \"seed\": 5}}";
    cr_expect_gt(check_flows(json), 100);
    const char *jsons[2] = { json, "{\"run\": {\"years\": 1.0833333333333, \"scale\": 0.02}}" };
    const size_t want_months[2] = { 18, 13 };
    for (int c = 0; c < 2; c++) {
        ipsim_config cfg;
        load(jsons[c], &cfg);
        run_results res;
        claimant_run *run = claimant_run_alloc(&cfg.model, 0, cfg.seed, 0);
        cr_assert_not_null(run);
        cr_assert_eq(claimant_run_finish(run, &res), 0);
        claimant_run_free(run);
        cr_assert_eq(res.months, want_months[c], "%zu months", res.months);
        int64_t final[N_STATE] = { 0 }, last[N_STATE] = { 0 };
        for (size_t i = 0; i < res.npeople; i++)
            final[res.people[i].final_state]++;
        for (int st = 0; st < N_STATE; st++)
            for (int g = 0; g < N_REGION; g++)
                for (int x = 0; x < N_SEX; x++)
                    last[st] += res.state_counts[RES_STATE_IDX(res.months, st, g, x)];
        for (int st = 0; st < N_STATE; st++)
            cr_expect_eq(last[st], final[st], "case %d, %s: %lld at the last snapshot, %lld at "
                         "the end", c, claimant_state_name(st), (long long)last[st],
                         (long long)final[st]);
        if (c == 0) {
            double whole = 17 * DAYS_PER_MONTH; /* the partial month starts here */
            size_t late_arrivals = 0, late_exits = 0;
            for (size_t i = 0; i < res.npeople; i++) {
                late_arrivals += res.people[i].arrival_day > whole;
                late_exits += isfinite(res.people[i].exit_day) && res.people[i].exit_day > whole;
            }
            cr_expect_gt(late_arrivals, 10, "%zu arrivals in the partial month", late_arrivals);
            cr_expect_gt(late_exits, 10, "%zu exits in the partial month", late_exits);
        }
        results_clear(&res);
        config_clear(&cfg);
    }
}

/* Checks counts[m] + flows[m] = counts[m + 1] for every policy, three
 * replications; returns the number of checks. */
static size_t check_flows(const char *json)
{
    ipsim_config cfg;
    load(json, &cfg);
    size_t checked = 0;
    for (size_t pol = 0; pol < cfg.model.npolicies; pol++)
        for (size_t rep = 0; rep < 3; rep++) {
            run_results res;
            claimant_run *run = claimant_run_alloc(&cfg.model, pol, cfg.seed, rep);
            cr_assert_not_null(run);
            cr_assert_eq(claimant_run_finish(run, &res), 0);
            claimant_run_free(run);
            for (size_t m = 0; m < res.months; m++)
                for (int s = 0; s < N_STATE; s++) {
                    int64_t now = 0, next = 0;
                    for (int g = 0; g < N_REGION; g++)
                        for (int x = 0; x < N_SEX; x++) {
                            now += res.state_counts[RES_STATE_IDX(m, s, g, x)];
                            next += res.state_counts[RES_STATE_IDX(m + 1, s, g, x)];
                        }
                    for (int f = 0; f < N_FLOW_FROM; f++)
                        now += res.flows[RES_FLOW_IDX(m, f, s)];
                    for (int t = 0; t < N_STATE; t++)
                        now -= res.flows[RES_FLOW_IDX(m, s, t)];
                    cr_expect_eq(now, next, "policy %zu rep %zu month %zu %s: %lld carried, %lld counted",
                                 pol, rep, m, claimant_state_name(s), (long long)now,
                                 (long long)next);
                    checked++;
                }
            results_clear(&res);
        }
    config_clear(&cfg);
    return checked;
}

/* Runs one policy to the horizon. */
static run_results run_policy(const ipsim_config *cfg, size_t pol, size_t rep)
{
    run_results res;
    claimant_run *run = claimant_run_alloc(&cfg->model, pol, cfg->seed, rep);
    cr_assert_not_null(run);
    cr_assert_eq(claimant_run_finish(run, &res), 0);
    claimant_run_free(run);
    return res;
}

static bool same_outcome(const person_outcome *a, const person_outcome *b)
{
    return a->sex == b->sex && a->region == b->region && a->diagnosis == b->diagnosis
           && a->final_state == b->final_state && a->first_job_day == b->first_job_day
           && a->days_employed == b->days_employed
           && (a->exit_day == b->exit_day || (isinf(a->exit_day) && isinf(b->exit_day)))
           && a->coach == b->coach;
}

/* The IPS policy below repeats every programme value of train_then_place. */
static const char *ips_as_ttp =
    "{\"run\": {\"years\": 5, \"scale\": 0.004, \"seed\": 77},"
    " \"policies\": ["
    "  {\"name\": \"ttp\", \"type\": \"train_then_place\"},"
    "  {\"name\": \"ips_like_ttp\", \"type\": \"ips\", \"programme\": {"
    "     \"exclusion\": {\"mild\": 0.05, \"moderate\": 0.15, \"severe\": 0.40},"
    "     \"training_phase\": true,"
    "     \"training_duration\": {\"shape\": \"weibull\", \"weibull_shape\": 2.0, \"weibull_scale_days\": 200},"
    "     \"days_to_first_employer_contact\": 30, \"max_search_months\": 12, \"follow_along_months\": 3,"
    "     \"effects\": {\"job_finding\": 1, \"relapse\": 1, \"dropout\": 1, \"job_loss_while_supported\": 1,"
    "                 \"job_loss_matching\": 1, \"offer_refusal\": 1},"
    "     \"fidelity\": {\"scales_effects\": false}}},"
    "  {\"name\": \"ips\", \"type\": \"ips\"},"
    "  {\"name\": \"status_quo\", \"type\": \"status_quo\"}]}";

Test(claimant_model, ips_set_to_ttp_values_gives_identical_people)
{
    ipsim_config cfg;
    load(ips_as_ttp, &cfg);
    for (size_t rep = 0; rep < 2; rep++) {
        run_results a = run_policy(&cfg, policy_index(&cfg, "ttp"), rep);
        run_results b = run_policy(&cfg, policy_index(&cfg, "ips_like_ttp"), rep);
        cr_assert_eq(a.npeople, b.npeople);
        size_t enrolled = 0;
        for (size_t i = 0; i < a.npeople; i++) {
            cr_assert(same_outcome(&a.people[i], &b.people[i]), "person %zu differs", i);
            enrolled += a.people[i].ever_enrolled;
        }
        cr_expect_gt(enrolled, 20, "too few programme clients for a meaningful check");
        cr_expect_eq(memcmp(a.state_counts, b.state_counts,
                            (a.months + 1) * N_STATE * N_REGION * N_SEX * sizeof(int32_t)), 0);
        results_clear(&a);
        results_clear(&b);
    }
    config_clear(&cfg);
}

/* The job-loss time of full-time work is not worked out when it cannot beat
 * the sustained return; the plain race works out every time. Same people,
 * same counts, with the default Weibull job loss and with a piecewise one. */
Test(claimant_model, skipping_job_losses_that_cannot_win_changes_nothing)
{
    const char *texts[2] = {
        "{\"run\": {\"years\": 6, \"scale\": 0.004, \"seed\": 31}}",
        "{\"run\": {\"years\": 6, \"scale\": 0.004, \"seed\": 32},"
        " \"transitions\": {\"job_loss\": {\"shape\": \"piecewise\","
        " \"breaks_days\": [0, 90, 400], \"rates_per_year\": [1.5, 0, 0.4]}}}" };
    for (int t = 0; t < 2; t++) {
        ipsim_config cfg;
        load(texts[t], &cfg);
        for (size_t pol = 0; pol < cfg.model.npolicies; pol++) {
            cfg.model.plain_race = false;
            run_results a = run_policy(&cfg, pol, 0);
            cfg.model.plain_race = true;
            run_results b = run_policy(&cfg, pol, 0);
            cr_assert_eq(a.npeople, b.npeople);
            cr_assert_eq(a.events, b.events, "config %d policy %zu", t, pol);
            size_t sustained = 0;
            for (size_t i = 0; i < a.npeople; i++) {
                cr_assert(same_outcome(&a.people[i], &b.people[i]), "config %d person %zu", t, i);
                sustained += a.people[i].final_state == ST_EXIT_RTW;
            }
            cr_expect_gt(sustained, 100, "too few sustained returns for a meaningful check");
            cr_expect_eq(memcmp(a.state_counts, b.state_counts,
                                (a.months + 1) * N_STATE * N_REGION * N_SEX * sizeof(int32_t)),
                         0);
            results_clear(&a);
            results_clear(&b);
        }
        config_clear(&cfg);
    }
}

Test(claimant_model, real_ips_changes_outcomes_but_not_people_outside_the_programme)
{
    ipsim_config cfg;
    load(ips_as_ttp, &cfg);
    run_results a = run_policy(&cfg, policy_index(&cfg, "ttp"), 0);
    run_results b = run_policy(&cfg, policy_index(&cfg, "ips"), 0);
    run_results c = run_policy(&cfg, policy_index(&cfg, "status_quo"), 0);
    cr_assert_eq(a.npeople, b.npeople);
    cr_assert_eq(a.npeople, c.npeople);
    size_t differ = 0;
    for (size_t i = 0; i < a.npeople; i++) {
        /* the same synthetic person under every policy */
        cr_assert_eq(a.people[i].sex, b.people[i].sex);
        cr_assert_eq(a.people[i].age_at_arrival, c.people[i].age_at_arrival);
        cr_assert_eq(a.people[i].arrival_day, b.people[i].arrival_day);
        /* people who can never be referred (other diagnoses) live identical lives */
        if (a.people[i].diagnosis == DIAG_OTHER) {
            cr_assert(same_outcome(&a.people[i], &b.people[i]), "person %zu", i);
            cr_assert(same_outcome(&a.people[i], &c.people[i]), "person %zu", i);
        }
        differ += !same_outcome(&a.people[i], &b.people[i]);
    }
    cr_expect_gt(differ, 10, "IPS with its own effects should change some outcomes");
    results_clear(&a);
    results_clear(&b);
    results_clear(&c);
    config_clear(&cfg);
}

/* Tight capacity: 2 coaches of 3 clients per region, many referrals. */
static const char *tight =
    "{\"run\": {\"years\": 4, \"scale\": 0.003, \"seed\": 99, \"event_log\": true},"
    " \"transitions\": {\"referral\": {\"rate_per_year\": 0.8}},"
    " \"policies\": ["
    "  {\"name\": \"ips\", \"type\": \"ips\", \"programme\": {\"coaches\": {\"flanders\": 2, \"wallonia\": 2, \"brussels\": 2}, \"caseload\": 3}},"
    "  {\"name\": \"ttp\", \"type\": \"train_then_place\", \"programme\": {\"coaches\": {\"flanders\": 2, \"wallonia\": 2, \"brussels\": 2}, \"caseload\": 3}}]}";

typedef struct spell {
    uint32_t person;
    double enter, leave;
    int admitted;
} spell;

Test(claimant_model, capacity_never_exceeded_and_waiting_list_served_in_order)
{
    ipsim_config cfg;
    load(tight, &cfg);
    /* coaches scale with the population: give them absolute numbers */
    cfg.model.scale = 0.003;
    for (size_t pol = 0; pol < cfg.model.npolicies; pol++) {
        for (int g = 0; g < N_REGION; g++)
            cfg.model.policy[pol].prog.coaches[g] = 2.0 / cfg.model.scale;
        claimant_run *run = claimant_run_alloc(&cfg.model, pol, cfg.seed, 0);
        cr_assert_not_null(run);
        size_t steps = 0;
        int rc;
        char msg[256];
        while ((rc = claimant_run_step(run)) == 1) {
            cr_assert_eq(claimant_run_check(run, msg, sizeof msg), 0, "after event %zu: %s",
                         steps, msg);
            steps++;
        }
        cr_assert_eq(rc, 0);
        run_results res;
        cr_assert_eq(claimant_run_finish(run, &res), 0);
        cr_expect_leq(res.max_clients_per_coach, 3);
        cr_expect_eq(res.max_clients_per_coach, 3, "capacity was never reached: test too weak");

        /* waiting spells from the event log */
        spell *sp = calloc(res.nlog, sizeof *sp);
        size_t ns = 0, admitted = 0;
        for (size_t e = 0; e < res.nlog; e++) {
            const event_record *ev = &res.log[e];
            if (ev->to == ST_WAITING) {
                sp[ns++] = (spell){ ev->person, ev->time, INFINITY, 0 };
            } else if (ev->from == ST_WAITING) {
                for (size_t k = ns; k-- > 0;)
                    if (sp[k].person == ev->person && isinf(sp[k].leave)) {
                        sp[k].leave = ev->time;
                        sp[k].admitted = ev->to == ST_TRAINING || ev->to == ST_JOB_SEARCH;
                        admitted += (size_t)sp[k].admitted;
                        break;
                    }
            }
        }
        cr_expect_gt(admitted, 20, "too few admissions from the waiting list");
        for (size_t a = 0; a < ns; a++) {
            if (!sp[a].admitted)
                continue;
            int ra = res.people[sp[a].person].region;
            for (size_t b = 0; b < ns; b++) {
                if (res.people[sp[b].person].region != ra || b == a)
                    continue;
                /* b was waiting longer and still waiting when a was admitted */
                cr_assert_not(sp[b].enter < sp[a].enter && sp[b].leave > sp[a].leave,
                              "policy %zu: person %u admitted at %g before %u (waiting since %g)",
                              pol, sp[a].person, sp[a].leave, sp[b].person, sp[b].enter);
            }
        }
        free(sp);
        results_clear(&res);
        claimant_run_free(run);
    }
    config_clear(&cfg);
}

Test(claimant_model, fidelity_scales_ips_effects)
{
    ipsim_config cfg;
    load("{}", &cfg);
    size_t ips = policy_index(&cfg, "ips");
    policy_params pol = cfg.model.policy[ips];
    pol.prog.fidelity_scaled = true;
    pol.prog.fidelity_reference = 115;
    pol.prog.hr_job_find = 1.6;
    policy_effects e;
    pol.prog.fidelity = 115;
    policy_effects_compute(&pol, &e);
    cr_expect_float_eq(e.job_find, 1.6, 1e-12);
    pol.prog.fidelity = 73;
    policy_effects_compute(&pol, &e);
    cr_expect_float_eq(e.job_find, 1.0, 1e-12);
    pol.prog.fidelity = 50;
    policy_effects_compute(&pol, &e);
    cr_expect_float_eq(e.job_find, 1.0, 1e-12);
    pol.prog.fidelity = 94; /* halfway: s = 0.5 */
    policy_effects_compute(&pol, &e);
    cr_expect_float_eq(e.job_find, sqrt(1.6), 1e-12);
    config_clear(&cfg);
}

/* The anniversary keeps the race drawn in primary incapacity only when every
 * risk of that state survives the state change (onset clock or constant
 * hazard). A near-deterministic state-clock Weibull start of part-time work
 * (shape 20, scale 500 days) must be redrawn at the anniversary: new cases
 * then start part-time work about 365 + 500 days after onset, never near
 * 500 days, which is when a kept race would fire (the few whose first draw
 * falls within the first year start in primary incapacity). */
Test(claimant_model, anniversary_redraws_risks_whose_clock_restarts)
{
    ipsim_config cfg;
    load("{\"run\": {\"years\": 4, \"scale\": 0.01, \"seed\": 5, \"event_log\": true},"
         " \"population\": {\"stock\": {\"people\": 0}},"
         " \"transitions\": {\"recovery\": {\"shape\": \"none\"},"
         "   \"part_time_start\": {\"shape\": \"weibull\", \"weibull_shape\": 20,"
         "                         \"weibull_scale_days\": 500}}}",
         &cfg);
    claimant_run *run =
        claimant_run_alloc(&cfg.model, policy_index(&cfg, "status_quo"), cfg.seed, 0);
    cr_assert_not_null(run);
    run_results res;
    cr_assert_eq(claimant_run_finish(run, &res), 0);
    size_t starts = 0;
    for (size_t e = 0; e < res.nlog; e++) {
        const event_record *ev = &res.log[e];
        if (ev->to != ST_EMPLOYED_PT)
            continue;
        double since_onset = ev->time - res.people[ev->person].arrival_day;
        if (since_onset < 365.25)
            continue; /* the rare early draws fire in primary incapacity */
        cr_assert_gt(since_onset, 365.25 + 200,
                     "person %u started part-time work %.0f days after onset", ev->person,
                     since_onset);
        starts++;
    }
    cr_expect_gt(starts, 500, "too few part-time starts (%zu): test too weak", starts);
    results_clear(&res);
    claimant_run_free(run);
    config_clear(&cfg);
}
