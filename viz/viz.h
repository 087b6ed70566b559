/* viz: `ipsim viz`, the live two-panel demo of place-then-train (IPS) and
 * train-then-place on one synthetic cohort, for talks: a window driven by
 * the keyboard, headless frames for slides and tests, and a frame-rate
 * benchmark. docs/viz.md describes what is shown and the keys.
 */
#ifndef IPSIM_VIZ_H
#define IPSIM_VIZ_H

/* Runs `ipsim viz` with argv[0] == "viz". Returns the process exit status:
 * 0 success, 1 runtime failure (SDL, fonts, memory, a failed run), 2 bad
 * input (options, config). Prints its own messages on stderr. */
int viz_main(int argc, char **argv);

#endif
