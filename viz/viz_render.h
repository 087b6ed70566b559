/* viz_render: draws a viewer frame (header, two panels of dots with live
 * counters, legend, chart, overlays) from a scene and a layout onto any SDL
 * renderer: a window's, or a software renderer on a surface for headless
 * frames and tests. Drawing reads the scene and never changes the runs.
 * Colours: Okabe-Ito on a dark background, so states stay apart for the
 * common colour-vision deficiencies.
 */
#ifndef IPSIM_VIZ_RENDER_H
#define IPSIM_VIZ_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <SDL.h>
#include "viz/viz_layout.h"
#include "viz/viz_scene.h"

/* What the viewer shows besides the scene. */
typedef struct viz_ui {
    bool paused;
    bool help;            /* the key overlay */
    double speed;         /* simulated days per second of real time */
    int chart;            /* VIZ_CHART_*: whom the chart follows (0: the referred) */
    const char *toast;    /* NULL, or a short message at the bottom */
} viz_ui;

/* What a frame drew, for tests. */
typedef struct viz_frame_stats {
    int64_t dots[N_VIZ_PANEL][N_STATE];   /* dots drawn per state */
} viz_frame_stats;

typedef struct viz_draw viz_draw;

/* Colour of a state's dots, of a panel's chart line, and of the background. */
SDL_Color viz_state_color(int state);
SDL_Color viz_panel_color(int panel);
SDL_Color viz_background_color(void);

/* Prepares drawing on `ren` with the given font files. Returns NULL with a
 * message in err (missing font, SDL_ttf failure, no memory). Caller frees
 * with viz_draw_free before destroying the renderer. */
viz_draw *viz_draw_alloc(SDL_Renderer *ren, const char *font_regular, const char *font_bold,
                         char *err, size_t len);
void viz_draw_free(viz_draw *d); /* NULL is a no-op */

/* Draws a whole frame for layout `l` (the renderer's output should have its
 * size). Fills *st when not NULL. 0, or -1 with a message in err (fonts,
 * memory). */
int viz_draw_frame(viz_draw *d, const viz_layout *l, const viz_scene *s, const viz_ui *ui,
                   viz_frame_stats *st, char *err, size_t len);

/* Draws only the dots, one filled square per placed person in its state's
 * colour, without blending. Fills *st when not NULL. 0, or -1 on no memory. */
int viz_draw_dots(viz_draw *d, const viz_layout *l, const viz_scene *s, viz_frame_stats *st);

/* "March 2019" for simulated day t of a run starting at start_year. */
void viz_format_date(char *buf, size_t len, double start_year, double t);
/* "4,512": thousands separated by commas. */
void viz_format_count(char *buf, size_t len, int64_t n);
/* "3 months/s", "1 year/s", "2 weeks/s", "10 days/s", "10 years/s" */
void viz_format_speed(char *buf, size_t len, double days_per_second);

#endif
