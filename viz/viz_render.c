/* viz_render: drawing a viewer frame; see viz_render.h. Dots are batched by
 * colour (one SDL_RenderFillRects per state), text comes from viz_text's
 * cache, so a 1920 x 1080 frame of 2 x 5,000 dots costs a few milliseconds on
 * the software renderer. */
#include "viz/viz_render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz/viz_text.h"

struct viz_draw {
    SDL_Renderer *ren;
    viz_text *text;
    SDL_Rect *rects[N_STATE]; /* dot batches, rect_cap each */
    size_t rect_cap;
    SDL_Point *pts;           /* chart polyline, pts_cap */
    size_t pts_cap;
};

/* ---- palette ---------------------------------------------------------------- */

#define RGB(h) { (Uint8)((h) >> 16), (Uint8)((h) >> 8 & 0xff), (Uint8)((h) & 0xff), 255 }

/* Okabe-Ito (2008) colours for the states a viewer must tell apart within an
 * area; greys for the exits nobody returns from. */
static const SDL_Color state_color[N_STATE] = {
    RGB(0xD55E00), /* primary incapacity: vermillion */
    RGB(0xCC79A7), /* invalidity: reddish purple */
    RGB(0x0072B2), /* waiting: blue */
    RGB(0xF0E442), /* training: yellow */
    RGB(0xE69F00), /* job search: orange */
    RGB(0x56B4E9), /* part-time job: sky blue */
    RGB(0x009E73), /* full-time job: bluish green */
    RGB(0xFFFFFF), /* sustained return to work, off benefits: white */
    RGB(0x8C8C8C), /* retired: grey */
    RGB(0x5E5E5E), /* died: dark grey */
};
static const SDL_Color panel_color[N_VIZ_PANEL] = { RGB(0xE69F00), RGB(0x56B4E9) };
static const SDL_Color BG = RGB(0x0B0E14);
static const SDL_Color BOX = RGB(0x181C26);
static const SDL_Color BORDER = RGB(0x3A4252);
static const SDL_Color GRID = RGB(0x2A303C);
static const SDL_Color TEXT = RGB(0xFFFFFF);
static const SDL_Color DIM = RGB(0xC4CAD4);
static const SDL_Color BADGE = RGB(0xF0E442);

SDL_Color viz_state_color(int state)
{
    return state >= 0 && state < N_STATE ? state_color[state] : TEXT;
}

SDL_Color viz_panel_color(int panel)
{
    return panel >= 0 && panel < N_VIZ_PANEL ? panel_color[panel] : TEXT;
}

SDL_Color viz_background_color(void) { return BG; }

/* ---- formatting ------------------------------------------------------------- */

void viz_format_date(char *buf, size_t len, double start_year, double t)
{
    static const char *const months[12] = { "January", "February", "March", "April", "May", "June",
                                            "July", "August", "September", "October", "November",
                                            "December" };
    double y = start_year + t / DAYS_PER_YEAR + 1e-9;
    int year = (int)floor(y);
    int month = (int)floor((y - year) * 12.0);
    if (month > 11)
        month = 11;
    snprintf(buf, len, "%s %d", months[month], year);
}

void viz_format_count(char *buf, size_t len, int64_t n)
{
    char digits[32];
    int nd = snprintf(digits, sizeof digits, "%lld", (long long)(n < 0 ? -n : n));
    char out[48];
    size_t o = 0;
    if (n < 0)
        out[o++] = '-';
    for (int i = 0; i < nd; i++) {
        if (i && (nd - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = 0;
    snprintf(buf, len, "%s", out);
}

void viz_format_speed(char *buf, size_t len, double d)
{
    double years = d / DAYS_PER_YEAR;
    if (fabs(d - DAYS_PER_YEAR) < 1)
        snprintf(buf, len, "1 year/s");
    else if (d > DAYS_PER_YEAR && fabs(years - floor(years + 0.5)) < 0.01 * years)
        snprintf(buf, len, "%.0f years/s", floor(years + 0.5)); /* 3650 days: 10 years */
    else if (d > DAYS_PER_YEAR)
        snprintf(buf, len, "%.1f years/s", years);
    else if (fabs(d - 7) < 0.01)
        snprintf(buf, len, "1 week/s");
    else if (d < 25 && fabs(d / 7 - floor(d / 7 + 0.5)) < 0.01)
        snprintf(buf, len, "%.0f weeks/s", floor(d / 7 + 0.5));
    else if (fabs(d - DAYS_PER_MONTH) < 0.5)
        snprintf(buf, len, "1 month/s");
    else if (d > DAYS_PER_MONTH && fabs(d / DAYS_PER_MONTH - floor(d / DAYS_PER_MONTH + 0.5)) < 0.02)
        snprintf(buf, len, "%.0f months/s", floor(d / DAYS_PER_MONTH + 0.5));
    else
        snprintf(buf, len, "%.3g days/s", d);
}

/* ---- primitives ------------------------------------------------------------- */

static void set_color(SDL_Renderer *r, SDL_Color c)
{
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
}

static void fill(SDL_Renderer *r, int x, int y, int w, int h, SDL_Color c)
{
    SDL_Rect rc = { x, y, w, h };
    set_color(r, c);
    SDL_RenderFillRect(r, &rc);
}

static void outline(SDL_Renderer *r, viz_rect b, int thick, SDL_Color c)
{
    fill(r, b.x, b.y, b.w, thick, c);
    fill(r, b.x, b.y + b.h - thick, b.w, thick, c);
    fill(r, b.x, b.y, thick, b.h, c);
    fill(r, b.x + b.w - thick, b.y, thick, b.h, c);
}

static int swatch_size(const viz_layout *l, int font)
{
    return l->font_px[font] * 7 / 10;
}

/* A coloured square vertically centred on a text line of `font` at y. */
static void swatch(viz_draw *d, const viz_layout *l, int font, int x, int y, SDL_Color c)
{
    int sz = swatch_size(l, font);
    int th = viz_text_height(d->text, font);
    fill(d->ren, x, y + (th - sz) / 2 + sz / 10, sz, sz, c);
}

/* ---- dots ------------------------------------------------------------------- */

static int reserve_rects(viz_draw *d, size_t n)
{
    if (n <= d->rect_cap)
        return 0;
    size_t cap = d->rect_cap * 2 > n ? d->rect_cap * 2 : n;
    for (int st = 0; st < N_STATE; st++) {
        SDL_Rect *r = realloc(d->rects[st], cap * sizeof *r);
        if (!r)
            return -1;
        d->rects[st] = r;
    }
    d->rect_cap = cap;
    return 0;
}

int viz_draw_dots(viz_draw *d, const viz_layout *l, const viz_scene *s, viz_frame_stats *st)
{
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_NONE);
    for (int k = 0; k < N_VIZ_PANEL; k++) {
        const viz_panel *pn = &s->panel[k];
        const person *pp;
        claimant_run_people(pn->run, &pp);
        if (reserve_rects(d, pn->n) != 0)
            return -1;
        size_t count[N_STATE] = { 0 };
        int size[N_VA];
        for (int a = 0; a < N_VA; a++)
            size[a] = viz_layout_dot_size(pn->pitch[a] > 0 ? pn->pitch[a] : l->pitch);
        for (size_t i = 0; i < pn->n; i++) {
            int state = pp[i].state, a = pn->group[i] / 2;
            if (state >= N_STATE || pn->group[i] == VA_NONE)
                continue;
            d->rects[state][count[state]++] = (SDL_Rect){ (int)lroundf(pn->x[i]), (int)lroundf(pn->y[i]),
                                                          size[a], size[a] };
        }
        for (int state = 0; state < N_STATE; state++) {
            if (st)
                st->dots[k][state] = (int64_t)count[state];
            if (!count[state])
                continue;
            set_color(d->ren, state_color[state]);
            SDL_RenderFillRects(d->ren, d->rects[state], (int)count[state]);
        }
    }
    return 0;
}

/* ---- header, panels, legend ----------------------------------------------- */

static void draw_badge(viz_draw *d, const viz_layout *l, const char *text, int right, int y)
{
    int pad = l->gap;
    int w = viz_text_width(d->text, VIZ_FONT_LABEL, text) + 2 * pad;
    int h = viz_text_height(d->text, VIZ_FONT_LABEL);
    int th = viz_text_height(d->text, VIZ_FONT_TITLE);
    int by = y + (th - h) / 2;
    fill(d->ren, right - w, by, w, h, BADGE);
    viz_text_draw(d->text, VIZ_FONT_LABEL, text, BG, right - w + pad, by, VIZ_ALIGN_LEFT);
}

static void draw_header(viz_draw *d, const viz_layout *l, const viz_scene *s, const viz_ui *ui)
{
    viz_rect h = l->header;
    char date[48], buf[512], people[32], speed[32];
    viz_format_date(date, sizeof date, s->params.start_year, s->t);
    int right = h.x + h.w;
    int dw = viz_text_draw(d->text, VIZ_FONT_TITLE, date, TEXT, right, h.y, VIZ_ALIGN_RIGHT);
    int badge_right = right - dw - 2 * l->gap;
    const char *badge = ui->paused ? "PAUSED" : viz_scene_finished(s) ? "END" : NULL;
    int bw = badge ? viz_text_width(d->text, VIZ_FONT_LABEL, badge) + 4 * l->gap : 0;
    if (badge)
        draw_badge(d, l, badge, badge_right, h.y);
    static const char *const titles[] = { "Place-then-train (IPS) vs train-then-place",
                                          "IPS vs train-then-place", "IPS vs TTP" };
    int room = h.w - dw - bw - 2 * l->gap;
    for (size_t i = 0; i < sizeof titles / sizeof *titles; i++)
        if (viz_text_width(d->text, VIZ_FONT_TITLE, titles[i]) <= room || i + 1 == sizeof titles / sizeof *titles) {
            viz_text_draw(d->text, VIZ_FONT_TITLE, titles[i], TEXT, h.x, h.y, VIZ_ALIGN_LEFT);
            break;
        }

    viz_format_count(people, sizeof people, (int64_t)s->panel[0].n);
    const char *so_far = s->opt.inflow ? " so far" : "";
    viz_format_speed(speed, sizeof speed, ui->speed);
    int y = h.y + l->line[VIZ_FONT_TITLE];
    const char *end = viz_scene_finished(s) ? "end of the run: r starts again with a new seed"
                                            : "h: help";
    char variants[3][512];
    snprintf(variants[0], sizeof variants[0],
             "%s simulated claimants%s per panel: the same people and random draws in both  \xc2\xb7  "
             "%d: %s  \xc2\xb7  %s  \xc2\xb7  seed %llu  \xc2\xb7  %s",
             people, so_far, s->opt.preset, viz_preset_name(s->opt.preset), speed,
             (unsigned long long)s->opt.seed, end);
    snprintf(variants[1], sizeof variants[1],
             "%s claimants per panel, same people and draws  \xc2\xb7  %d: %s  \xc2\xb7  %s  \xc2\xb7  "
             "seed %llu  \xc2\xb7  %s",
             people, s->opt.preset, viz_preset_name(s->opt.preset), speed, (unsigned long long)s->opt.seed, end);
    snprintf(variants[2], sizeof variants[2], "%s per panel  \xc2\xb7  scenario %d  \xc2\xb7  %s  \xc2\xb7  %s",
             people, s->opt.preset, speed, end);
    for (int i = 0; i < 3; i++)
        if (viz_text_width(d->text, VIZ_FONT_SMALL, variants[i]) <= h.w || i == 2) {
            snprintf(buf, sizeof buf, "%s", variants[i]);
            break;
        }
    viz_text_draw(d->text, VIZ_FONT_SMALL, buf, DIM, h.x, y, VIZ_ALIGN_LEFT);
}

/* Per-state counts as flowed "[swatch] 1,234 name" items; returns nothing. */
static void draw_breakdown(viz_draw *d, const viz_layout *l, viz_rect r, int y, const int *states,
                           int n, const int64_t *totals)
{
    int sz = swatch_size(l, VIZ_FONT_SMALL), sp = l->font_px[VIZ_FONT_SMALL] / 3;
    int x = r.x;
    for (int i = 0; i < n; i++) {
        char num[32], item[96];
        viz_format_count(num, sizeof num, totals[states[i]]);
        snprintf(item, sizeof item, "%s %s", num, viz_state_short(states[i]));
        int w = sz + sp + viz_text_width(d->text, VIZ_FONT_SMALL, item);
        int sep = x > r.x ? l->font_px[VIZ_FONT_SMALL] : 0;
        if (x > r.x && x + sep + w > r.x + r.w) {
            x = r.x;
            y += l->line[VIZ_FONT_SMALL];
        } else {
            x += sep;
        }
        swatch(d, l, VIZ_FONT_SMALL, x, y, state_color[states[i]]);
        viz_text_draw(d->text, VIZ_FONT_SMALL, item, DIM, x + sz + sp, y, VIZ_ALIGN_LEFT);
        x += w;
    }
}

static void draw_area_box(viz_draw *d, const viz_layout *l, int k, int a)
{
    const viz_area_box *b = &l->area[k][a];
    fill(d->ren, b->box.x, b->box.y, b->box.w, b->box.h, BOX);
    outline(d->ren, b->box, l->w >= 2400 ? 2 : 1, BORDER);
}

/* The name and counts of an area; drawn after the dots, so that dots
 * gliding across a label never hide a digit. */
static void draw_area_label(viz_draw *d, const viz_layout *l, const viz_scene *s, int k, int a)
{
    static const int states[N_VA][3] = {
        { ST_INVALIDITY, ST_PRIMARY }, { ST_WAITING, ST_TRAINING }, { ST_JOB_SEARCH },
        { ST_EMPLOYED_PT }, { ST_EMPLOYED_FT }, { ST_EXIT_RTW, ST_EXIT_RETIRED, ST_EXIT_DEAD } };
    static const int nstates[N_VA] = { 2, 2, 1, 1, 1, 3 };
    const viz_area_box *b = &l->area[k][a];
    const int64_t *totals = s->panel[k].totals;
    SDL_Rect clip = { b->label.x, b->label.y, b->label.w, b->label.h };
    SDL_RenderSetClipRect(d->ren, &clip);
    int64_t total = 0;
    for (int i = 0; i < nstates[a]; i++)
        total += totals[states[a][i]];
    char num[32];
    viz_format_count(num, sizeof num, total);
    int room = b->label.w;
    if (b->count_inline)
        room -= viz_text_width(d->text, VIZ_FONT_LABEL, num) + 2 * l->font_px[VIZ_FONT_LABEL];
    const char *name = viz_area_name(a);
    if (viz_text_width(d->text, VIZ_FONT_LABEL, name) > room)
        name = viz_area_short_name(a);
    viz_text_draw(d->text, VIZ_FONT_LABEL, name, TEXT, b->label.x, b->label.y, VIZ_ALIGN_LEFT);
    int cx, cy = b->label.y, align;
    if (b->count_inline) {
        cx = b->label.x + b->label.w;
        align = VIZ_ALIGN_RIGHT;
    } else {
        cx = b->label.x;
        cy += l->line[VIZ_FONT_LABEL];
        align = VIZ_ALIGN_LEFT;
    }
    if (nstates[a] == 1) { /* the swatch doubles as this area's legend */
        int sz = swatch_size(l, VIZ_FONT_LABEL), sp = l->font_px[VIZ_FONT_LABEL] / 3;
        int w = viz_text_width(d->text, VIZ_FONT_LABEL, num);
        int sx = align == VIZ_ALIGN_RIGHT ? cx - w - sp - sz : cx;
        swatch(d, l, VIZ_FONT_LABEL, sx, cy, state_color[states[a][0]]);
        if (align == VIZ_ALIGN_LEFT)
            cx += sz + sp;
    }
    viz_text_draw(d->text, VIZ_FONT_LABEL, num, TEXT, cx, cy, align);
    if (b->breakdown_lines)
        draw_breakdown(d, l, b->label, b->label.y + l->line[VIZ_FONT_LABEL] * (b->count_inline ? 1 : 2),
                       states[a], nstates[a], totals);
    SDL_RenderSetClipRect(d->ren, NULL);
}

static void draw_panel_title(viz_draw *d, const viz_layout *l, const viz_scene *s, int k)
{
    viz_rect t = l->panel_title[k];
    char right[96];
    const policy_params *pol = &s->params.policy[s->panel[k].policy];
    if (pol->kind == POLICY_IPS && pol->prog.fidelity_scaled)
        snprintf(right, sizeof right, "IPS-25 fidelity %.0f", pol->prog.fidelity);
    else if (pol->kind == POLICY_IPS)
        snprintf(right, sizeof right, "job search first");
    else
        snprintf(right, sizeof right, pol->prog.training ? "training first" : "no training phase");
    const char *name = k == VIZ_PANEL_IPS ? "Place-then-train (IPS)" : "Train-then-place";
    int w = viz_text_draw(d->text, VIZ_FONT_LABEL, name, panel_color[k], t.x, t.y, VIZ_ALIGN_LEFT);
    if (w + l->gap + viz_text_width(d->text, VIZ_FONT_SMALL, right) <= t.w) {
        int dy = viz_text_height(d->text, VIZ_FONT_LABEL) - viz_text_height(d->text, VIZ_FONT_SMALL);
        viz_text_draw(d->text, VIZ_FONT_SMALL, right, DIM, t.x + t.w, t.y + dy * 3 / 4, VIZ_ALIGN_RIGHT);
    }
    int bar = l->gap / 2 > 2 ? l->gap / 2 : 2;
    fill(d->ren, t.x, t.y + t.h + (l->gap - bar) / 2, t.w, bar > l->gap ? l->gap : bar, panel_color[k]);
}

static void draw_legend(viz_draw *d, const viz_layout *l)
{
    static const int order[N_STATE] = { ST_PRIMARY, ST_INVALIDITY, ST_WAITING, ST_TRAINING,
                                         ST_JOB_SEARCH, ST_EMPLOYED_PT, ST_EMPLOYED_FT,
                                         ST_EXIT_RTW, ST_EXIT_RETIRED, ST_EXIT_DEAD };
    viz_rect r = l->legend;
    int x = r.x, y = r.y;
    int sz = swatch_size(l, VIZ_FONT_SMALL), sp = l->font_px[VIZ_FONT_SMALL] / 3;
    x += viz_text_draw(d->text, VIZ_FONT_SMALL, "Each dot is one claimant:", DIM, x, y, VIZ_ALIGN_LEFT);
    for (int i = 0; i < N_STATE; i++) {
        const char *name = viz_state_short(order[i]);
        int w = sz + sp + viz_text_width(d->text, VIZ_FONT_SMALL, name);
        int sep = l->font_px[VIZ_FONT_SMALL];
        if (x + sep + w > r.x + r.w) {
            x = r.x;
            y += l->line[VIZ_FONT_SMALL];
        } else {
            x += sep;
        }
        swatch(d, l, VIZ_FONT_SMALL, x, y, state_color[order[i]]);
        viz_text_draw(d->text, VIZ_FONT_SMALL, name, TEXT, x + sz + sp, y, VIZ_ALIGN_LEFT);
        x += w;
    }
}

/* ---- chart ------------------------------------------------------------------ */

static int reserve_points(viz_draw *d, size_t n)
{
    if (n <= d->pts_cap)
        return 0;
    SDL_Point *p = realloc(d->pts, n * sizeof *p);
    if (!p)
        return -1;
    d->pts = p;
    d->pts_cap = n;
    return 0;
}

/* A polyline `th` pixels thick; dashed: 2 on, 1 off in steps of `dash` px of x. */
static void thick_line(SDL_Renderer *r, const SDL_Point *p, size_t n, int th, bool dashed, int dash,
                       int x0)
{
    for (int o = -(th / 2); o <= (th - 1) / 2; o++) {
        for (int dir = 0; dir < 2; dir++) {
            if (dir && th < 3)
                break;
            int dx = dir ? o : 0, dy = dir ? 0 : o;
            for (size_t i = 1; i < n; i++) {
                if (dashed && ((p[i].x - x0) / dash) % 3 == 2)
                    continue;
                SDL_RenderDrawLine(r, p[i - 1].x + dx, p[i - 1].y + dy, p[i].x + dx, p[i].y + dy);
            }
        }
    }
}

/* The chart's title for population `chart` with `n` people, longer first;
 * each says whom the lines follow and what they measure. */
static int chart_titles(char titles[][160], int chart, size_t n, const char *month)
{
    char num[32];
    viz_format_count(num, sizeof num, (int64_t)n);
    if (chart == VIZ_CHART_ALL) {
        snprintf(titles[0], 160, "Everyone simulated (%s people): share ever employed since %s", num, month);
        snprintf(titles[1], 160, "Everyone (%s): share ever employed since %s", num, month);
    } else {
        snprintf(titles[0], 160, "Referred to a programme by then (%s): share ever employed since %s", num,
                 month);
        snprintf(titles[1], 160, "Referred by then (%s): share ever employed since %s", num, month);
    }
    return 2;
}

static int draw_chart(viz_draw *d, const viz_layout *l, const viz_scene *s, const viz_ui *ui)
{
    viz_rect c = l->chart, p = l->plot;
    SDL_Renderer *ren = d->ren;
    int th = l->font_px[VIZ_FONT_SMALL] / 6 > 2 ? l->font_px[VIZ_FONT_SMALL] / 6 : 2;
    int chart = ui->chart == VIZ_CHART_ALL ? VIZ_CHART_ALL : VIZ_CHART_REFERRED;

    /* key, right-aligned on the title line: line sample + name for each panel */
    static const char *const key_names[N_VIZ_PANEL] = { "IPS", "train-then-place" };
    int seg = l->font_px[VIZ_FONT_SMALL] * 2, sp = l->font_px[VIZ_FONT_SMALL] / 2;
    int kw = 0;
    for (int k = 0; k < N_VIZ_PANEL; k++)
        kw += seg + sp + viz_text_width(d->text, VIZ_FONT_SMALL, key_names[k]) + (k ? 0 : 2 * sp);

    /* the longest title that leaves room for the key, else the shortest
     * without it; measured with the count of everyone, which the referred
     * never exceed, so the wording stays put while their count grows */
    char titles[2][160], month[48];
    viz_format_date(month, sizeof month, s->params.start_year, 0);
    int nt = chart_titles(titles, chart, s->chart_people[VIZ_CHART_ALL], month), pick = nt - 1;
    bool key = false;
    for (int i = 0; i < nt && !key; i++)
        if (viz_text_width(d->text, VIZ_FONT_LABEL, titles[i]) + 2 * sp + kw <= c.w) {
            pick = i;
            key = true;
        }
    chart_titles(titles, chart, s->chart_people[chart], month);
    viz_text_draw(d->text, VIZ_FONT_LABEL, titles[pick], TEXT, c.x, c.y, VIZ_ALIGN_LEFT);
    if (key) {
        int kx = c.x + c.w - kw;
        int ky = c.y + viz_text_height(d->text, VIZ_FONT_LABEL) - viz_text_height(d->text, VIZ_FONT_SMALL);
        int my = ky + viz_text_height(d->text, VIZ_FONT_SMALL) / 2;
        for (int k = 0; k < N_VIZ_PANEL; k++) {
            SDL_Point pts[2] = { { kx, my }, { kx + seg, my } };
            set_color(ren, panel_color[k]);
            thick_line(ren, pts, 2, th, false, 0, kx);
            if (k == VIZ_PANEL_TTP) { /* show the dashes of the line */
                fill(ren, kx + seg / 3, my - th, seg / 6, 2 * th, BG);
                fill(ren, kx + seg * 5 / 6, my - th, seg / 6, 2 * th, BG);
            }
            kx += seg + sp;
            kx += viz_text_draw(d->text, VIZ_FONT_SMALL, key_names[k], TEXT, kx, ky, VIZ_ALIGN_LEFT) + 2 * sp;
        }
    }

    /* y scale: a round maximum above the data */
    double vmax = 0;
    for (int k = 0; k < N_VIZ_PANEL; k++)
        for (size_t i = 0; i < s->nhist; i++)
            if (s->panel[k].ever[chart][i] > vmax) /* false for NAN */
                vmax = s->panel[k].ever[chart][i];
    double ymax = ceil(vmax * 1.15 * 10.0 - 1e-9) / 10.0;
    if (ymax < 0.1)
        ymax = 0.1;
    if (ymax > 1)
        ymax = 1;
    double step = ymax <= 0.2 ? 0.05 : ymax <= 0.5 ? 0.1 : 0.2;
    int sh = viz_text_height(d->text, VIZ_FONT_SMALL);
    for (int i = 0; i * step <= ymax + 1e-9; i++) {
        int y = p.y + p.h - (int)lround(i * step / ymax * p.h);
        fill(ren, p.x, y, p.w, 1, i ? GRID : BORDER);
        char lab[16];
        snprintf(lab, sizeof lab, "%.0f%%", i * step * 100);
        viz_text_draw(d->text, VIZ_FONT_SMALL, lab, DIM, p.x - l->gap, y - sh / 2, VIZ_ALIGN_RIGHT);
    }
    /* x axis: calendar years */
    double y0 = s->params.start_year, years = s->horizon / DAYS_PER_YEAR;
    int lw = viz_layout_text_width(l->font_px[VIZ_FONT_SMALL], "2030", 0);
    int every = 1;
    while (every < 100 && p.w / (years / every + 1) < lw * 1.6)
        every++;
    for (int yr = (int)ceil(y0 - 1e-9); yr <= y0 + years + 1e-9; yr++) {
        int x = p.x + (int)lround((yr - y0) / years * p.w);
        fill(ren, x, p.y + p.h, 1, l->gap, BORDER);
        if ((yr - (int)ceil(y0 - 1e-9)) % every)
            continue;
        char lab[16];
        snprintf(lab, sizeof lab, "%d", yr);
        viz_text_draw(d->text, VIZ_FONT_SMALL, lab, DIM, x, p.y + p.h + l->gap / 2, VIZ_ALIGN_CENTER);
    }
    /* the lines start at the first sample with people to follow (before it,
     * nobody was referred yet); the population only grows */
    size_t first = 0;
    while (first < s->nhist && isnan(s->panel[0].ever[chart][first]))
        first++;
    if (first >= s->nhist)
        return 0;
    size_t np = s->nhist - first;
    if (reserve_points(d, np) != 0)
        return -1;

    /* the two series, their end values and the gap between them; the dashed
     * train-then-place line goes on top, so that where the lines meet the
     * solid IPS line shows through its gaps and neither hides the other */
    int endy[N_VIZ_PANEL], endx = p.x;
    double endv[N_VIZ_PANEL];
    for (int k = 0; k < N_VIZ_PANEL; k++) {
        const float *v = s->panel[k].ever[chart] + first;
        for (size_t i = 0; i < np; i++) {
            double t = (double)(first + i) * VIZ_HISTORY_DAYS;
            d->pts[i].x = p.x + (int)lround(t / s->horizon * p.w);
            d->pts[i].y = p.y + p.h - (int)lround(v[i] / ymax * p.h);
        }
        set_color(ren, panel_color[k]);
        thick_line(ren, d->pts, np, th, k == VIZ_PANEL_TTP, 3 * th + 2, p.x);
        endx = d->pts[np - 1].x;
        endy[k] = d->pts[np - 1].y;
        endv[k] = v[np - 1];
    }
    int bh = viz_text_height(d->text, VIZ_FONT_BODY);
    int ty[N_VIZ_PANEL] = { endy[0] - bh / 2, endy[1] - bh / 2 };
    if (abs(ty[0] - ty[1]) < bh) { /* keep the labels apart, the higher value on top */
        int mid = (ty[0] + ty[1]) / 2;
        int top = endv[0] >= endv[1] ? 0 : 1;
        ty[top] = mid - bh / 2;
        ty[1 - top] = mid + bh / 2;
    }
    /* both labels beside the plot: not down among the year labels (values
     * near 0%, as at the start of a run), not up into the title line */
    int lo = ty[0] > ty[1] ? ty[0] : ty[1], hi = ty[0] < ty[1] ? ty[0] : ty[1];
    int shift = p.y + p.h + l->gap / 2 - bh - lo;
    if (shift > 0)
        shift = 0;
    if (hi + shift < p.y - bh / 2)
        shift = p.y - bh / 2 - hi;
    ty[0] += shift;
    ty[1] += shift;
    int lx = endx + l->gap, wmax = 0;
    for (int k = 0; k < N_VIZ_PANEL; k++) {
        char lab[16];
        snprintf(lab, sizeof lab, "%.1f%%", endv[k] * 100);
        int w = viz_text_draw(d->text, VIZ_FONT_BODY, lab, panel_color[k], lx, ty[k], VIZ_ALIGN_LEFT);
        if (w > wmax)
            wmax = w;
    }
    char gap[48];
    double pts = (endv[0] - endv[1]) * 100;
    snprintf(gap, sizeof gap, "%s%.1f pts", pts >= 0.05 ? "+" : pts <= -0.05 ? "\xe2\x88\x92" : "", fabs(pts));
    viz_text_draw(d->text, VIZ_FONT_SMALL, gap, TEXT, lx + wmax + l->gap, (ty[0] + ty[1]) / 2 + (bh - sh) / 2,
                  VIZ_ALIGN_LEFT);
    return 0;
}

/* ---- overlays --------------------------------------------------------------- */

static void draw_toast(viz_draw *d, const viz_layout *l, const char *msg)
{
    int pad = l->margin;
    int w = viz_text_width(d->text, VIZ_FONT_BODY, msg) + 2 * pad;
    int h = viz_text_height(d->text, VIZ_FONT_BODY) + pad;
    viz_rect b = { (l->w - w) / 2, l->chart.y + l->chart.h / 2 - h / 2, w, h };
    fill(d->ren, b.x, b.y, b.w, b.h, BOX);
    outline(d->ren, b, 2, BADGE);
    viz_text_draw(d->text, VIZ_FONT_BODY, msg, TEXT, b.x + pad, b.y + pad / 2, VIZ_ALIGN_LEFT);
}

static void draw_help(viz_draw *d, const viz_layout *l)
{
    static const char *const rows[][2] = {
        { "space", "pause / resume" },
        { "+  \xe2\x88\x92", "faster / slower" },
        { "r", "restart with a new seed" },
        { "1", "the config's scenario as given" },
        { "2", "high-fidelity IPS (IPS-25 score 120)" },
        { "3", "fair-fidelity IPS (IPS-25 score 85)" },
        { "c", "chart: the referred / everyone" },
        { "f", "full screen on / off" },
        { "s", "screenshot (BMP in the current folder)" },
        { "h", "this help on / off" },
        { "q  Esc", "quit" },
    };
    int n = (int)(sizeof rows / sizeof *rows);
    int kw = 0, dw = 0;
    for (int i = 0; i < n; i++) {
        int a = viz_text_width(d->text, VIZ_FONT_LABEL, rows[i][0]);
        int b = viz_text_width(d->text, VIZ_FONT_BODY, rows[i][1]);
        kw = a > kw ? a : kw;
        dw = b > dw ? b : dw;
    }
    int pad = 2 * l->margin, lh = l->line[VIZ_FONT_LABEL];
    int w = pad + kw + pad + dw + pad, h = pad + lh * (n + 1) + pad;
    viz_rect b = { (l->w - w) / 2, (l->h - h) / 2, w, h };
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_BLEND); /* dim the frame behind */
    SDL_Color veil = BG;
    veil.a = 170;
    fill(d->ren, 0, 0, l->w, l->h, veil);
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_NONE);
    fill(d->ren, b.x, b.y, b.w, b.h, BOX);
    outline(d->ren, b, 2, BORDER);
    int y = b.y + pad;
    viz_text_draw(d->text, VIZ_FONT_LABEL, "Keys", TEXT, b.x + pad, y, VIZ_ALIGN_LEFT);
    y += lh;
    for (int i = 0; i < n; i++, y += lh) {
        viz_text_draw(d->text, VIZ_FONT_LABEL, rows[i][0], BADGE, b.x + pad, y, VIZ_ALIGN_LEFT);
        viz_text_draw(d->text, VIZ_FONT_BODY, rows[i][1], TEXT, b.x + pad + kw + pad,
                      y + (viz_text_height(d->text, VIZ_FONT_LABEL) - viz_text_height(d->text, VIZ_FONT_BODY)) / 2,
                      VIZ_ALIGN_LEFT);
    }
}

/* ---- frame ------------------------------------------------------------------ */

viz_draw *viz_draw_alloc(SDL_Renderer *ren, const char *font_regular, const char *font_bold,
                         char *err, size_t len)
{
    viz_draw *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, len, "out of memory");
        return NULL;
    }
    d->ren = ren;
    d->text = viz_text_alloc(ren, font_regular, font_bold, err, len);
    if (!d->text) {
        free(d);
        return NULL;
    }
    return d;
}

void viz_draw_free(viz_draw *d)
{
    if (!d)
        return;
    viz_text_free(d->text);
    for (int st = 0; st < N_STATE; st++)
        free(d->rects[st]);
    free(d->pts);
    free(d);
}

int viz_draw_frame(viz_draw *d, const viz_layout *l, const viz_scene *s, const viz_ui *ui,
                   viz_frame_stats *st, char *err, size_t len)
{
    if (viz_text_set_sizes(d->text, l->font_px, err, len) != 0)
        return -1;
    viz_text_frame(d->text);
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_NONE);
    set_color(d->ren, BG);
    SDL_RenderClear(d->ren);
    draw_header(d, l, s, ui);
    for (int k = 0; k < N_VIZ_PANEL; k++) {
        draw_panel_title(d, l, s, k);
        for (int a = 0; a < N_VA; a++)
            draw_area_box(d, l, k, a);
    }
    if (viz_draw_dots(d, l, s, st) != 0 || draw_chart(d, l, s, ui) != 0) {
        snprintf(err, len, "out of memory drawing a frame");
        return -1;
    }
    for (int k = 0; k < N_VIZ_PANEL; k++)
        for (int a = 0; a < N_VA; a++)
            draw_area_label(d, l, s, k, a);
    draw_legend(d, l);
    if (ui->help)
        draw_help(d, l);
    if (ui->toast)
        draw_toast(d, l, ui->toast);
    return 0;
}
