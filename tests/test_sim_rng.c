/* Keyed random streams: reproducible by key, distinct across keys, and the
 * right moments through GSL's distributions. */
#include <math.h>
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>

#include "sim/sim_rng.h"

Test(sim_rng, same_key_same_numbers_other_key_other_numbers)
{
    gsl_rng *r = sim_rng_alloc(sim_rng_child(42, 7));
    double first[8];
    for (int i = 0; i < 8; i++)
        first[i] = gsl_rng_uniform(r);
    sim_rng_rekey(r, sim_rng_child(42, 7));
    for (int i = 0; i < 8; i++)
        cr_expect_eq(gsl_rng_uniform(r), first[i]);
    sim_rng_rekey(r, sim_rng_child(42, 8));
    int same = 0;
    for (int i = 0; i < 8; i++)
        same += gsl_rng_uniform(r) == first[i];
    cr_expect_eq(same, 0);
    cr_expect_neq(sim_rng_replication_key(1, 0), sim_rng_replication_key(1, 1));
    cr_expect_neq(sim_rng_replication_key(1, 0), sim_rng_replication_key(2, 0));
    gsl_rng_free(r);
}

Test(sim_rng, uniform_mean_and_exponential_mean)
{
    gsl_rng *r = sim_rng_alloc(sim_rng_replication_key(5, 0));
    const int n = 200000;
    double su = 0, se = 0;
    for (int i = 0; i < n; i++) {
        su += gsl_rng_uniform(r);
        se += gsl_ran_exponential(r, 1.0);
    }
    /* means within 4 standard errors: U(0,1) sd 0.2887, Exp(1) sd 1 */
    cr_expect_leq(fabs(su / n - 0.5), 4 * 0.2887 / sqrt(n));
    cr_expect_leq(fabs(se / n - 1.0), 4 * 1.0 / sqrt(n));
    gsl_rng_free(r);
}
