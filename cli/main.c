/* main: the ipsim command line: dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#ifdef IPSIM_HAVE_VIZ
#include "viz/viz.h"
#endif

static void usage(FILE *f)
{
    fprintf(f,
            "ipsim %s: simulate Belgian invalidity claimants with mental disorders under\n"
            "place-then-train (IPS) and train-then-place employment support.\n"
            "\n"
            "Usage: ipsim COMMAND [OPTIONS]\n"
            "\n"
            "Commands:\n"
            "  run [CONFIG]       run a scenario (default: built-in Belgian scenario), write HDF5\n"
            "  validate FILE      check a config file and exit\n"
            "  bench              national-scale speed and memory benchmark\n"
            "  viz [CONFIG]       live two-panel demo, IPS vs train-then-place (SDL2)\n"
            "  calibrate CONFIG   fit free parameters to published targets, write the calibrated config\n"
            "  project CONFIG     yearly projections of several scenarios with bands, write HDF5\n"
            "  trial [CONFIG]     simulate one randomised trial of IPS vs train-then-place\n"
            "  power [CONFIG]     simulation-based power of a trial design over n and effect\n"
            "\n"
            "  ipsim COMMAND --help   options of a command\n"
            "  ipsim --version        program version\n"
            "\n"
            "Exit status: 0 success, 1 runtime failure, 2 bad input (usage, config, output).\n",
            IPSIM_VERSION);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("ipsim %s\n", IPSIM_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "validate"))
        return cmd_validate(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench"))
        return cmd_bench(argc - 1, argv + 1);
    if (!strcmp(cmd, "calibrate"))
        return cmd_calibrate(argc - 1, argv + 1);
    if (!strcmp(cmd, "project"))
        return cmd_project(argc - 1, argv + 1);
    if (!strcmp(cmd, "viz")) {
#ifdef IPSIM_HAVE_VIZ
        return viz_main(argc - 1, argv + 1);
#else
        fprintf(stderr, "ipsim was built without SDL2; install libsdl2-dev libsdl2-ttf-dev and rebuild\n");
        return EXIT_FAIL;
#endif
    }
    if (!strcmp(cmd, "trial"))
        return cmd_trial(argc - 1, argv + 1);
    if (!strcmp(cmd, "power"))
        return cmd_power(argc - 1, argv + 1);
    fprintf(stderr, "ipsim: unknown command '%s' (commands: run, validate, bench, viz, calibrate, project, trial, power; see ipsim --help)\n",
            cmd);
    return EXIT_USAGE;
}
