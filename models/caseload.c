/* caseload: coach slots and FIFO waiting lists; see caseload.h. */
#include "models/caseload.h"

#include <stdlib.h>
#include <string.h>

int caseload_init(caseload *c, const size_t coaches[N_REGION], int per_coach)
{
    memset(c, 0, sizeof *c);
    for (int r = 0; r < N_REGION; r++) {
        region_caseload *rc = &c->region[r];
        rc->coaches = coaches[r];
        rc->caseload = per_coach;
        rc->next_ticket = 1;
        rc->active = rc->coaches;
        rc->places = INT32_MAX;
        if (rc->coaches) {
            rc->clients = calloc(rc->coaches, sizeof *rc->clients);
            if (!rc->clients) {
                caseload_clear(c);
                return -1;
            }
        }
    }
    return 0;
}

void caseload_clear(caseload *c)
{
    for (int r = 0; r < N_REGION; r++) {
        free(c->region[r].clients);
        free(c->region[r].ring);
    }
    memset(c, 0, sizeof *c);
}

int caseload_schedule(caseload *c, int r, size_t coaches, int32_t places)
{
    region_caseload *rc = &c->region[r];
    if (coaches > rc->coaches) {
        int32_t *cl = realloc(rc->clients, coaches * sizeof *cl);
        if (!cl)
            return -1;
        memset(cl + rc->coaches, 0, (coaches - rc->coaches) * sizeof *cl);
        rc->clients = cl;
        rc->coaches = coaches;
    }
    rc->scheduled = true;
    rc->active = coaches;
    rc->places = places;
    rc->closed = places <= 0 || coaches == 0;
    return 0;
}

void caseload_limit_places(caseload *c, int r, int32_t places)
{
    c->region[r].places = places;
}

int32_t caseload_free_places(const caseload *c, int r)
{
    const region_caseload *rc = &c->region[r];
    if (rc->closed)
        return 0;
    if (rc->coaches == 0)
        return INT32_MAX;
    int32_t room = rc->places - rc->enrolled, coach_room = 0;
    for (size_t i = 0; i < rc->active; i++)
        if (rc->clients[i] < rc->caseload)
            coach_room += rc->caseload - rc->clients[i];
    if (coach_room < room)
        room = coach_room;
    return room > 0 ? room : 0;
}

uint16_t caseload_take(caseload *c, int r)
{
    region_caseload *rc = &c->region[r];
    if (rc->closed || rc->enrolled >= rc->places)
        return CASELOAD_NO_COACH;
    if (rc->coaches == 0) {
        rc->enrolled++;
        return 0;
    }
    size_t best = 0;
    for (size_t i = 1; i < rc->active; i++)
        if (rc->clients[i] < rc->clients[best])
            best = i;
    if (rc->clients[best] >= rc->caseload)
        return CASELOAD_NO_COACH;
    rc->clients[best]++;
    rc->enrolled++;
    return (uint16_t)best;
}

void caseload_release(caseload *c, int r, uint16_t coach)
{
    region_caseload *rc = &c->region[r];
    rc->enrolled--;
    if (rc->coaches && coach < rc->coaches)
        rc->clients[coach]--;
}

uint32_t caseload_enqueue(caseload *c, int r, uint32_t person)
{
    region_caseload *rc = &c->region[r];
    if (rc->len == rc->cap) {
        size_t cap = rc->cap ? rc->cap * 2 : 64;
        wait_entry *ring = malloc(cap * sizeof *ring);
        if (!ring)
            return 0;
        for (size_t i = 0; i < rc->len; i++)
            ring[i] = rc->ring[(rc->head + i) % rc->cap];
        free(rc->ring);
        rc->ring = ring;
        rc->head = 0;
        rc->cap = cap;
    }
    uint32_t ticket = rc->next_ticket++;
    if (rc->next_ticket == 0)
        rc->next_ticket = 1;
    rc->ring[(rc->head + rc->len) % rc->cap] = (wait_entry){ person, ticket };
    rc->len++;
    rc->waiting++;
    return ticket;
}

void caseload_leave(caseload *c, int r)
{
    c->region[r].waiting--;
}

bool caseload_next(caseload *c, int r, bool (*is_current)(void *, uint32_t, uint32_t),
                   void *arg, uint32_t *person)
{
    region_caseload *rc = &c->region[r];
    while (rc->len > 0) {
        wait_entry e = rc->ring[rc->head];
        rc->head = (rc->head + 1) % rc->cap;
        rc->len--;
        if (is_current(arg, e.person, e.ticket)) {
            rc->waiting--;
            *person = e.person;
            return true;
        }
    }
    return false;
}

size_t caseload_memory(const caseload *c)
{
    size_t bytes = sizeof *c;
    for (int r = 0; r < N_REGION; r++)
        bytes += c->region[r].coaches * sizeof(int32_t) + c->region[r].cap * sizeof(wait_entry);
    return bytes;
}
