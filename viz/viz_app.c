/* viz_app: `ipsim viz`: options, the interactive window loop, headless
 * frames and the frame-rate benchmark. Each frame advances both runs by
 * speed x (frame time) simulated days through the engine, places the dots
 * and draws; headless and bench frames use a fixed 1/60 s so that frame N is
 * the same picture on every machine. */
#include "viz/viz.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <SDL.h>

#include "io/config.h"
#include "io/config_override.h"
#include "viz/viz_layout.h"
#include "viz/viz_present.h"
#include "viz/viz_render.h"
#include "viz/viz_scene.h"

enum { VIZ_EXIT_OK = 0, VIZ_EXIT_FAIL = 1, VIZ_EXIT_USAGE = 2 };

#define DEFAULT_FONT_DIR "/usr/share/fonts/truetype/dejavu"
#define HEADLESS_DT (1.0 / 60.0)
#define FRAME_NAME "frame_%06lu.bmp" /* headless frame files, by frame number from 1 */

/* Speed steps of + and -, simulated days per second. */
static const double speeds[] = { 7, 14, DAYS_PER_MONTH, 2 * DAYS_PER_MONTH, 3 * DAYS_PER_MONTH,
                                 6 * DAYS_PER_MONTH, DAYS_PER_YEAR, 2 * DAYS_PER_YEAR };
#define NSPEEDS (sizeof speeds / sizeof *speeds)

typedef struct viz_options {
    const char *config;
    config_overrides overrides; /* --set PATH=VALUE */
    viz_scene_options scene;
    bool seed_set;
    double speed;
    int w, h;
    bool size_set;
    bool fullscreen;
    const char *font_dir;
    bool headless, bench, window_bench;
    unsigned long frames;
    unsigned long every;
    bool every_set;
    const char *out;
    bool force;             /* headless: replace the frame files already in --out */
    int fps;
    int chart;              /* VIZ_CHART_* */
} viz_options;

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: ipsim viz [CONFIG] [OPTIONS]\n"
            "\n"
            "Live demo for talks: two panels, place-then-train (IPS) and train-then-place, on\n"
            "the same synthetic claimants with the same random draws, so every difference\n"
            "comes from the policy. CONFIG defaults to the built-in Belgian scenario.\n"
            "\n"
            "Options:\n"
            "  --people N      simulated people per panel (default 5000; 100..200000)\n"
            "  --inflow        add the config's new incapacity cases (default: the stock only);\n"
            "                  the scale then covers stock + expected inflow\n"
            "  --mental-only   every simulated claimant has a mental disorder\n"
            "  --chart WHO     whom the chart follows: 'referred' (default), the people referred\n"
            "                  to a programme by each date, or 'all', everyone simulated; the\n"
            "                  key c switches (the dots always show everyone)\n"
            "  --seed S        master seed (default: the config's); r in the window adds 1\n"
            "  --preset P      starting scenario 1, 2 or 3 (keys 1/2/3; default 1)\n"
            "  --speed D       simulated days per second (default 91.3: three months)\n"
            "  --size WxH      window or frame size (default 1280x720; --bench 1920x1080)\n"
            "  --fullscreen    start in full screen\n"
            "  --fps N         frame-rate cap of the window (default 60; 10..1000)\n"
            "  --font-dir DIR  folder with DejaVuSans.ttf and DejaVuSans-Bold.ttf\n"
            "                  (default " DEFAULT_FONT_DIR ")\n"
            "  --headless      render frames without a display: needs --frames and --out\n"
            "  --frames N      frames to render (headless; bench default 2400)\n"
            "  --out DIR       folder for headless frames frame_000001.bmp, ... (created); a\n"
            "                  folder that already holds frame files is refused\n"
            "  --force         with --headless: first remove the frame files (frame_NNNNNN.bmp)\n"
            "                  already in --out, so it holds exactly this run's frames\n"
            "  --every K       save every K-th headless frame (default 1; the last is always saved)\n"
            "  --bench         render --frames frames headless, as fast as possible, with the\n"
            "                  software renderer and print frames per second\n"
            "  --window        with --bench: render into a window instead (needs a display)\n"
            "  --set PATH=VALUE  override one value of the config (repeatable), e.g.\n"
            "                  --set policies[2].programme.fidelity.score=60; see docs/config.md\n"
            "\n"
            "Keys: space pause, + - speed, r restart with a new seed, 1 2 3 scenarios,\n"
            "c chart population, f full screen, s screenshot (BMP), h help, q or Esc quit.\n"
            "Exit status: 0 success, 1 runtime failure, 2 bad input.\n");
}

static bool parse_ulong(const char *opt, const char *v, unsigned long lo, unsigned long hi,
                        unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long x = v && *v != '-' ? strtoul(v, &end, 10) : 0;
    if (!v || *v == '-' || !*v || errno || *end || x < lo || x > hi) {
        fprintf(stderr, "ipsim viz: %s: '%s' is not a whole number in %lu..%lu\n", opt,
                v ? v : "", lo, hi);
        return false;
    }
    *out = x;
    return true;
}

static const char *need_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "ipsim viz: option %s needs a value\n", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

/* 0 to go on, or the exit status (for --help and errors). */
static int parse_options(int argc, char **argv, viz_options *o)
{
    *o = (viz_options){ .scene = { .people = 5000, .preset = VIZ_PRESET_CONFIG },
                        .speed = 3 * DAYS_PER_MONTH, .w = 1280, .h = 720,
                        .font_dir = DEFAULT_FONT_DIR, .every = 1, .fps = 60 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        unsigned long n;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return VIZ_EXIT_OK;
        } else if (!strcmp(a, "--people")) {
            if (!(v = need_value(argc, argv, &i)) || !parse_ulong(a, v, 100, 200000, &n))
                return VIZ_EXIT_USAGE;
            o->scene.people = n;
        } else if (!strcmp(a, "--inflow")) {
            o->scene.inflow = true;
        } else if (!strcmp(a, "--mental-only")) {
            o->scene.mental_only = true;
        } else if (!strcmp(a, "--chart")) {
            if (!(v = need_value(argc, argv, &i)))
                return VIZ_EXIT_USAGE;
            if (!strcmp(v, "referred")) {
                o->chart = VIZ_CHART_REFERRED;
            } else if (!strcmp(v, "all")) {
                o->chart = VIZ_CHART_ALL;
            } else {
                fprintf(stderr, "ipsim viz: --chart: '%s' is not 'referred' or 'all'\n", v);
                return VIZ_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--seed")) {
            char *end;
            if (!(v = need_value(argc, argv, &i)))
                return VIZ_EXIT_USAGE;
            errno = 0;
            unsigned long long s = *v && *v != '-' ? strtoull(v, &end, 10) : 0;
            if (!*v || *v == '-' || errno || *end) {
                fprintf(stderr, "ipsim viz: --seed: '%s' is not a whole number in 0..%llu\n", v,
                        (unsigned long long)UINT64_MAX);
                return VIZ_EXIT_USAGE;
            }
            o->scene.seed = s;
            o->seed_set = true;
        } else if (!strcmp(a, "--preset")) {
            if (!(v = need_value(argc, argv, &i)) || !parse_ulong(a, v, 1, VIZ_N_PRESET, &n))
                return VIZ_EXIT_USAGE;
            o->scene.preset = (int)n;
        } else if (!strcmp(a, "--speed")) {
            char *end;
            if (!(v = need_value(argc, argv, &i)))
                return VIZ_EXIT_USAGE;
            o->speed = strtod(v, &end);
            if (*end || !(o->speed >= 0.1) || o->speed > 3650) {
                fprintf(stderr, "ipsim viz: --speed: '%s' is not a number of days per second in 0.1..3650\n", v);
                return VIZ_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--size")) {
            int w, h;
            char tail;
            if (!(v = need_value(argc, argv, &i)))
                return VIZ_EXIT_USAGE;
            if (sscanf(v, "%dx%d%c", &w, &h, &tail) != 2 || w < VIZ_MIN_W || h < VIZ_MIN_H || w > 7680
                || h > 4320) {
                fprintf(stderr, "ipsim viz: --size: '%s' is not WIDTHxHEIGHT within %dx%d..7680x4320\n", v,
                        VIZ_MIN_W, VIZ_MIN_H);
                return VIZ_EXIT_USAGE;
            }
            o->w = w;
            o->h = h;
            o->size_set = true;
        } else if (!strcmp(a, "--fullscreen")) {
            o->fullscreen = true;
        } else if (!strcmp(a, "--fps")) {
            if (!(v = need_value(argc, argv, &i)) || !parse_ulong(a, v, 10, 1000, &n))
                return VIZ_EXIT_USAGE;
            o->fps = (int)n;
        } else if (!strcmp(a, "--font-dir")) {
            if (!(o->font_dir = need_value(argc, argv, &i)))
                return VIZ_EXIT_USAGE;
        } else if (!strcmp(a, "--headless")) {
            o->headless = true;
        } else if (!strcmp(a, "--frames")) {
            if (!(v = need_value(argc, argv, &i)) || !parse_ulong(a, v, 1, 10000000, &o->frames))
                return VIZ_EXIT_USAGE;
        } else if (!strcmp(a, "--every")) {
            if (!(v = need_value(argc, argv, &i)) || !parse_ulong(a, v, 1, 10000000, &o->every))
                return VIZ_EXIT_USAGE;
            o->every_set = true;
        } else if (!strcmp(a, "--out")) {
            if (!(o->out = need_value(argc, argv, &i)))
                return VIZ_EXIT_USAGE;
        } else if (!strcmp(a, "--force")) {
            o->force = true;
        } else if (!strcmp(a, "--bench")) {
            o->bench = true;
        } else if (!strcmp(a, "--window")) {
            o->window_bench = true;
        } else if (!strcmp(a, "--set")) {
            if (!(v = need_value(argc, argv, &i)))
                return VIZ_EXIT_USAGE;
            if (config_overrides_add(&o->overrides, v) != 0) {
                fprintf(stderr, "ipsim viz: more than %d --set options\n", CONFIG_MAX_OVERRIDES);
                return VIZ_EXIT_USAGE;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "ipsim viz: unknown option '%s' (see ipsim viz --help)\n", a);
            return VIZ_EXIT_USAGE;
        } else if (o->config) {
            fprintf(stderr, "ipsim viz: one CONFIG only ('%s' and '%s')\n", o->config, a);
            return VIZ_EXIT_USAGE;
        } else {
            o->config = a;
        }
    }
    if (o->headless && o->bench) {
        fprintf(stderr, "ipsim viz: --headless and --bench are separate modes; choose one\n");
        return VIZ_EXIT_USAGE;
    }
    if (o->headless && (!o->frames || !o->out)) {
        fprintf(stderr, "ipsim viz: --headless needs --frames N and --out DIR\n");
        return VIZ_EXIT_USAGE;
    }
    if (!o->headless && !o->bench && (o->frames || o->out)) {
        fprintf(stderr, "ipsim viz: --frames and --out go with --headless or --bench\n");
        return VIZ_EXIT_USAGE;
    }
    if (o->every_set && !o->headless) {
        fprintf(stderr, "ipsim viz: --every goes with --headless\n");
        return VIZ_EXIT_USAGE;
    }
    if (o->force && !o->headless) {
        fprintf(stderr, "ipsim viz: --force goes with --headless\n");
        return VIZ_EXIT_USAGE;
    }
    if (o->window_bench && !o->bench) {
        fprintf(stderr, "ipsim viz: --window goes with --bench\n");
        return VIZ_EXIT_USAGE;
    }
    if (o->bench && !o->frames)
        o->frames = 2400; /* the whole 10-year default run at the default speed */
    if (o->bench && !o->size_set) {
        o->w = 1920;
        o->h = 1080;
    }
    return -1;
}

static double now_seconds(void)
{
    return (double)SDL_GetPerformanceCounter() / (double)SDL_GetPerformanceFrequency();
}

/* ---- pieces shared by every mode ---------------------------------------- */

typedef struct viz_app {
    viz_options opt;
    ipsim_config cfg;
    bool cfg_loaded;
    viz_scene *scene;
    viz_layout layout;
    viz_draw *draw;
    viz_ui ui;
    char font_regular[1024], font_bold[1024];
    char toast[256];
    double toast_until;       /* seconds (now_seconds) */
} viz_app;

/* The run values the demo sets itself (the scale from --people, one
 * replication, no event log): a --set of one would not be used. */
static const char *const viz_run_values[] = { "run", "run.scale", "run.replications",
                                              "run.event_log" };

static int app_load(viz_app *app)
{
    const char *unused = config_overrides_find(&app->opt.overrides, viz_run_values,
                                               sizeof viz_run_values / sizeof *viz_run_values);
    if (unused) {
        fprintf(stderr, "ipsim viz: --set %s: the demo sizes its scene from --people and runs "
                        "one replication without an event log (run.years and run.seed can be "
                        "set one by one)\n", unused);
        return VIZ_EXIT_USAGE;
    }
    int rc = config_load_overridden(app->opt.config, &app->opt.overrides, &app->cfg, stderr);
    if (rc != CONFIG_OK)
        return rc == CONFIG_NOMEM ? VIZ_EXIT_FAIL : VIZ_EXIT_USAGE;
    app->cfg_loaded = true;
    if (!app->opt.seed_set)
        app->opt.scene.seed = app->cfg.seed;
    char err[512];
    if (viz_scene_check(&app->cfg.model, &app->opt.scene, err, sizeof err) != 0) {
        fprintf(stderr, "ipsim viz: %s: %s\n", app->cfg.source, err);
        return VIZ_EXIT_USAGE;
    }
    app->scene = viz_scene_alloc(&app->cfg.model, &app->opt.scene, err, sizeof err);
    if (!app->scene) {
        fprintf(stderr, "ipsim viz: %s\n", err);
        return VIZ_EXIT_FAIL;
    }
    snprintf(app->font_regular, sizeof app->font_regular, "%s/DejaVuSans.ttf", app->opt.font_dir);
    snprintf(app->font_bold, sizeof app->font_bold, "%s/DejaVuSans-Bold.ttf", app->opt.font_dir);
    /* a missing font is bad input (--font-dir): said before anything is created */
    const char *fonts[2] = { app->font_regular, app->font_bold };
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(fonts[i], "rb");
        if (!f) {
            fprintf(stderr, "ipsim viz: font %s cannot be read (%s); install fonts-dejavu-core "
                            "or pass --font-dir DIR\n", fonts[i], strerror(errno));
            return VIZ_EXIT_USAGE;
        }
        fclose(f);
    }
    app->ui.speed = app->opt.speed;
    app->ui.chart = app->opt.chart;
    return VIZ_EXIT_OK;
}

static void app_clear(viz_app *app)
{
    viz_draw_free(app->draw);
    viz_scene_free(app->scene);
    if (app->cfg_loaded)
        config_clear(&app->cfg);
}

static int app_draw_init(viz_app *app, SDL_Renderer *ren)
{
    char err[1200];
    app->draw = viz_draw_alloc(ren, app->font_regular, app->font_bold, err, sizeof err);
    if (!app->draw) {
        fprintf(stderr, "ipsim viz: %s\n", err);
        return VIZ_EXIT_FAIL;
    }
    return VIZ_EXIT_OK;
}

/* One frame: dt seconds of real time pass. Times the parts when t != NULL. */
static int app_frame(viz_app *app, double dt, double t[3])
{
    double t0 = t ? now_seconds() : 0;
    if (!app->ui.paused && !viz_scene_finished(app->scene)
        && viz_scene_advance(app->scene, app->ui.speed * dt) != 0) {
        fprintf(stderr, "ipsim viz: the simulation failed at day %.1f (out of memory?)\n", app->scene->t);
        return VIZ_EXIT_FAIL;
    }
    double t1 = t ? now_seconds() : 0;
    if (viz_scene_place(app->scene, &app->layout, dt) != 0) {
        fprintf(stderr, "ipsim viz: out of memory placing the dots\n");
        return VIZ_EXIT_FAIL;
    }
    double t2 = t ? now_seconds() : 0;
    char err[1200];
    if (viz_draw_frame(app->draw, &app->layout, app->scene, &app->ui, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "ipsim viz: %s\n", err);
        return VIZ_EXIT_FAIL;
    }
    if (t) {
        double t3 = now_seconds();
        t[0] += t1 - t0;
        t[1] += t2 - t1;
        t[2] += t3 - t2;
    }
    return VIZ_EXIT_OK;
}

/* ---- headless frames and the benchmark ---------------------------------- */

static int make_dir(const char *dir)
{
    if (mkdir(dir, 0777) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
    }
    fprintf(stderr, "ipsim viz: --out: cannot create folder '%s': %s\n", dir,
            errno == EEXIST ? "a file of that name exists" : strerror(errno));
    return -1;
}

/* True for the names headless mode writes: FRAME_NAME of a frame number from
 * 1 on, exactly as printed (so frame_1.bmp or frame_000001.bmp.bak are not). */
static bool is_frame_name(const char *name)
{
    if (strncmp(name, "frame_", 6) != 0 || name[6] < '0' || name[6] > '9')
        return false;
    char *end, want[64];
    errno = 0;
    unsigned long f = strtoul(name + 6, &end, 10);
    if (errno || f == 0 || strcmp(end, ".bmp") != 0)
        return false;
    snprintf(want, sizeof want, FRAME_NAME, f);
    return strcmp(name, want) == 0;
}

/* Makes the --out folder, or checks an existing one: frame files from an
 * earlier run are refused (VIZ_EXIT_USAGE, nothing written), or removed
 * with --force so that the folder ends up holding this run's frames only.
 * Other files are left alone. Returns VIZ_EXIT_*. */
static int prepare_out_dir(const viz_options *o)
{
    if (make_dir(o->out) != 0)
        return VIZ_EXIT_USAGE;
    DIR *dir = opendir(o->out);
    if (!dir) {
        fprintf(stderr, "ipsim viz: --out: cannot read folder '%s': %s\n", o->out, strerror(errno));
        return VIZ_EXIT_USAGE;
    }
    unsigned long found = 0;
    char first[256] = "";
    int rc = VIZ_EXIT_OK;
    struct dirent *e;
    while (rc == VIZ_EXIT_OK && (e = readdir(dir)) != NULL) {
        if (!is_frame_name(e->d_name))
            continue;
        found++;
        if (!o->force) {
            if (!*first || strcmp(e->d_name, first) < 0)
                snprintf(first, sizeof first, "%s", e->d_name);
            continue;
        }
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", o->out, e->d_name);
        if (unlink(path) != 0) {
            fprintf(stderr, "ipsim viz: --force: cannot remove the old frame %s: %s\n", path, strerror(errno));
            rc = VIZ_EXIT_FAIL;
        }
    }
    closedir(dir);
    if (rc == VIZ_EXIT_OK && found && !o->force) {
        fprintf(stderr, "ipsim viz: --out: '%s' already holds %lu frame file%s (%s%s); use --force to "
                        "replace them, or choose another folder\n",
                o->out, found, found == 1 ? "" : "s", first, found == 1 ? "" : " ...");
        rc = VIZ_EXIT_USAGE;
    }
    return rc;
}

static int run_headless(viz_app *app)
{
    const viz_options *o = &app->opt;
    if (o->headless) {
        int rc = prepare_out_dir(o);
        if (rc != VIZ_EXIT_OK)
            return rc;
    }
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, o->w, o->h, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *ren = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    if (!ren) {
        fprintf(stderr, "ipsim viz: software renderer: %s\n", SDL_GetError());
        SDL_FreeSurface(surf);
        return VIZ_EXIT_FAIL;
    }
    int rc = app_draw_init(app, ren);
    viz_layout_compute(&app->layout, o->w, o->h, app->opt.scene.people);
    double parts[3] = { 0, 0, 0 };
    double t0 = now_seconds();
    unsigned long written = 0;
    for (unsigned long f = 1; f <= o->frames && rc == VIZ_EXIT_OK; f++) {
        rc = app_frame(app, HEADLESS_DT, o->bench ? parts : NULL);
        if (rc != VIZ_EXIT_OK || !o->headless || (f % o->every && f != o->frames))
            continue;
        char path[1200], name[64];
        snprintf(name, sizeof name, FRAME_NAME, f);
        snprintf(path, sizeof path, "%s/%s", o->out, name);
        if (SDL_SaveBMP(surf, path) != 0) {
            fprintf(stderr, "ipsim viz: %s: %s\n", path, SDL_GetError());
            rc = VIZ_EXIT_FAIL;
        } else {
            written++;
        }
    }
    double wall = now_seconds() - t0;
    if (rc == VIZ_EXIT_OK && o->headless)
        printf("%lu frame%s written to %s\n", written, written == 1 ? "" : "s", o->out);
    if (rc == VIZ_EXIT_OK && o->bench) {
        double n = (double)o->frames;
        char people[32];
        viz_format_count(people, sizeof people, (int64_t)o->scene.people);
        printf("ipsim viz --bench: %lu frames at %dx%d, 2 x %s people, software renderer, headless\n",
               o->frames, o->w, o->h, people);
        printf("  %.1f frames per second (%.2f ms a frame: simulation %.2f, placing %.2f, drawing %.2f)\n",
               n / wall, 1e3 * wall / n, 1e3 * parts[0] / n, 1e3 * parts[1] / n, 1e3 * parts[2] / n);
        printf("  simulated %.1f of %.1f years\n", app->scene->t / DAYS_PER_YEAR,
               app->scene->horizon / DAYS_PER_YEAR);
    }
    viz_draw_free(app->draw);
    app->draw = NULL;
    SDL_DestroyRenderer(ren);
    SDL_FreeSurface(surf);
    return rc;
}

/* ---- the window --------------------------------------------------------- */

static void set_toast(viz_app *app, const char *msg)
{
    snprintf(app->toast, sizeof app->toast, "%s", msg);
    app->ui.toast = app->toast;
    app->toast_until = now_seconds() + 2.5;
}

double viz_speed_step(double speed, int dir)
{
    if (dir > 0) {
        for (size_t i = 0; i < NSPEEDS; i++)
            if (speeds[i] > speed + 1e-9)
                return speeds[i];
    } else {
        for (size_t i = NSPEEDS; i-- > 0;)
            if (speeds[i] < speed - 1e-9)
                return speeds[i];
    }
    return speed; /* already at or beyond the last step (--speed 3650, --speed 0.1) */
}

static void change_speed(viz_app *app, int dir)
{
    app->ui.speed = viz_speed_step(app->ui.speed, dir);
    char s[32], msg[64];
    viz_format_speed(s, sizeof s, app->ui.speed);
    snprintf(msg, sizeof msg, "Speed: %s", s);
    set_toast(app, msg);
}

static int restart(viz_app *app, uint64_t seed, int preset)
{
    if (viz_scene_restart(app->scene, seed, preset) != 0) {
        fprintf(stderr, "ipsim viz: out of memory restarting the runs\n");
        return VIZ_EXIT_FAIL;
    }
    char msg[160];
    snprintf(msg, sizeof msg, "%d: %s  \xc2\xb7  seed %llu", preset, viz_preset_name(preset),
             (unsigned long long)seed);
    set_toast(app, msg);
    return VIZ_EXIT_OK;
}

/* Saves the frame just drawn as a BMP in the current folder. */
static void screenshot(viz_app *app, SDL_Surface *frame)
{
    char name[96], stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(name, sizeof name, "ipsim-viz-%s.bmp", stamp);
    for (int k = 2; k < 100; k++) {
        struct stat st;
        if (stat(name, &st) != 0)
            break;
        snprintf(name, sizeof name, "ipsim-viz-%s-%d.bmp", stamp, k);
    }
    char msg[256];
    if (SDL_SaveBMP(frame, name) == 0)
        snprintf(msg, sizeof msg, "Saved %s", name);
    else
        snprintf(msg, sizeof msg, "Screenshot failed: %s", SDL_GetError());
    set_toast(app, msg);
}

static int handle_key(viz_app *app, SDL_Window *win, const SDL_Keysym *k, bool *quit, bool *shot)
{
    /* digits by position, so 1 2 3 work on AZERTY keyboards too */
    int preset = 0;
    if (k->scancode == SDL_SCANCODE_1 || k->scancode == SDL_SCANCODE_KP_1)
        preset = 1;
    else if (k->scancode == SDL_SCANCODE_2 || k->scancode == SDL_SCANCODE_KP_2)
        preset = 2;
    else if (k->scancode == SDL_SCANCODE_3 || k->scancode == SDL_SCANCODE_KP_3)
        preset = 3;
    if (preset)
        return restart(app, app->scene->opt.seed, preset);
    switch (k->sym) {
    case SDLK_SPACE:
        app->ui.paused = !app->ui.paused;
        break;
    case SDLK_PLUS:
    case SDLK_EQUALS:
    case SDLK_KP_PLUS:
        change_speed(app, +1);
        break;
    case SDLK_MINUS:
    case SDLK_UNDERSCORE:
    case SDLK_KP_MINUS:
        change_speed(app, -1);
        break;
    case SDLK_r:
        return restart(app, app->scene->opt.seed + 1, app->scene->opt.preset);
    case SDLK_f: {
        bool full = SDL_GetWindowFlags(win) & SDL_WINDOW_FULLSCREEN;
        SDL_SetWindowFullscreen(win, full ? 0 : SDL_WINDOW_FULLSCREEN_DESKTOP);
        SDL_ShowCursor(full ? SDL_ENABLE : SDL_DISABLE);
        break;
    }
    case SDLK_c: {
        app->ui.chart = app->ui.chart == VIZ_CHART_ALL ? VIZ_CHART_REFERRED : VIZ_CHART_ALL;
        char msg[96];
        snprintf(msg, sizeof msg, "Chart: %s", viz_chart_name(app->ui.chart));
        set_toast(app, msg);
        break;
    }
    case SDLK_s:
        *shot = true;
        break;
    case SDLK_h:
        app->ui.help = !app->ui.help;
        break;
    case SDLK_q:
    case SDLK_ESCAPE:
        *quit = true;
        break;
    default:
        break;
    }
    return VIZ_EXIT_OK;
}

/* The window's frame: drawn by the software renderer into `frame`, shown
 * through viz_present; `shown` mirrors what the window holds. */
typedef struct window_canvas {
    SDL_Surface *frame, *shown;
    SDL_Renderer *ren;
    SDL_Rect *rects;
    int w, h;
} window_canvas;

static void canvas_clear(viz_app *app, window_canvas *c)
{
    viz_draw_free(app->draw);
    app->draw = NULL;
    if (c->ren)
        SDL_DestroyRenderer(c->ren);
    SDL_FreeSurface(c->frame);
    SDL_FreeSurface(c->shown);
    free(c->rects);
    memset(c, 0, sizeof *c);
}

/* (Re)makes the canvas for a w x h window: textures and fonts belong to a
 * renderer, so the drawing state is made again too. */
static int canvas_make(viz_app *app, window_canvas *c, int w, int h)
{
    canvas_clear(app, c);
    c->frame = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    c->shown = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    c->rects = malloc(viz_tiles_max(w, h) * sizeof *c->rects);
    c->ren = c->frame ? SDL_CreateSoftwareRenderer(c->frame) : NULL;
    if (!c->shown || !c->rects || !c->ren) {
        fprintf(stderr, "ipsim viz: a %dx%d frame: %s\n", w, h, c->rects ? SDL_GetError() : "out of memory");
        return VIZ_EXIT_FAIL;
    }
    c->w = w;
    c->h = h;
    viz_layout_compute(&app->layout, w, h, app->opt.scene.people);
    return app_draw_init(app, c->ren);
}

static int run_window(viz_app *app)
{
    const viz_options *o = &app->opt;
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "ipsim viz: no display (%s); use --headless --frames N --out DIR for "
                        "frames without one\n", SDL_GetError());
        return VIZ_EXIT_FAIL;
    }
    /* SDL falls back to drivers that show nothing when there is no display:
     * a presenter must not stare at a silent terminal, so say so (unless the
     * driver was asked for by name, as the tests do) */
    const char *driver = SDL_GetCurrentVideoDriver();
    if (driver && !getenv("SDL_VIDEODRIVER")
        && (!strcmp(driver, "offscreen") || !strcmp(driver, "dummy") || !strcmp(driver, "evdev"))) {
        fprintf(stderr, "ipsim viz: no display (SDL chose the '%s' video driver); set DISPLAY, "
                        "or use --headless --frames N --out DIR\n", driver);
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return VIZ_EXIT_FAIL;
    }
    Uint32 flags = SDL_WINDOW_RESIZABLE | (o->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    SDL_Window *win = SDL_CreateWindow("ipsim viz: place-then-train vs train-then-place",
                                       SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, o->w, o->h, flags);
    if (!win) {
        fprintf(stderr, "ipsim viz: window: %s\n", SDL_GetError());
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return VIZ_EXIT_FAIL;
    }
    SDL_SetWindowMinimumSize(win, VIZ_MIN_W, VIZ_MIN_H);
    if (o->fullscreen)
        SDL_ShowCursor(SDL_DISABLE);
    window_canvas c;
    memset(&c, 0, sizeof c);
    int rc = VIZ_EXIT_OK;
    bool quit = false, full = true;
    double last = now_seconds(), bench_t0 = last, parts[3] = { 0, 0, 0 }, present = 0;
    size_t sent = 0, sent_total = 0;
    unsigned long frames = 0;
    int failures = 0;
    while (rc == VIZ_EXIT_OK && !quit) {
        bool shot = false;
        SDL_Event ev;
        while (SDL_PollEvent(&ev) && rc == VIZ_EXIT_OK) {
            if (ev.type == SDL_QUIT)
                quit = true;
            else if (ev.type == SDL_KEYDOWN && !o->bench)
                rc = handle_key(app, win, &ev.key.keysym, &quit, &shot);
            else if (ev.type == SDL_WINDOWEVENT && ev.window.event == SDL_WINDOWEVENT_EXPOSED)
                full = true;
        }
        double now = now_seconds();
        double dt = o->bench ? HEADLESS_DT : now - last;
        if (dt > 0.1)
            dt = 0.1; /* after a stall, slow down rather than jump */
        last = now;
        int w, h;
        SDL_GetWindowSize(win, &w, &h);
        if (rc == VIZ_EXIT_OK && (w != c.w || h != c.h)) {
            rc = canvas_make(app, &c, w, h);
            full = true;
        }
        if (app->ui.toast && (now > app->toast_until || shot))
            app->ui.toast = NULL; /* a screenshot shows the picture, not our messages */
        if (rc == VIZ_EXIT_OK)
            rc = app_frame(app, dt, o->bench ? parts : NULL);
        if (rc != VIZ_EXIT_OK)
            break;
        if (shot)
            screenshot(app, c.frame); /* the toast shows from the next frame on */
        double t0 = now_seconds();
        if (viz_present(win, c.frame, c.shown, full, c.rects, &sent) != 0) {
            /* the window surface goes stale when the window changes: redo it all next frame */
            if (++failures > 10) {
                fprintf(stderr, "ipsim viz: cannot show frames in the window: %s\n", SDL_GetError());
                rc = VIZ_EXIT_FAIL;
                break;
            }
            full = true;
            c.w = 0;
            continue;
        }
        failures = 0;
        present += now_seconds() - t0;
        sent_total += sent;
        full = false;
        frames++;
        if (o->bench) {
            if (frames >= o->frames)
                break;
            continue;
        }
        double spent = now_seconds() - now, budget = 1.0 / o->fps;
        if (spent < budget)
            SDL_Delay((Uint32)((budget - spent) * 1000));
    }
    if (rc == VIZ_EXIT_OK && o->bench && frames) {
        double wall = now_seconds() - bench_t0, n = (double)frames;
        char people[32];
        viz_format_count(people, sizeof people, (int64_t)o->scene.people);
        printf("ipsim viz --bench --window: %lu frames at %dx%d, 2 x %s people, software renderer, "
               "video driver %s\n", frames, c.w, c.h, people, SDL_GetCurrentVideoDriver());
        printf("  %.1f frames per second (%.2f ms a frame: simulation %.2f, placing %.2f, drawing %.2f, "
               "showing %.2f)\n",
               n / wall, 1e3 * wall / n, 1e3 * parts[0] / n, 1e3 * parts[1] / n, 1e3 * parts[2] / n,
               1e3 * present / n);
        printf("  changed tiles sent: %.1f%% of the pixels a frame\n",
               100.0 * (double)sent_total / n / ((double)c.w * c.h));
    }
    canvas_clear(app, &c);
    SDL_DestroyWindow(win);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    return rc;
}

int viz_main(int argc, char **argv)
{
    viz_app app;
    memset(&app, 0, sizeof app);
    int rc = parse_options(argc, argv, &app.opt);
    if (rc >= 0)
        return rc;
    if (SDL_Init(0) != 0) {
        fprintf(stderr, "ipsim viz: SDL: %s\n", SDL_GetError());
        return VIZ_EXIT_FAIL;
    }
    rc = app_load(&app);
    if (rc == VIZ_EXIT_OK)
        rc = (app.opt.headless || (app.opt.bench && !app.opt.window_bench)) ? run_headless(&app)
                                                                            : run_window(&app);
    app_clear(&app);
    SDL_Quit();
    return rc;
}
