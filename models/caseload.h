/* caseload: coaches and first-come-first-served waiting lists per region.
 *
 * A region has c coaches of caseload k, so at most c*k clients. A client is
 * assigned to the coach with the fewest clients (lowest index on ties). When
 * all coaches are full, referrals queue; a freed slot admits the longest
 * waiting person of that region. Waiting lists are rings of (person, ticket);
 * a person who leaves the list early is skipped by ticket, so removal is O(1).
 */
#ifndef IPSIM_CASELOAD_H
#define IPSIM_CASELOAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "models/params.h"

#define CASELOAD_NO_COACH 0xffffu

typedef struct wait_entry {
    uint32_t person;
    uint32_t ticket;
} wait_entry;

typedef struct region_caseload {
    size_t coaches;      /* 0 = unlimited capacity (unless scheduled) */
    int32_t caseload;
    int32_t *clients;    /* per coach */
    /* capacity set by a by-year coach schedule (caseload_schedule): new
     * clients go to the first `active` coaches while fewer than `places`
     * clients are enrolled; `closed` takes no one. Unscheduled regions have
     * active == coaches and places == INT32_MAX. */
    size_t active;
    int32_t places;
    bool scheduled, closed;
    int32_t enrolled;    /* all clients in the region */
    wait_entry *ring;
    size_t head, len, cap;
    uint32_t next_ticket;
    int32_t waiting;     /* live entries (len counts stale ones too) */
} region_caseload;

typedef struct caseload {
    region_caseload region[N_REGION];
} caseload;

/* Sets up `coaches[r]` coaches of `caseload` clients per region (0 coaches =
 * no limit). 0, or -1 on allocation failure. */
int caseload_init(caseload *c, const size_t coaches[N_REGION], int per_coach);
void caseload_clear(caseload *c);

/* Sets a scheduled capacity for region r: `places` clients at most (0 =
 * closed) spread over `coaches` coaches of the region's caseload. Growing
 * adds empty coaches; shrinking stops new clients until enough have left
 * (nobody is removed). 0, or -1 on allocation failure. */
int caseload_schedule(caseload *c, int r, size_t coaches, int32_t places);

/* Limits an unscheduled region r to `places` clients (at most its coaches
 * x caseload): a fixed capacity that does not fill whole coaches. */
void caseload_limit_places(caseload *c, int r, int32_t places);

/* Clients region r could still take now (INT32_MAX when unlimited). */
int32_t caseload_free_places(const caseload *c, int r);

/* Takes a slot in region r if one is free: returns the coach index (or 0 when
 * capacity is unlimited), or CASELOAD_NO_COACH if all are full. */
uint16_t caseload_take(caseload *c, int r);
/* Frees the slot of `coach` in region r. */
void caseload_release(caseload *c, int r, uint16_t coach);

/* Appends a person to region r's list; returns its ticket, 0 on allocation failure. */
uint32_t caseload_enqueue(caseload *c, int r, uint32_t person);
/* Marks one waiting entry of region r as gone (the person left the list). */
void caseload_leave(caseload *c, int r);
/* Pops the longest-waiting person of region r for whom is_current(arg,
 * person, ticket) holds (stale entries are dropped); false if none. */
bool caseload_next(caseload *c, int r, bool (*is_current)(void *, uint32_t, uint32_t),
                   void *arg, uint32_t *person);

size_t caseload_memory(const caseload *c);

#endif
