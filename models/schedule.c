/* schedule: evaluation of by-year schedules; see schedule.h. Points are
 * sorted by year (config validation guarantees it). */
#include "models/schedule.h"

double schedule_linear(const year_schedule *s, double year, double fallback)
{
    if (s->n == 0)
        return fallback;
    if (year <= s->year[0])
        return s->value[0];
    for (size_t i = 1; i < s->n; i++) {
        if (year <= s->year[i]) {
            double w = (year - s->year[i - 1]) / (s->year[i] - s->year[i - 1]);
            return s->value[i - 1] + w * (s->value[i] - s->value[i - 1]);
        }
    }
    return s->value[s->n - 1];
}

double schedule_step(const year_schedule *s, double year, double fallback)
{
    if (s->n == 0)
        return fallback;
    double v = s->value[0];
    for (size_t i = 0; i < s->n && s->year[i] <= year; i++)
        v = s->value[i];
    return v;
}

double schedule_max(const year_schedule *s, double y0, double y1, double fallback)
{
    double m = schedule_linear(s, y0, fallback);
    double v = schedule_linear(s, y1, fallback);
    if (v > m)
        m = v;
    for (size_t i = 0; i < s->n; i++)
        if (s->year[i] > y0 && s->year[i] < y1 && s->value[i] > m)
            m = s->value[i];
    return m;
}
