/* cmd_validate: `ipsim validate FILE`: checks a config without running it,
 * including its "projection" and "calibration" sections when present (what
 * ipsim project and ipsim calibrate would read). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/report.h"
#include "io/calib_config.h"
#include "io/config.h"
#include "io/json_check.h"
#include "io/proj_config.h"

/* Checks the sections of the config text (named `file`) that other commands
 * read: CONFIG_OK, CONFIG_INVALID (problems printed) or CONFIG_NOMEM. */
static int check_sections(const char *file, const jc_ctx *raw)
{
    const cJSON *root = jc_root(raw);
    const char *text = jc_text(raw);
    size_t len = jc_text_len(raw);
    bool projection = root && cJSON_GetObjectItemCaseSensitive(root, "projection");
    bool calibration = root && cJSON_GetObjectItemCaseSensitive(root, "calibration");
    int rc = CONFIG_OK;
    if (projection) {
        proj_config *pc = calloc(1, sizeof *pc);
        int r = pc ? proj_config_load_text(file, text, len, pc, stderr) : PROJ_NOMEM;
        if (r == PROJ_OK)
            proj_config_clear(pc);
        free(pc);
        rc = r == PROJ_NOMEM ? CONFIG_NOMEM : r == PROJ_OK ? rc : CONFIG_INVALID;
    }
    if (calibration && rc != CONFIG_NOMEM) {
        calib_spec *spec = calloc(1, sizeof *spec);
        int r = spec ? calib_spec_load_text(file, text, len, spec, stderr) : CALIB_NOMEM;
        if (r == CALIB_OK)
            calib_spec_clear(spec);
        free(spec);
        rc = r == CALIB_NOMEM ? CONFIG_NOMEM : r == CALIB_OK ? rc : CONFIG_INVALID;
    }
    return rc;
}

int cmd_validate(int argc, char **argv)
{
    const char *file = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("Usage: ipsim validate FILE [--json]\n\n"
                   "Checks FILE against the config language (docs/config.md): JSON syntax,\n"
                   "known keys, types and ranges, and its \"projection\" and \"calibration\"\n"
                   "sections when present. Prints every problem as FILE:LINE:COL: PATH:\n"
                   "message and exits 2 if there is one, else prints \"FILE: valid\" and exits 0.\n"
                   "  --json   print {\"file\":..., \"valid\":..., \"policies\":[...]} on stdout\n");
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
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
    /* the file is read once (it may be a pipe); every check uses that text */
    jc_ctx *raw = jc_parse_file(file);
    if (!raw)
        return EXIT_FAIL;
    ipsim_config cfg;
    int rc;
    if (!jc_root(raw)) { /* unreadable or malformed: report as any config load does */
        for (size_t i = 0; i < jc_error_count(raw); i++)
            fprintf(stderr, "%s\n", jc_error_message(raw, i));
        rc = CONFIG_INVALID;
    } else {
        rc = config_load_text(file, jc_text(raw), jc_text_len(raw), &cfg, stderr);
    }
    if (rc == CONFIG_NOMEM) {
        jc_free(raw);
        return EXIT_FAIL;
    }
    if (rc == CONFIG_OK) {
        int sections = check_sections(file, raw);
        if (sections != CONFIG_OK) {
            config_clear(&cfg);
            if (sections == CONFIG_NOMEM) {
                jc_free(raw);
                return EXIT_FAIL;
            }
            rc = CONFIG_INVALID;
        }
    }
    jc_free(raw);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "file", file);
        cJSON_AddBoolToObject(o, "valid", rc == CONFIG_OK);
        if (rc == CONFIG_OK) {
            cJSON *pols = cJSON_AddArrayToObject(o, "policies");
            for (size_t i = 0; i < cfg.model.npolicies; i++)
                cJSON_AddItemToArray(pols, cJSON_CreateString(cfg.model.policy[i].name));
        }
        report_print_json(stdout, o);
    }
    if (rc != CONFIG_OK)
        return EXIT_USAGE;
    if (!json)
        printf("%s: valid (%zu policies, %g years, scale %g)\n", file, cfg.model.npolicies,
               cfg.model.horizon_days / 365.25, cfg.model.scale);
    config_clear(&cfg);
    return EXIT_OK;
}
