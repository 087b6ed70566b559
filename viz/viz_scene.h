/* viz_scene: the simulation side of the viewer. Two claimant runs, one per
 * panel (IPS and train-then-place), built from one parameter set with the
 * same seed and replication, so the panels show the same people with the same
 * random draws and differ only by the policy. The scene advances both runs
 * through the engine's own claimant_run_until (it never re-implements the
 * model), records the share ever employed (among the people referred to a
 * programme, and among everyone), and gives every person a stable slot in
 * their area and a dot position that glides to it. No SDL here.
 */
#ifndef IPSIM_VIZ_SCENE_H
#define IPSIM_VIZ_SCENE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "models/claimant_model.h"
#include "viz/viz_layout.h"

/* Preset scenarios (keys 1, 2, 3), as changes to the loaded parameters. */
enum { VIZ_PRESET_CONFIG = 1, VIZ_PRESET_HIGH_FIDELITY, VIZ_PRESET_FAIR_FIDELITY, VIZ_N_PRESET = 3 };

/* Whom the chart follows (the dots always show everyone). Both are recorded
 * at every sample; the viewer draws one. */
enum {
    VIZ_CHART_REFERRED, /* people referred to a programme by the sample's day */
    VIZ_CHART_ALL,      /* everyone simulated */
    N_VIZ_CHART
};

#define VIZ_HISTORY_DAYS 7.0  /* simulated days between chart samples */
#define VIZ_GLIDE_SECONDS 0.07 /* time constant of a dot's glide to its slot */

typedef struct viz_scene_options {
    size_t people;     /* simulated people per panel: the stock, or stock + expected inflow */
    bool inflow;       /* keep the config's inflow of new cases (default: stock only) */
    bool mental_only;  /* every simulated claimant has a mental disorder */
    uint64_t seed;
    size_t rep;        /* replication index (same in both panels) */
    int preset;        /* VIZ_PRESET_* */
} viz_scene_options;

/* Free-slot bookkeeping of one area: a person keeps their slot while they
 * stay in the area, and an arrival takes the lowest free slot. */
typedef struct viz_slots {
    uint8_t *used;     /* per slot: 1 when taken */
    size_t cap;        /* slots allocated (>= people tracked) */
    size_t hint;       /* every slot below is taken */
    size_t high;       /* 1 + highest slot taken since the start */
} viz_slots;

typedef struct viz_panel {
    claimant_run *run;
    size_t policy;          /* index into the scene's params.policy */
    size_t n, cap;          /* people tracked / allocated */
    uint8_t *group;         /* per person: area * 2 + side (VA_NONE before first placement) */
    uint32_t *slot;         /* per person: slot within the area's side */
    float *x, *y;           /* per person: top-left of the dot, pixels */
    viz_slots slots[N_VA][2]; /* per area: dots filling from the left, from the right */
    int pitch[N_VA];        /* dot pitch of each area at the last placement */
    int64_t totals[N_STATE];/* claimant_run_state_totals after the last advance */
    /* per chart population (VIZ_CHART_*), at each history sample: the share
     * of its people who had a job at some point since day 0, 0..1; NAN while
     * the population is empty */
    float *ever[N_VIZ_CHART];
} viz_panel;

typedef struct viz_scene {
    model_params base;      /* loaded parameters resized to the demo */
    model_params params;    /* base with the preset applied: what the runs use */
    viz_scene_options opt;
    double t;               /* simulated day both runs have reached */
    double horizon;         /* days */
    viz_panel panel[N_VIZ_PANEL];
    size_t nhist, hist_cap; /* chart samples taken / allocated (sample k is day k * 7) */
    size_t chart_people[N_VIZ_CHART]; /* people of each chart population at the last
                                       * sample: the same people in both panels */
    bool placed;            /* dots placed since the last (re)start */
    size_t moving;          /* dots still gliding after the last placement */
} viz_scene;

/* Checks that the viewer can show `loaded` with `opt`: a policy of kind
 * POLICY_IPS and one of kind POLICY_TTP, people and preset in range, someone
 * to show. 0, or -1 with "where: what" in err. */
int viz_scene_check(const model_params *loaded, const viz_scene_options *opt, char *err, size_t len);

/* Resizes a copy of `loaded` to the demo and starts both runs. The scale is
 * set so that `opt->people` people are simulated per panel: people / stock
 * with the inflow switched off (default), or people / (stock + expected
 * inflow over the horizon) with opt->inflow. Returns NULL with a message in
 * err when viz_scene_check fails or memory runs out. Caller frees with
 * viz_scene_free. */
viz_scene *viz_scene_alloc(const model_params *loaded, const viz_scene_options *opt,
                           char *err, size_t len);
void viz_scene_free(viz_scene *s); /* NULL is a no-op */

/* Starts again at day 0 with `seed` and preset `preset`. 0, or -1 on
 * allocation failure (the scene then holds no runs and must be freed). */
int viz_scene_restart(viz_scene *s, uint64_t seed, int preset);

/* Advances both runs by `days` simulated days (not beyond the horizon),
 * taking chart samples on the way. 0, or <0 when a run failed. */
int viz_scene_advance(viz_scene *s, double days);

/* Assigns areas and slots from the people's current states and moves each
 * dot towards its slot for `dt` seconds of real time (dt <= 0, or the first
 * call after a (re)start: straight to the slot). 0, or -1 on allocation
 * failure. */
int viz_scene_place(viz_scene *s, const viz_layout *l, double dt);

bool viz_scene_finished(const viz_scene *s);

/* True when person x has been referred to the programme of its run: it was
 * enrolled at some point, screened out at referral, or put on a waiting list
 * (the waiting-list ticket stays after the wait). A referral that lapsed
 * because the programme had neither a place nor a waiting list leaves no
 * trace. A person's first referral does not depend on the policy (same
 * draws, and nothing before it differs), so the referred are the same
 * people in both panels; the scene still counts a person as referred when
 * either panel shows it. */
bool viz_person_referred(const person *x);

/* Share of the people of chart population `chart` (VIZ_CHART_*) in panel
 * `panel` who had a job at some point by now, 0..1, or NAN when the
 * population is empty; *people (if not NULL) gets its size. O(people). */
double viz_scene_share_employed(const viz_scene *s, int panel, int chart, size_t *people);

/* "people referred to a programme", "everyone simulated"; "?" otherwise. */
const char *viz_chart_name(int chart);

/* Applies preset `preset` to *p: 1 keeps the config; 2 and 3 set the IPS-25
 * fidelity score of every IPS policy to 120 and 85. 0, or -1 for an unknown
 * preset. */
int viz_preset_apply(model_params *p, int preset);
const char *viz_preset_name(int preset); /* "The config's scenario as given", ... */

#endif
