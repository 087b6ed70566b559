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

/* The speed the keys + (dir > 0) and - (dir < 0) go to from `speed`
 * (simulated days per second): the next step in that direction of 1 week,
 * 2 weeks, 1, 2, 3, 6 months, 1, 2 years per second, or `speed` itself when
 * there is none (a --speed beyond the steps stays until the other key). */
double viz_speed_step(double speed, int dir);

#endif
