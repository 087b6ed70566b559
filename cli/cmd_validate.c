/* cmd_validate: `ipsim validate FILE`: checks a config without running it,
 * including its "projection" and "calibration" sections when present (what
 * ipsim project and ipsim calibrate would read), and says which sections it
 * checked, or a calibration targets file; with --json the problems are also
 * listed, one object each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/report.h"
#include "io/calib_config.h"
#include "io/config.h"
#include "io/json_check.h"
#include "io/proj_config.h"

/* What was checked: the state of each optional section. */
enum { SECTION_ABSENT, SECTION_CHECKED, SECTION_NOT_CHECKED };
static const char *const section_names[] = { "projection", "calibration", "trial",
                                             "uncertainty" };
enum { SEC_PROJECTION, SEC_CALIBRATION, SEC_TRIAL, SEC_UNCERTAINTY, N_SECTIONS };

/* Checks the sections of the config text (named `file`) that other commands
 * read, problems to `sink`: CONFIG_OK, CONFIG_INVALID or CONFIG_NOMEM. */
static int check_sections(const char *file, const jc_ctx *raw, const jc_sink *sink,
                          const int state[N_SECTIONS])
{
    const char *text = jc_text(raw);
    size_t len = jc_text_len(raw);
    int rc = CONFIG_OK;
    if (state[SEC_PROJECTION] != SECTION_ABSENT) {
        proj_config *pc = calloc(1, sizeof *pc);
        int r = pc ? proj_config_load_text_to(file, text, len, pc, sink) : PROJ_NOMEM;
        if (r == PROJ_OK)
            proj_config_clear(pc);
        free(pc);
        rc = r == PROJ_NOMEM ? CONFIG_NOMEM : r == PROJ_OK ? rc : CONFIG_INVALID;
    }
    if (state[SEC_CALIBRATION] != SECTION_ABSENT && rc != CONFIG_NOMEM) {
        calib_spec *spec = calloc(1, sizeof *spec);
        int r = spec ? calib_spec_load_text_to(file, text, len, spec, sink) : CALIB_NOMEM;
        if (r == CALIB_OK)
            calib_spec_clear(spec);
        free(spec);
        rc = r == CALIB_NOMEM ? CONFIG_NOMEM : r == CALIB_OK ? rc : CONFIG_INVALID;
    }
    return rc;
}

/* `ipsim validate` of a targets file (a top-level "ipsim_targets" key): the
 * file ipsim calibrate reads with --targets. */
static int validate_targets(const char *file, const jc_ctx *raw, bool json, cJSON *errors)
{
    calib_targets *t = calloc(1, sizeof *t);
    jc_sink sink = { stderr, errors };
    int rc = t ? calib_targets_load_text_to(file, jc_text(raw), jc_text_len(raw), t, &sink)
               : CALIB_NOMEM;
    if (rc == CALIB_NOMEM) {
        free(t);
        cJSON_Delete(errors);
        fprintf(stderr, "ipsim validate: out of memory\n");
        return EXIT_FAIL;
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "file", file);
        cJSON_AddStringToObject(o, "kind", "targets");
        cJSON_AddBoolToObject(o, "valid", rc == CALIB_OK);
        if (rc == CALIB_OK)
            cJSON_AddNumberToObject(o, "targets", (double)t->n);
        if (o)
            cJSON_AddItemToObject(o, "errors", errors);
        else
            cJSON_Delete(errors);
        report_print_json(stdout, o);
    } else if (rc == CALIB_OK) {
        printf("%s: valid targets file (%zu target%s; ipsim calibrate CONFIG --targets %s)\n",
               file, t->n, t->n == 1 ? "" : "s", file);
    }
    if (rc == CALIB_OK)
        calib_targets_clear(t);
    free(t);
    return rc == CALIB_OK ? EXIT_OK : EXIT_USAGE;
}

/* Whether every problem listed in errors (validate --json) lies in the
 * "uncertainty" section. The config reader checks the section's paths and
 * extreme draws against the resolved config, so only when nothing else is
 * wrong: after another problem they are not checked. */
static bool only_uncertainty_errors(const cJSON *errors)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, errors) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "path");
        const char *s = cJSON_IsString(p) ? p->valuestring : "";
        size_t n = strlen("uncertainty");
        if (strncmp(s, "uncertainty", n) != 0 || (s[n] && s[n] != '.'))
            return false;
    }
    return true;
}

static void validate_usage(void)
{
    printf("Usage: ipsim validate FILE [--json | --resolved]\n\n"
           "Checks FILE against the config language (docs/config.md): JSON syntax,\n"
           "known keys, types and ranges of the scenario and of its \"trial\" and\n"
           "\"uncertainty\" sections (read with it), and its \"projection\" and \"calibration\"\n"
           "sections when present (what ipsim project and ipsim calibrate read).\n"
           "A targets file (top-level key \"ipsim_targets\", read by ipsim calibrate\n"
           "--targets) is checked as such.\n"
           "Prints every problem to stderr as FILE:LINE:COL: PATH: message and exits 2\n"
           "if there is one, else prints \"FILE: valid\" with the sections checked and\n"
           "exits 0.\n"
           "  --json   print {\"file\", \"kind\", \"valid\", \"sections\", \"policies\",\n"
           "           \"errors\"} on stdout (\"policies\" only when valid; a targets file\n"
           "           gives \"targets\", their number, instead of \"sections\" and\n"
           "           \"policies\"); each error is {\"file\", \"line\", \"col\", \"path\",\n"
           "           \"message\"} (the problems still go to stderr as well)\n"
           "  --resolved  print the resolved config on stdout instead (FILE merged over\n"
           "           the built-in default, as output files store it under /config):\n"
           "           every value a run uses, at the paths --set takes\n");
}

/* --resolved: the resolved config, formatted, on stdout. CONFIG_OK or
 * CONFIG_NOMEM (message printed). */
static int print_resolved(const ipsim_config *cfg)
{
    cJSON *tree = cJSON_Parse(cfg->resolved_json);
    char *text = tree ? jc_print(tree, true) : NULL;
    cJSON_Delete(tree);
    if (!text) {
        fprintf(stderr, "ipsim validate: out of memory\n");
        return CONFIG_NOMEM;
    }
    printf("%s\n", text);
    free(text);
    return CONFIG_OK;
}

/* The human lines of a valid file: its figures and each section's state. */
static void print_valid(const char *file, const ipsim_config *cfg, const int state[N_SECTIONS])
{
    double years = cfg->model.horizon_days / DAYS_PER_YEAR;
    printf("%s: valid (%zu polic%s, %g year%s, scale %g)\n", file, cfg->model.npolicies,
           cfg->model.npolicies == 1 ? "y" : "ies", years, years == 1 ? "" : "s",
           cfg->model.scale);
    printf("  scenario (run, population, policies, ...): checked\n");
    printf("  \"trial\" section (ipsim trial, ipsim power): %s\n",
           state[SEC_TRIAL] == SECTION_CHECKED ? "present, checked"
                                               : "absent; the built-in trial design applies");
    printf("  \"projection\" section (ipsim project): %s\n",
           state[SEC_PROJECTION] == SECTION_CHECKED ? "present, checked"
                                                    : "absent; ipsim project needs one");
    printf("  \"calibration\" section (ipsim calibrate): %s\n",
           state[SEC_CALIBRATION] == SECTION_CHECKED ? "present, checked"
                                                     : "absent; ipsim calibrate needs one");
    if (state[SEC_UNCERTAINTY] == SECTION_CHECKED)
        printf("  \"uncertainty\" section (ipsim run, ipsim project): present, checked (%zu "
               "parameter%s drawn per replication)\n", cfg->uncertainty.nparams,
               cfg->uncertainty.nparams == 1 ? "" : "s");
    else
        printf("  \"uncertainty\" section (ipsim run, ipsim project): absent; parameters are "
               "fixed\n");
}

int cmd_validate(int argc, char **argv)
{
    const char *file = NULL;
    bool json = false, resolved = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            validate_usage();
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "--resolved")) {
            resolved = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "ipsim validate: unknown option '%s'\n", argv[i]);
            return EXIT_USAGE;
        } else if (!file) {
            file = argv[i];
        } else {
            fprintf(stderr, "ipsim validate: only one FILE may be given\n");
            return EXIT_USAGE;
        }
    }
    if (!file) {
        fprintf(stderr, "ipsim validate: missing FILE (see ipsim validate --help)\n");
        return EXIT_USAGE;
    }
    if (json && resolved) {
        fprintf(stderr, "ipsim validate: --json and --resolved both print on stdout; choose "
                        "one\n");
        return EXIT_USAGE;
    }
    /* the file is read once (it may be a pipe); every check uses that text */
    jc_ctx *raw = jc_parse_file(file);
    cJSON *errors = json ? cJSON_CreateArray() : NULL;
    if (!raw || (json && !errors)) {
        jc_free(raw);
        fprintf(stderr, "ipsim validate: out of memory\n");
        return EXIT_FAIL;
    }
    jc_sink sink = { stderr, errors };
    const cJSON *root = jc_root(raw);
    if (cJSON_IsObject(root) && cJSON_GetObjectItemCaseSensitive(root, "ipsim_targets")) {
        if (resolved) {
            jc_free(raw);
            cJSON_Delete(errors);
            fprintf(stderr, "ipsim validate: %s is a targets file; --resolved prints a "
                            "config\n", file);
            return EXIT_USAGE;
        }
        int status = validate_targets(file, raw, json, errors);
        jc_free(raw);
        return status;
    }
    int state[N_SECTIONS];
    for (int k = 0; k < N_SECTIONS; k++)
        state[k] = !root ? SECTION_NOT_CHECKED
                   : cJSON_GetObjectItemCaseSensitive(root, section_names[k]) ? SECTION_NOT_CHECKED
                                                                              : SECTION_ABSENT;
    ipsim_config cfg;
    int rc;
    if (!root) { /* unreadable or malformed: report as any config load does */
        rc = jc_report_errors(raw, &sink) ? CONFIG_NOMEM : CONFIG_INVALID;
    } else {
        rc = config_load_text_to(file, jc_text(raw), jc_text_len(raw), &cfg, &sink);
        for (int k = SEC_TRIAL; k <= SEC_UNCERTAINTY; k++) /* read with the scenario */
            if (state[k] != SECTION_ABSENT)
                state[k] = SECTION_CHECKED;
        if (rc == CONFIG_INVALID && state[SEC_UNCERTAINTY] == SECTION_CHECKED
            && !only_uncertainty_errors(errors))
            state[SEC_UNCERTAINTY] = SECTION_NOT_CHECKED;
    }
    if (rc == CONFIG_OK) {
        int sections = check_sections(file, raw, &sink, state);
        for (int k = 0; k < N_SECTIONS; k++)
            if (state[k] != SECTION_ABSENT)
                state[k] = SECTION_CHECKED;
        if (sections != CONFIG_OK) {
            config_clear(&cfg);
            rc = sections;
        }
    }
    jc_free(raw);
    if (rc == CONFIG_NOMEM) {
        cJSON_Delete(errors);
        fprintf(stderr, "ipsim validate: out of memory\n");
        return EXIT_FAIL;
    }
    if (json) {
        static const char *const state_names[] = { "absent", "checked", "not checked" };
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "file", file);
        cJSON_AddStringToObject(o, "kind", "config");
        cJSON_AddBoolToObject(o, "valid", rc == CONFIG_OK);
        cJSON *sec = cJSON_AddObjectToObject(o, "sections");
        for (int k = 0; sec && k < N_SECTIONS; k++)
            cJSON_AddStringToObject(sec, section_names[k], state_names[state[k]]);
        if (rc == CONFIG_OK) {
            cJSON *pols = cJSON_AddArrayToObject(o, "policies");
            for (size_t i = 0; i < cfg.model.npolicies; i++)
                cJSON_AddItemToArray(pols, cJSON_CreateString(cfg.model.policy[i].name));
        }
        if (o)
            cJSON_AddItemToObject(o, "errors", errors);
        else
            cJSON_Delete(errors);
        report_print_json(stdout, o);
    }
    if (rc != CONFIG_OK)
        return EXIT_USAGE;
    if (resolved)
        rc = print_resolved(&cfg);
    else if (!json)
        print_valid(file, &cfg, state);
    config_clear(&cfg);
    return rc == CONFIG_OK ? EXIT_OK : EXIT_FAIL;
}
