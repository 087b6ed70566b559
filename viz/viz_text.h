/* viz_text: the viewer's four fonts and a cache of rendered strings.
 * Rendering a string with SDL_ttf costs far more than copying its texture,
 * and most labels repeat from frame to frame, so textures are kept and the
 * least recently used one is replaced when the cache is full. Textures belong
 * to one renderer; changing the font sizes empties the cache.
 */
#ifndef IPSIM_VIZ_TEXT_H
#define IPSIM_VIZ_TEXT_H

#include <stddef.h>
#include <SDL.h>
#include "viz/viz_layout.h"

enum { VIZ_ALIGN_LEFT, VIZ_ALIGN_RIGHT, VIZ_ALIGN_CENTER };

typedef struct viz_text viz_text;

/* Prepares text drawing on `ren` with the regular and bold TrueType fonts at
 * the given paths (opened at their first viz_text_set_sizes). Initialises
 * SDL_ttf. Returns NULL with a message in err when a font file is missing or
 * on allocation failure. Caller frees with viz_text_free before destroying
 * the renderer. */
viz_text *viz_text_alloc(SDL_Renderer *ren, const char *regular_path, const char *bold_path,
                         char *err, size_t len);
void viz_text_free(viz_text *t); /* NULL is a no-op */

/* Opens the fonts at px[VIZ_FONT_*] pixels (title and label bold, body and
 * small regular); a no-op when the sizes are unchanged. 0, or -1 with a
 * message in err. */
int viz_text_set_sizes(viz_text *t, const int px[N_VIZ_FONT], char *err, size_t len);

/* Draws UTF-8 `s` with its top at y, left/right edge or centre at x.
 * Returns the width drawn in pixels (0 for an empty string or on failure). */
int viz_text_draw(viz_text *t, int font, const char *s, SDL_Color c, int x, int y, int align);

/* Width of `s` in pixels without drawing it. */
int viz_text_width(viz_text *t, int font, const char *s);

/* Height of a line of `font` (its ascent plus descent), pixels. */
int viz_text_height(viz_text *t, int font);

/* Marks the start of a frame (for the least-recently-used order). */
void viz_text_frame(viz_text *t);

#endif
