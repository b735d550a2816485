// The one header through which Swift sees GLPK. GLPK has no pkg-config file,
// so the module map links libglpk directly.
#include <glpk.h>
