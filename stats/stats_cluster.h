/* stats_cluster: binary outcomes when people share a coach. In the partially
 * clustered IPS trial only the treatment arm (group 1) is clustered (by IPS
 * coach); the control arm (group 2) is a set of independent people. */
#ifndef IPSIM_STATS_CLUSTER_H
#define IPSIM_STATS_CLUSTER_H

#include <stddef.h>

#include "stats/stats_common.h"

/* Difference in proportions p1 - p2 for a partially clustered trial. Group 1
 * is given per cluster: succ[j] successes among size[j] people (clusters of
 * size 0 are ignored); group 2 as x2 successes among n2 independent people.
 * Var(p1) is the cluster-robust (sandwich) variance
 *     J/(J-1) * sum_j (succ_j - size_j p1)^2 / N1^2
 * over the J non-empty clusters; Var(p2) = p2(1-p2)/n2.
 * Output: estimate = p1 - p2, se = sqrt(Var(p1) + Var(p2)), 1-alpha Wald CI,
 * statistic = estimate / se (z), df = NAN, p_value for `sided`.
 * Returns STATS_EINVAL for NULL arrays, succ > size, x2 > n2 or bad
 * alpha/sided; STATS_EEMPTY for fewer than 2 non-empty clusters or n2 = 0
 * (all NAN); STATS_EDEGEN when se = 0 (estimate and CI filled). */
int stats_partial_cluster_diff(const size_t *succ, const size_t *size, size_t n_clusters,
                               size_t x2, size_t n2, double alpha, stats_sided sided,
                               stats_result *out);

/* One-way ANOVA estimator of the intra-cluster correlation of a binary
 * outcome from per-cluster counts (succ[j] of size[j]; size 0 ignored):
 *     (MSB - MSW) / (MSB + (m0 - 1) MSW),  m0 = (N - sum m_j^2 / N) / (k - 1).
 * The estimate may be negative; it is not truncated at 0.
 * Returns STATS_EINVAL for NULL arrays or succ > size; STATS_EEMPTY with
 * fewer than 2 non-empty clusters or no within-cluster degrees of freedom
 * (N = k); STATS_EDEGEN when every person has the same outcome. *icc is NAN
 * on failure. */
int stats_icc_anova(const size_t *succ, const size_t *size, size_t n_clusters, double *icc);

/* Design effect 1 + (m - 1) icc for clusters of m people. NAN when m < 1,
 * icc outside [-1, 1] or either is not finite. */
double stats_design_effect(double m, double icc);

/* Design effect for unequal cluster sizes with mean m and coefficient of
 * variation cv (Eldridge et al. 2006): 1 + ((cv^2 + 1) m - 1) icc.
 * cv = 0 gives stats_design_effect. NAN on the same inputs, or cv < 0. */
double stats_design_effect_unequal(double m, double cv, double icc);

#endif
