#include <proj.h>
#if PROJ_VERSION_MAJOR < 8
#error "HazardMon requires PROJ >= 8 (proj_context_errno_string)"
#endif
