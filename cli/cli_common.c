/* cli_common: option parsing, progress display and signal guard shared by
 * the subcommands; see cli.h. */
#include "cli/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io/config.h"
#include "io/config_override.h"
#include "io/h5out.h"

bool cli_parse_u64(const char *cmd, const char *option, const char *text, uint64_t min,
                   uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!text || !*text || *text == '-') {
        fprintf(stderr, "ipsim %s: %s: '%s' is not a whole number (allowed %llu..%llu)\n", cmd,
                option, text ? text : "", (unsigned long long)min, (unsigned long long)max);
        return false;
    }
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || v < min || v > max) {
        fprintf(stderr, "ipsim %s: %s: '%s' is not a whole number in %llu..%llu\n", cmd, option,
                text, (unsigned long long)min, (unsigned long long)max);
        return false;
    }
    *out = v;
    return true;
}

size_t cli_decimal_length(const char *s, bool whole)
{
    size_t i = 0, digits = 0;
    if (!whole && (s[i] == '-' || s[i] == '+'))
        i++;
    for (; s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (whole)
        return digits ? i : 0;
    if (s[i] == '.')
        for (i++; s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (!digits)
        return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1, exp_digits = 0;
        if (s[j] == '-' || s[j] == '+')
            j++;
        for (; s[j] >= '0' && s[j] <= '9'; j++)
            exp_digits++;
        if (exp_digits)
            i = j;
    }
    return i;
}

/* An option rather than a value: "-x" or "--xyz" (a negative number such as
 * -0.5 or -2 is a value). */
static bool looks_like_option(const char *s)
{
    return s[0] == '-' && s[1] && !(s[1] >= '0' && s[1] <= '9') && s[1] != '.';
}

const char *cli_option_value(int argc, char **argv, int *i, const char *what)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "ipsim %s: %s needs %s\n", argv[0], argv[*i], what);
        return NULL;
    }
    const char *v = argv[*i + 1];
    if (looks_like_option(v)) {
        fprintf(stderr, "ipsim %s: %s needs %s, not the option '%s'", argv[0], argv[*i], what, v);
        if (strstr(what, "file"))
            fprintf(stderr, " (a file whose name starts with '-' can be given as ./%s)", v);
        fprintf(stderr, "\n");
        return NULL;
    }
    return argv[++*i];
}

bool cli_option_u64(int argc, char **argv, int *i, uint64_t min, uint64_t max, uint64_t *out)
{
    const char *option = argv[*i];
    const char *v = cli_option_value(argc, argv, i, "a whole number");
    return v && cli_parse_u64(argv[0], option, v, min, max, out);
}

int cli_take_output_flag(int argc, char **argv, int *i, const char **output, bool *force,
                         bool *json, bool *quiet)
{
    const char *a = argv[*i];
    if (!strcmp(a, "-o") || !strcmp(a, "--output"))
        return (*output = cli_option_value(argc, argv, i, "a file name")) ? 1 : -1;
    bool *flag = !strcmp(a, "--force") ? force : !strcmp(a, "--json") ? json
               : !strcmp(a, "--quiet") ? quiet : NULL;
    if (!flag)
        return 0;
    *flag = true;
    return 1;
}

int cli_take_seed_threads(int argc, char **argv, int *i, uint64_t *seed, bool *have_seed,
                          uint64_t *threads)
{
    const char *a = argv[*i];
    if (!strcmp(a, "--seed")) {
        if (!cli_option_u64(argc, argv, i, 0, CLI_SEED_MAX, seed))
            return -1;
        *have_seed = true;
        return 1;
    }
    if (threads && !strcmp(a, "--threads"))
        return cli_option_u64(argc, argv, i, 1, 1024, threads) ? 1 : -1;
    return 0;
}

void cli_default_output(const char *config, const char *suffix, const char *fallback,
                        char *out, size_t len)
{
    if (!config) {
        snprintf(out, len, "%s", fallback);
        return;
    }
    const char *base = strrchr(config, '/');
    base = base ? base + 1 : config;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    snprintf(out, len, "%.*s%s", (int)n, base, suffix);
}

int cli_take_config_arg(const char *cmd, const char *arg, const char **config)
{
    if (arg[0] == '-' && arg[1]) {
        fprintf(stderr, "ipsim %s: unknown option '%s' (see ipsim %s --help)\n", cmd, arg, cmd);
        return EXIT_USAGE;
    }
    if (*config) {
        fprintf(stderr, "ipsim %s: only one CONFIG may be given ('%s' and '%s')\n", cmd, *config,
                arg);
        return EXIT_USAGE;
    }
    *config = arg;
    return 0;
}

bool cli_output_is_input(const char *cmd, const char *option, const char *output,
                         const char *input, const char *what)
{
    if (!output || !input || !h5out_same_file(output, input))
        return false;
    fprintf(stderr, "ipsim %s: %s %s is the %s this command reads; writing it would destroy "
                    "the %s: give another output file name\n", cmd, option, output, what, what);
    return true;
}

int cli_take_set(int argc, char **argv, int *i, config_overrides *ov)
{
    if (strcmp(argv[*i], "--set") != 0)
        return 0;
    const char *v = cli_option_value(argc, argv, i, "PATH=VALUE");
    if (!v)
        return -1;
    if (config_overrides_add(ov, v) != 0) {
        fprintf(stderr, "ipsim %s: more than %d --set options\n", argv[0], CONFIG_MAX_OVERRIDES);
        return -1;
    }
    return 1;
}

int cli_load_config(const char *cmd, const char *path, const config_overrides *ov,
                    ipsim_config *cfg)
{
    int rc = config_load_overridden(path, ov, cfg, stderr);
    if (rc == CONFIG_NOMEM) {
        fprintf(stderr, "ipsim %s: out of memory reading the config\n", cmd);
        return EXIT_FAIL;
    }
    return rc == CONFIG_OK ? EXIT_OK : EXIT_USAGE;
}

int cli_uncertainty_plan(const char *cmd, const ipsim_config *cfg, size_t reps, unc_plan *plan)
{
    char err[1024];
    int rc = config_overrides_check_drawn(cfg, err, sizeof err);
    if (rc != CONFIG_OK) {
        fprintf(stderr, "%s with --set: %s\n", cfg->source, err);
        return rc == CONFIG_NOMEM ? EXIT_FAIL : EXIT_USAGE;
    }
    rc = uncertainty_plan(plan, cfg, reps, err, sizeof err);
    if (rc == CONFIG_OK)
        return EXIT_OK;
    fprintf(stderr, "ipsim %s: %s: %s\n", cmd, cfg->source, err);
    return rc == CONFIG_NOMEM ? EXIT_FAIL : EXIT_USAGE;
}

void cli_note_fixed_parameters(const char *cmd, const ipsim_config *cfg)
{
    if (cfg->uncertainty.nparams)
        fprintf(stderr, "ipsim %s: note: the config's \"uncertainty\" section is not used here; "
                        "its parameters keep the config's values\n", cmd);
}

int cli_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

uint64_t cli_threads_for(uint64_t threads, size_t njobs)
{
    if (njobs < 1)
        njobs = 1;
    return threads > njobs ? (uint64_t)njobs : threads;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_progress_start(cli_progress *p, const char *label, bool quiet)
{
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->start = cli_now();
    p->label = label;
}

void cli_progress_update(cli_progress *p, size_t done, size_t total, uint64_t events)
{
    if (!p->enabled)
        return;
    double el = cli_now() - p->start;
    enum { WIDTH = 30 };
    int fill = total ? (int)((double)done / (double)total * WIDTH) : 0;
    char bar[WIDTH + 1];
    for (int i = 0; i < WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[WIDTH] = 0;
    double rate = el > 0 ? (double)events / el : 0;
    char eta[32] = "--";
    if (done > 0 && done < total)
        snprintf(eta, sizeof eta, "%.0fs", el / (double)done * (double)(total - done));
    else if (done == total)
        snprintf(eta, sizeof eta, "0s");
    fprintf(stderr, "\r%s [%s] %zu/%zu  %.2fM events/s  %.0fs elapsed, %s left   ", p->label, bar,
            done, total, rate / 1e6, el, eta);
    fflush(stderr);
}

void cli_progress_end(cli_progress *p)
{
    if (p->enabled)
        fprintf(stderr, "\n");
}

#define MAX_GUARDED 4
static char guarded_tmp[MAX_GUARDED][4200];
static volatile sig_atomic_t nguarded;

static void on_signal(int sig)
{
    for (sig_atomic_t i = 0; i < nguarded; i++)
        unlink(guarded_tmp[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_guard_tmp(const char *tmp_path)
{
    if (nguarded == MAX_GUARDED)
        return; /* not reached: no command writes more than three files */
    snprintf(guarded_tmp[nguarded], sizeof guarded_tmp[nguarded], "%s", tmp_path);
    atomic_signal_fence(memory_order_seq_cst); /* the path is complete before */
    nguarded = nguarded + 1;                   /* the handler can see it */
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
}

void cli_unguard_tmp(void)
{
    nguarded = 0;
}
