/* viz_layout: where everything goes on the viewer's screen, as a pure
 * function of the output size and the number of people per panel (no SDL,
 * no fonts: text widths are estimated conservatively from DejaVu Sans).
 * Invariant: every rectangle lies inside the output and the dot area of
 * incapacity holds `people` dots at the base pitch (down to a 1-pixel pitch).
 * Dots fill an area column by column from the left, so a crowd reads as a bar.
 */
#ifndef IPSIM_VIZ_LAYOUT_H
#define IPSIM_VIZ_LAYOUT_H

#include <stddef.h>
#include "models/params.h"

/* The labelled areas of a panel. A person's area follows from their state. */
enum viz_area {
    VA_INCAPACITY,  /* primary incapacity + invalidity */
    VA_SUPPORT,     /* waiting for a coach + training */
    VA_JOB_SEARCH,
    VA_PART_TIME,
    VA_FULL_TIME,
    VA_EXIT,        /* sustained return to work, retired, died */
    N_VA,
    VA_NONE = 255   /* not placed yet */
};

/* The two panels: place-then-train on the left, train-then-place on the right. */
enum { VIZ_PANEL_IPS, VIZ_PANEL_TTP, N_VIZ_PANEL };

/* Font roles, sized in pixels by the layout. */
enum { VIZ_FONT_TITLE, VIZ_FONT_LABEL, VIZ_FONT_BODY, VIZ_FONT_SMALL, N_VIZ_FONT };

typedef struct viz_rect {
    int x, y, w, h;
} viz_rect;

typedef struct viz_area_box {
    viz_rect box;        /* outline */
    viz_rect label;      /* name, total and per-state counts */
    viz_rect dots;       /* where the dots are packed */
    int count_inline;    /* 1: the total sits right of the name; 0: on its own line */
    int breakdown_lines; /* lines of per-state counts (0 for single-state areas) */
} viz_area_box;

typedef struct viz_layout {
    int w, h;                        /* output size, pixels */
    int font_px[N_VIZ_FONT];
    int line[N_VIZ_FONT];            /* line height of each font, pixels */
    int margin, gap;
    viz_rect header;                 /* title, date and status line */
    viz_rect panel[N_VIZ_PANEL];
    viz_rect panel_title[N_VIZ_PANEL];
    viz_area_box area[N_VIZ_PANEL][N_VA];
    int pitch;                       /* base distance between dot centres, pixels */
    viz_rect legend;
    viz_rect chart;                  /* chart with its title and axis labels */
    viz_rect plot;                   /* the plotting area inside the chart */
} viz_layout;

/* Area of a claimant_state (ST_*). */
int viz_area_of_state(int state);
/* Side of its area a state's dots fill from: 0 the left, 1 the right
 * (primary incapacity, training, retired and died), so that two groups
 * sharing an area read as two bars. */
int viz_side_of_state(int state);
/* Name of an area ("Incapacity", "Part-time job", ...), and a shorter one
 * for narrow boxes ("Part-time"). */
const char *viz_area_name(int area);
const char *viz_area_short_name(int area);
/* Short name of a state for counters and the legend ("invalidity", ...). */
const char *viz_state_short(int state);

#define VIZ_MIN_W 480 /* smallest output laid out; smaller ones are cut */
#define VIZ_MIN_H 270

/* Fills *l for a w x h output (at least VIZ_MIN_W x VIZ_MIN_H) showing
 * `people` people per panel. */
void viz_layout_compute(viz_layout *l, int w, int h, size_t people);

/* Largest pitch <= max_pitch at which `r` holds `left` dots filled from the
 * left and `right` dots filled from the right in whole columns without
 * overlap (1 when none does). */
int viz_layout_fit_pitch(viz_rect r, size_t left, size_t right, int max_pitch);

/* Number of dots `r` holds at `pitch`. */
size_t viz_layout_capacity(viz_rect r, int pitch);

/* Top-left corner of dot `slot` in `r` at `pitch`: column by column from the
 * left (side 0) or the right (side 1), top to bottom, the grid centred
 * vertically; slots beyond the capacity wrap. */
void viz_layout_slot_xy(viz_rect r, int pitch, size_t slot, int side, int *x, int *y);

/* Side of a dot at `pitch` (a gap of about a fifth of the pitch, at least 1
 * pixel, from pitch 2 on). */
int viz_layout_dot_size(int pitch);

/* Estimated width in pixels of UTF-8 text `s` at `px` (bold or not): a
 * slight overestimate of DejaVu Sans, by character class. */
int viz_layout_text_width(int px, const char *s, int bold);

#endif
