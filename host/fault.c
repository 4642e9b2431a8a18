/* Fault injection's counter (see fault.h). Empty without CNNCL_FAULT_INJECTION. */
#include "fault.h"

#ifdef CNNCL_FAULT_INJECTION
static int64_t armed, reached;
static int failed_kind = -1;

int cnn_fault_hit(cnn_fault_kind kind)
{
    reached++;
    if (armed && reached == armed) {
        failed_kind = (int)kind;
        return 1;
    }
    return 0;
}

void cnn_fault_arm(int64_t nth)
{
    armed = nth;
    reached = 0;
    failed_kind = -1;
}

int64_t cnn_fault_points(void) { return reached; }
int cnn_fault_failed_kind(void) { return failed_kind; }
#else
/* ISO C wants a translation unit to declare something. */
typedef int cnn_fault_unused;
#endif
