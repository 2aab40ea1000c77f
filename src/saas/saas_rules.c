/* SaaS rules (DOMAIN-wave2 §12): pure, no I/O. */
#include "saas/saas.h"

#include <ctype.h>
#include <string.h>

const char *wh_saas_event_type(int64_t before, int64_t after, bool has_earlier)
{
    if (after == before)
        return NULL;
    if (before == 0)
        return has_earlier ? "REACTIVATION" : "NEW";
    if (after == 0)
        return "CHURN";
    return after > before ? "EXPANSION" : "CONTRACTION";
}

bool wh_saas_code_normalise(char *code)
{
    size_t n = strlen(code);
    if (n < 1 || n > WH_SAAS_CODE_CHARS)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)code[i];
        if (ch >= 'a' && ch <= 'z')
            code[i] = (char)toupper(ch);
        else if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
            return false;
    }
    return true;
}
