/* viz_layout: screen geometry of the viewer; see viz_layout.h. Sizes follow
 * a design unit s = min(height, width * 9/16) so that a wide or a narrow
 * window gets type that fits; at 1920 x 1080 the labels are 31 px. */
#include "viz/viz_layout.h"

#include <stdio.h>
#include <string.h>

static const char *const area_names[N_VA] = {
    "Incapacity", "Support", "Job search", "Part-time job", "Full-time job", "Exits" };

static const char *const state_short[N_STATE] = {
    "primary", "invalidity", "waiting", "training", "job search", "part-time",
    "full-time", "returned to work", "retired", "died" };

int viz_area_of_state(int state)
{
    switch (state) {
    case ST_PRIMARY:
    case ST_INVALIDITY: return VA_INCAPACITY;
    case ST_WAITING:
    case ST_TRAINING: return VA_SUPPORT;
    case ST_JOB_SEARCH: return VA_JOB_SEARCH;
    case ST_EMPLOYED_PT: return VA_PART_TIME;
    case ST_EMPLOYED_FT: return VA_FULL_TIME;
    default: return VA_EXIT;
    }
}

int viz_side_of_state(int state)
{
    return state == ST_PRIMARY || state == ST_TRAINING || state == ST_EXIT_RETIRED
           || state == ST_EXIT_DEAD;
}

const char *viz_area_name(int area)
{
    return area >= 0 && area < N_VA ? area_names[area] : "?";
}

const char *viz_area_short_name(int area)
{
    static const char *const names[N_VA] = {
        "Incapacity", "Support", "Job search", "Part-time", "Full-time", "Exits" };
    return area >= 0 && area < N_VA ? names[area] : "?";
}

const char *viz_state_short(int state)
{
    return state >= 0 && state < N_STATE ? state_short[state] : "?";
}

int viz_layout_text_width(int px, const char *s, int bold)
{
    /* em per character, measured on DejaVu Sans (Bold) and rounded up:
     * digits .64 (.70), lower case .56 (.64) on average, capitals .67 (.75) */
    double em = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c >= '0' && *c <= '9')
            em += bold ? 0.70 : 0.64;
        else if (*c >= 'a' && *c <= 'z')
            em += bold ? 0.66 : 0.60;
        else if (*c >= 'A' && *c <= 'Z')
            em += bold ? 0.78 : 0.72;
        else if (*c < 0x80)
            em += bold ? 0.44 : 0.40;
        else if ((*c & 0xC0) == 0xC0) /* first byte of a multi-byte character */
            em += bold ? 0.80 : 0.74;
    }
    return (int)(em * px + 0.999);
}

/* Columns and rows of dots `r` holds at `pitch` (the last column and row
 * need room for a dot only, not a whole pitch). */
static void grid(viz_rect r, int pitch, size_t *cols, size_t *rows)
{
    int d = viz_layout_dot_size(pitch);
    *cols = r.w >= d ? (size_t)((r.w - d) / pitch + 1) : 0;
    *rows = r.h >= d ? (size_t)((r.h - d) / pitch + 1) : 0;
}

size_t viz_layout_capacity(viz_rect r, int pitch)
{
    if (pitch < 1 || r.w < 1 || r.h < 1)
        return 0;
    size_t cols, rows;
    grid(r, pitch, &cols, &rows);
    return cols * rows;
}

int viz_layout_fit_pitch(viz_rect r, size_t left, size_t right, int max_pitch)
{
    for (int p = max_pitch; p > 1; p--) {
        size_t cols, rows;
        grid(r, p, &cols, &rows);
        if (rows && (left + rows - 1) / rows + (right + rows - 1) / rows <= cols)
            return p;
    }
    return 1;
}

int viz_layout_dot_size(int pitch)
{
    if (pitch < 2)
        return 1;
    int gap = pitch / 5 > 1 ? pitch / 5 : 1;
    return pitch - gap;
}

void viz_layout_slot_xy(viz_rect r, int pitch, size_t slot, int side, int *x, int *y)
{
    size_t cols, rows;
    grid(r, pitch, &cols, &rows);
    if (!cols || !rows) {
        *x = r.x;
        *y = r.y;
        return;
    }
    slot %= cols * rows;
    size_t col = slot / rows;
    if (side)
        col = cols - 1 - col;
    int used_h = (int)(rows - 1) * pitch + viz_layout_dot_size(pitch);
    *x = r.x + (int)col * pitch;
    *y = r.y + (r.h - used_h) / 2 + (int)(slot % rows) * pitch;
}

static int imax(int a, int b) { return a > b ? a : b; }

/* Lines needed to flow `n` breakdown items (swatch, count, name) into width w. */
static int breakdown_lines(const viz_layout *l, const int *states, int n, const char *count, int w)
{
    int px = l->font_px[VIZ_FONT_SMALL];
    int lines = 1, x = 0;
    for (int i = 0; i < n; i++) {
        char item[64];
        snprintf(item, sizeof item, "%s %s", count, state_short[states[i]]);
        int wi = px * 7 / 10 + px / 3 + viz_layout_text_width(px, item, 0);
        int sep = x ? px : 0;
        if (x && x + sep + wi > w) {
            lines++;
            x = wi;
        } else {
            x += sep + wi;
        }
    }
    return lines;
}

static void place_area(viz_layout *l, viz_area_box *a, viz_rect box, int area, const char *count)
{
    static const int states[N_VA][3] = {
        { ST_INVALIDITY, ST_PRIMARY }, { ST_WAITING, ST_TRAINING }, { ST_JOB_SEARCH },
        { ST_EMPLOYED_PT }, { ST_EMPLOYED_FT }, { ST_EXIT_RTW, ST_EXIT_RETIRED, ST_EXIT_DEAD } };
    static const int nstates[N_VA] = { 2, 2, 1, 1, 1, 3 };
    int pad = imax(2, l->gap);
    int inner = box.w - 2 * pad;
    int lp = l->font_px[VIZ_FONT_LABEL];
    a->box = box;
    int name_w = viz_layout_text_width(lp, area_names[area], 1);
    int count_w = viz_layout_text_width(lp, count, 1) + lp; /* + swatch */
    a->count_inline = name_w + lp + count_w <= inner;
    a->breakdown_lines = nstates[area] > 1
                             ? breakdown_lines(l, states[area], nstates[area], count, inner)
                             : 0;
    int label_h = l->line[VIZ_FONT_LABEL] * (a->count_inline ? 1 : 2)
                  + a->breakdown_lines * l->line[VIZ_FONT_SMALL];
    int sep = pad + pad / 2, avail = box.h - 2 * pad;
    if (label_h + sep + 1 > avail) { /* a tiny window: the label gives way, the dots keep a row */
        sep = avail > 2 ? 1 : 0;
        label_h = imax(1, avail - sep - 1);
    }
    a->label = (viz_rect){ box.x + pad, box.y + pad, imax(1, inner), label_h };
    int dots_y = a->label.y + label_h + sep;
    a->dots = (viz_rect){ box.x + pad, dots_y, imax(1, inner), imax(1, box.y + box.h - pad - dots_y) };
}

void viz_layout_compute(viz_layout *l, int w, int h, size_t people)
{
    memset(l, 0, sizeof *l);
    w = imax(w, VIZ_MIN_W);
    h = imax(h, VIZ_MIN_H);
    l->w = w;
    l->h = h;
    int s = h < w * 9 / 16 ? h : w * 9 / 16;
    static const int div[N_VIZ_FONT] = { 22, 34, 40, 50 };
    static const int min_px[N_VIZ_FONT] = { 14, 12, 11, 10 };
    for (int f = 0; f < N_VIZ_FONT; f++) {
        l->font_px[f] = imax(min_px[f], s / div[f]);
        l->line[f] = (l->font_px[f] * 6 + 4) / 5;
    }
    l->margin = imax(4, s / 80);
    l->gap = imax(2, l->margin / 2);
    int m = l->margin, g = l->gap;

    l->header = (viz_rect){ m, m, w - 2 * m, l->line[VIZ_FONT_TITLE] + l->line[VIZ_FONT_SMALL] };

    /* legend: one flowed line of swatch + name per state */
    int spx = l->font_px[VIZ_FONT_SMALL];
    int lw = viz_layout_text_width(spx, "Each dot is one claimant:", 0);
    int llines = 1;
    for (int st = 0; st < N_STATE; st++) {
        int item = spx * 7 / 10 + spx / 3 + viz_layout_text_width(spx, state_short[st], 0);
        if (lw + spx + item > w - 2 * m) {
            llines++;
            lw = item;
        } else {
            lw += spx + item;
        }
    }
    int legend_h = llines * l->line[VIZ_FONT_SMALL];

    int chart_h = imax(4 * l->line[VIZ_FONT_BODY], (h - l->header.h - 5 * m) * 24 / 100);
    int panel_y = l->header.y + l->header.h + m;
    int chart_y = h - m - chart_h;
    int legend_y = chart_y - m - legend_h;
    int panel_h = imax(40, legend_y - g - panel_y);
    int panel_w = (w - 3 * m) / 2;
    l->legend = (viz_rect){ m, legend_y, w - 2 * m, legend_h };
    l->chart = (viz_rect){ m, chart_y, w - 2 * m, chart_h };

    /* the widest count: the people per panel, digits as zeros, with separators */
    char count[32], digits[32];
    int nd = snprintf(digits, sizeof digits, "%zu", people);
    size_t o = 0;
    for (int i = 0; i < nd && o + 2 < sizeof count; i++) {
        if (i && (nd - i) % 3 == 0)
            count[o++] = ',';
        count[o++] = '0';
    }
    count[o] = 0;

    for (int p = 0; p < N_VIZ_PANEL; p++) {
        viz_rect P = { m + p * (panel_w + m), panel_y, panel_w, panel_h };
        l->panel[p] = P;
        l->panel_title[p] = (viz_rect){ P.x, P.y, P.w, l->line[VIZ_FONT_LABEL] };
        int ry = P.y + l->line[VIZ_FONT_LABEL] + g;
        int rh = imax(20, P.y + P.h - ry);
        /* incapacity (all at the start) and exits (growing) get most room */
        int top_h = (rh - g) * 66 / 100, bottom_h = rh - g - top_h;
        int cw = P.w - 2 * g;
        int c0 = cw * 50 / 100, c1 = cw * 25 / 100, c2 = cw - c0 - c1;
        int half = (top_h - g) / 2, half2 = top_h - g - half;
        int x1 = P.x + c0 + g, x2 = x1 + c1 + g;
        place_area(l, &l->area[p][VA_INCAPACITY], (viz_rect){ P.x, ry, c0, top_h }, VA_INCAPACITY, count);
        place_area(l, &l->area[p][VA_SUPPORT], (viz_rect){ x1, ry, c1, half }, VA_SUPPORT, count);
        place_area(l, &l->area[p][VA_JOB_SEARCH], (viz_rect){ x1, ry + half + g, c1, half2 }, VA_JOB_SEARCH, count);
        place_area(l, &l->area[p][VA_PART_TIME], (viz_rect){ x2, ry, c2, half }, VA_PART_TIME, count);
        place_area(l, &l->area[p][VA_FULL_TIME], (viz_rect){ x2, ry + half + g, c2, half2 }, VA_FULL_TIME, count);
        place_area(l, &l->area[p][VA_EXIT], (viz_rect){ P.x, ry + top_h + g, P.w, bottom_h }, VA_EXIT, count);
    }
    /* a big crowd gets small dots, a small one gets big dots, up to s / 54 */
    l->pitch = viz_layout_fit_pitch(l->area[0][VA_INCAPACITY].dots, people, 0, imax(2, s / 54));

    /* chart: title line on top, y labels left, x labels below, end labels right */
    int bpx = l->font_px[VIZ_FONT_BODY];
    int left = viz_layout_text_width(spx, "100%", 0) + g;
    int right = viz_layout_text_width(bpx, "100.0%", 0) + viz_layout_text_width(spx, "+10.0 pts", 0) + 3 * g;
    int top = l->line[VIZ_FONT_LABEL] + g;
    int bottom = l->line[VIZ_FONT_SMALL] + g;
    l->plot = (viz_rect){ l->chart.x + left, l->chart.y + top, imax(10, l->chart.w - left - right),
                          imax(10, l->chart.h - top - bottom) };
}
