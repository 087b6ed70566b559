/* claimant: one synthetic claimant (the agent) and the keyed random draws
 * that give every person the same numbers under every policy.
 *
 * The record is 64 bytes, one cache line (the people array is line-aligned),
 * so that a national run stays within about 100 bytes per person; times are
 * float days (resolution under two minutes over a 30-year run), which is
 * ample for monthly outputs.
 */
#ifndef IPSIM_CLAIMANT_H
#define IPSIM_CLAIMANT_H

#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "sim/sim_rng.h"
#include "models/params.h"

/* Purposes of random draws. Each has its own counter per person, so the k-th
 * draw of a purpose is the same whatever else happened (common random
 * numbers). Draws are Exp(1) or U(0,1) from stream (person, purpose, k). */
typedef enum draw_purpose {
    DRAW_RECOVERY, DRAW_PART_TIME, DRAW_REFERRAL, DRAW_TRAINING,
    DRAW_DROPOUT, DRAW_RELAPSE, DRAW_JOB_FIND, DRAW_JOB_LOSS, DRAW_PT_TO_FT,
    N_DRAW,
    /* one-off draws (no counter) */
    DRAW_ATTRIBUTES = 32, DRAW_DEATH, DRAW_COACH_EFFECT
} draw_purpose;

enum {
    PF_ENROLLED = 1u << 0,     /* holds a coach slot */
    PF_SCREENED_OUT = 1u << 1, /* excluded at referral: not referred again */
    PF_FROM_STOCK = 1u << 2,   /* in the initial stock (else inflow) */
    PF_ON_BENEFIT = 1u << 3,   /* receives incapacity/invalidity benefit */
    PF_INVALIDITY = 1u << 4,   /* benefit is invalidity (12+ months since onset) */
    PF_PROGRAMME_JOB = 1u << 5, /* current job was found through the programme */
    PF_EVER_ENROLLED = 1u << 6,
    PF_DIES = 1u << 7,          /* end_day is the day of death (else pension age) */
};

typedef struct person {
    float birth_day;      /* days relative to day 0 (negative) */
    float onset_day;      /* start of the current incapacity period */
    float entry_day;      /* entry into the current state (hire day when employed) */
    float end_day;        /* earlier of the day of death (drawn at creation)
                           * and the day of pension age; PF_DIES tells which */
    float first_job_day;  /* +INFINITY until the first job */
    float days_employed;  /* closed employment spells, days */
    float next_time;      /* drawn time of the next state transition */
    float arrival_day;    /* day the person entered the simulation */
    uint32_t stream_id;   /* names the person's streams: stock position or
                           * inflow candidate number (see claimant_model.c) */
    uint32_t pending;     /* engine event id of the person's pending event */
    uint32_t wait_ticket; /* ticket in the regional waiting list: 0 until the
                           * person first waits, never cleared after (the
                           * viewer reads it to tell who was referred) */
    uint8_t sex, region, diagnosis, severity, education;
    uint8_t state;        /* claimant_state */
    uint8_t next_kind;    /* transition drawn for next_time */
    uint8_t flags;        /* PF_* */
    uint16_t coach;       /* coach index within the region while enrolled */
    uint8_t draws[N_DRAW];/* per-purpose draw counters (wrap after 256) */
} person;

/* Key of person `id`'s streams in replication `rep_key`. */
static inline uint64_t claimant_key(uint64_t rep_key, uint32_t id)
{
    return sim_rng_child(rep_key, (uint64_t)id + 1);
}

/* Key of the k-th stream of `purpose` of person `pkey`: a child of the
 * person's key under a label that no other (purpose, k) and no one-off
 * purpose shares (one child, where a purpose key and its k-th child took
 * two). */
static inline uint64_t claimant_draw_key(uint64_t pkey, draw_purpose purpose, unsigned k)
{
    return sim_rng_child(pkey, 256u * ((unsigned)purpose + 1) + (k & 0xffu));
}

/* The next stream of `purpose` for person `pkey`, advancing the person's
 * counter. Its first number is an event time (Exp(1)). */
static inline sim_stream claimant_stream(uint64_t pkey, person *p, draw_purpose purpose)
{
    unsigned k = p->draws[purpose]++;
    return sim_stream_at(claimant_draw_key(pkey, purpose, k));
}

/* The decision stream of the person's last draw of `purpose`: its numbers
 * decide what the drawn event does (screening at referral, type of a job
 * found), so those choices stay aligned with their event across policies.
 * It is a child of the event's stream, not the numbers after the event
 * time, which the exponential draw may consume. */
static inline sim_stream claimant_decision_stream(uint64_t pkey, const person *p,
                                                  draw_purpose purpose)
{
    uint64_t key = claimant_draw_key(pkey, purpose, (uint8_t)(p->draws[purpose] - 1));
    return sim_stream_at(sim_rng_child(key, 1));
}

/* The one-off stream of `purpose` for person `pkey`. */
static inline sim_stream claimant_stream_once(uint64_t pkey, draw_purpose purpose)
{
    return sim_stream_at(sim_rng_child(pkey, (uint64_t)purpose));
}

static inline double claimant_age_years(const person *p, double now)
{
    return (now - p->birth_day) / DAYS_PER_YEAR;
}

static inline int claimant_is_exited(const person *p)
{
    return p->state >= ST_EXIT_RTW;
}

static inline int claimant_is_employed(const person *p)
{
    return p->state == ST_EMPLOYED_PT || p->state == ST_EMPLOYED_FT;
}

const char *claimant_state_name(int state);  /* "primary_incapacity", ... */
const char *claimant_state_label(int state); /* "Primary incapacity", ... */

#endif
