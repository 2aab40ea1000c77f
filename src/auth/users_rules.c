/* DOMAIN.md §1 "Granting roles": users.manage is not a master key. Pure rules, no I/O: the
 * routes that change users (PATCH and POST /users, PUT /users/{id}/ventures|offices,
 * POST /users/{id}/password-reset) ask these before touching anything and answer 403 with the
 * reason. */
#include "auth/auth.h"

#include <string.h>

bool wh_role_privileged(wh_role role)
{
    /* CEO, ADMIN, HR_ADMIN and every other all-venture role (COO, AUDITOR, TEST_USER) */
    return wh_role_all_ventures(role);
}

/* Only CEO and ADMIN grant, take away or touch a privileged role. */
static bool grants_privileged(wh_role actor)
{
    return actor == WH_ROLE_CEO || actor == WH_ROLE_ADMIN;
}

const char *wh_users_refusal(const wh_principal *actor, const wh_user *target,
                             const wh_user_input *in)
{
    bool grants = grants_privileged(actor->role);
    if (target && !grants && wh_role_privileged(target->role))
        return "Only a CEO or ADMIN may change a user who holds a privileged role.";
    if (in && in->has_role && !grants && wh_role_privileged(in->role))
        return "Only a CEO or ADMIN may grant a privileged role.";
    if (target && in && target->id == actor->id &&
        ((in->has_role && in->role != target->role) ||
         (in->has_active && in->active != target->active)))
        return "Nobody may change their own role or active flag.";
    return NULL;
}

const wh_rule wh_users_rule_granting = {
    "granting_roles", WH_RULE_TARGET, NULL,
    "Only a CEO or ADMIN changes a user who holds, gets or loses a privileged role; nobody changes"
    " their own role or active flag."};

bool wh_users_ends_sessions(const wh_user *before, const wh_user *after)
{
    return before->role != after->role || before->active != after->active ||
           strcmp(before->email, after->email) != 0;
}

bool wh_user_phone_ok(const char *phone)
{
    size_t n = phone ? strlen(phone) : 0;
    if (n < 9 || n > 16 || phone[0] != '+' || phone[1] == '0')
        return false;
    for (size_t i = 1; i < n; i++)
        if (phone[i] < '0' || phone[i] > '9')
            return false;
    return true;
}
