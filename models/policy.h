/* policy: the three policies as tables of effective effects.
 *
 * Status quo has no programme. Train-then-place and IPS share one programme
 * mechanism and differ by their values. An IPS programme's effects are given
 * as ratios at a reference IPS-25 fidelity score; at fidelity F each ratio r
 * becomes r^s(F) with s(F) = max(0, (F - 73) / (F_ref - 73)): no IPS effect
 * at 73 or below ("not IPS"), the configured effect at F_ref, and a
 * proportionally larger one above it (docs/model.md).
 */
#ifndef IPSIM_POLICY_H
#define IPSIM_POLICY_H

#include <stdbool.h>
#include "models/params.h"

#define FIDELITY_NOT_IPS 73.0 /* IPS-25 score at or below which a service is "not IPS" */

typedef struct policy_effects {
    bool programme;          /* has a support programme */
    double fidelity_factor;  /* s(F); 1 when not fidelity-scaled */
    double job_find;         /* hazard ratios, after fidelity scaling */
    double relapse;
    double dropout;
    double job_loss_support;
    double job_loss_match;
    double refusal_ratio;
} policy_effects;

const char *policy_kind_name(int kind); /* "status_quo", "train_then_place", "ips" */

/* s(F) for a programme (1 when not fidelity-scaled). */
double policy_fidelity_factor(const programme_params *prog);

/* Effective effects of a policy. */
void policy_effects_compute(const policy_params *pol, policy_effects *out);

#endif
