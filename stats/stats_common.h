/* stats_common: status codes, sidedness and the result record shared by the
 * stats_ modules. Every stats_ function is pure (no I/O, no global state) and
 * reports failure through a status int, never by exiting. */
#ifndef IPSIM_STATS_COMMON_H
#define IPSIM_STATS_COMMON_H

/* Status codes returned by stats_ functions. On any non-zero status the
 * fields of the output that could not be computed are NAN. */
enum {
    STATS_OK = 0,
    STATS_EINVAL = -1, /* bad argument: NULL, alpha outside (0,1), x > n, NaN data, label not 0/1 */
    STATS_EEMPTY = -2, /* too few observations: an empty group, n < 2 where a variance is needed */
    STATS_EDEGEN = -3, /* estimate defined but the test is not: zero variance, no events */
    STATS_ENOMEM = -4  /* scratch allocation failed */
};

/* Alternative hypothesis. STATS_GREATER means "group 1 larger than group 2"
 * (or hazard/odds ratio above 1); its confidence interval is one-sided,
 * [lower, +INFINITY) (probability index: [lower, 1]). */
typedef enum stats_sided {
    STATS_TWO_SIDED = 0,
    STATS_GREATER = 1
} stats_sided;

/* Result of a comparison of two groups. Which estimate and statistic are
 * stored is stated by each function. */
typedef struct stats_result {
    double estimate;  /* effect estimate, group 1 versus group 2 */
    double se;        /* standard error of the estimate, on the scale the CI is built on */
    double lower;     /* 1 - alpha confidence limits */
    double upper;
    double statistic; /* z, t or chi-square */
    double df;        /* degrees of freedom of t or chi-square; NAN for z */
    double p_value;   /* for the requested sidedness */
} stats_result;

/* Short English description of a status code ("empty group", ...); never NULL. */
const char *stats_strerror(int status);

#endif
