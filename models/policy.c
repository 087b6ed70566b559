/* policy: fidelity scaling of programme effects; see policy.h. */
#include "models/policy.h"

#include <math.h>

const char *policy_kind_name(int kind)
{
    static const char *const names[N_POLICY_KIND] = { "status_quo", "train_then_place", "ips" };
    return kind >= 0 && kind < N_POLICY_KIND ? names[kind] : "unknown";
}

double policy_fidelity_factor(const programme_params *prog)
{
    if (!prog->fidelity_scaled)
        return 1.0;
    double s = (prog->fidelity - FIDELITY_NOT_IPS) / (prog->fidelity_reference - FIDELITY_NOT_IPS);
    return s > 0 ? s : 0.0;
}

void policy_effects_compute(const policy_params *pol, policy_effects *out)
{
    const programme_params *g = &pol->prog;
    *out = (policy_effects){ .programme = pol->kind != POLICY_STATUS_QUO && g->exists,
                             .fidelity_factor = 1, .job_find = 1, .relapse = 1, .dropout = 1,
                             .job_loss_support = 1, .job_loss_match = 1, .refusal_ratio = 1 };
    if (!out->programme)
        return;
    double s = policy_fidelity_factor(g);
    out->fidelity_factor = s;
    out->job_find = pow(g->hr_job_find, s);
    out->relapse = pow(g->hr_relapse, s);
    out->dropout = pow(g->hr_dropout, s);
    out->job_loss_support = pow(g->hr_job_loss_support, s);
    out->job_loss_match = pow(g->hr_job_loss_match, s);
    out->refusal_ratio = pow(g->refusal_ratio, s);
}
