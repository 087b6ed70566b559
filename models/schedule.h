/* schedule: values that change with calendar year (inflow volume, mental
 * share of new cases, pension age). */
#ifndef IPSIM_SCHEDULE_H
#define IPSIM_SCHEDULE_H

#include "models/params.h"

/* Linear interpolation between points, constant beyond the first and last;
 * `fallback` when the schedule is empty. */
double schedule_linear(const year_schedule *s, double year, double fallback);

/* Value of the last point at or before `year` (the first point before it). */
double schedule_step(const year_schedule *s, double year, double fallback);

/* Largest value over [y0, y1] of the linear schedule. */
double schedule_max(const year_schedule *s, double y0, double y1, double fallback);

#endif
