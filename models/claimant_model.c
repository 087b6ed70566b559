/* claimant_model: states, transitions and capacity of the claimant
 * simulation; see claimant_model.h and docs/model.md. */
#include "models/claimant_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_engine.h"
#include "sim/sim_memory.h"
#include "models/caseload.h"
#include "models/hazard.h"
#include "models/policy.h"
#include "models/population.h"
#include "models/schedule.h"

/* Event kinds: person transitions first, then person clocks, then globals. */
enum {
    T_NONE,
    T_RECOVERY, T_PART_TIME_START, T_REFERRAL, T_TRAINING_END, T_DROPOUT, T_RELAPSE,
    T_JOB_FIND, T_JOB_LOSS, T_PT_TO_FT, T_SEARCH_END, T_SUSTAINED, T_DISCHARGE,
    T_ANNIVERSARY, T_DEATH, T_RETIRE,
    EV_MONTH, EV_ARRIVAL, EV_CAPACITY, EV_COHORT_ENTRY
};
#define GLOBAL_TARGET UINT32_MAX

struct claimant_run {
    const model_params *p;
    const policy_params *policy;
    const programme_params *prog;
    policy_effects eff;
    double now;                  /* time of the event being handled (days) */
    double month_lo, month_hi;   /* see month_now */
    /* cumulative job-loss hazard (ratio 1) at sustained_days + 1 day from the
     * start of full-time work, when job loss runs on the state clock; a
     * larger draw cannot beat the sustained return (INFINITY: no cap) */
    double job_loss_cap;
    size_t month_cached;
    bool anniversary_keeps_race; /* see keeps_race_at_anniversary */
    uint64_t rep_key;
    uint64_t inflow_key;         /* parent of the inflow candidates' streams */
    uint64_t inflow_people_key;  /* parent of the people's streams of the inflow */
    uint64_t candidate_key;      /* stream of the scheduled inflow candidate */
    sim_engine *eng;
    caseload cl;

    person *people;
    size_t npeople, cap;

    double horizon;
    size_t months, month;        /* next snapshot index */
    double inflow_max_rate;      /* per day, thinning bound */
    uint64_t inflow_candidates;

    int32_t state_now[N_STATE][N_REGION][N_SEX];
    int32_t benefit_now[N_BENEFIT][N_DIAG][N_SEX];
    run_results res;
    int error;

    const claimant_cohort *cohort; /* cohort (trial) mode, else NULL */
    size_t cohort_next;            /* next person of the cohort to enter */
};

const char *claimant_state_name(int s)
{
    static const char *const names[N_STATE + 1] = {
        "primary_incapacity", "invalidity", "waiting", "training", "job_search",
        "employed_part_time", "employed_full_time", "exit_sustained_rtw",
        "exit_retired", "exit_dead", "outside" };
    return s >= 0 && s <= N_STATE ? names[s] : "unknown";
}

const char *claimant_state_label(int s)
{
    static const char *const labels[N_STATE + 1] = {
        "Primary incapacity", "Invalidity", "Waiting for a coach", "Training",
        "Job search", "Employed part-time", "Employed full-time",
        "Sustained return to work", "Retired", "Died", "Outside" };
    return s >= 0 && s <= N_STATE ? labels[s] : "Unknown";
}

/* ---- bookkeeping -------------------------------------------------------- */

static size_t month_of(const claimant_run *run, double t)
{
    size_t m = (size_t)(t / DAYS_PER_MONTH);
    return m < run->months ? m : (run->months ? run->months - 1 : 0);
}

/* month_of(run->now), remembered between events: while now stays inside
 * the remembered month, away from its ends by more than rounding can move
 * a quotient, the division would give the same month. */
static size_t month_now(claimant_run *run)
{
    double now = run->now;
    if (!(now >= run->month_lo && now < run->month_hi)) {
        size_t m = month_of(run, now);
        run->month_cached = m;
        run->month_lo = (double)m * DAYS_PER_MONTH * (1 + 1e-12);
        run->month_hi = m + 1 < run->months ? (double)(m + 1) * DAYS_PER_MONTH * (1 - 1e-12)
                                            : INFINITY; /* the last month takes all later days */
    }
    return run->month_cached;
}

#define NO_MONTH SIZE_MAX

/* Month whose flows an event counts in: the one the last snapshot opened.
 * An event at the very time of a snapshot that runs before it belongs to
 * the month that snapshot closes, so counts[m] + flows[m] = counts[m + 1].
 * NO_MONTH after the last snapshot (a horizon that is not a whole number of
 * months ends with a part of a month that no table holds). Without
 * snapshots (a cohort run may skip them), the month of its time. */
static size_t flow_month(claimant_run *run)
{
    if (run->month == 0)
        return month_now(run);
    size_t m = run->month - 1;
    return m < run->months ? m : NO_MONTH;
}

static void log_event(claimant_run *run, uint32_t id, int from, int to)
{
    run_results *r = &run->res;
    double now = run->now;
    size_t m = flow_month(run);
    if (m != NO_MONTH)
        r->flows[RES_FLOW_IDX(m, from, to)]++;
    if (!run->p->event_log)
        return;
    if (r->nlog == r->log_cap) {
        size_t cap = r->log_cap ? r->log_cap * 2 : 4096;
        event_record *log = realloc(r->log, cap * sizeof *log);
        if (!log) {
            run->error = -1;
            return;
        }
        r->log = log;
        r->log_cap = cap;
    }
    r->log[r->nlog++] = (event_record){ now, id, (uint8_t)from, (uint8_t)to };
}

static void set_state(claimant_run *run, person *x, int to)
{
    int from = x->state;
    run->state_now[from][x->region][x->sex]--;
    run->state_now[to][x->region][x->sex]++;
    x->state = (uint8_t)to;
    log_event(run, (uint32_t)(x - run->people), from, to);
    if (run->cohort && run->cohort->on_state)
        run->cohort->on_state(run->cohort->arg, (size_t)(x - run->people), x, from, to,
                              run->now);
}

static void benefit_count(claimant_run *run, const person *x, int delta)
{
    if (x->flags & PF_ON_BENEFIT)
        run->benefit_now[(x->flags & PF_INVALIDITY) ? BENEFIT_INVALIDITY : BENEFIT_PRIMARY]
                        [x->diagnosis][x->sex] += delta;
}

static void set_benefit(claimant_run *run, person *x, bool on)
{
    benefit_count(run, x, -1);
    x->flags = on ? (x->flags | PF_ON_BENEFIT) : (x->flags & ~PF_ON_BENEFIT);
    benefit_count(run, x, +1);
}

/* A person's streams are keyed by their position in the initial stock or
 * by their candidate number in the inflow (the person's stream_id), not by
 * their index in the people array: changing a parameter that adds or removes
 * someone (stock size, inflow rate) then leaves everyone else's draws
 * unchanged, so results move smoothly with parameters (calibration relies on
 * this). The key is derived again when needed (two mixes), which is cheaper
 * than keeping it: a stored key cost 8 bytes a person and a second cache
 * miss per event. In cohort mode the cohort supplies each person's key. */
static uint64_t stream_key(const claimant_run *run, bool from_stock, uint32_t id)
{
    return claimant_key(from_stock ? run->rep_key : run->inflow_people_key, id);
}

static uint64_t person_key(const claimant_run *run, const person *x)
{
    if (run->cohort)
        return run->cohort->keys[x - run->people];
    return stream_key(run, (x->flags & PF_FROM_STOCK) != 0, x->stream_id);
}

/* ---- drawing the next transition ----------------------------------------- */

typedef struct race {
    double time;  /* absolute day */
    int kind;
} race;

static void race_enter(race *r, double t, int kind)
{
    if (t < r->time) {
        r->time = t;
        r->kind = kind;
    }
}

/* Draws one competing risk and enters it in the race. `delay` days pass
 * before the hazard's clock starts (from the state entry); `age_band` is the
 * person's age band now (computed once per race). `cap`: when the draw's
 * share of cumulative hazard (E / ratio) exceeds it, the event comes after a
 * deadline the race holds anyway, so its time is not worked out (the draw
 * is still taken, so later draws stay aligned); INFINITY for none. */
static inline __attribute__((always_inline)) void
race_hazard_capped(claimant_run *run, race *r, person *x, uint64_t pkey, const hazard *h,
                   draw_purpose purpose, double ratio, int kind, double delay, int age_band,
                   double cap)
{
    if (h->shape == HAZ_NONE)
        return;
    double now = run->now;
    double in_state = now - x->entry_day;
    double age;
    double wait = 0;
    if (h->clock == CLOCK_ONSET) {
        age = now - x->onset_day;
    } else {
        age = in_state - delay;
        if (age < 0) {
            wait = -age;
            age = 0;
        }
    }
    ratio *= hazard_ratio(h, x->sex, age_band, x->region, x->severity, x->education);
    sim_stream st = claimant_stream(pkey, x, purpose);
    double e = sim_stream_exponential(&st);
    double target = e / ratio; /* the draw's share of cumulative hazard */
    if (target > cap)
        return;
    race_enter(r, now + wait + hazard_residual(h, age, e, ratio), kind);
}

static inline __attribute__((always_inline)) void
race_hazard(claimant_run *run, race *r, person *x, uint64_t pkey, const hazard *h,
            draw_purpose purpose, double ratio, int kind, double delay, int age_band)
{
    race_hazard_capped(run, r, x, pkey, h, purpose, ratio, kind, delay, age_band, INFINITY);
}

/* Whether a drawn time of hazard h stays valid when the state changes but
 * the hazard does not: yes on the onset clock (the clock does not restart)
 * and for a constant hazard (memoryless). */
static bool survives_state_change(const hazard *h)
{
    return h->shape == HAZ_NONE || h->shape == HAZ_EXPONENTIAL || h->clock == CLOCK_ONSET;
}

/* At the one-year anniversary primary incapacity becomes invalidity, with
 * the same risks: the race drawn in primary incapacity can be kept when
 * every one of them survives the state change (the default scenario);
 * otherwise the risks are redrawn on the new state's clock. */
static bool keeps_race_at_anniversary(const model_params *p)
{
    return survives_state_change(&p->recovery) && survives_state_change(&p->part_time_start)
           && survives_state_change(&p->referral);
}

static bool referral_eligible(const claimant_run *run, const person *x)
{
    const model_params *p = run->p;
    if (!run->eff.programme || (x->flags & PF_SCREENED_OUT))
        return false;
    if (p->referral_mental_only && x->diagnosis != DIAG_MENTAL)
        return false;
    if (run->cl.region[x->region].closed) /* scheduled capacity of 0 coaches */
        return false;
    return claimant_age_years(x, run->now) < p->referral_max_age;
}

static bool supported(const person *x) { return (x->flags & PF_ENROLLED) != 0; }

/* Draws the competing risks of the person's current state into
 * next_time/next_kind; pkey is the person's stream key. */
static void draw_state_risks_keyed(claimant_run *run, person *x, uint64_t pkey)
{
    const model_params *p = run->p;
    const policy_effects *eff = &run->eff;
    race r = { INFINITY, T_NONE };
    int band = hazard_age_band(claimant_age_years(x, run->now));
    switch (x->state) {
    case ST_PRIMARY:
    case ST_INVALIDITY:
        race_hazard(run, &r, x, pkey, &p->recovery, DRAW_RECOVERY, 1, T_RECOVERY, 0, band);
        race_hazard(run, &r, x, pkey, &p->part_time_start, DRAW_PART_TIME, 1, T_PART_TIME_START,
                    0, band);
        if (referral_eligible(run, x))
            race_hazard(run, &r, x, pkey, &p->referral, DRAW_REFERRAL, 1, T_REFERRAL, 0, band);
        break;
    case ST_WAITING:
        race_hazard(run, &r, x, pkey, &p->recovery, DRAW_RECOVERY, 1, T_RECOVERY, 0, band);
        break;
    case ST_TRAINING:
        race_hazard(run, &r, x, pkey, &run->prog->training_end, DRAW_TRAINING, 1, T_TRAINING_END,
                    0, band);
        race_hazard(run, &r, x, pkey, &p->dropout, DRAW_DROPOUT, eff->dropout, T_DROPOUT, 0, band);
        race_hazard(run, &r, x, pkey, &p->relapse, DRAW_RELAPSE, eff->relapse, T_RELAPSE, 0, band);
        break;
    case ST_JOB_SEARCH: {
        double accept = 1 - p->offer_refusal * eff->refusal_ratio;
        if (accept < 0)
            accept = 0;
        double coach = 1;
        if (run->cohort && run->cohort->coach_job_find[x->region] && supported(x)
            && run->cl.region[x->region].coaches)
            coach = run->cohort->coach_job_find[x->region][x->coach];
        race_hazard(run, &r, x, pkey, &p->job_find, DRAW_JOB_FIND, eff->job_find * accept * coach,
                    T_JOB_FIND, run->prog->first_contact_days, band);
        race_hazard(run, &r, x, pkey, &p->dropout, DRAW_DROPOUT, eff->dropout, T_DROPOUT, 0, band);
        race_hazard(run, &r, x, pkey, &p->relapse, DRAW_RELAPSE, eff->relapse, T_RELAPSE, 0, band);
        if (run->prog->max_search_days > 0)
            race_enter(&r, x->entry_day + run->prog->max_search_days, T_SEARCH_END);
        break;
    }
    case ST_EMPLOYED_PT:
    case ST_EMPLOYED_FT: {
        double loss = 1;
        if (x->flags & PF_PROGRAMME_JOB)
            loss *= eff->job_loss_match;
        if (supported(x))
            loss *= eff->job_loss_support;
        /* full-time work ends in a sustained return at entry + sustained_days:
         * a job loss drawn beyond run->job_loss_cap comes later */
        race_hazard_capped(run, &r, x, pkey, &p->job_loss, DRAW_JOB_LOSS, loss, T_JOB_LOSS, 0,
                           band, x->state == ST_EMPLOYED_FT ? run->job_loss_cap : INFINITY);
        race_hazard(run, &r, x, pkey, &p->relapse, DRAW_RELAPSE,
                    supported(x) ? eff->relapse : 1, T_RELAPSE, 0, band);
        if (x->state == ST_EMPLOYED_PT)
            race_hazard(run, &r, x, pkey, &p->part_to_full, DRAW_PT_TO_FT, 1, T_PT_TO_FT, 0, band);
        else
            race_enter(&r, x->entry_day + p->sustained_days, T_SUSTAINED);
        if (supported(x) && run->prog->follow_along_days > 0)
            race_enter(&r, x->entry_day + run->prog->follow_along_days, T_DISCHARGE);
        break;
    }
    default:
        break;
    }
    x->next_time = (float)r.time;
    x->next_kind = (uint8_t)r.kind;
}

static void draw_state_risks(claimant_run *run, person *x)
{
    draw_state_risks_keyed(run, x, person_key(run, x));
}

/* Schedules the earliest of the drawn transition and the person's clocks. */
static void schedule_person(claimant_run *run, person *x)
{
    if (x->pending != SIM_NO_EVENT) {
        sim_cancel(run->eng, x->pending);
        x->pending = SIM_NO_EVENT;
    }
    if (claimant_is_exited(x))
        return;
    race r = { x->next_time, x->next_kind };
    race_enter(&r, x->end_day, (x->flags & PF_DIES) ? T_DEATH : T_RETIRE);
    if ((x->flags & PF_ON_BENEFIT) && !(x->flags & PF_INVALIDITY))
        race_enter(&r, x->onset_day + DAYS_PER_YEAR, T_ANNIVERSARY);
    if (!(r.time <= run->horizon))
        return;
    if (run->cohort && run->cohort->end_day && !(r.time <= run->cohort->end_day[x - run->people]))
        return;
    double now = run->now;
    if (r.time < now)
        r.time = now;
    x->pending = sim_schedule(run->eng, r.time, (uint32_t)(x - run->people), (uint16_t)r.kind);
    if (x->pending == SIM_NO_EVENT)
        run->error = -1;
}

/* Moves to a new state, starting its clock, and draws what comes next. */
static void enter_state(claimant_run *run, person *x, int to)
{
    set_state(run, x, to);
    x->entry_day = (float)run->now;
    draw_state_risks(run, x);
    schedule_person(run, x);
}

/* ---- programme places ---------------------------------------------------- */

static bool waiting_current(void *arg, uint32_t id, uint32_t ticket)
{
    const claimant_run *run = arg;
    const person *x = &run->people[id];
    return x->state == ST_WAITING && x->wait_ticket == ticket;
}

static void start_programme(claimant_run *run, person *x, uint16_t coach)
{
    x->flags |= PF_ENROLLED | PF_EVER_ENROLLED;
    x->coach = coach;
    int32_t load = run->cl.region[x->region].coaches
                       ? run->cl.region[x->region].clients[coach] : 0;
    if (load > run->res.max_clients_per_coach)
        run->res.max_clients_per_coach = load;
    enter_state(run, x, run->prog->training ? ST_TRAINING : ST_JOB_SEARCH);
}

/* Fills free places of region r from its waiting list. */
static void admit_waiting(claimant_run *run, int r)
{
    for (;;) {
        if (run->cl.region[r].waiting <= 0)
            return;
        uint16_t coach = caseload_take(&run->cl, r);
        if (coach == CASELOAD_NO_COACH)
            return;
        uint32_t id;
        if (!caseload_next(&run->cl, r, waiting_current, run, &id)) {
            caseload_release(&run->cl, r, coach);
            return;
        }
        start_programme(run, &run->people[id], coach);
    }
}

static void leave_programme(claimant_run *run, person *x)
{
    if (supported(x)) {
        x->flags &= ~PF_ENROLLED;
        caseload_release(&run->cl, x->region, x->coach);
        admit_waiting(run, x->region);
    }
}

/* ---- transitions --------------------------------------------------------- */

static void close_job(claimant_run *run, person *x)
{
    if (claimant_is_employed(x))
        x->days_employed += (float)(run->now - x->entry_day);
    x->flags &= ~PF_PROGRAMME_JOB;
}

/* Back on incapacity benefit: the old incapacity period continues when the
 * person left benefit only briefly, else a new primary period starts. */
static void return_to_benefit(claimant_run *run, person *x)
{
    if (x->flags & PF_ON_BENEFIT)
        return;
    double now = run->now;
    if (now - x->entry_day > run->p->benefit_return_days) {
        x->onset_day = (float)now;
        x->flags &= ~PF_INVALIDITY;
    }
    set_benefit(run, x, true);
}

static void back_to_incapacity(claimant_run *run, person *x)
{
    return_to_benefit(run, x);
    close_job(run, x);
    leave_programme(run, x);
    enter_state(run, x, (x->flags & PF_INVALIDITY) ? ST_INVALIDITY : ST_PRIMARY);
}

static void start_job(claimant_run *run, person *x, int state)
{
    double now = run->now;
    if (!(x->first_job_day <= now))
        x->first_job_day = (float)now;
    if (x->state == ST_WAITING)
        caseload_leave(&run->cl, x->region);
    set_benefit(run, x, state == ST_EMPLOYED_PT);
    enter_state(run, x, state);
}

static void exit_to(claimant_run *run, person *x, int state)
{
    close_job(run, x);
    if (x->state == ST_WAITING)
        caseload_leave(&run->cl, x->region);
    leave_programme(run, x);
    set_benefit(run, x, false);
    set_state(run, x, state);
    x->entry_day = (float)run->now;
    x->next_time = INFINITY;
    x->next_kind = T_NONE;
}

static void refer(claimant_run *run, person *x)
{
    if (run->cl.region[x->region].closed) {
        /* the programme closed after this referral was drawn */
        draw_state_risks(run, x);
        schedule_person(run, x);
        return;
    }
    sim_stream st = claimant_decision_stream(person_key(run, x), x, DRAW_REFERRAL);
    double u = sim_stream_uniform(&st);
    int sev = x->severity < 3 ? x->severity : SEV_MILD;
    if (u < run->prog->exclusion[sev]) {
        x->flags |= PF_SCREENED_OUT;
        draw_state_risks(run, x);
        schedule_person(run, x);
        return;
    }
    uint16_t coach = caseload_take(&run->cl, x->region);
    if (coach != CASELOAD_NO_COACH) {
        start_programme(run, x, coach);
        return;
    }
    if (!run->prog->waiting_list) {
        /* no place and no list: the referral lapses */
        draw_state_risks(run, x);
        schedule_person(run, x);
        return;
    }
    x->wait_ticket = caseload_enqueue(&run->cl, x->region, (uint32_t)(x - run->people));
    if (x->wait_ticket == 0) {
        run->error = -1;
        return;
    }
    enter_state(run, x, ST_WAITING);
}

static void find_job(claimant_run *run, person *x)
{
    sim_stream st = claimant_decision_stream(person_key(run, x), x, DRAW_JOB_FIND);
    int state = sim_stream_uniform(&st) < run->p->part_time_share ? ST_EMPLOYED_PT
                                                                  : ST_EMPLOYED_FT;
    x->flags |= PF_PROGRAMME_JOB;
    if (run->prog->follow_along_days == 0)
        leave_programme(run, x);
    start_job(run, x, state);
}

static void person_event(claimant_run *run, uint32_t id, int kind)
{
    person *x = &run->people[id];
    x->pending = SIM_NO_EVENT;
    switch (kind) {
    case T_DEATH:
        exit_to(run, x, ST_EXIT_DEAD);
        break;
    case T_RETIRE:
        exit_to(run, x, ST_EXIT_RETIRED);
        break;
    case T_ANNIVERSARY:
        benefit_count(run, x, -1);
        x->flags |= PF_INVALIDITY;
        benefit_count(run, x, +1);
        size_t m = flow_month(run);
        if (m != NO_MONTH)
            run->res.invalidity_entries[RES_ENTRY_IDX(m, x->diagnosis, x->sex)]++;
        if (x->state == ST_PRIMARY && !run->anniversary_keeps_race) {
            enter_state(run, x, ST_INVALIDITY);
            break;
        }
        if (x->state == ST_PRIMARY) {
            /* invalidity has the risks of primary incapacity, each on the
             * onset clock or memoryless: the drawn race still holds */
            set_state(run, x, ST_INVALIDITY);
            x->entry_day = (float)run->now;
        }
        schedule_person(run, x);
        break;
    case T_RECOVERY:
        start_job(run, x, ST_EMPLOYED_FT);
        break;
    case T_PART_TIME_START:
        start_job(run, x, ST_EMPLOYED_PT);
        break;
    case T_REFERRAL:
        refer(run, x);
        break;
    case T_TRAINING_END:
        enter_state(run, x, ST_JOB_SEARCH);
        break;
    case T_DROPOUT:
    case T_RELAPSE:
    case T_SEARCH_END:
        back_to_incapacity(run, x);
        break;
    case T_JOB_FIND:
        find_job(run, x);
        break;
    case T_JOB_LOSS:
        if (supported(x)) {
            return_to_benefit(run, x);
            close_job(run, x);
            enter_state(run, x, ST_JOB_SEARCH);
        } else {
            back_to_incapacity(run, x);
        }
        break;
    case T_PT_TO_FT: {
        uint8_t programme_job = x->flags & PF_PROGRAMME_JOB; /* the match effect stays */
        close_job(run, x);
        x->flags |= programme_job;
        set_benefit(run, x, false);
        enter_state(run, x, ST_EMPLOYED_FT);
        break;
    }
    case T_SUSTAINED:
        exit_to(run, x, ST_EXIT_RTW);
        break;
    case T_DISCHARGE:
        leave_programme(run, x);
        draw_state_risks(run, x);
        schedule_person(run, x);
        break;
    default:
        run->error = -2;
    }
}

/* ---- scheduled capacity (programme.coaches_by_year) ---------------------- */

/* Real coaches of a step schedule in `year`: none before its first year. */
static double coaches_in_year(const year_schedule *s, double year)
{
    if (s->n == 0 || year < s->year[0])
        return 0;
    return schedule_step(s, year, 0);
}

#define CAPACITY_DELAY 1e-6 /* days */

/* Day of the next schedule point after day `now` (INFINITY if none). */
static double next_capacity_day(const claimant_run *run, double now)
{
    double next = INFINITY;
    for (int r = 0; r < N_REGION; r++) {
        const year_schedule *s = &run->prog->coaches_by_year[r];
        for (size_t i = 0; i < s->n; i++) {
            double day = (s->year[i] - run->p->start_year) * DAYS_PER_YEAR;
            if (day > now + 10 * CAPACITY_DELAY && day < next)
                next = day;
        }
    }
    return next;
}

/* A region's waiting list closes with its programme: back to incapacity. */
static void flush_waiting(claimant_run *run, int r)
{
    uint32_t id;
    while (caseload_next(&run->cl, r, waiting_current, run, &id)) {
        person *x = &run->people[id];
        enter_state(run, x, (x->flags & PF_INVALIDITY) ? ST_INVALIDITY : ST_PRIMARY);
    }
}

/* A region's programme opens: people already in incapacity get the referral
 * risk added to the race they drew without it (it is memoryless), so their
 * other draws stay those of the policies without programme. O(people). */
static void open_region(claimant_run *run, int r)
{
    for (size_t i = 0; i < run->npeople; i++) {
        person *x = &run->people[i];
        if (x->region != r || (x->state != ST_PRIMARY && x->state != ST_INVALIDITY)
            || !referral_eligible(run, x))
            continue;
        race rc = { x->next_time, x->next_kind };
        race_hazard(run, &rc, x, person_key(run, x), &run->p->referral, DRAW_REFERRAL, 1,
                    T_REFERRAL, 0, hazard_age_band(claimant_age_years(x, run->now)));
        if (rc.kind == T_REFERRAL) {
            x->next_time = (float)rc.time;
            x->next_kind = T_REFERRAL;
            schedule_person(run, x);
        }
    }
}

/* Clients per coach (1 for a policy without programme, whose caseload is
 * unset). */
static int32_t caseload_of(const claimant_run *run)
{
    return run->prog->caseload > 0 ? run->prog->caseload : 1;
}

/* Places of a region with `coaches` real coaches at the run's scale:
 * round(coaches x caseload x scale), at least one where there are coaches.
 * Fixed and scheduled capacity follow this one rule. */
static int32_t simulated_places(const claimant_run *run, double coaches)
{
    if (!(coaches > 0))
        return 0;
    double pl = floor(coaches * caseload_of(run) * run->p->scale + 0.5);
    if (pl < 1)
        pl = 1;
    return pl > 1e9 ? 1000000000 : (int32_t)pl;
}

/* Coaches needed for `places` clients. */
static size_t coaches_for(const claimant_run *run, int32_t places)
{
    int32_t k = caseload_of(run);
    return places > 0 ? (size_t)((places + k - 1) / k) : 0;
}

/* Sets every region's capacity for the current year: simulated_places on
 * as many coaches as they need. */
static void apply_capacity(claimant_run *run)
{
    const programme_params *g = run->prog;
    double now = run->now;
    double year = run->p->start_year + now / DAYS_PER_YEAR + 1e-9;
    for (int r = 0; r < N_REGION; r++) {
        int32_t places = simulated_places(run, coaches_in_year(&g->coaches_by_year[r], year));
        size_t n = coaches_for(run, places);
        region_caseload *rc = &run->cl.region[r];
        bool was_open = rc->scheduled && !rc->closed;
        if (caseload_schedule(&run->cl, r, n, places) != 0) {
            run->error = -1;
            return;
        }
        if (rc->closed) {
            flush_waiting(run, r);
        } else {
            if (!was_open)
                open_region(run, r);
            admit_waiting(run, r);
        }
    }
    /* a change takes effect just after the 1 January snapshot, so the
     * snapshot (31 December) shows the year that ends */
    double next = next_capacity_day(run, now) + CAPACITY_DELAY;
    if (next <= run->horizon
        && sim_schedule(run->eng, next, GLOBAL_TARGET, EV_CAPACITY) == SIM_NO_EVENT)
        run->error = -1;
}

/* ---- arrivals and snapshots --------------------------------------------- */

static void mental_share_at(const claimant_run *run, double year, double out[N_SEX])
{
    for (int s = 0; s < N_SEX; s++)
        out[s] = schedule_linear(&run->p->mental_share_inflow[s], year,
                                 run->p->inflow.share_mental[s]);
}

/* New records are mapped this many at a time (1 MiB): one call instead of
 * a page fault every 64 people. */
#define PREFAULT_PEOPLE 16384

static person *new_person(claimant_run *run)
{
    if (run->npeople == run->cap) {
        size_t cap = run->cap ? run->cap * 2 : 1024;
        if (cap > UINT32_MAX - 1)
            return NULL;
        person *pp = sim_alloc_large(cap * sizeof *pp);
        if (!pp)
            return NULL;
        memcpy(pp, run->people, run->npeople * sizeof *pp);
        free(run->people);
        run->people = pp;
        run->cap = cap;
    }
    if ((run->npeople & (PREFAULT_PEOPLE - 1)) == 0) {
        size_t ahead = run->cap - run->npeople;
        if (ahead > PREFAULT_PEOPLE)
            ahead = PREFAULT_PEOPLE;
        sim_prefault(&run->people[run->npeople], ahead * sizeof *run->people);
    }
    return &run->people[run->npeople++];
}

static void add_person(claimant_run *run, const cohort_params *c, bool from_stock,
                       uint32_t stream)
{
    double now = run->now;
    double share[N_SEX];
    if (from_stock)
        memcpy(share, c->share_mental, sizeof share);
    else
        mental_share_at(run, run->p->start_year + now / DAYS_PER_YEAR, share);
    person *x = new_person(run);
    if (!x) {
        run->error = -1;
        return;
    }
    uint64_t key = stream_key(run, from_stock, stream);
    population_draw(x, run->p, c, share, from_stock, now, key);
    x->stream_id = stream;
    run->state_now[x->state][x->region][x->sex]++;
    benefit_count(run, x, +1);
    if (!from_stock)
        log_event(run, (uint32_t)(x - run->people), ST_OUTSIDE, x->state);
    draw_state_risks_keyed(run, x, key);
    schedule_person(run, x);
}

/* Stream of inflow candidate n: its first number gives the gap before the
 * candidate, its decision child the acceptance of the thinning. */
static uint64_t candidate_key(const claimant_run *run, uint64_t n)
{
    return sim_rng_child(run->inflow_key, n);
}

/* Schedules the next candidate arrival of the thinned Poisson inflow. */
static void schedule_arrival(claimant_run *run)
{
    if (!(run->inflow_max_rate > 0))
        return;
    run->candidate_key = candidate_key(run, run->inflow_candidates);
    sim_stream s = sim_stream_at(run->candidate_key);
    double t = run->now + sim_stream_exponential(&s) / run->inflow_max_rate;
    if (t <= run->horizon && sim_schedule(run->eng, t, GLOBAL_TARGET, EV_ARRIVAL) == SIM_NO_EVENT)
        run->error = -1;
}

static void arrival(claimant_run *run)
{
    uint32_t candidate = (uint32_t)run->inflow_candidates++;
    double year = run->p->start_year + run->now / DAYS_PER_YEAR;
    double rate = schedule_linear(&run->p->inflow_per_year, year, 0) * run->p->scale / DAYS_PER_YEAR;
    /* accept with probability rate / max; at the maximum every u in [0, 1)
     * accepts, so the uniform is not drawn */
    bool accept = rate >= run->inflow_max_rate;
    if (!accept) {
        sim_stream s = sim_stream_at(sim_rng_child(run->candidate_key, 1));
        accept = sim_stream_uniform(&s) * run->inflow_max_rate < rate;
    }
    if (accept)
        add_person(run, &run->p->inflow, false, candidate);
    schedule_arrival(run);
}

/* The next person of the cohort enters (cohort mode) and is referred. */
static void cohort_entry(claimant_run *run)
{
    const claimant_cohort *c = run->cohort;
    person *x = new_person(run);
    if (!x) {
        run->error = -1;
        return;
    }
    *x = c->people[run->cohort_next++];
    x->pending = SIM_NO_EVENT;
    run->state_now[x->state][x->region][x->sex]++;
    benefit_count(run, x, +1);
    log_event(run, (uint32_t)(x - run->people), ST_OUTSIDE, x->state);
    if (c->on_state)
        c->on_state(c->arg, (size_t)(x - run->people), x, ST_OUTSIDE, x->state,
                    run->now);
    if (c->refer_on_entry && run->eff.programme) {
        /* entry is the referral event: it takes the person's next referral
         * stream, whose decision stream decides the screening (see refer) */
        (void)claimant_stream(person_key(run, x), x, DRAW_REFERRAL);
        refer(run, x);
    } else {
        draw_state_risks(run, x);
        schedule_person(run, x);
    }
    if (run->cohort_next < c->n
        && sim_schedule(run->eng, c->people[run->cohort_next].arrival_day, GLOBAL_TARGET,
                        EV_COHORT_ENTRY) == SIM_NO_EVENT)
        run->error = -1;
}

static void snapshot(claimant_run *run)
{
    size_t m = run->month;
    run_results *r = &run->res;
    memcpy(&r->state_counts[RES_STATE_IDX(m, 0, 0, 0)], run->state_now, sizeof run->state_now);
    memcpy(&r->benefit_counts[RES_BENEFIT_IDX(m, 0, 0, 0)], run->benefit_now,
           sizeof run->benefit_now);
    for (int g = 0; g < N_REGION; g++) {
        r->programme_counts[RES_PROG_IDX(m, 0, g)] = run->cl.region[g].enrolled;
        r->programme_counts[RES_PROG_IDX(m, 1, g)] = run->cl.region[g].waiting;
    }
    run->month++;
    if (run->month <= run->months
        && sim_schedule(run->eng, results_snapshot_day(run->horizon, run->month), GLOBAL_TARGET,
                        EV_MONTH)
               == SIM_NO_EVENT)
        run->error = -1;
}

/* ---- engine interface ---------------------------------------------------- */

static int model_event(void *model, sim_engine *eng, const sim_event *ev)
{
    (void)eng;
    claimant_run *run = model;
    run->now = ev->time;
    if (run->months > 0 && run->month > run->months && ev->time >= run->horizon)
        return run->error; /* at the horizon, after its snapshot: outside the run */
    if (ev->kind == EV_MONTH)
        snapshot(run);
    else if (ev->kind == EV_ARRIVAL)
        arrival(run);
    else if (ev->kind == EV_CAPACITY)
        apply_capacity(run);
    else if (ev->kind == EV_COHORT_ENTRY)
        cohort_entry(run);
    else
        person_event(run, ev->target, ev->kind);
    return run->error;
}

/* The person of an upcoming event: start fetching their record. */
static void model_prefetch(void *model, uint32_t target)
{
    const claimant_run *run = model;
    if (target < run->npeople)
        __builtin_prefetch(&run->people[target], 1);
}

static const sim_model_type claimant_model_type = { "claimant", NULL, model_event, NULL,
                                                    model_prefetch };

static size_t simulated_count(double real, double scale)
{
    double n = floor(real * scale + 0.5);
    return n > 0 ? (size_t)n : 0;
}

/* A run of `policy` with its parameters set and nothing allocated yet. */
static claimant_run *run_new(const model_params *p, size_t policy)
{
    claimant_run *run = calloc(1, sizeof *run);
    if (!run)
        return NULL;
    run->p = p;
    run->policy = &p->policy[policy];
    run->prog = &run->policy->prog;
    policy_effects_compute(run->policy, &run->eff);
    run->anniversary_keeps_race = keeps_race_at_anniversary(p);
    run->job_loss_cap = !p->plain_race && p->job_loss.clock == CLOCK_STATE
                                && isfinite(p->sustained_days)
                            ? hazard_cumulative(&p->job_loss, p->sustained_days + 1) : INFINITY;
    return run;
}

/* Sets up the caseloads of a programme with a fixed number of coaches per
 * region: simulated_places on as many coaches as they need, like a schedule
 * (no coaches, so no limit, when there is no programme, its capacity
 * follows a schedule, or a region has 0 coaches). 0, or -1 when out of
 * memory. */
static int init_fixed_capacity(claimant_run *run)
{
    size_t coaches[N_REGION];
    int32_t places[N_REGION];
    bool fixed = run->eff.programme && !run->prog->coaches_scheduled;
    for (int g = 0; g < N_REGION; g++) {
        places[g] = fixed ? simulated_places(run, run->prog->coaches[g]) : 0;
        coaches[g] = coaches_for(run, places[g]);
    }
    if (caseload_init(&run->cl, coaches, caseload_of(run)) != 0)
        return -1;
    for (int g = 0; g < N_REGION; g++)
        if (coaches[g])
            caseload_limit_places(&run->cl, g, places[g]);
    return 0;
}

claimant_run *claimant_run_alloc(const model_params *p, size_t policy,
                                 uint64_t master_seed, size_t rep)
{
    if (policy >= p->npolicies)
        return NULL;
    claimant_run *run = run_new(p, policy);
    if (!run)
        return NULL;
    run->rep_key = sim_rng_replication_key(master_seed, rep);
    run->inflow_key = sim_rng_child(run->rep_key, UINT64_C(0x1F10E));
    run->inflow_people_key = sim_rng_child(run->rep_key, UINT64_C(0x1F10E9E0));
    run->horizon = p->horizon_days;
    run->months = results_months(p->horizon_days);

    size_t stock = simulated_count(p->stock.people, p->scale);
    double year0 = p->start_year, year1 = p->start_year + p->horizon_days / DAYS_PER_YEAR;
    run->inflow_max_rate = schedule_max(&p->inflow_per_year, year0, year1, 0) * p->scale
                           / DAYS_PER_YEAR;
    size_t expect = stock + (size_t)(run->inflow_max_rate * p->horizon_days * 1.05) + 64;

    sim_engine_options opt = { .start = 0, .bucket_width = 1.0, .nbuckets = 8192,
                               .capacity_hint = stock + 1024 };
    run->eng = sim_engine_alloc(&claimant_model_type, run, &opt);
    run->people = sim_alloc_large(expect * sizeof *run->people);
    run->cap = expect;
    if (!run->eng || !run->people
        || init_fixed_capacity(run) != 0
        || results_init(&run->res, run->months) != 0)
        goto fail;

    if (run->eff.programme && run->prog->coaches_scheduled)
        apply_capacity(run); /* before the stock draws its referral risks */
    for (size_t i = 0; i < stock && !run->error; i++)
        add_person(run, &p->stock, true, (uint32_t)i);
    snapshot(run); /* month 0, schedules month 1 */
    schedule_arrival(run);
    if (run->error)
        goto fail;
    return run;

fail:
    claimant_run_free(run);
    return NULL;
}

claimant_run *claimant_run_alloc_cohort(const model_params *p, size_t policy,
                                        const claimant_cohort *c)
{
    if (policy >= p->npolicies || (c->n && (!c->people || !c->keys)))
        return NULL;
    claimant_run *run = run_new(p, policy);
    if (!run)
        return NULL;
    run->cohort = c;
    run->horizon = c->horizon;
    run->months = results_months(c->horizon);
    /* a trial spans a few years: buckets of a month, a window of ten years */
    sim_engine_options opt = { .start = 0, .bucket_width = 30.0, .nbuckets = 128,
                               .capacity_hint = c->n + 64 };
    run->eng = sim_engine_alloc(&claimant_model_type, run, &opt);
    run->people = sim_alloc_large((c->n ? c->n : 1) * sizeof *run->people);
    run->cap = c->n ? c->n : 1;
    if (!run->eng || !run->people
        || init_fixed_capacity(run) != 0
        || results_init(&run->res, run->months) != 0)
        goto fail;
    if (run->eff.programme && run->prog->coaches_scheduled)
        apply_capacity(run);
    if (c->monthly_snapshots)
        snapshot(run); /* month 0, schedules month 1 */
    if (c->n && sim_schedule(run->eng, c->people[0].arrival_day, GLOBAL_TARGET, EV_COHORT_ENTRY)
                    == SIM_NO_EVENT)
        goto fail;
    if (run->error)
        goto fail;
    return run;

fail:
    claimant_run_free(run);
    return NULL;
}

void claimant_run_free(claimant_run *run)
{
    if (!run)
        return;
    sim_engine_free(run->eng);
    caseload_clear(&run->cl);
    results_clear(&run->res);
    free(run->people);
    free(run);
}

int claimant_run_step(claimant_run *run)
{
    if (run->error)
        return run->error;
    if (!(sim_engine_next_time(run->eng) <= run->horizon))
        return 0;
    return sim_engine_step(run->eng);
}

int claimant_run_until(claimant_run *run, double t)
{
    if (run->error)
        return run->error;
    return sim_engine_run_until(run->eng, t < run->horizon ? t : run->horizon);
}

double claimant_run_now(const claimant_run *run) { return sim_engine_now(run->eng); }
double claimant_run_horizon(const claimant_run *run) { return run->horizon; }
uint64_t claimant_run_events(const claimant_run *run) { return sim_engine_events_run(run->eng); }

size_t claimant_run_people(const claimant_run *run, const person **people)
{
    *people = run->people;
    return run->npeople;
}

void claimant_run_state_totals(const claimant_run *run, int64_t out[N_STATE])
{
    for (int s = 0; s < N_STATE; s++) {
        out[s] = 0;
        for (int g = 0; g < N_REGION; g++)
            for (int x = 0; x < N_SEX; x++)
                out[s] += run->state_now[s][g][x];
    }
}

int claimant_run_finish(claimant_run *run, run_results *out)
{
    int rc = claimant_run_until(run, run->horizon);
    if (rc < 0)
        return rc;
    run_results *r = &run->res;
    r->events = sim_engine_events_run(run->eng);
    r->peak_memory = run->cap * sizeof *run->people
                     + sim_engine_memory(run->eng)
                     + caseload_memory(&run->cl) + sizeof *run;
    /* The outcome table is built in place over the people array (an outcome
     * is smaller than a person, so record i never overwrites record j > i):
     * the peak memory stays that of the people. The run keeps no people. */
    _Static_assert(sizeof(person_outcome) <= sizeof(person), "outcome must fit in place");
    _Static_assert(sizeof(person) == 64, "a person is one cache line");
    double end = run->horizon;
    size_t n = run->npeople;
    for (size_t i = 0; i < n; i++) {
        person x = run->people[i];
        float employed = x.days_employed;
        if (claimant_is_employed(&x))
            employed += (float)(end - x.entry_day);
        person_outcome o;
        memset(&o, 0, sizeof o);
        o.id = (uint32_t)i;
        o.sex = x.sex;
        o.region = x.region;
        o.diagnosis = x.diagnosis;
        o.severity = x.severity;
        o.education = x.education;
        o.from_stock = (x.flags & PF_FROM_STOCK) ? 1 : 0;
        o.final_state = x.state;
        o.ever_enrolled = (x.flags & PF_EVER_ENROLLED) ? 1 : 0;
        o.coach = (x.flags & PF_EVER_ENROLLED) ? x.coach : 0xffff;
        o.age_at_arrival = (float)((x.arrival_day - x.birth_day) / DAYS_PER_YEAR);
        o.arrival_day = x.arrival_day;
        o.onset_day = x.onset_day;
        o.first_job_day = x.first_job_day;
        o.days_employed = employed;
        o.exit_day = claimant_is_exited(&x) ? x.entry_day : INFINITY;
        memcpy((person_outcome *)(void *)run->people + i, &o, sizeof o);
    }
    person_outcome *outcomes = (person_outcome *)(void *)run->people;
    person_outcome *shrunk = realloc(outcomes, (n ? n : 1) * sizeof *outcomes);
    r->people = shrunk ? shrunk : outcomes;
    r->npeople = n;
    run->people = NULL;
    run->npeople = run->cap = 0;
    *out = *r;
    memset(r, 0, sizeof *r);
    return 0;
}

int claimant_run_check(const claimant_run *run, char *msg, size_t len)
{
    int32_t count[N_STATE][N_REGION][N_SEX];
    int32_t enrolled[N_REGION] = { 0 }, waiting[N_REGION] = { 0 };
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < run->npeople; i++) {
        const person *x = &run->people[i];
        if (x->state >= N_STATE) {
            snprintf(msg, len, "person %zu has invalid state %d", i, x->state);
            return -1;
        }
        count[x->state][x->region][x->sex]++;
        if (x->flags & PF_ENROLLED)
            enrolled[x->region]++;
        if (x->state == ST_WAITING)
            waiting[x->region]++;
        bool enrolled_state = x->state == ST_TRAINING || x->state == ST_JOB_SEARCH;
        if (enrolled_state && !(x->flags & PF_ENROLLED)) {
            snprintf(msg, len, "person %zu is in %s without a coach", i,
                     claimant_state_name(x->state));
            return -1;
        }
    }
    if (memcmp(count, run->state_now, sizeof count) != 0) {
        snprintf(msg, len, "state counters differ from a recount of the people");
        return -1;
    }
    for (int g = 0; g < N_REGION; g++) {
        const region_caseload *rc = &run->cl.region[g];
        if (enrolled[g] != rc->enrolled || waiting[g] != rc->waiting) {
            snprintf(msg, len, "region %d: %d enrolled/%d waiting counted, %d/%d recorded", g,
                     enrolled[g], waiting[g], rc->enrolled, rc->waiting);
            return -1;
        }
        if (rc->coaches && (size_t)rc->enrolled > rc->coaches * (size_t)rc->caseload) {
            snprintf(msg, len, "region %d: %d clients exceed %zu coaches x %d", g, rc->enrolled,
                     rc->coaches, rc->caseload);
            return -1;
        }
        for (size_t c = 0; c < rc->coaches; c++)
            if (rc->clients[c] > rc->caseload || rc->clients[c] < 0) {
                snprintf(msg, len, "region %d coach %zu has %d clients (caseload %d)", g, c,
                         rc->clients[c], rc->caseload);
                return -1;
            }
        if (rc->waiting > 0 && rc->coaches && caseload_free_places(&run->cl, g) > 0) {
            snprintf(msg, len, "region %d: %d waiting while %d of %zu places are taken", g,
                     rc->waiting, rc->enrolled, rc->coaches * (size_t)rc->caseload);
            return -1;
        }
    }
    return 0;
}
