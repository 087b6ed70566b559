/* cli: shared pieces of the ipsim subcommands (option parsing, progress,
 * exit codes). Exit status: 0 success, 1 runtime failure, 2 bad input. */
#ifndef IPSIM_CLI_H
#define IPSIM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_project(int argc, char **argv);
int cmd_trial(int argc, char **argv);
int cmd_power(int argc, char **argv);

/* Parses a whole unsigned integer within [min, max]; prints an error naming
 * the subcommand `cmd` and `option` and returns false otherwise. */
bool cli_parse_u64(const char *cmd, const char *option, const char *text, uint64_t min,
                   uint64_t max, uint64_t *out);

/* Subcommands get argv with argv[0] the subcommand's name ("run"); the
 * option functions below name it in their errors ("ipsim run: --reps ..."). */

/* Length of the decimal number at the start of s: digits only when `whole`,
 * else an optional sign, digits with an optional fraction and exponent.
 * 0 when there is none (hexadecimal, "inf", "nan" and spaces are not
 * decimal numbers, although strtod reads them). */
size_t cli_decimal_length(const char *s, bool whole);

/* Returns the value of the option argv[*i] (advancing *i), or NULL with an
 * error printed when it is missing or looks like an option itself ("-o",
 * "--json"; negative numbers are values): `what` names the value expected
 * ("a file name") in "ipsim trial: --csv needs a file name". */
const char *cli_option_value(int argc, char **argv, int *i, const char *what);

/* Takes the whole-number value of option argv[*i] (advancing *i) within
 * [min, max]; prints an error naming the option and returns false otherwise. */
bool cli_option_u64(int argc, char **argv, int *i, uint64_t min, uint64_t max, uint64_t *out);

/* Largest --seed: 2^53 - 1, the largest whole number a JSON config (run.seed)
 * and the JSON outputs hold exactly, so a seed given on the command line can
 * always be written back into the config the output records. */
#define CLI_SEED_MAX UINT64_C(9007199254740991)

/* Takes the output options every result-writing subcommand shares:
 * -o/--output FILE, --force, --json, --quiet. Returns 1 if argv[*i] was one
 * of them (advancing *i past a value), 0 if not, -1 (error printed) when a
 * value is missing. */
int cli_take_output_flag(int argc, char **argv, int *i, const char **output, bool *force,
                         bool *json, bool *quiet);

/* Takes a command-line word that is not a known option of `cmd`: the one
 * CONFIG argument (stored in *config), or an error printed for an unknown
 * option or a second CONFIG. Returns 0 or EXIT_USAGE. */
int cli_take_config_arg(const char *cmd, const char *arg, const char **config);

/* Takes --seed S (0..CLI_SEED_MAX; sets *have_seed) and, when `threads` is not
 * NULL, --threads T (1..1024). Returns 1 if argv[*i] was one of them (and
 * advances *i past its value), 0 if not, -1 on a bad value (message
 * printed). */
int cli_take_seed_threads(int argc, char **argv, int *i, uint64_t *seed, bool *have_seed,
                          uint64_t *threads);

/* The default output name: CONFIG's base name without its extension plus
 * `suffix` (e.g. "_trial.h5"), or `fallback` for the built-in default. */
void cli_default_output(const char *config, const char *suffix, const char *fallback,
                        char *out, size_t len);

/* Whether the output file `output` (given as `option`, e.g. "-o") is the
 * input file `input` (`what` it is: "config", "targets file"), which
 * writing would destroy; if so prints why naming the subcommand `cmd`.
 * NULL `output` or `input` (none given) is never a clash. */
bool cli_output_is_input(const char *cmd, const char *option, const char *output,
                         const char *input, const char *what);

/* Takes --set PATH=VALUE (see io/config_override.h) into *ov. Returns 1 if
 * argv[*i] was --set (advancing *i past its value), 0 if not, -1 (error
 * printed) when the value is missing or there are too many. */
struct config_overrides;
int cli_take_set(int argc, char **argv, int *i, struct config_overrides *ov);

/* Loads CONFIG (NULL: the built-in default) into *cfg with the overrides
 * (NULL: none), errors printed. Returns EXIT_OK, EXIT_FAIL (out of memory)
 * or EXIT_USAGE (bad config). */
struct ipsim_config;
int cli_load_config(const char *cmd, const char *path, const struct config_overrides *ov,
                    struct ipsim_config *cfg);

/* For a command that runs the config's own values (trial, power, bench):
 * a note on stderr when the config draws parameters per replication, which
 * only run and project do. */
void cli_note_fixed_parameters(const char *cmd, const struct ipsim_config *cfg);

/* The values of parameter uncertainty for reps replications of cfg
 * (uncertainty_plan; empty without the section), the problem printed as
 * "ipsim CMD: CONFIG: message", or as "CONFIG with --set: PATH: message"
 * for a --set of a value that is drawn (config_overrides_check_drawn).
 * EXIT_OK, EXIT_USAGE (a drawn value the config refuses, a --set of a drawn
 * value) or EXIT_FAIL (out of memory). */
struct unc_plan;
int cli_uncertainty_plan(const char *cmd, const struct ipsim_config *cfg, size_t reps,
                         struct unc_plan *plan);

/* Default number of threads: the online processors. */
int cli_default_threads(void);

/* The threads that `njobs` parallel jobs can use: `threads`, at most one per
 * job (what the runner starts, and what the outputs should report). */
uint64_t cli_threads_for(uint64_t threads, size_t njobs);

/* Progress line on stderr (only when stderr is a terminal and not quiet). */
typedef struct cli_progress {
    bool enabled;
    double start;          /* monotonic seconds */
    const char *label;
} cli_progress;

void cli_progress_start(cli_progress *p, const char *label, bool quiet);
void cli_progress_update(cli_progress *p, size_t done, size_t total, uint64_t events);
void cli_progress_end(cli_progress *p);
double cli_now(void); /* monotonic seconds */

/* Output-file protection against interruption: cli_guard_tmp adds a
 * temporary file (up to four) to remove on SIGINT, SIGTERM or SIGHUP;
 * cli_unguard_tmp forgets them all (once committed or removed). */
void cli_guard_tmp(const char *tmp_path);
void cli_unguard_tmp(void);

#endif
