/* viz_present: sending only the changed tiles of a frame to the window; see
 * viz_present.h. */
#include "viz/viz_present.h"

#include <string.h>

size_t viz_tiles_max(int w, int h)
{
    size_t tx = (size_t)(w + VIZ_TILE - 1) / VIZ_TILE, ty = (size_t)(h + VIZ_TILE - 1) / VIZ_TILE;
    return tx * ty;
}

static bool tile_differs(const SDL_Surface *a, const SDL_Surface *b, int x, int y, int w, int h)
{
    size_t off = (size_t)x * 4, bytes = (size_t)w * 4;
    for (int r = y; r < y + h; r++) {
        const uint8_t *pa = (const uint8_t *)a->pixels + (size_t)r * (size_t)a->pitch + off;
        const uint8_t *pb = (const uint8_t *)b->pixels + (size_t)r * (size_t)b->pitch + off;
        if (memcmp(pa, pb, bytes))
            return true;
    }
    return false;
}

size_t viz_diff_tiles(const SDL_Surface *a, const SDL_Surface *b, SDL_Rect *out, size_t max)
{
    size_t n = 0;
    int ntx = (a->w + VIZ_TILE - 1) / VIZ_TILE;
    for (int y = 0; y < a->h; y += VIZ_TILE) {
        int th = a->h - y < VIZ_TILE ? a->h - y : VIZ_TILE;
        int run = -1; /* x where the current run of changed tiles starts */
        for (int t = 0; t <= ntx; t++) { /* t == ntx closes the last run */
            int x = t * VIZ_TILE;
            int tw = a->w - x < VIZ_TILE ? a->w - x : VIZ_TILE;
            bool changed = t < ntx && tile_differs(a, b, x, y, tw, th);
            if (changed && run < 0) {
                run = x;
            } else if (!changed && run >= 0) {
                if (n < max)
                    out[n++] = (SDL_Rect){ run, y, (t < ntx ? x : a->w) - run, th };
                run = -1;
            }
        }
    }
    return n;
}

int viz_present(SDL_Window *win, SDL_Surface *frame, SDL_Surface *shown, bool full, SDL_Rect *rects,
                size_t *sent)
{
    SDL_Surface *ws = SDL_GetWindowSurface(win);
    if (!ws)
        return -1;
    size_t n;
    if (full) {
        rects[0] = (SDL_Rect){ 0, 0, frame->w, frame->h };
        n = 1;
    } else {
        n = viz_diff_tiles(frame, shown, rects, viz_tiles_max(frame->w, frame->h));
    }
    size_t px = 0;
    for (size_t i = 0; i < n; i++) {
        SDL_Rect src = rects[i], dst = rects[i];
        if (SDL_BlitSurface(frame, &src, ws, &dst) != 0)
            return -1;
        src = dst = rects[i];
        if (SDL_BlitSurface(frame, &src, shown, &dst) != 0)
            return -1;
        px += (size_t)rects[i].w * (size_t)rects[i].h;
    }
    if (sent)
        *sent = px;
    if (n && SDL_UpdateWindowSurfaceRects(win, rects, (int)n) != 0)
        return -1;
    return 0;
}
