/* The counts of OpenCL objects the library holds (cl_fault.h). */
#include "cl_fault.h"

atomic_llong cnn_cl_live[CNN_CL_OBJ_KINDS];

void cnn_cl_live_objects(long long counts[CNN_CL_OBJ_KINDS])
{
    for (int i = 0; i < CNN_CL_OBJ_KINDS; i++)
        counts[i] = atomic_load(&cnn_cl_live[i]);
}
