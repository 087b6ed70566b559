/* Tests for viz/: layout geometry, the scene (scale, common random numbers,
 * presets, driving the engine), frames checked against the simulation (the
 * renderer's own tally of dots and an independent count of pixels per state
 * colour), text and chart presence, byte-identical frames for a seed, and
 * the `ipsim viz` command's headless mode and errors. Everything runs
 * without a display (SDL_VIDEODRIVER=dummy, software renderer on a surface).
 */
#include <criterion/criterion.h>

#ifndef IPSIM_HAVE_VIZ

Test(viz, skipped_without_sdl2)
{
    cr_skip_test("ipsim was built without SDL2/SDL2_ttf: no viewer to test");
}

#else

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <SDL.h>

#include "io/config.h"
#include "models/claimant_model.h"
#include "viz/viz.h"
#include "viz/viz_layout.h"
#include "viz/viz_present.h"
#include "viz/viz_render.h"
#include "viz/viz_scene.h"
#include "viz/viz_text.h"

#define FONT_REGULAR "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define FRAME_DT (1.0 / 60.0)
#define DEFAULT_SPEED (3 * DAYS_PER_MONTH) /* ipsim viz's default, days per second */

static ipsim_config cfg;

static void setup(void)
{
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    cr_assert_eq(SDL_Init(SDL_INIT_VIDEO), 0, "SDL_Init: %s", SDL_GetError());
    cr_assert_eq(config_load(NULL, &cfg, stderr), CONFIG_OK);
}

static void teardown(void)
{
    config_clear(&cfg);
    SDL_Quit();
}

TestSuite(viz_layout);
TestSuite(viz_scene, .init = setup, .fini = teardown);
TestSuite(viz_render, .init = setup, .fini = teardown);
TestSuite(viz_present, .init = setup, .fini = teardown);
TestSuite(viz_cli, .init = setup, .fini = teardown);

/* ---- helpers ---------------------------------------------------------------- */

static viz_scene *scene_new(size_t people, uint64_t seed, int preset)
{
    viz_scene_options o = { .people = people, .seed = seed, .preset = preset };
    char err[512] = "";
    viz_scene *s = viz_scene_alloc(&cfg.model, &o, err, sizeof err);
    cr_assert_not_null(s, "viz_scene_alloc: %s", err);
    return s;
}

typedef struct canvas {
    SDL_Surface *surf;
    SDL_Renderer *ren;
    viz_draw *draw;
    viz_layout l;
} canvas;

static void canvas_open(canvas *c, int w, int h, size_t people)
{
    c->surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    cr_assert_not_null(c->surf, "%s", SDL_GetError());
    c->ren = SDL_CreateSoftwareRenderer(c->surf);
    cr_assert_not_null(c->ren, "%s", SDL_GetError());
    char err[1200] = "";
    c->draw = viz_draw_alloc(c->ren, FONT_REGULAR, FONT_BOLD, err, sizeof err);
    cr_assert_not_null(c->draw, "viz_draw_alloc: %s", err);
    viz_layout_compute(&c->l, w, h, people);
}

static void canvas_close(canvas *c)
{
    viz_draw_free(c->draw);
    SDL_DestroyRenderer(c->ren);
    SDL_FreeSurface(c->surf);
}

/* The frame loop of `ipsim viz --headless`: advance, place, draw. */
static void run_frames(viz_scene *s, canvas *c, int n, const viz_ui *ui, viz_frame_stats *st)
{
    for (int f = 0; f < n; f++) {
        cr_assert_eq(viz_scene_advance(s, ui->speed * FRAME_DT), 0);
        cr_assert_eq(viz_scene_place(s, &c->l, FRAME_DT), 0);
        char err[512] = "";
        cr_assert_eq(viz_draw_frame(c->draw, &c->l, s, ui, st, err, sizeof err), 0, "%s", err);
    }
}

static uint32_t rgb(SDL_Color c)
{
    return (uint32_t)c.r << 16 | (uint32_t)c.g << 8 | c.b;
}

static uint32_t pixel(const SDL_Surface *s, int x, int y)
{
    const uint8_t *row = (const uint8_t *)s->pixels + (size_t)y * (size_t)s->pitch;
    return ((const uint32_t *)row)[x] & 0xFFFFFF;
}

/* Pixels of colour `c` in rectangle r (clipped to the surface). */
static size_t count_color(const SDL_Surface *s, viz_rect r, uint32_t c)
{
    size_t n = 0;
    for (int y = r.y < 0 ? 0 : r.y; y < r.y + r.h && y < s->h; y++)
        for (int x = r.x < 0 ? 0 : r.x; x < r.x + r.w && x < s->w; x++)
            n += pixel(s, x, y) == c;
    return n;
}

static size_t count_not(const SDL_Surface *s, viz_rect r, uint32_t c)
{
    return (size_t)r.w * (size_t)r.h - count_color(s, r, c);
}

static bool inside(viz_rect in, viz_rect out)
{
    return in.x >= out.x && in.y >= out.y && in.x + in.w <= out.x + out.w
           && in.y + in.h <= out.y + out.h && in.w > 0 && in.h > 0;
}

static bool disjoint(viz_rect a, viz_rect b)
{
    return a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
}

/* ---- layout ----------------------------------------------------------------- */

Test(viz_layout, every_rectangle_fits_and_areas_do_not_overlap)
{
    static const int sizes[][2] = { { 480, 270 },  { 640, 360 },   { 1280, 720 }, { 1920, 1080 },
                                    { 3840, 2160 }, { 1024, 1280 }, { 2560, 800 }, { 1366, 768 } };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        viz_layout l;
        viz_layout_compute(&l, sizes[i][0], sizes[i][1], 5000);
        viz_rect screen = { 0, 0, l.w, l.h };
        cr_assert(inside(l.header, screen), "header at %dx%d", l.w, l.h);
        cr_assert(inside(l.legend, screen) && inside(l.chart, screen) && inside(l.plot, l.chart),
                  "legend/chart at %dx%d", l.w, l.h);
        cr_assert(disjoint(l.panel[0], l.panel[1]));
        for (int p = 0; p < N_VIZ_PANEL; p++) {
            cr_assert(inside(l.panel[p], screen));
            cr_assert(disjoint(l.panel[p], l.header) && disjoint(l.panel[p], l.legend)
                      && disjoint(l.panel[p], l.chart), "panel %d at %dx%d", p, l.w, l.h);
            for (int a = 0; a < N_VA; a++) {
                const viz_area_box *b = &l.area[p][a];
                cr_assert(inside(b->box, l.panel[p]), "area %d of panel %d at %dx%d", a, p, l.w, l.h);
                cr_assert(inside(b->label, b->box) && inside(b->dots, b->box),
                          "area %d of panel %d at %dx%d: label or dots outside the box", a, p, l.w, l.h);
                cr_assert(disjoint(b->label, b->dots));
                for (int a2 = a + 1; a2 < N_VA; a2++)
                    cr_assert(disjoint(b->box, l.area[p][a2].box), "areas %d and %d overlap at %dx%d",
                              a, a2, l.w, l.h);
            }
        }
        cr_assert(l.pitch == 1 || viz_layout_capacity(l.area[0][VA_INCAPACITY].dots, l.pitch) >= 5000,
                  "incapacity cannot hold the cohort at %dx%d", l.w, l.h);
        cr_assert_geq(l.font_px[VIZ_FONT_SMALL], 10);
    }
}

Test(viz_layout, type_and_dots_grow_with_the_screen)
{
    viz_layout small, big;
    viz_layout_compute(&small, 1280, 720, 5000);
    viz_layout_compute(&big, 1920, 1080, 5000);
    cr_expect_eq(big.font_px[VIZ_FONT_LABEL], 31, "label type at 1080p: %d px", big.font_px[VIZ_FONT_LABEL]);
    for (int f = 0; f < N_VIZ_FONT; f++)
        cr_expect_gt(big.font_px[f], small.font_px[f]);
    cr_expect_gt(big.pitch, small.pitch);
    cr_expect_geq(small.pitch, 3, "dots must stay visible at 720p (pitch %d)", small.pitch);
    viz_layout few;
    viz_layout_compute(&few, 1920, 1080, 500);
    cr_expect_gt(few.pitch, big.pitch, "a small cohort gets bigger dots");
}

Test(viz_layout, slots_fill_columns_from_the_left_or_the_right)
{
    viz_rect r = { 100, 50, 53, 40 }; /* pitch 5, dot 4: 10 columns, 8 rows, grid 39 px high */
    int x, y;
    viz_layout_slot_xy(r, 5, 0, 0, &x, &y);
    cr_expect(x == 100 && y == 50, "slot 0 at %d,%d", x, y);
    viz_layout_slot_xy(r, 5, 7, 0, &x, &y);
    cr_expect(x == 100 && y == 85, "slot 7 (bottom of column 0) at %d,%d", x, y);
    viz_layout_slot_xy(r, 5, 8, 0, &x, &y);
    cr_expect(x == 105 && y == 50, "slot 8 (top of column 1) at %d,%d", x, y);
    viz_layout_slot_xy(r, 5, 0, 1, &x, &y);
    cr_expect(x == 145 && y == 50, "right side slot 0 at %d,%d", x, y);
    viz_layout_slot_xy(r, 5, 80, 0, &x, &y);
    cr_expect(x == 100 && y == 50, "slot 80 wraps to slot 0, at %d,%d", x, y);
    cr_expect_eq(viz_layout_capacity(r, 5), 80);
    cr_expect_eq(viz_layout_dot_size(1), 1);
    cr_expect_eq(viz_layout_dot_size(3), 2);
    cr_expect_eq(viz_layout_dot_size(10), 8);
}

/* Reference for fit_pitch: draw the slots and look for overlaps and spills. */
static bool fits(viz_rect r, int pitch, size_t left, size_t right)
{
    size_t cap = viz_layout_capacity(r, pitch);
    if (left + right > cap)
        return false;
    int d = viz_layout_dot_size(pitch);
    char *taken = calloc((size_t)r.w * (size_t)r.h, 1);
    bool ok = true;
    for (int side = 0; side < 2 && ok; side++)
        for (size_t k = 0; k < (side ? right : left) && ok; k++) {
            int x, y;
            viz_layout_slot_xy(r, pitch, k, side, &x, &y);
            if (x < r.x || y < r.y || x + d > r.x + r.w || y + d > r.y + r.h) {
                ok = false;
                break;
            }
            size_t at = (size_t)(y - r.y) * (size_t)r.w + (size_t)(x - r.x);
            ok = !taken[at];
            taken[at] = 1;
        }
    free(taken);
    return ok;
}

Test(viz_layout, fit_pitch_is_the_largest_pitch_without_overlap)
{
    static const int rects[][2] = { { 452, 339 }, { 220, 61 }, { 928, 135 }, { 37, 23 }, { 301, 11 } };
    static const size_t counts[][2] = { { 5000, 0 }, { 1234, 17 }, { 3, 2 }, { 450, 450 }, { 0, 0 }, { 91, 0 } };
    for (size_t i = 0; i < sizeof rects / sizeof *rects; i++)
        for (size_t j = 0; j < sizeof counts / sizeof *counts; j++) {
            viz_rect r = { 7, 11, rects[i][0], rects[i][1] };
            size_t a = counts[j][0], b = counts[j][1];
            int p = viz_layout_fit_pitch(r, a, b, 12);
            if (p > 1)
                cr_expect(fits(r, p, a, b), "pitch %d for %zu+%zu dots in %dx%d overlaps", p, a, b, r.w, r.h);
            if (p < 12)
                cr_expect(!fits(r, p + 1, a, b), "pitch %d for %zu+%zu in %dx%d is not the largest", p, a, b, r.w, r.h);
        }
}

Test(viz_layout, every_state_has_an_area_and_a_side)
{
    int per_area[N_VA] = { 0 };
    for (int st = 0; st < N_STATE; st++) {
        int a = viz_area_of_state(st);
        cr_assert(a >= 0 && a < N_VA);
        per_area[a]++;
        cr_expect(viz_side_of_state(st) == 0 || viz_side_of_state(st) == 1);
        cr_expect_str_neq(viz_state_short(st), "?");
    }
    cr_expect_eq(viz_area_of_state(ST_PRIMARY), VA_INCAPACITY);
    cr_expect_eq(viz_area_of_state(ST_INVALIDITY), VA_INCAPACITY);
    cr_expect_eq(viz_area_of_state(ST_WAITING), VA_SUPPORT);
    cr_expect_eq(viz_area_of_state(ST_TRAINING), VA_SUPPORT);
    cr_expect_eq(viz_area_of_state(ST_EXIT_DEAD), VA_EXIT);
    for (int a = 0; a < N_VA; a++)
        cr_expect_gt(per_area[a], 0, "area %s shows no state", viz_area_name(a));
}

/* ---- scene ------------------------------------------------------------------ */

Test(viz_scene, the_scale_gives_the_requested_people)
{
    static const size_t people[] = { 5000, 2317, 100 };
    for (size_t i = 0; i < 3; i++) {
        viz_scene *s = scene_new(people[i], 20161231, VIZ_PRESET_CONFIG);
        for (int k = 0; k < N_VIZ_PANEL; k++) {
            const person *pp;
            cr_expect_eq(claimant_run_people(s->panel[k].run, &pp), people[i]);
        }
        cr_expect_float_eq(s->params.scale, (double)people[i] / cfg.model.stock.people, 1e-15);
        viz_scene_free(s);
    }
    /* with the inflow, stock + expected new cases is the target: Poisson noise only */
    viz_scene_options o = { .people = 4000, .inflow = true, .seed = 7, .preset = 1 };
    char err[256];
    viz_scene *s = viz_scene_alloc(&cfg.model, &o, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    cr_assert_eq(viz_scene_advance(s, s->horizon), 0);
    const person *pp;
    size_t n = claimant_run_people(s->panel[0].run, &pp);
    cr_expect(fabs((double)n - 4000.0) < 4 * sqrt(4000.0), "%zu people with the inflow", n);
    viz_scene_free(s);
}

Test(viz_scene, both_panels_hold_the_same_people_and_differ_only_by_policy)
{
    viz_scene *s = scene_new(3000, 424242, VIZ_PRESET_CONFIG);
    cr_expect_eq(s->params.policy[s->panel[VIZ_PANEL_IPS].policy].kind, POLICY_IPS);
    cr_expect_eq(s->params.policy[s->panel[VIZ_PANEL_TTP].policy].kind, POLICY_TTP);
    cr_assert_eq(viz_scene_advance(s, s->horizon), 0);
    const person *a, *b;
    size_t na = claimant_run_people(s->panel[0].run, &a), nb = claimant_run_people(s->panel[1].run, &b);
    cr_assert_eq(na, nb);
    size_t untouched = 0, differ = 0;
    for (size_t i = 0; i < na; i++) {
        cr_assert(a[i].birth_day == b[i].birth_day && a[i].sex == b[i].sex
                  && a[i].region == b[i].region && a[i].diagnosis == b[i].diagnosis
                  && a[i].severity == b[i].severity, "person %zu differs between panels", i);
        /* nobody with another diagnosis is referred, so their lives are identical */
        if (a[i].diagnosis != DIAG_MENTAL) {
            untouched++;
            cr_assert(a[i].state == b[i].state && a[i].end_day == b[i].end_day
                      && (a[i].first_job_day == b[i].first_job_day
                          || (isinf(a[i].first_job_day) && isinf(b[i].first_job_day))),
                      "person %zu (not referable) has different lives under the two policies", i);
        } else {
            differ += a[i].state != b[i].state;
        }
    }
    cr_expect_gt(untouched, 1000);
    cr_expect_gt(differ, 10, "the policies made no difference at all");
    viz_scene_free(s);
}

Test(viz_scene, advancing_drives_the_engine_and_samples_the_chart)
{
    viz_scene *s = scene_new(2500, 99, VIZ_PRESET_CONFIG);
    double t = 2.5 * DAYS_PER_YEAR + 0.3;
    for (int f = 0; f < 7; f++)
        cr_assert_eq(viz_scene_advance(s, t / 7), 0);
    cr_expect_float_eq(s->t, t, 1e-6);
    cr_expect_eq(s->nhist, (size_t)(t / VIZ_HISTORY_DAYS) + 1);
    for (int k = 0; k < N_VIZ_PANEL; k++) {
        /* an independent run of the same policy, seed and parameters gives the same counts */
        claimant_run *ref = claimant_run_alloc(&s->params, s->panel[k].policy, 99, 0);
        cr_assert_not_null(ref);
        cr_assert_eq(claimant_run_until(ref, t), 0);
        int64_t want[N_STATE], have[N_STATE];
        claimant_run_state_totals(ref, want);
        claimant_run_state_totals(s->panel[k].run, have);
        for (int st = 0; st < N_STATE; st++) {
            cr_expect_eq(have[st], want[st], "panel %d state %s", k, claimant_state_name(st));
            cr_expect_eq(s->panel[k].totals[st], want[st]);
        }
        claimant_run_free(ref);
    }
    /* the last chart samples are the shares ever employed on their day, among
     * everyone and among the people referred by then, from independent runs */
    double day = (double)(s->nhist - 1) * VIZ_HISTORY_DAYS;
    claimant_run *r2[N_VIZ_PANEL];
    const person *pp[N_VIZ_PANEL];
    size_t n = 0;
    for (int k = 0; k < N_VIZ_PANEL; k++) {
        r2[k] = claimant_run_alloc(&s->params, s->panel[k].policy, 99, 0);
        cr_assert_not_null(r2[k]);
        cr_assert_eq(claimant_run_until(r2[k], day), 0);
        n = claimant_run_people(r2[k], &pp[k]);
    }
    size_t referred = 0, e_all[N_VIZ_PANEL] = { 0 }, e_ref[N_VIZ_PANEL] = { 0 };
    for (size_t i = 0; i < n; i++) {
        bool r = (pp[0][i].flags & (PF_EVER_ENROLLED | PF_SCREENED_OUT)) || pp[0][i].wait_ticket
                 || (pp[1][i].flags & (PF_EVER_ENROLLED | PF_SCREENED_OUT)) || pp[1][i].wait_ticket;
        referred += r;
        for (int k = 0; k < N_VIZ_PANEL; k++) {
            e_all[k] += pp[k][i].first_job_day <= day;
            e_ref[k] += r && pp[k][i].first_job_day <= day;
        }
    }
    cr_expect_gt(referred, 10, "only %zu people referred in 2.5 years", referred);
    cr_expect_eq(s->chart_people[VIZ_CHART_ALL], n);
    cr_expect_eq(s->chart_people[VIZ_CHART_REFERRED], referred);
    for (int k = 0; k < N_VIZ_PANEL; k++) {
        cr_expect_gt(e_all[k], 0);
        cr_expect_float_eq(s->panel[k].ever[VIZ_CHART_ALL][s->nhist - 1], (float)e_all[k] / (float)n, 1e-6);
        cr_expect_float_eq(s->panel[k].ever[VIZ_CHART_REFERRED][s->nhist - 1],
                           (float)e_ref[k] / (float)referred, 1e-6);
        claimant_run_free(r2[k]);
    }
    /* before anyone is referred the referred series holds no value */
    cr_assert_eq(viz_scene_restart(s, 99, VIZ_PRESET_CONFIG), 0);
    size_t none;
    cr_expect(isnan(viz_scene_share_employed(s, 0, VIZ_CHART_REFERRED, &none)) && none == 0);
    cr_expect(isnan(s->panel[0].ever[VIZ_CHART_REFERRED][0]));
    cr_expect_float_eq(s->panel[0].ever[VIZ_CHART_ALL][0], 0.0, 1e-12, "a job before day 0?");
    cr_expect(!viz_scene_finished(s));
    cr_assert_eq(viz_scene_advance(s, 1e9), 0);
    cr_expect(viz_scene_finished(s));
    cr_expect_float_eq(s->t, s->horizon, 1e-9);
    viz_scene_free(s);
}

Test(viz_scene, presets_change_only_the_ips_fidelity)
{
    viz_scene *s = scene_new(2000, 5, VIZ_PRESET_CONFIG);
    const policy_params *ips = &s->params.policy[s->panel[VIZ_PANEL_IPS].policy];
    const policy_params *ttp = &s->params.policy[s->panel[VIZ_PANEL_TTP].policy];
    cr_expect_float_eq(ips->prog.fidelity, 115, 1e-12, "preset 1 keeps the config's score");
    double ttp_fidelity = ttp->prog.fidelity;
    int64_t ttp_totals[VIZ_N_PRESET + 1][N_STATE], ips_totals[VIZ_N_PRESET + 1][N_STATE];
    static const double score[VIZ_N_PRESET + 1] = { 0, 115, 120, 85 };
    for (int p = 1; p <= VIZ_N_PRESET; p++) {
        cr_assert_eq(viz_scene_restart(s, 5, p), 0);
        cr_expect_float_eq(ips->prog.fidelity, score[p], 1e-12, "preset %d", p);
        cr_expect_float_eq(ttp->prog.fidelity, ttp_fidelity, 1e-12);
        cr_expect_str_neq(viz_preset_name(p), "unknown preset");
        cr_assert_eq(viz_scene_advance(s, s->horizon), 0);
        memcpy(ttp_totals[p], s->panel[VIZ_PANEL_TTP].totals, sizeof ttp_totals[p]);
        memcpy(ips_totals[p], s->panel[VIZ_PANEL_IPS].totals, sizeof ips_totals[p]);
    }
    cr_expect_arr_eq(ttp_totals[1], ttp_totals[3], sizeof ttp_totals[1], "train-then-place moved with IPS fidelity");
    cr_expect_arr_neq(ips_totals[2], ips_totals[3], sizeof ips_totals[2], "fidelity 120 and 85 gave the same IPS run");
    model_params p = cfg.model;
    cr_expect_eq(viz_preset_apply(&p, 0), -1);
    cr_expect_eq(viz_preset_apply(&p, VIZ_N_PRESET + 1), -1);
    cr_expect_eq(viz_scene_restart(s, 5, 9), -1);
    viz_scene_free(s);
}

Test(viz_scene, refuses_configs_and_options_it_cannot_show)
{
    char err[512];
    viz_scene_options o = { .people = 5000, .seed = 1, .preset = 1 };
    model_params p = cfg.model;
    p.npolicies = 2; /* status quo and train-then-place: no IPS */
    cr_expect_null(viz_scene_alloc(&p, &o, err, sizeof err));
    cr_expect_str_eq(err, "policies: the viewer needs one policy of type \"ips\" and one of type "
                          "\"train_then_place\"; this config has no ips policy");
    p = cfg.model;
    p.stock.people = 0;
    cr_expect_null(viz_scene_alloc(&p, &o, err, sizeof err));
    cr_expect_str_eq(err, "population.stock.people: the stock is empty; pass --inflow to show new cases");
    p = cfg.model;
    p.npolicies = 1; /* status quo only, as configs/belgium_baseline_1995.json */
    cr_expect_null(viz_scene_alloc(&p, &o, err, sizeof err));
    cr_expect_str_eq(err, "policies: the viewer needs one policy of type \"ips\" and one of type "
                          "\"train_then_place\"; this config has neither");
    o.people = 0;
    cr_expect_null(viz_scene_alloc(&cfg.model, &o, err, sizeof err));
    cr_expect_str_eq(err, "people: 0 is outside 1..1000000");
    o.people = 100;
    o.preset = 4;
    cr_expect_null(viz_scene_alloc(&cfg.model, &o, err, sizeof err));
    cr_expect_str_eq(err, "preset: 4 is outside 1..3");
    viz_scene_free(NULL);
}

Test(viz_scene, mental_only_makes_everyone_referable)
{
    viz_scene_options o = { .people = 1000, .mental_only = true, .seed = 3, .preset = 1 };
    char err[256];
    viz_scene *s = viz_scene_alloc(&cfg.model, &o, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    const person *pp;
    size_t n = claimant_run_people(s->panel[0].run, &pp);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(pp[i].diagnosis, DIAG_MENTAL);
    viz_scene_free(s);
}

/* The chart of the referred compares like with like: the same people in both
 * panels (a first referral does not depend on the policy), and every
 * difference between the panels in who has had a job lies among them. */
static void check_referred(const viz_scene_options *o)
{
    char err[256];
    viz_scene *s = viz_scene_alloc(&cfg.model, o, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    size_t referred = 0;
    for (int step = 1; step <= 8; step++) {
        cr_assert_eq(viz_scene_advance(s, s->horizon / 8), 0);
        const person *a, *b;
        size_t n = claimant_run_people(s->panel[0].run, &a);
        cr_assert_eq(claimant_run_people(s->panel[1].run, &b), n);
        size_t ra = 0, rb = 0, e_ref[2] = { 0 }, e_all[2] = { 0 };
        for (size_t i = 0; i < n; i++) {
            bool in_a = viz_person_referred(&a[i]), in_b = viz_person_referred(&b[i]);
            cr_assert_eq(in_a, in_b, "day %.0f: person %zu referred under one policy only", s->t, i);
            ra += in_a;
            rb += in_b;
            bool ja = a[i].first_job_day <= s->t, jb = b[i].first_job_day <= s->t;
            if (!in_a)
                cr_assert(ja == jb && a[i].state == b[i].state,
                          "day %.0f: person %zu, never referred, lives differently under the two policies",
                          s->t, i);
            e_all[0] += ja;
            e_all[1] += jb;
            e_ref[0] += ja && in_a;
            e_ref[1] += jb && in_a;
        }
        cr_expect_eq(ra, rb);
        cr_expect_geq(ra, referred, "the referred must only grow");
        referred = ra;
        cr_expect_eq((long)e_all[0] - (long)e_all[1], (long)e_ref[0] - (long)e_ref[1]);
        size_t people;
        double share = viz_scene_share_employed(s, VIZ_PANEL_TTP, VIZ_CHART_REFERRED, &people);
        cr_expect_eq(people, ra);
        if (ra)
            cr_expect_float_eq(share, (double)e_ref[1] / (double)ra, 1e-12);
    }
    cr_expect_gt(referred, 50, "only %zu people referred in the whole run", referred);
    viz_scene_free(s);
}

Test(viz_scene, the_referred_are_the_same_people_in_both_panels)
{
    viz_scene_options o = { .people = 5000, .seed = cfg.seed, .preset = VIZ_PRESET_CONFIG };
    check_referred(&o);
    /* more referrals than coaches: waiting lists */
    o.mental_only = true;
    o.people = 3000;
    o.seed = 8;
    check_referred(&o);
    o.mental_only = false;
    o.inflow = true;
    o.preset = VIZ_PRESET_FAIR_FIDELITY;
    check_referred(&o);
}

Test(viz_scene, dots_keep_their_slot_and_glide_to_a_new_one)
{
    viz_layout l;
    viz_layout_compute(&l, 1280, 720, 1500);
    viz_scene *s = scene_new(1500, 11, VIZ_PRESET_CONFIG);
    cr_assert_eq(viz_scene_place(s, &l, FRAME_DT), 0);
    cr_expect_eq(s->moving, 0, "the first placement puts every dot on its slot");
    /* advance to the first state change of either panel, then follow a mover */
    size_t who = SIZE_MAX;
    int k = 0;
    uint8_t before[2][1500];
    memcpy(before[0], s->panel[0].group, 1500);
    memcpy(before[1], s->panel[1].group, 1500);
    float x0 = 0, y0 = 0;
    for (int f = 0; f < 600 && who == SIZE_MAX; f++) {
        cr_assert_eq(viz_scene_advance(s, 1.0), 0);
        for (k = 0; k < 2 && who == SIZE_MAX; k++) {
            const person *pp;
            claimant_run_people(s->panel[k].run, &pp);
            for (size_t i = 0; i < 1500; i++) {
                int g = viz_area_of_state(pp[i].state) * 2 + viz_side_of_state(pp[i].state);
                if (g != before[k][i]) {
                    who = i;
                    x0 = s->panel[k].x[i];
                    y0 = s->panel[k].y[i];
                    break;
                }
            }
        }
    }
    k--;
    cr_assert_neq(who, SIZE_MAX, "nobody changed area in 600 days");
    /* only the mover moves: everyone else keeps their slot */
    float sx[2][1500], sy[2][1500];
    memcpy(sx[0], s->panel[0].x, sizeof sx[0]);
    memcpy(sy[0], s->panel[0].y, sizeof sy[0]);
    memcpy(sx[1], s->panel[1].x, sizeof sx[1]);
    memcpy(sy[1], s->panel[1].y, sizeof sy[1]);
    cr_assert_eq(viz_scene_place(s, &l, FRAME_DT), 0);
    cr_expect_geq(s->moving, 1);
    float x1 = s->panel[k].x[who], y1 = s->panel[k].y[who];
    cr_expect(x1 != x0 || y1 != y0, "the mover did not move");
    size_t stayed = 0;
    for (int q = 0; q < 2; q++)
        for (size_t i = 0; i < 1500; i++)
            stayed += s->panel[q].x[i] == sx[q][i] && s->panel[q].y[i] == sy[q][i];
    cr_expect_geq(stayed, 3000 - s->moving);
    /* a glide takes a few frames, then the dot rests on its slot */
    int frames = 1;
    while (s->moving && frames < 120) {
        cr_assert_eq(viz_scene_place(s, &l, FRAME_DT), 0);
        frames++;
    }
    cr_expect(frames >= 3 && frames <= 60, "the glide took %d frames", frames);
    int g = s->panel[k].group[who], tx, ty;
    viz_layout_slot_xy(l.area[k][g / 2].dots, s->panel[k].pitch[g / 2], s->panel[k].slot[who], g % 2, &tx, &ty);
    cr_expect(s->panel[k].x[who] == tx && s->panel[k].y[who] == ty);
    viz_scene_free(s);
}

/* ---- frames ----------------------------------------------------------------- */

Test(viz_render, the_dots_drawn_match_the_simulation_counts)
{
    canvas c;
    canvas_open(&c, 1280, 720, 5000);
    viz_scene *s = scene_new(5000, 20161231, VIZ_PRESET_CONFIG);
    viz_ui ui = { .speed = DEFAULT_SPEED };
    viz_frame_stats st;
    for (int round = 0; round < 4; round++) {
        run_frames(s, &c, 300, &ui, &st);
        for (int k = 0; k < N_VIZ_PANEL; k++) {
            int64_t totals[N_STATE], sum = 0;
            claimant_run_state_totals(s->panel[k].run, totals);
            for (int state = 0; state < N_STATE; state++) {
                cr_expect_eq(st.dots[k][state], totals[state], "frame %d panel %d %s: %lld dots, %lld people",
                             300 * (round + 1), k, claimant_state_name(state),
                             (long long)st.dots[k][state], (long long)totals[state]);
                sum += st.dots[k][state];
            }
            cr_expect_eq(sum, 5000);
        }
    }
    viz_scene_free(s);
    canvas_close(&c);
}

Test(viz_render, pixels_of_each_state_colour_match_the_counts)
{
    /* a dots-only frame with every dot on its own slot: no overlap, no text */
    for (int i = 0; i < N_STATE; i++) {
        cr_assert_neq(rgb(viz_state_color(i)), rgb(viz_background_color()));
        for (int j = i + 1; j < N_STATE; j++)
            cr_assert_neq(rgb(viz_state_color(i)), rgb(viz_state_color(j)), "states %d and %d share a colour", i, j);
    }
    canvas c;
    canvas_open(&c, 1920, 1080, 3000);
    viz_scene *s = scene_new(3000, 777, VIZ_PRESET_HIGH_FIDELITY);
    for (int step = 0; step < 3; step++) {
        cr_assert_eq(viz_scene_advance(s, 1.3 * DAYS_PER_YEAR), 0);
        cr_assert_eq(viz_scene_place(s, &c.l, 0), 0); /* dt 0: straight to the slots */
        cr_assert_eq(s->moving, 0);
        SDL_Color bg = viz_background_color();
        SDL_SetRenderDrawColor(c.ren, bg.r, bg.g, bg.b, 255);
        SDL_RenderClear(c.ren);
        viz_frame_stats st;
        cr_assert_eq(viz_draw_dots(c.draw, &c.l, s, &st), 0);
        viz_rect all = { 0, 0, 1920, 1080 };
        size_t colored = 0;
        for (int k = 0; k < N_VIZ_PANEL; k++)
            for (int state = 0; state < N_STATE; state++) {
                int d = viz_layout_dot_size(s->panel[k].pitch[viz_area_of_state(state)]);
                size_t want = (size_t)s->panel[k].totals[state] * (size_t)(d * d);
                size_t have = count_color(c.surf, c.l.panel[k], rgb(viz_state_color(state)));
                cr_expect_eq(have, want, "year %.1f panel %d %s: %zu pixels, want %lld dots of %dx%d",
                             s->t / DAYS_PER_YEAR, k, claimant_state_name(state), have,
                             (long long)s->panel[k].totals[state], d, d);
                colored += have;
            }
        cr_expect_eq(count_not(c.surf, all, rgb(viz_background_color())), colored,
                     "pixels of other colours than the states'");
    }
    viz_scene_free(s);
    canvas_close(&c);
}

Test(viz_render, titles_labels_legend_and_chart_are_drawn)
{
    canvas c;
    canvas_open(&c, 1280, 720, 5000);
    viz_scene *s = scene_new(5000, 20161231, VIZ_PRESET_CONFIG);
    viz_ui ui = { .speed = DEFAULT_SPEED };
    run_frames(s, &c, 900, &ui, NULL);
    uint32_t bg = rgb(viz_background_color());
    const viz_layout *l = &c.l;
    size_t header = count_not(c.surf, l->header, bg);
    cr_expect_gt(header, (size_t)(l->header.w * l->header.h) / 20, "the title is (nearly) empty: %zu pixels", header);
    cr_expect_gt(count_color(c.surf, l->header, 0xFFFFFF), 1000, "no white title text");
    for (int k = 0; k < N_VIZ_PANEL; k++) {
        cr_expect_gt(count_color(c.surf, l->panel_title[k], rgb(viz_panel_color(k))), 200,
                     "panel %d title not in its colour", k);
        for (int a = 0; a < N_VA; a++)
            cr_expect_gt(count_color(c.surf, l->area[k][a].label, 0xFFFFFF), 100, "no label in area %d", a);
        cr_expect_gt(count_color(c.surf, l->area[k][VA_INCAPACITY].dots, rgb(viz_state_color(ST_INVALIDITY))), 1000);
    }
    cr_expect_gt(count_not(c.surf, l->legend, bg), 500, "no legend");
    for (int st = 0; st < N_STATE; st++)
        cr_expect_gt(count_color(c.surf, l->legend, rgb(viz_state_color(st))), 20, "legend lacks %s",
                     claimant_state_name(st));
    /* the chart: both lines in the plot, the title and axis labels around it */
    for (int k = 0; k < N_VIZ_PANEL; k++)
        cr_expect_gt(count_color(c.surf, l->plot, rgb(viz_panel_color(k))), 100, "no line for panel %d", k);
    viz_rect title = { l->chart.x, l->chart.y, l->chart.w, l->plot.y - l->chart.y };
    cr_expect_gt(count_color(c.surf, title, 0xFFFFFF), 500, "no chart title");
    viz_rect below = { l->plot.x, l->plot.y + l->plot.h + 1, l->plot.w, l->chart.y + l->chart.h - l->plot.y - l->plot.h - 1 };
    cr_expect_gt(count_not(c.surf, below, bg), 200, "no year labels");
    /* the right half of the plot is still empty: the lines stop at the simulated date */
    viz_rect future = { l->plot.x + l->plot.w * 3 / 4, l->plot.y, l->plot.w / 4, l->plot.h };
    for (int k = 0; k < N_VIZ_PANEL; k++)
        cr_expect_eq(count_color(c.surf, future, rgb(viz_panel_color(k))), 0);
    viz_scene_free(s);
    canvas_close(&c);
}

Test(viz_render, gliding_dots_never_hide_the_counters)
{
    /* at high speed many dots are on their way across the boxes, over the
     * labels of other areas: every white pixel of a name or count must stay
     * white under them */
    canvas c;
    canvas_open(&c, 1280, 720, 5000);
    viz_scene *s = scene_new(5000, 20161231, VIZ_PRESET_CONFIG);
    viz_ui ui = { .speed = DAYS_PER_YEAR };
    run_frames(s, &c, 120, &ui, NULL);
    cr_assert_eq(viz_scene_place(s, &c.l, 0), 0); /* every dot in its slot, off the labels */
    char err[512] = "";
    cr_assert_eq(viz_draw_frame(c.draw, &c.l, s, &ui, NULL, err, sizeof err), 0, "%s", err);
    SDL_Surface *settled = SDL_ConvertSurfaceFormat(c.surf, SDL_PIXELFORMAT_RGB888, 0);
    cr_assert_not_null(settled);
    /* now put the dots on the labels, as gliding dots pass over them */
    for (int k = 0; k < N_VIZ_PANEL; k++) {
        viz_panel *pn = &s->panel[k];
        for (size_t i = 0; i < pn->n; i++) {
            viz_rect r = c.l.area[k][i % N_VA].label;
            pn->x[i] = (float)(r.x + (int)(i * 3 % (size_t)r.w));
            pn->y[i] = (float)(r.y + (int)(i * 7 % (size_t)r.h));
        }
    }
    cr_assert_eq(viz_draw_frame(c.draw, &c.l, s, &ui, NULL, err, sizeof err), 0, "%s", err);
    for (int k = 0; k < N_VIZ_PANEL; k++)
        for (int a = 0; a < N_VA; a++) {
            viz_rect r = c.l.area[k][a].label;
            size_t white = 0, hidden = 0;
            for (int y = r.y; y < r.y + r.h; y++)
                for (int x = r.x; x < r.x + r.w; x++)
                    if (pixel(settled, x, y) == 0xFFFFFF) {
                        white++;
                        hidden += pixel(c.surf, x, y) != 0xFFFFFF;
                    }
            cr_expect_gt(white, 100, "no label text in area %d of panel %d", a, k);
            cr_expect_eq(hidden, 0, "dots hide %zu of %zu label pixels in area %d of panel %d", hidden, white, a, k);
        }
    SDL_FreeSurface(settled);
    viz_scene_free(s);
    canvas_close(&c);
}

Test(viz_render, the_dashed_line_stays_visible_where_the_lines_meet)
{
    canvas c;
    canvas_open(&c, 1280, 720, 3000);
    viz_scene *s = scene_new(3000, 4242, VIZ_PRESET_CONFIG);
    viz_ui ui = { .speed = DEFAULT_SPEED, .chart = VIZ_CHART_ALL };
    run_frames(s, &c, 600, &ui, NULL);
    /* make train-then-place's history IPS's: the two lines coincide */
    for (int ch = 0; ch < N_VIZ_CHART; ch++)
        memcpy(s->panel[VIZ_PANEL_TTP].ever[ch], s->panel[VIZ_PANEL_IPS].ever[ch],
               s->nhist * sizeof *s->panel[VIZ_PANEL_IPS].ever[ch]);
    char err[512] = "";
    cr_assert_eq(viz_draw_frame(c.draw, &c.l, s, &ui, NULL, err, sizeof err), 0, "%s", err);
    /* the lines only, left of the end labels */
    const viz_layout *l = &c.l;
    int end = l->plot.x + (int)(s->t / s->horizon * l->plot.w);
    viz_rect lines = { l->plot.x + 1, l->plot.y, end - l->plot.x - 2, l->plot.h };
    size_t ips = count_color(c.surf, lines, rgb(viz_panel_color(VIZ_PANEL_IPS)));
    size_t ttp = count_color(c.surf, lines, rgb(viz_panel_color(VIZ_PANEL_TTP)));
    cr_expect_gt(ttp, 200, "the train-then-place line is hidden under IPS (%zu pixels, IPS %zu)", ttp, ips);
    cr_expect_gt(ttp, ips, "the dashed line should be on top (%zu IPS, %zu TTP pixels)", ips, ttp);
    cr_expect_gt(ips, ttp / 4, "the IPS line should show through the dashes (%zu IPS, %zu TTP pixels)", ips, ttp);
    viz_scene_free(s);
    canvas_close(&c);
}

Test(viz_render, end_labels_stay_clear_of_the_year_labels)
{
    /* at the start everyone's share is 0%: the two end labels are pushed
     * apart around the axis and must not land on the year labels below it */
    canvas c;
    canvas_open(&c, 1280, 720, 3000);
    viz_scene *s = scene_new(3000, 4242, VIZ_PRESET_CONFIG);
    viz_ui ui = { .speed = DEFAULT_SPEED, .chart = VIZ_CHART_ALL };
    run_frames(s, &c, 1, &ui, NULL);
    cr_assert_eq(s->panel[VIZ_PANEL_IPS].ever[VIZ_CHART_ALL][0], 0.0f);
    cr_assert_eq(s->panel[VIZ_PANEL_TTP].ever[VIZ_CHART_ALL][0], 0.0f);
    const viz_layout *l = &c.l;
    int axis = l->plot.y + l->plot.h;
    viz_rect below = { l->chart.x, axis + 2, l->chart.w, l->chart.y + l->chart.h - axis - 2 };
    viz_rect beside = { l->plot.x, l->plot.y, l->chart.x + l->chart.w - l->plot.x, l->plot.h };
    for (int k = 0; k < N_VIZ_PANEL; k++) {
        uint32_t col = rgb(viz_panel_color(k));
        cr_expect_eq(count_color(c.surf, below, col), 0, "panel %d's end label is below the axis", k);
        cr_expect_gt(count_color(c.surf, beside, col), 20, "panel %d's end label is not beside the plot", k);
    }
    viz_scene_free(s);
    canvas_close(&c);
}

/* True when the text at (x, y) of the frame in c is exactly `text` in `font`
 * and white: drawn again on a blank frame, it gives the same pixels. */
static bool text_is_color(const canvas *c, int font, const char *text, SDL_Color color, int x, int y)
{
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, c->surf->w, c->surf->h, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *ren = SDL_CreateSoftwareRenderer(surf);
    char err[1200] = "";
    viz_text *t = viz_text_alloc(ren, FONT_REGULAR, FONT_BOLD, err, sizeof err);
    cr_assert_not_null(t, "%s", err);
    cr_assert_eq(viz_text_set_sizes(t, c->l.font_px, err, sizeof err), 0, "%s", err);
    SDL_Color bg = viz_background_color();
    SDL_SetRenderDrawColor(ren, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(ren);
    int w = viz_text_draw(t, font, text, color, x, y, VIZ_ALIGN_LEFT);
    int h = viz_text_height(t, font);
    bool same = w > 0;
    for (int yy = y; yy < y + h && same; yy++)
        for (int xx = x; xx < x + w + 4 && same; xx++)
            same = pixel(surf, xx, yy) == pixel(c->surf, xx, yy);
    viz_text_free(t);
    SDL_DestroyRenderer(ren);
    SDL_FreeSurface(surf);
    return same;
}

static bool text_is(const canvas *c, int font, const char *text, int x, int y)
{
    SDL_Color white = { 255, 255, 255, 255 };
    return text_is_color(c, font, text, white, x, y);
}

Test(viz_render, the_status_line_keeps_the_seed_at_the_end)
{
    /* "r starts again with a new seed" at the end of the run: the status
     * line still says which seed this one was */
    canvas c;
    canvas_open(&c, 1280, 720, 1000);
    viz_scene *s = scene_new(1000, 20161231, VIZ_PRESET_CONFIG);
    viz_ui ui = { .speed = 2 * DAYS_PER_YEAR };
    run_frames(s, &c, 310, &ui, NULL);
    cr_assert(viz_scene_finished(s));
    SDL_Color dim = { 0xC4, 0xCA, 0xD4, 255 }; /* the renderer's small print */
    const char *want = "1,000 claimants per panel, same people and draws  \xc2\xb7  1: The config's scenario as "
                       "given  \xc2\xb7  2 years/s  \xc2\xb7  seed 20161231  \xc2\xb7  end of the run: r "
                       "starts again with a new seed";
    cr_expect(text_is_color(&c, VIZ_FONT_SMALL, want, dim, c.l.header.x, c.l.header.y + c.l.line[VIZ_FONT_TITLE]),
              "the status line at the end is not '%s'", want);
    viz_scene_free(s);
    canvas_close(&c);
}

Test(viz_render, the_chart_title_says_whom_it_follows)
{
    static const struct {
        int w, h, chart;
        const char *title; /* with %s for the people followed */
    } cases[] = {
        { 1920, 1080, VIZ_CHART_REFERRED, "Referred to a programme by then (%s): share ever employed since January 2017" },
        { 1280, 720, VIZ_CHART_REFERRED, "Referred to a programme by then (%s): share ever employed since January 2017" },
        { 1280, 720, VIZ_CHART_ALL, "Everyone simulated (%s people): share ever employed since January 2017" },
        { 640, 360, VIZ_CHART_REFERRED, "Referred by then (%s): share ever employed since January 2017" },
        { 640, 360, VIZ_CHART_ALL, "Everyone (%s): share ever employed since January 2017" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        canvas c;
        canvas_open(&c, cases[i].w, cases[i].h, 5000);
        viz_scene *s = scene_new(5000, 20161231, VIZ_PRESET_CONFIG);
        viz_ui ui = { .speed = DEFAULT_SPEED, .chart = cases[i].chart };
        run_frames(s, &c, 360, &ui, NULL);
        char num[32], want[256];
        viz_format_count(num, sizeof num, (int64_t)s->chart_people[cases[i].chart]);
        snprintf(want, sizeof want, cases[i].title, num);
        cr_expect(text_is(&c, VIZ_FONT_LABEL, want, c.l.chart.x, c.l.chart.y), "%dx%d: the chart title is not '%s'",
                  cases[i].w, cases[i].h, want);
        if (cases[i].chart == VIZ_CHART_REFERRED)
            cr_expect(s->chart_people[VIZ_CHART_REFERRED] > 0
                      && s->chart_people[VIZ_CHART_REFERRED] < s->chart_people[VIZ_CHART_ALL]);
        viz_scene_free(s);
        canvas_close(&c);
    }
}

Test(viz_render, overlays_show_pause_help_and_messages)
{
    canvas c;
    canvas_open(&c, 1280, 720, 2000);
    viz_scene *s = scene_new(2000, 1, VIZ_PRESET_CONFIG);
    viz_ui ui = { .speed = DEFAULT_SPEED };
    run_frames(s, &c, 10, &ui, NULL);
    uint32_t badge = rgb(viz_state_color(ST_TRAINING)); /* the badge shares training's yellow */
    size_t plain = count_color(c.surf, c.l.header, badge);
    ui.paused = true;
    run_frames(s, &c, 1, &ui, NULL);
    cr_expect_gt(count_color(c.surf, c.l.header, badge), plain + 1000, "no PAUSED badge");
    ui.help = true;
    ui.toast = "Saved ipsim-viz-test.bmp";
    run_frames(s, &c, 1, &ui, NULL);
    viz_rect centre = { 1280 / 2 - 50, 720 / 2 - 50, 100, 100 };
    cr_expect_gt(count_color(c.surf, centre, 0xFFFFFF) + count_color(c.surf, centre, badge), 50, "no help text");
    viz_scene_free(s);
    canvas_close(&c);
}

static SDL_Surface *render_chart_frame(int w, int h, size_t people, uint64_t seed, int frames, int chart)
{
    canvas c;
    canvas_open(&c, w, h, people);
    viz_scene *s = scene_new(people, seed, VIZ_PRESET_CONFIG);
    viz_ui ui = { .speed = DEFAULT_SPEED, .chart = chart };
    run_frames(s, &c, frames, &ui, NULL);
    SDL_Surface *copy = SDL_ConvertSurfaceFormat(c.surf, SDL_PIXELFORMAT_RGB888, 0);
    cr_assert_not_null(copy);
    viz_scene_free(s);
    canvas_close(&c);
    return copy;
}

static SDL_Surface *render_frame(int w, int h, size_t people, uint64_t seed, int frames)
{
    return render_chart_frame(w, h, people, seed, frames, VIZ_CHART_REFERRED);
}

static bool same_pixels(const SDL_Surface *a, const SDL_Surface *b)
{
    if (a->w != b->w || a->h != b->h)
        return false;
    for (int y = 0; y < a->h; y++)
        for (int x = 0; x < a->w; x++)
            if (pixel(a, x, y) != pixel(b, x, y))
                return false;
    return true;
}

Test(viz_render, a_seed_gives_byte_identical_frames)
{
    SDL_Surface *a = render_frame(960, 540, 5000, 31337, 420);
    SDL_Surface *b = render_frame(960, 540, 5000, 31337, 420);
    SDL_Surface *other = render_frame(960, 540, 5000, 31338, 420);
    cr_expect_eq(a->pitch, b->pitch);
    cr_expect(memcmp(a->pixels, b->pixels, (size_t)a->pitch * (size_t)a->h) == 0, "frame 420 differs between two renders");
    cr_expect(!same_pixels(a, other), "another seed drew the same frame");
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);
    SDL_FreeSurface(other);
}

Test(viz_render, formats_dates_counts_and_speeds)
{
    char b[64];
    viz_format_count(b, sizeof b, 1234567);
    cr_expect_str_eq(b, "1,234,567");
    viz_format_count(b, sizeof b, 0);
    cr_expect_str_eq(b, "0");
    viz_format_count(b, sizeof b, 999);
    cr_expect_str_eq(b, "999");
    viz_format_count(b, sizeof b, -4512);
    cr_expect_str_eq(b, "-4,512");
    viz_format_date(b, sizeof b, 2017, 0);
    cr_expect_str_eq(b, "January 2017");
    viz_format_date(b, sizeof b, 2017, 2.5 * DAYS_PER_YEAR);
    cr_expect_str_eq(b, "July 2019");
    viz_format_date(b, sizeof b, 2017, 10 * DAYS_PER_YEAR);
    cr_expect_str_eq(b, "January 2027");
    viz_format_speed(b, sizeof b, 3 * DAYS_PER_MONTH);
    cr_expect_str_eq(b, "3 months/s");
    viz_format_speed(b, sizeof b, DAYS_PER_YEAR);
    cr_expect_str_eq(b, "1 year/s");
    viz_format_speed(b, sizeof b, 2 * DAYS_PER_YEAR);
    cr_expect_str_eq(b, "2 years/s");
    viz_format_speed(b, sizeof b, 7);
    cr_expect_str_eq(b, "1 week/s");
    viz_format_speed(b, sizeof b, 10);
    cr_expect_str_eq(b, "10 days/s");
    /* every step of + and - reads as the help and docs name it */
    viz_format_speed(b, sizeof b, 14);
    cr_expect_str_eq(b, "2 weeks/s");
    viz_format_speed(b, sizeof b, DAYS_PER_MONTH);
    cr_expect_str_eq(b, "1 month/s");
    viz_format_speed(b, sizeof b, 6 * DAYS_PER_MONTH);
    cr_expect_str_eq(b, "6 months/s");
    /* --speed takes up to 3650 days: years, not "3.65e+03 days/s" */
    viz_format_speed(b, sizeof b, 3650);
    cr_expect_str_eq(b, "10 years/s");
    viz_format_speed(b, sizeof b, 1000);
    cr_expect_str_eq(b, "2.7 years/s");
    viz_format_speed(b, sizeof b, 0.1);
    cr_expect_str_eq(b, "0.1 days/s");
    viz_format_speed(b, sizeof b, 200);
    cr_expect_str_eq(b, "200 days/s");
}

Test(viz_render, speed_keys_step_through_the_documented_speeds)
{
    static const double steps[] = { 7, 14, DAYS_PER_MONTH, 2 * DAYS_PER_MONTH, 3 * DAYS_PER_MONTH,
                                     6 * DAYS_PER_MONTH, DAYS_PER_YEAR, 2 * DAYS_PER_YEAR };
    size_t n = sizeof steps / sizeof *steps;
    for (size_t i = 0; i + 1 < n; i++) {
        cr_expect_float_eq(viz_speed_step(steps[i], +1), steps[i + 1], 1e-9, "+ from step %zu", i);
        cr_expect_float_eq(viz_speed_step(steps[i + 1], -1), steps[i], 1e-9, "- from step %zu", i + 1);
    }
    cr_expect_float_eq(viz_speed_step(steps[n - 1], +1), steps[n - 1], 1e-9, "+ at the fastest step");
    cr_expect_float_eq(viz_speed_step(7, -1), 7, 1e-9, "- at the slowest step");
    /* a --speed between steps goes to the neighbouring step */
    cr_expect_float_eq(viz_speed_step(10, +1), 14, 1e-9);
    cr_expect_float_eq(viz_speed_step(10, -1), 7, 1e-9);
    /* a --speed beyond the steps: + never slows down, - never speeds up */
    cr_expect_float_eq(viz_speed_step(3650, +1), 3650, 1e-9, "+ from 10 years/s slowed down");
    cr_expect_float_eq(viz_speed_step(3650, -1), 2 * DAYS_PER_YEAR, 1e-9);
    cr_expect_float_eq(viz_speed_step(0.5, -1), 0.5, 1e-9, "- from 0.5 days/s sped up");
    cr_expect_float_eq(viz_speed_step(0.5, +1), 7, 1e-9);
}

/* ---- showing frames in a window -------------------------------------------- */

static SDL_Surface *blank(int w, int h, uint32_t color)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    cr_assert_not_null(s);
    SDL_FillRect(s, NULL, color);
    return s;
}

static void put(SDL_Surface *s, int x, int y, uint32_t c)
{
    ((uint32_t *)((uint8_t *)s->pixels + (size_t)y * (size_t)s->pitch))[x] = c;
}

Test(viz_present, diff_finds_exactly_the_changed_tiles)
{
    int w = 300, h = 150; /* 5 x 3 tiles, the last column 44 px wide, the last row 22 px high */
    SDL_Surface *a = blank(w, h, 0x102030), *b = blank(w, h, 0x102030);
    SDL_Rect r[16];
    cr_expect_eq(viz_tiles_max(w, h), 15);
    cr_expect_eq(viz_diff_tiles(a, b, r, 16), 0, "identical frames differ");
    put(b, 70, 5, 0xFFFFFF);   /* tile (1, 0) */
    put(b, 130, 63, 0xFFFFFF); /* tile (2, 0): merges with (1, 0) */
    put(b, 299, 149, 0x0);     /* tile (4, 2): the clipped corner */
    put(b, 0, 64, 0x102031);   /* tile (0, 1): one bit of blue */
    size_t n = viz_diff_tiles(a, b, r, 16);
    cr_assert_eq(n, 3);
    cr_expect(r[0].x == 64 && r[0].y == 0 && r[0].w == 128 && r[0].h == 64, "%d,%d %dx%d", r[0].x, r[0].y, r[0].w, r[0].h);
    cr_expect(r[1].x == 0 && r[1].y == 64 && r[1].w == 64 && r[1].h == 64);
    cr_expect(r[2].x == 256 && r[2].y == 128 && r[2].w == 44 && r[2].h == 22, "%d,%d %dx%d", r[2].x, r[2].y, r[2].w, r[2].h);
    cr_expect_eq(viz_diff_tiles(a, b, r, 2), 2, "more rectangles than room");
    SDL_FillRect(b, NULL, 0);
    n = viz_diff_tiles(a, b, r, 16);
    cr_expect_eq(n, 3, "one run per tile row");
    for (size_t i = 0; i < n; i++)
        cr_expect(r[i].x == 0 && r[i].w == w);
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);
}

Test(viz_present, the_window_holds_the_frame_after_partial_updates)
{
    int w = 333, h = 200;
    SDL_Window *win = SDL_CreateWindow("test", 0, 0, w, h, 0);
    cr_assert_not_null(win, "%s", SDL_GetError());
    SDL_Surface *frame = blank(w, h, 0x0B0E14), *shown = blank(w, h, 0);
    SDL_Rect rects[64];
    cr_assert_geq(64, viz_tiles_max(w, h));
    size_t sent;
    cr_assert_eq(viz_present(win, frame, shown, true, rects, &sent), 0, "%s", SDL_GetError());
    cr_expect_eq(sent, (size_t)(w * h));
    for (int step = 0; step < 3; step++) {
        for (int i = 0; i < 40; i++)
            put(frame, (i * 37 + step * 101) % w, (i * 53 + step * 7) % h, 0xE69F00 + (uint32_t)i);
        cr_assert_eq(viz_present(win, frame, shown, false, rects, &sent), 0);
        cr_expect_lt(sent, (size_t)(w * h));
        SDL_Surface *ws = SDL_GetWindowSurface(win);
        cr_assert_not_null(ws);
        SDL_Surface *got = SDL_ConvertSurfaceFormat(ws, SDL_PIXELFORMAT_RGB888, 0);
        size_t bad = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                bad += pixel(got, x, y) != pixel(frame, x, y) || pixel(shown, x, y) != pixel(frame, x, y);
        cr_expect_eq(bad, 0, "step %d: %zu pixels differ from the frame", step, bad);
        SDL_FreeSurface(got);
    }
    cr_assert_eq(viz_present(win, frame, shown, false, rects, &sent), 0);
    cr_expect_eq(sent, 0, "an unchanged frame sent %zu pixels", sent);
    SDL_FreeSurface(frame);
    SDL_FreeSurface(shown);
    SDL_DestroyWindow(win);
}

/* ---- the command ------------------------------------------------------------ */

static int run_cmd(const char *args, char *out, size_t len)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "SDL_VIDEODRIVER=dummy %s viz %s 2>&1", IPSIM_BINARY, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, len - 1, p);
    out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *temp_dir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/ipsim-test-viz-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    return dir;
}

static bool exists(const char *dir, const char *name)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

Test(viz_cli, headless_frames_are_the_library_frames)
{
    char *dir = temp_dir(), out[4096], args[512];
    snprintf(args, sizeof args, "--headless --frames 40 --every 16 --size 960x540 --out %s/frames", dir);
    cr_assert_eq(run_cmd(args, out, sizeof out), 0, "%s", out);
    char sub[128];
    snprintf(sub, sizeof sub, "%s/frames", dir);
    cr_expect(exists(sub, "frame_000016.bmp") && exists(sub, "frame_000032.bmp"));
    cr_expect(exists(sub, "frame_000040.bmp"), "the last frame is always saved");
    cr_expect(!exists(sub, "frame_000001.bmp") && !exists(sub, "frame_000039.bmp"));
    char path[256];
    snprintf(path, sizeof path, "%s/frame_000040.bmp", sub);
    SDL_Surface *bmp = SDL_LoadBMP(path);
    cr_assert_not_null(bmp, "%s", SDL_GetError());
    SDL_Surface *got = SDL_ConvertSurfaceFormat(bmp, SDL_PIXELFORMAT_RGB888, 0);
    SDL_Surface *want = render_frame(960, 540, 5000, cfg.seed, 40);
    cr_expect(same_pixels(got, want), "ipsim viz --headless frame 40 differs from the library's frame 40");
    SDL_FreeSurface(bmp);
    SDL_FreeSurface(got);
    /* --chart all: the chart of everyone, as the library draws it */
    snprintf(args, sizeof args, "--headless --frames 40 --every 40 --size 960x540 --chart all --out %s/all", dir);
    cr_assert_eq(run_cmd(args, out, sizeof out), 0, "%s", out);
    snprintf(path, sizeof path, "%s/all/frame_000040.bmp", dir);
    bmp = SDL_LoadBMP(path);
    cr_assert_not_null(bmp, "%s", SDL_GetError());
    got = SDL_ConvertSurfaceFormat(bmp, SDL_PIXELFORMAT_RGB888, 0);
    SDL_Surface *all = render_chart_frame(960, 540, 5000, cfg.seed, 40, VIZ_CHART_ALL);
    cr_expect(same_pixels(got, all), "ipsim viz --chart all frame 40 differs from the library's");
    cr_expect(!same_pixels(all, want), "--chart all drew the default chart");
    SDL_FreeSurface(bmp);
    SDL_FreeSurface(got);
    SDL_FreeSurface(all);
    SDL_FreeSurface(want);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}

/* Names in dir, sorted and joined by spaces ("" when empty). */
static void list_dir(const char *dir, char *out, size_t len)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    cr_assert_geq(n, 0, "cannot list %s", dir);
    size_t o = 0;
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
            o += (size_t)snprintf(out + o, len - o, "%s%s", o ? " " : "", names[i]->d_name);
        free(names[i]);
    }
    free(names);
}

static void touch(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

Test(viz_cli, a_folder_with_frames_is_refused_and_force_replaces_only_frames)
{
    char *dir = temp_dir(), out[4096], args[512], files[2048];
    char sub[128];
    snprintf(sub, sizeof sub, "%s/frames", dir);
    snprintf(args, sizeof args, "--headless --frames 7 --size 480x270 --people 300 --out %s", sub);
    cr_assert_eq(run_cmd(args, out, sizeof out), 0, "%s", out);
    char want[512];
    snprintf(want, sizeof want, "7 frames written to %s\n", sub);
    cr_expect_str_eq(out, want);
    /* files that are not the command's frames: another program's, or near misses */
    touch(sub, "notes.txt", "talk on Tuesday");
    touch(sub, "frame_1.bmp", "x");
    touch(sub, "frame_000002.bmp.bak", "x");
    touch(sub, "frame_000000.bmp", "x");
    touch(sub, "Frame_000003.bmp", "x");
    char before[2048];
    list_dir(sub, before, sizeof before);

    /* a shorter run into the same folder: refused, nothing written */
    snprintf(args, sizeof args, "--headless --frames 3 --size 480x270 --people 300 --out %s", sub);
    cr_expect_eq(run_cmd(args, out, sizeof out), 2, "%s", out);
    snprintf(want, sizeof want, "ipsim viz: --out: '%s' already holds 7 frame files (frame_000001.bmp ...); "
                                "use --force to replace them", sub);
    cr_expect(strncmp(out, want, strlen(want)) == 0, "%s", out);
    list_dir(sub, files, sizeof files);
    cr_expect_str_eq(files, before, "a refused run changed the folder");

    /* --force: the old frames go, the new ones come, everything else stays */
    snprintf(args, sizeof args, "--headless --frames 5 --every 2 --size 480x270 --people 300 --out %s --force", sub);
    cr_assert_eq(run_cmd(args, out, sizeof out), 0, "%s", out);
    snprintf(want, sizeof want, "3 frames written to %s\n", sub);
    cr_expect_str_eq(out, want);
    list_dir(sub, files, sizeof files);
    cr_expect_str_eq(files, "Frame_000003.bmp frame_000000.bmp frame_000002.bmp frame_000002.bmp.bak "
                            "frame_000004.bmp frame_000005.bmp frame_1.bmp notes.txt");

    /* one frame left from before is refused too, and the message says "file" */
    snprintf(args, sizeof args, "--headless --frames 1 --size 480x270 --people 300 --out %s --force", sub);
    cr_assert_eq(run_cmd(args, out, sizeof out), 0, "%s", out);
    snprintf(want, sizeof want, "1 frame written to %s\n", sub);
    cr_expect_str_eq(out, want);
    snprintf(args, sizeof args, "--headless --frames 1 --size 480x270 --people 300 --out %s", sub);
    cr_expect_eq(run_cmd(args, out, sizeof out), 2, "%s", out);
    snprintf(want, sizeof want, "ipsim viz: --out: '%s' already holds 1 frame file (frame_000001.bmp); ", sub);
    cr_expect(strncmp(out, want, strlen(want)) == 0, "%s", out);

    /* a folder without frame files is used as it is */
    snprintf(args, sizeof args, "--headless --frames 2 --size 480x270 --people 300 --out %s", dir);
    cr_expect_eq(run_cmd(args, out, sizeof out), 0, "%s", out);
    cr_expect(exists(dir, "frame_000002.bmp"));
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}

Test(viz_cli, bench_reports_frames_per_second)
{
    char out[4096];
    cr_assert_eq(run_cmd("--bench --frames 30 --size 640x360 --people 800", out, sizeof out), 0, "%s", out);
    cr_expect(strstr(out, "30 frames at 640x360, 2 x 800 people, software renderer, headless") != NULL, "%s", out);
    cr_expect(strstr(out, "frames per second") != NULL, "%s", out);
}

Test(viz_cli, the_window_loop_runs_on_the_dummy_video_driver)
{
    char out[4096];
    cr_assert_eq(run_cmd("--bench --window --frames 20 --size 800x450 --people 1000", out, sizeof out), 0, "%s", out);
    cr_expect(strstr(out, "20 frames at 800x450, 2 x 1,000 people, software renderer, video driver dummy") != NULL,
              "%s", out);
}

Test(viz_cli, bad_input_exits_2_with_a_message)
{
    static const struct {
        const char *args, *msg;
    } cases[] = {
        { "--headless --frames 2", "ipsim viz: --headless needs --frames N and --out DIR" },
        { "--headless --out /tmp", "ipsim viz: --headless needs --frames N and --out DIR" },
        { "--people 0", "ipsim viz: --people: '0' is not a whole number in 100..200000" },
        { "--people 12x", "ipsim viz: --people: '12x' is not a whole number in 100..200000" },
        { "--preset 4", "ipsim viz: --preset: '4' is not a whole number in 1..3" },
        { "--size 10x10", "ipsim viz: --size: '10x10' is not WIDTHxHEIGHT within 480x270..7680x4320" },
        { "--speed fast", "ipsim viz: --speed: 'fast' is not a number of days per second in 0.1..3650" },
        { "--seed -1", "ipsim viz: --seed: '-1' is not a whole number in 0..18446744073709551615" },
        { "--frobnicate", "ipsim viz: unknown option '--frobnicate' (see ipsim viz --help)" },
        { "--frames 3", "ipsim viz: --frames and --out go with --headless or --bench" },
        { "--window", "ipsim viz: --window goes with --bench" },
        { "--bench --force", "ipsim viz: --force goes with --headless" },
        { "--every 5", "ipsim viz: --every goes with --headless" },
        { "--bench --every 5", "ipsim viz: --every goes with --headless" },
        { "--chart mental", "ipsim viz: --chart: 'mental' is not 'referred' or 'all'" },
        { "--chart", "ipsim viz: option --chart needs a value" },
        { "--people", "ipsim viz: option --people needs a value" },
        { "a.json b.json", "ipsim viz: one CONFIG only ('a.json' and 'b.json')" },
        { "--headless --bench --frames 1 --out /tmp", "ipsim viz: --headless and --bench are separate modes; choose one" },
        { "--headless --frames 1 --out /dev/null/x", "ipsim viz: --out: cannot create folder '/dev/null/x'" },
        { "--set", "ipsim viz: option --set needs a value" },
        { "--set policies[2].programme.fidelity.score=600",
          "built-in default with --set: policies[2].programme.fidelity.score: 600 is outside "
          "25..125" },
        { "--set run.scale=0.1", "ipsim viz: --set run.scale=0.1: the demo sizes its scene from "
                                 "--people" },
        { "--set run.replications=3", "ipsim viz: --set run.replications=3: the demo" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[4096];
        int rc = run_cmd(cases[i].args, out, sizeof out);
        cr_expect_eq(rc, 2, "'%s' exited %d: %s", cases[i].args, rc, out);
        cr_expect(strncmp(out, cases[i].msg, strlen(cases[i].msg)) == 0, "'%s' said: %s", cases[i].args, out);
    }
}

Test(viz_cli, set_changes_the_demo_and_a_refused_one_makes_no_folder)
{
    char *dir = temp_dir(), out[4096], args[512], path[2][256];
    const char *sets[2] = { "", "--set 'policies[2].programme.fidelity.score=25'" };
    for (int k = 0; k < 2; k++) {
        snprintf(args, sizeof args, "--headless --frames 40 --every 40 --size 480x270 "
                 "--out %s/%d %s", dir, k, sets[k]);
        cr_assert_eq(run_cmd(args, out, sizeof out), 0, "%s", out);
        snprintf(path[k], sizeof path[k], "%s/%d/frame_000040.bmp", dir, k);
    }
    SDL_Surface *a = SDL_LoadBMP(path[0]), *b = SDL_LoadBMP(path[1]);
    cr_assert(a && b, "%s", SDL_GetError());
    cr_expect(!same_pixels(a, b), "IPS at fidelity 25 drew the same frame as at the default's");
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);
    snprintf(args, sizeof args, "--headless --frames 1 --out %s/refused --set run.years=0", dir);
    cr_expect_eq(run_cmd(args, out, sizeof out), 2, "%s", out);
    cr_expect(strstr(out, "built-in default with --set: run.years:"), "%s", out);
    cr_expect(!exists(dir, "refused"), "a frame folder was made for a refused --set");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}

Test(viz_cli, a_config_without_ips_or_a_missing_font_is_reported)
{
    char *dir = temp_dir(), path[256], out[4096], args[512];
    snprintf(path, sizeof path, "%s/no_ips.json", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("{ \"ipsim_config\": 1, \"policies\": [ { \"name\": \"status_quo\", \"type\": \"status_quo\" },"
          " { \"name\": \"train_then_place\", \"type\": \"train_then_place\" } ] }\n", f);
    fclose(f);
    snprintf(args, sizeof args, "%s --headless --frames 1 --out %s", path, dir);
    cr_expect_eq(run_cmd(args, out, sizeof out), 2, "%s", out);
    char want[512];
    snprintf(want, sizeof want, "ipsim viz: %s: policies: the viewer needs one policy of type \"ips\"", path);
    cr_expect(strncmp(out, want, strlen(want)) == 0, "%s", out);

    snprintf(args, sizeof args, "%s/missing.json --headless --frames 1 --out %s", dir, dir);
    cr_expect_eq(run_cmd(args, out, sizeof out), 2, "%s", out);

    snprintf(args, sizeof args, "--headless --frames 1 --out %s --font-dir %s/fonts", dir, dir);
    cr_expect_eq(run_cmd(args, out, sizeof out), 2, "bad --font-dir is bad input: %s", out);
    snprintf(want, sizeof want, "ipsim viz: font %s/fonts/DejaVuSans.ttf cannot be read (", dir);
    cr_expect(strncmp(out, want, strlen(want)) == 0, "%s", out);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}

Test(viz_cli, help_lists_the_keys)
{
    char out[8192];
    cr_assert_eq(run_cmd("--help", out, sizeof out), 0);
    cr_expect(strstr(out, "Usage: ipsim viz [CONFIG] [OPTIONS]") != NULL);
    cr_expect(strstr(out, "space pause, + - speed, r restart with a new seed") != NULL, "%s", out);
    cr_expect(strstr(out, "c chart population") != NULL, "%s", out);
    cr_expect(strstr(out, "  --chart WHO     whom the chart follows: 'referred' (default)") != NULL, "%s", out);
    cr_expect(strstr(out, "  --force         with --headless:") != NULL, "%s", out);
}

#endif /* IPSIM_HAVE_VIZ */
