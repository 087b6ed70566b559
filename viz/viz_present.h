/* viz_present: shows software-rendered frames in a window by sending only
 * the tiles that changed since the frame before. Uploading a whole 1080p
 * frame to the X server costs several times more than drawing it, while
 * from one frame to the next only the moving dots, the counters, the date
 * and the tip of the chart change. The window and the headless mode draw
 * the same frames with the same code; only the showing differs.
 */
#ifndef IPSIM_VIZ_PRESENT_H
#define IPSIM_VIZ_PRESENT_H

#include <stdbool.h>
#include <stddef.h>
#include <SDL.h>

#define VIZ_TILE 64 /* side of a compared tile, pixels */

/* Most rectangles viz_diff_tiles can return for a w x h frame. */
size_t viz_tiles_max(int w, int h);

/* Rectangles covering every tile where surfaces `a` and `b` (same size and
 * format, 4 bytes a pixel) differ; neighbouring changed tiles of a tile row
 * are merged into one rectangle. Writes at most `max` rectangles to out and
 * returns their number. O(pixels) in the worst case, a memcmp per tile row. */
size_t viz_diff_tiles(const SDL_Surface *a, const SDL_Surface *b, SDL_Rect *out, size_t max);

/* Shows `frame` in `win`: copies the parts that differ from `shown` (what
 * the window holds, same size and format as frame) to the window and to
 * `shown`, or everything when `full`. rects must hold viz_tiles_max(w, h).
 * Sets *sent to the pixels sent when not NULL. 0, or -1 with SDL_GetError. */
int viz_present(SDL_Window *win, SDL_Surface *frame, SDL_Surface *shown, bool full, SDL_Rect *rects,
                size_t *sent);

#endif
