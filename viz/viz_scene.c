/* viz_scene: two common-random-number runs, chart history and dot placement;
 * see viz_scene.h. Placement costs O(people) per frame and allocates only
 * when the inflow brings more people than the arrays hold. */
#include "viz/viz_scene.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/schedule.h"

static const char *const preset_names[VIZ_N_PRESET + 1] = {
    "?", "The config's scenario as given", "High-fidelity IPS (IPS-25 score 120)",
    "Fair-fidelity IPS (IPS-25 score 85)" };

const char *viz_preset_name(int preset)
{
    return preset >= 1 && preset <= VIZ_N_PRESET ? preset_names[preset] : "unknown preset";
}

int viz_preset_apply(model_params *p, int preset)
{
    double score;
    switch (preset) {
    case VIZ_PRESET_CONFIG: return 0;
    case VIZ_PRESET_HIGH_FIDELITY: score = 120; break;
    case VIZ_PRESET_FAIR_FIDELITY: score = 85; break;
    default: return -1;
    }
    for (size_t i = 0; i < p->npolicies; i++)
        if (p->policy[i].kind == POLICY_IPS)
            p->policy[i].prog.fidelity = score;
    return 0;
}

/* Real new cases expected over the horizon (monthly steps of the schedule). */
static double expected_inflow(const model_params *p)
{
    double total = 0;
    size_t months = (size_t)(p->horizon_days / DAYS_PER_MONTH + 0.5);
    for (size_t m = 0; m < months; m++) {
        double year = p->start_year + ((double)m + 0.5) / 12.0;
        total += schedule_linear(&p->inflow_per_year, year, 0) / 12.0;
    }
    return total;
}

/* ---- slots ---------------------------------------------------------------- */

static int slots_grow(viz_slots *sl, size_t cap)
{
    if (cap <= sl->cap)
        return 0;
    uint8_t *u = realloc(sl->used, cap);
    if (!u)
        return -1;
    memset(u + sl->cap, 0, cap - sl->cap);
    sl->used = u;
    sl->cap = cap;
    return 0;
}

/* Lowest free slot. The caller guarantees one exists (cap >= people). */
static uint32_t slots_take(viz_slots *sl)
{
    size_t i = sl->hint;
    while (i < sl->cap && sl->used[i])
        i++;
    sl->used[i] = 1;
    sl->hint = i + 1;
    if (i + 1 > sl->high)
        sl->high = i + 1;
    return (uint32_t)i;
}

static void slots_release(viz_slots *sl, uint32_t i)
{
    sl->used[i] = 0;
    if (i < sl->hint)
        sl->hint = i;
}

static void slots_reset(viz_slots *sl)
{
    if (sl->used)
        memset(sl->used, 0, sl->cap);
    sl->hint = 0;
    sl->high = 0;
}

/* ---- panels --------------------------------------------------------------- */

static int panel_grow(viz_panel *pn, size_t n)
{
    if (n <= pn->cap)
        return 0;
    size_t cap = pn->cap * 2 > n ? pn->cap * 2 : n;
    uint8_t *group = realloc(pn->group, cap);
    if (!group)
        return -1;
    pn->group = group;
    memset(group + pn->cap, VA_NONE, cap - pn->cap);
    uint32_t *slot = realloc(pn->slot, cap * sizeof *slot);
    if (!slot)
        return -1;
    pn->slot = slot;
    float *x = realloc(pn->x, cap * sizeof *x);
    if (!x)
        return -1;
    pn->x = x;
    float *y = realloc(pn->y, cap * sizeof *y);
    if (!y)
        return -1;
    pn->y = y;
    for (int a = 0; a < N_VA; a++)
        for (int side = 0; side < 2; side++)
            if (slots_grow(&pn->slots[a][side], cap) != 0)
                return -1;
    pn->cap = cap;
    return 0;
}

static void panel_clear(viz_panel *pn)
{
    claimant_run_free(pn->run);
    free(pn->group);
    free(pn->slot);
    free(pn->x);
    free(pn->y);
    for (int c = 0; c < N_VIZ_CHART; c++)
        free(pn->ever[c]);
    for (int a = 0; a < N_VA; a++)
        for (int side = 0; side < 2; side++)
            free(pn->slots[a][side].used);
    memset(pn, 0, sizeof *pn);
}

bool viz_person_referred(const person *x)
{
    return (x->flags & (PF_EVER_ENROLLED | PF_SCREENED_OUT)) != 0 || x->wait_ticket != 0;
}

const char *viz_chart_name(int chart)
{
    switch (chart) {
    case VIZ_CHART_REFERRED: return "people referred to a programme";
    case VIZ_CHART_ALL: return "everyone simulated";
    default: return "?";
    }
}

/* Counts, for each chart population, its people and those of them in each
 * panel who had a job by now. Both panels hold the same people (same index,
 * same arrivals); a person counts as referred when either panel shows it.
 * O(people). */
static void count_employed(const viz_scene *s, size_t people[N_VIZ_CHART],
                           size_t employed[N_VIZ_PANEL][N_VIZ_CHART])
{
    const person *pp[N_VIZ_PANEL];
    size_t n = SIZE_MAX;
    for (int k = 0; k < N_VIZ_PANEL; k++) {
        size_t nk = claimant_run_people(s->panel[k].run, &pp[k]);
        n = nk < n ? nk : n;
        for (int c = 0; c < N_VIZ_CHART; c++)
            employed[k][c] = 0;
    }
    people[VIZ_CHART_ALL] = n;
    people[VIZ_CHART_REFERRED] = 0;
    for (size_t i = 0; i < n; i++) {
        bool referred = false;
        for (int k = 0; k < N_VIZ_PANEL; k++)
            referred = referred || viz_person_referred(&pp[k][i]);
        people[VIZ_CHART_REFERRED] += referred;
        for (int k = 0; k < N_VIZ_PANEL; k++) {
            bool job = (double)pp[k][i].first_job_day <= s->t;
            employed[k][VIZ_CHART_ALL] += job;
            employed[k][VIZ_CHART_REFERRED] += job && referred;
        }
    }
}

double viz_scene_share_employed(const viz_scene *s, int panel, int chart, size_t *people)
{
    size_t n[N_VIZ_CHART], e[N_VIZ_PANEL][N_VIZ_CHART];
    count_employed(s, n, e);
    if (people)
        *people = n[chart];
    return n[chart] ? (double)e[panel][chart] / (double)n[chart] : NAN;
}

static void take_sample(viz_scene *s)
{
    size_t e[N_VIZ_PANEL][N_VIZ_CHART];
    count_employed(s, s->chart_people, e);
    for (int k = 0; k < N_VIZ_PANEL; k++)
        for (int c = 0; c < N_VIZ_CHART; c++)
            s->panel[k].ever[c][s->nhist] = s->chart_people[c]
                                                ? (float)((double)e[k][c] / (double)s->chart_people[c])
                                                : NAN;
    s->nhist++;
}

static void sync_totals(viz_scene *s)
{
    for (int k = 0; k < N_VIZ_PANEL; k++)
        claimant_run_state_totals(s->panel[k].run, s->panel[k].totals);
}

/* ---- scene ---------------------------------------------------------------- */

static size_t find_policy(const model_params *p, int kind)
{
    for (size_t i = 0; i < p->npolicies; i++)
        if (p->policy[i].kind == kind)
            return i;
    return SIZE_MAX;
}

int viz_scene_check(const model_params *loaded, const viz_scene_options *opt, char *err, size_t len)
{
    size_t ips = find_policy(loaded, POLICY_IPS), ttp = find_policy(loaded, POLICY_TTP);
    if (ips == SIZE_MAX || ttp == SIZE_MAX) {
        snprintf(err, len, "policies: the viewer needs one policy of type \"ips\" and one of "
                           "type \"train_then_place\"; this config has %s",
                 ips == SIZE_MAX && ttp == SIZE_MAX ? "neither"
                 : ips == SIZE_MAX                  ? "no ips policy"
                                                    : "no train_then_place policy");
        return -1;
    }
    if (opt->people < 1 || opt->people > 1000000) {
        snprintf(err, len, "people: %zu is outside 1..1000000", opt->people);
        return -1;
    }
    if (opt->preset < 1 || opt->preset > VIZ_N_PRESET) {
        snprintf(err, len, "preset: %d is outside 1..%d", opt->preset, VIZ_N_PRESET);
        return -1;
    }
    if (!(loaded->stock.people > 0) && !(opt->inflow && expected_inflow(loaded) > 0)) {
        snprintf(err, len, "population.stock.people: the stock is empty%s",
                 opt->inflow ? " and there is no inflow" : "; pass --inflow to show new cases");
        return -1;
    }
    return 0;
}

viz_scene *viz_scene_alloc(const model_params *loaded, const viz_scene_options *opt,
                           char *err, size_t len)
{
    if (viz_scene_check(loaded, opt, err, len) != 0)
        return NULL;
    size_t ips = find_policy(loaded, POLICY_IPS), ttp = find_policy(loaded, POLICY_TTP);
    viz_scene *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, len, "out of memory");
        return NULL;
    }
    s->opt = *opt;
    model_params *b = &s->base;
    *b = *loaded;
    b->event_log = false;
    double real = b->stock.people;
    if (opt->inflow) {
        real += expected_inflow(b);
    } else {
        for (size_t i = 0; i < b->inflow_per_year.n; i++)
            b->inflow_per_year.value[i] = 0;
    }
    b->scale = (double)opt->people / real;
    if (opt->mental_only) {
        for (int x = 0; x < N_SEX; x++) {
            b->stock.share_mental[x] = 1;
            b->inflow.share_mental[x] = 1;
            b->mental_share_inflow[x].n = 0;
        }
    }
    s->panel[VIZ_PANEL_IPS].policy = ips;
    s->panel[VIZ_PANEL_TTP].policy = ttp;
    s->horizon = b->horizon_days;
    s->hist_cap = (size_t)(s->horizon / VIZ_HISTORY_DAYS) + 2;
    for (int k = 0; k < N_VIZ_PANEL; k++)
        for (int c = 0; c < N_VIZ_CHART; c++) {
            s->panel[k].ever[c] = malloc(s->hist_cap * sizeof *s->panel[k].ever[c]);
            if (!s->panel[k].ever[c])
                goto fail_nomem;
        }
    if (viz_scene_restart(s, opt->seed, opt->preset) != 0)
        goto fail_nomem;
    return s;

fail_nomem:
    snprintf(err, len, "out of memory starting the runs");
    viz_scene_free(s);
    return NULL;
}

void viz_scene_free(viz_scene *s)
{
    if (!s)
        return;
    for (int k = 0; k < N_VIZ_PANEL; k++)
        panel_clear(&s->panel[k]);
    free(s);
}

int viz_scene_restart(viz_scene *s, uint64_t seed, int preset)
{
    s->params = s->base;
    if (viz_preset_apply(&s->params, preset) != 0)
        return -1;
    s->opt.seed = seed;
    s->opt.preset = preset;
    s->t = 0;
    s->nhist = 0;
    s->placed = false;
    for (int k = 0; k < N_VIZ_PANEL; k++) {
        viz_panel *pn = &s->panel[k];
        claimant_run_free(pn->run);
        pn->run = claimant_run_alloc(&s->params, pn->policy, seed, s->opt.rep);
        if (!pn->run)
            return -1;
        if (pn->group)
            memset(pn->group, VA_NONE, pn->cap);
        pn->n = 0;
        for (int a = 0; a < N_VA; a++)
            for (int side = 0; side < 2; side++)
                slots_reset(&pn->slots[a][side]);
        const person *pp;
        if (panel_grow(pn, claimant_run_people(pn->run, &pp)) != 0)
            return -1;
    }
    take_sample(s);
    sync_totals(s);
    return 0;
}

int viz_scene_advance(viz_scene *s, double days)
{
    double target = s->t + (days > 0 ? days : 0);
    if (target > s->horizon - 1e-6) /* sums of frame steps fall just short */
        target = s->horizon;
    for (;;) {
        double next = (double)s->nhist * VIZ_HISTORY_DAYS;
        if (s->nhist >= s->hist_cap || next > target)
            break;
        for (int k = 0; k < N_VIZ_PANEL; k++) {
            int rc = claimant_run_until(s->panel[k].run, next);
            if (rc < 0)
                return rc;
        }
        s->t = next;
        take_sample(s);
    }
    for (int k = 0; k < N_VIZ_PANEL; k++) {
        int rc = claimant_run_until(s->panel[k].run, target);
        if (rc < 0)
            return rc;
    }
    s->t = target;
    sync_totals(s);
    return 0;
}

bool viz_scene_finished(const viz_scene *s)
{
    return s->t >= s->horizon;
}

int viz_scene_place(viz_scene *s, const viz_layout *l, double dt)
{
    bool snap = !s->placed || !(dt > 0);
    /* ease out, but never slower than crossing the screen in about a second,
     * so that no dot crawls the last pixels */
    float alpha = snap ? 1.0f : (float)(1.0 - exp(-dt / VIZ_GLIDE_SECONDS));
    float vmin = snap ? 0.0f : (float)(dt * l->h);
    s->moving = 0;
    for (int k = 0; k < N_VIZ_PANEL; k++) {
        viz_panel *pn = &s->panel[k];
        const person *pp;
        size_t n = claimant_run_people(pn->run, &pp);
        if (panel_grow(pn, n) != 0)
            return -1;
        pn->n = n;
        const viz_rect entry = l->area[k][VA_INCAPACITY].dots;
        for (size_t i = 0; i < n; i++) {
            int st = pp[i].state;
            int g = viz_area_of_state(st) * 2 + viz_side_of_state(st);
            int old = pn->group[i];
            if (g == old)
                continue;
            if (old != VA_NONE) {
                slots_release(&pn->slots[old / 2][old % 2], pn->slot[i]);
            } else if (!snap) { /* a new case walks in from the left */
                pn->x[i] = (float)entry.x;
                pn->y[i] = (float)(entry.y + entry.h / 2);
            }
            pn->group[i] = (uint8_t)g;
            pn->slot[i] = slots_take(&pn->slots[g / 2][g % 2]);
        }
        for (int a = 0; a < N_VA; a++)
            pn->pitch[a] = viz_layout_fit_pitch(l->area[k][a].dots, pn->slots[a][0].high,
                                                pn->slots[a][1].high, l->pitch);
        for (size_t i = 0; i < n; i++) {
            int g = pn->group[i], a = g / 2, tx, ty;
            viz_layout_slot_xy(l->area[k][a].dots, pn->pitch[a], pn->slot[i], g % 2, &tx, &ty);
            float dx = (float)tx - pn->x[i], dy = (float)ty - pn->y[i];
            float dist = sqrtf(dx * dx + dy * dy);
            float step = dist * alpha > vmin ? dist * alpha : vmin;
            if (snap || step >= dist) {
                pn->x[i] = (float)tx;
                pn->y[i] = (float)ty;
            } else {
                pn->x[i] += dx * (step / dist);
                pn->y[i] += dy * (step / dist);
                s->moving++;
            }
        }
    }
    s->placed = true;
    return 0;
}
