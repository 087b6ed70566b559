/* cmd_validate: `ipsim validate FILE`: checks a config without running it. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/report.h"
#include "io/config.h"

int cmd_validate(int argc, char **argv)
{
    const char *file = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("Usage: ipsim validate FILE [--json]\n\n"
                   "Checks FILE against the config language (docs/config.md): JSON syntax,\n"
                   "known keys, types and ranges. Prints every problem as FILE:LINE:COL: PATH:\n"
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
    ipsim_config cfg;
    int rc = config_load(file, &cfg, stderr);
    if (rc == CONFIG_NOMEM)
        return EXIT_FAIL;
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
