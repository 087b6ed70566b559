/* cmd_bench: `ipsim bench`: the national-scale speed and memory benchmark.
 * Runs one replication of one policy of the default scenario at full scale
 * (about 465,000 people in stock plus about 108,000 new cases a year) for
 * 20 years on one thread, and in the same process times one GSL exponential
 * draw, so the cost per event can be read in draw units on any machine (and
 * the model's own inline ziggurat draw, for comparison). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "cli/cli.h"
#include "cli/report.h"
#include "io/config.h"
#include "io/config_override.h"
#include "models/claimant_model.h"
#include "sim/sim_memory.h"
#include "sim/sim_rng.h"

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of x[0..n-1] (n >= 1); x is left as it was. */
static double median(const double *x, uint64_t n)
{
    double sorted[100];
    memcpy(sorted, x, n * sizeof *x);
    qsort(sorted, n, sizeof *sorted, compare_double);
    return n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

/* Seconds per gsl_ran_exponential draw with generator type `type`. */
static double time_exponential(const gsl_rng_type *type, size_t n, double *sink)
{
    gsl_rng *r = gsl_rng_alloc(type);
    gsl_rng_set(r, 12345);
    double t0 = cli_now(), s = 0;
    for (size_t i = 0; i < n; i++)
        s += gsl_ran_exponential(r, 1.0);
    double dt = cli_now() - t0;
    gsl_rng_free(r);
    *sink += s;
    return dt / (double)n;
}

/* Seconds per inline ziggurat Exp(1) draw from a keyed stream (the draw the
 * model makes for each competing risk). */
static double time_ziggurat(size_t n, double *sink)
{
    sim_stream st = sim_stream_at(12345);
    double t0 = cli_now(), s = 0;
    for (size_t i = 0; i < n; i++)
        s += sim_stream_exponential(&st);
    double dt = cli_now() - t0;
    *sink += s;
    return dt / (double)n;
}

/* The run values bench sets itself (the length, scale and seed from its
 * options, one replication, no event log): a --set of one would not be used. */
static const char *const bench_run_values[] = { "run", "run.years", "run.scale", "run.seed",
                                                "run.replications", "run.event_log" };

int cmd_bench(int argc, char **argv)
{
    const char *config = NULL, *policy_name = "ips";
    uint64_t years = 20, seed = 1, runs = 1;
    double scale = 1.0;
    bool json = false;
    bool have_seed = false;
    config_overrides ov = { 0 };
    int taken;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            printf("Usage: ipsim bench [CONFIG] [--years Y] [--scale X] [--policy NAME] [--seed S]\n"
                   "                   [--runs N] [--set PATH=VALUE]... [--json]\n\n"
                   "National-scale benchmark: one replication of one policy (default ips) of\n"
                   "CONFIG (default: built-in scenario) at scale 1 for 20 years, on one thread.\n"
                   "Prints events, events per second, peak memory per person, and the time of\n"
                   "one GSL exponential draw (keyed SplitMix64 and mt19937) and of the model's\n"
                   "inline ziggurat draw, measured in the same run. --runs N repeats the\n"
                   "identical run N times (default 1) and reports the median time with the\n"
                   "fastest and slowest, for machines whose speed varies from run to run.\n"
                   "The time is also split into its phases: creating the stock, the events\n"
                   "up to the horizon, and building the outcome table.\n\n"
                   "  --years Y     simulated years, 1..100 (default 20)\n"
                   "  --scale X     simulated people per real one, in (0, 10] (default 1)\n"
                   "  --policy NAME the config's policy to run (default ips)\n"
                   "  --seed S      master seed, 0..2^53-1 (default 1, not run.seed)\n"
                   "  --runs N      repeat the identical run N times, 1..100 (default 1)\n"
                   "  --set PATH=VALUE  override one value of the config (repeatable), but\n"
                   "                not run.years, run.scale, run.seed, run.replications or\n"
                   "                run.event_log (set by the options above); see docs/config.md\n"
                   "  --json        print the figures as JSON on stdout\n"
                   "Large arrays use 4 KiB pages; IPSIM_HUGE_PAGES=1 in the environment\n"
                   "requests transparent huge pages (see docs/performance.md).\n");
            return EXIT_OK;
        } else if (!strcmp(a, "--years")) {
            if (!cli_option_u64(argc, argv, &i, 1, 100, &years))
                return EXIT_USAGE;
        } else if (!strcmp(a, "--runs")) {
            if (!cli_option_u64(argc, argv, &i, 1, 100, &runs))
                return EXIT_USAGE;
        } else if ((taken = cli_take_seed_threads(argc, argv, &i, &seed, &have_seed, NULL))
                   || (taken = cli_take_set(argc, argv, &i, &ov))) {
            if (taken < 0)
                return EXIT_USAGE;
        } else if (!strcmp(a, "--scale")) {
            if (!(v = cli_option_value(argc, argv, &i, "a number")))
                return EXIT_USAGE;
            size_t len = cli_decimal_length(v, false); /* the whole text, decimal */
            scale = len ? strtod(v, NULL) : 0;
            if (!len || v[len] || !(scale > 0) || scale > 10) {
                fprintf(stderr, "ipsim bench: --scale: '%s' is not a number in (0, 10]\n", v);
                return EXIT_USAGE;
            }
        } else if (!strcmp(a, "--policy")) {
            if (!(policy_name = cli_option_value(argc, argv, &i, "a policy name")))
                return EXIT_USAGE;
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (cli_take_config_arg("bench", a, &config) != 0) {
            return EXIT_USAGE;
        }
    }
    const char *unused = config_overrides_find(&ov, bench_run_values,
                                               sizeof bench_run_values / sizeof *bench_run_values);
    if (unused) {
        fprintf(stderr, "ipsim bench: --set %s: bench takes the run's length, scale and seed "
                        "from --years, --scale and --seed and runs one replication without an "
                        "event log; use those options\n", unused);
        return EXIT_USAGE;
    }
    ipsim_config cfg;
    int rc = cli_load_config("bench", config, &ov, &cfg);
    if (rc != EXIT_OK)
        return rc;
    cli_note_fixed_parameters("bench", &cfg);
    cfg.model.scale = scale;
    cfg.model.horizon_days = (double)years * DAYS_PER_YEAR;
    cfg.model.event_log = false;
    size_t pol = cfg.model.npolicies;
    for (size_t i = 0; i < cfg.model.npolicies; i++)
        if (!strcmp(cfg.model.policy[i].name, policy_name))
            pol = i;
    if (pol == cfg.model.npolicies) {
        fprintf(stderr, "ipsim bench: no policy named '%s' in the config (allowed:", policy_name);
        for (size_t i = 0; i < cfg.model.npolicies; i++)
            fprintf(stderr, "%s %s", i ? "," : "", cfg.model.policy[i].name);
        fprintf(stderr, ")\n");
        config_clear(&cfg);
        return EXIT_USAGE;
    }

    double sink = 0;
    double draw_keyed = time_exponential(sim_rng_keyed, 5000000, &sink);
    double draw_mt = time_exponential(gsl_rng_mt19937, 5000000, &sink);
    double draw_zig = time_ziggurat(5000000, &sink);

    /* each run's whole time and its three phases: creating the stock,
     * the events up to the horizon, building the outcome table */
    double walls[100], stock_s[100], events_s[100], outcomes_s[100];
    run_results res;
    memset(&res, 0, sizeof res);
    for (uint64_t k = 0; k < runs; k++) {
        results_clear(&res); /* the results of the previous run */
        memset(&res, 0, sizeof res);
        double t0 = cli_now();
        claimant_run *run = claimant_run_alloc(&cfg.model, pol, seed, 0);
        double t1 = cli_now();
        int step = run ? claimant_run_until(run, claimant_run_horizon(run)) : -1;
        double t2 = cli_now();
        if (step < 0 || claimant_run_finish(run, &res) != 0) {
            fprintf(stderr, "ipsim bench: the run failed (out of memory?)\n");
            claimant_run_free(run);
            config_clear(&cfg);
            return EXIT_FAIL;
        }
        double t3 = cli_now();
        walls[k] = t3 - t0;
        stock_s[k] = t1 - t0;
        events_s[k] = t2 - t1;
        outcomes_s[k] = t3 - t2;
        claimant_run_free(run);
    }
    double sorted[100];
    memcpy(sorted, walls, runs * sizeof *walls);
    qsort(sorted, runs, sizeof *sorted, compare_double);
    double wall = median(walls, runs);
    double stock_wall = median(stock_s, runs), events_wall = median(events_s, runs);
    double outcomes_wall = median(outcomes_s, runs);
    size_t people = res.npeople, stock = 0;
    for (size_t i = 0; i < people; i++)
        stock += res.people[i].from_stock;
    size_t model_bytes = res.peak_memory;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double per_event = wall / (double)res.events;
    double eps = (double)res.events / wall;

    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "policy", cfg.model.policy[pol].name);
    report_overrides_json(o, &cfg);
    cJSON_AddNumberToObject(o, "years", (double)years);
    cJSON_AddNumberToObject(o, "scale", scale);
    cJSON_AddNumberToObject(o, "people_stock", (double)stock);
    cJSON_AddNumberToObject(o, "people_total", (double)people);
    cJSON_AddNumberToObject(o, "events", (double)res.events);
    cJSON_AddNumberToObject(o, "runs", (double)runs);
    cJSON_AddNumberToObject(o, "seconds", wall);
    cJSON_AddNumberToObject(o, "seconds_min", sorted[0]);
    cJSON_AddNumberToObject(o, "seconds_max", sorted[runs - 1]);
    cJSON *each = cJSON_AddArrayToObject(o, "seconds_per_run");
    for (uint64_t k = 0; k < runs; k++)
        cJSON_AddItemToArray(each, cJSON_CreateNumber(walls[k]));
    cJSON_AddNumberToObject(o, "events_per_second", eps);
    cJSON_AddNumberToObject(o, "seconds_stock", stock_wall);
    cJSON_AddNumberToObject(o, "seconds_events", events_wall);
    cJSON_AddNumberToObject(o, "seconds_outcomes", outcomes_wall);
    cJSON_AddNumberToObject(o, "events_per_second_event_loop", (double)res.events / events_wall);
    cJSON_AddNumberToObject(o, "ns_per_event", per_event * 1e9);
    cJSON_AddNumberToObject(o, "ns_per_exponential_draw_keyed", draw_keyed * 1e9);
    cJSON_AddNumberToObject(o, "ns_per_exponential_draw_mt19937", draw_mt * 1e9);
    cJSON_AddNumberToObject(o, "ns_per_exponential_draw_inline_ziggurat", draw_zig * 1e9);
    cJSON_AddNumberToObject(o, "event_in_draws_keyed", per_event / draw_keyed);
    cJSON_AddNumberToObject(o, "event_in_draws_mt19937", per_event / draw_mt);
    cJSON_AddNumberToObject(o, "model_bytes_per_person", (double)model_bytes / (double)people);
    cJSON_AddNumberToObject(o, "peak_rss_bytes_per_person", (double)ru.ru_maxrss * 1024.0 / (double)people);
    cJSON_AddNumberToObject(o, "peak_rss_mib", (double)ru.ru_maxrss / 1024.0);
    cJSON_AddBoolToObject(o, "huge_pages_requested", sim_huge_pages_wanted());
    cJSON_AddNumberToObject(o, "checksum", sink > 0 ? 1 : 0);

    if (json) {
        report_print_json(stdout, o);
    } else {
        printf("ipsim bench: policy %s, %llu year%s, scale %g, one replication, one thread\n",
               cfg.model.policy[pol].name, (unsigned long long)years, years == 1 ? "" : "s",
               scale);
        report_overrides(stdout, &cfg);
        printf("  people                 %zu (stock %zu, inflow %zu)\n", people, stock, people - stock);
        if (runs == 1)
            printf("  events                 %llu in %.3f s\n", (unsigned long long)res.events, wall);
        else
            printf("  events                 %llu in %.3f s (median of %llu runs; %.3f-%.3f s)\n",
                   (unsigned long long)res.events, wall, (unsigned long long)runs, sorted[0],
                   sorted[runs - 1]);
        printf("  events per second      %.2f million (%.1f ns per event)\n", eps / 1e6, per_event * 1e9);
        printf("  of which               stock %.3f s, events %.3f s (%.2f million a second), "
               "outcome table %.3f s%s\n", stock_wall, events_wall,
               (double)res.events / events_wall / 1e6, outcomes_wall, runs > 1 ? " (medians)" : "");
        printf("  exponential draw       %.2f ns (GSL, keyed SplitMix64), %.2f ns (GSL, mt19937); "
               "model's inline ziggurat %.2f ns\n", draw_keyed * 1e9, draw_mt * 1e9, draw_zig * 1e9);
        printf("  event / draw           %.2f (keyed), %.2f (mt19937)\n", per_event / draw_keyed,
               per_event / draw_mt);
        printf("  memory per person      %.1f bytes held by the model, %.1f bytes peak RSS\n",
               (double)model_bytes / (double)people, (double)ru.ru_maxrss * 1024.0 / (double)people);
        printf("  pages                  %s\n", sim_huge_pages_wanted()
                   ? "huge pages requested (IPSIM_HUGE_PAGES=1)"
                   : "4 KiB (IPSIM_HUGE_PAGES=1 requests huge pages)");
        cJSON_Delete(o);
    }
    results_clear(&res);
    config_clear(&cfg);
    return EXIT_OK;
}
