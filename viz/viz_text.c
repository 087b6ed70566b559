/* viz_text: fonts and the string-texture cache; see viz_text.h. A lookup
 * scans the cache (O(entries) hash compares, a few hundred per string). */
#include "viz/viz_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <SDL_ttf.h>

#define TEXT_CACHE 384
#define TEXT_MAX 320 /* longer strings are drawn uncached */

typedef struct text_entry {
    SDL_Texture *tex;  /* NULL: free entry */
    uint64_t hash;
    uint32_t rgba;
    int font;
    int w, h;
    unsigned last;     /* frame of last use */
    char s[TEXT_MAX];
} text_entry;

struct viz_text {
    SDL_Renderer *ren;
    char path[2][512];           /* regular, bold */
    TTF_Font *font[N_VIZ_FONT];
    int px[N_VIZ_FONT];
    unsigned frame;
    text_entry cache[TEXT_CACHE];
};

static const int font_bold[N_VIZ_FONT] = { 1, 1, 0, 0 };

static void cache_flush(viz_text *t)
{
    for (int i = 0; i < TEXT_CACHE; i++) {
        if (t->cache[i].tex)
            SDL_DestroyTexture(t->cache[i].tex);
        t->cache[i].tex = NULL;
    }
}

static void fonts_close(viz_text *t)
{
    for (int f = 0; f < N_VIZ_FONT; f++) {
        if (t->font[f])
            TTF_CloseFont(t->font[f]);
        t->font[f] = NULL;
        t->px[f] = 0;
    }
}

viz_text *viz_text_alloc(SDL_Renderer *ren, const char *regular_path, const char *bold_path,
                         char *err, size_t len)
{
    const char *paths[2] = { regular_path, bold_path };
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(paths[i], "rb");
        if (!f) {
            snprintf(err, len, "font %s cannot be read; install fonts-dejavu-core or pass --font-dir DIR",
                     paths[i]);
            return NULL;
        }
        fclose(f);
    }
    if (TTF_Init() != 0) {
        snprintf(err, len, "SDL_ttf: %s", TTF_GetError());
        return NULL;
    }
    viz_text *t = calloc(1, sizeof *t);
    if (!t) {
        TTF_Quit();
        snprintf(err, len, "out of memory");
        return NULL;
    }
    t->ren = ren;
    snprintf(t->path[0], sizeof t->path[0], "%s", regular_path);
    snprintf(t->path[1], sizeof t->path[1], "%s", bold_path);
    return t;
}

void viz_text_free(viz_text *t)
{
    if (!t)
        return;
    cache_flush(t);
    fonts_close(t);
    free(t);
    TTF_Quit();
}

int viz_text_set_sizes(viz_text *t, const int px[N_VIZ_FONT], char *err, size_t len)
{
    if (!memcmp(px, t->px, sizeof t->px) && t->font[0])
        return 0;
    cache_flush(t);
    fonts_close(t);
    for (int f = 0; f < N_VIZ_FONT; f++) {
        const char *path = t->path[font_bold[f]];
        t->font[f] = TTF_OpenFont(path, px[f]);
        if (!t->font[f]) {
            snprintf(err, len, "font %s at %d px: %s", path, px[f], TTF_GetError());
            fonts_close(t);
            return -1;
        }
        t->px[f] = px[f];
    }
    return 0;
}

void viz_text_frame(viz_text *t)
{
    t->frame++;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

static uint32_t rgba_of(SDL_Color c)
{
    return (uint32_t)c.r << 24 | (uint32_t)c.g << 16 | (uint32_t)c.b << 8 | c.a;
}

/* Cached texture of (font, colour, s), rendering it on a miss. NULL on failure. */
static text_entry *lookup(viz_text *t, int font, const char *s, SDL_Color c)
{
    if (font < 0 || font >= N_VIZ_FONT || !t->font[font] || !*s || strlen(s) >= TEXT_MAX)
        return NULL;
    uint64_t h = hash_str(s);
    uint32_t rgba = rgba_of(c);
    text_entry *victim = NULL;
    for (int i = 0; i < TEXT_CACHE; i++) {
        text_entry *e = &t->cache[i];
        if (!e->tex) {
            if (!victim || victim->tex)
                victim = e;
            continue;
        }
        if (e->hash == h && e->font == font && e->rgba == rgba && !strcmp(e->s, s)) {
            e->last = t->frame;
            return e;
        }
        if (!victim || (victim->tex && e->last < victim->last))
            victim = e;
    }
    SDL_Surface *surf = TTF_RenderUTF8_Blended(t->font[font], s, c);
    if (!surf)
        return NULL;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(t->ren, surf);
    int w = surf->w, hh = surf->h;
    SDL_FreeSurface(surf);
    if (!tex)
        return NULL;
    if (victim->tex)
        SDL_DestroyTexture(victim->tex);
    *victim = (text_entry){ .tex = tex, .hash = h, .rgba = rgba, .font = font, .w = w, .h = hh,
                            .last = t->frame };
    memcpy(victim->s, s, strlen(s) + 1);
    return victim;
}

int viz_text_width(viz_text *t, int font, const char *s)
{
    if (font < 0 || font >= N_VIZ_FONT || !t->font[font] || !*s)
        return 0;
    int w = 0, h = 0;
    if (TTF_SizeUTF8(t->font[font], s, &w, &h) != 0)
        return 0;
    return w;
}

int viz_text_height(viz_text *t, int font)
{
    if (font < 0 || font >= N_VIZ_FONT || !t->font[font])
        return 0;
    return TTF_FontHeight(t->font[font]);
}

int viz_text_draw(viz_text *t, int font, const char *s, SDL_Color c, int x, int y, int align)
{
    text_entry *e = lookup(t, font, s, c);
    SDL_Texture *tex;
    int w, h;
    SDL_Texture *own = NULL;
    if (e) {
        tex = e->tex;
        w = e->w;
        h = e->h;
    } else { /* too long to cache, or out of memory: draw it once */
        if (font < 0 || font >= N_VIZ_FONT || !t->font[font] || !*s)
            return 0;
        SDL_Surface *surf = TTF_RenderUTF8_Blended(t->font[font], s, c);
        if (!surf)
            return 0;
        own = tex = SDL_CreateTextureFromSurface(t->ren, surf);
        w = surf->w;
        h = surf->h;
        SDL_FreeSurface(surf);
        if (!tex)
            return 0;
    }
    if (align == VIZ_ALIGN_RIGHT)
        x -= w;
    else if (align == VIZ_ALIGN_CENTER)
        x -= w / 2;
    SDL_Rect dst = { x, y, w, h };
    SDL_RenderCopy(t->ren, tex, NULL, &dst);
    if (own)
        SDL_DestroyTexture(own);
    return w;
}
